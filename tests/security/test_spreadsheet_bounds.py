"""Imports read only what is there, within limits: a tiny .xlsx that declares a sheet of
A1:XFD1048576 (one cell in its last row) once made the import walk a million empty rows until
gunicorn killed the worker. Now every row read counts, blank ones too, and so does every column;
such a file is refused at once with a message, and a preview never reads the file again."""

import contextlib
import io
import random
import signal
import time
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from customers.models import Customer, LogImport
from teams.models import MemberImport, User

MEMBER_HEADER = ["姓名", "邮箱", "团队"]
ACTIVITY_HEADER = ["日期", "客户", "类型"]
# Who uploads where: the member import is an admin's, the sales-log import any salesperson's.
IMPORTS = {
    "members": ("admin", "teams:member_import", {}, MEMBER_HEADER, MemberImport),
    "sales log": ("rep", "customers:import", {"kind": "activities"}, ACTIVITY_HEADER, LogImport),
}


class TooSlow(BaseException):
    """Not an Exception, so no `except Exception` in the code under test can swallow it."""


@contextlib.contextmanager
def deadline(seconds: float):
    def expire(signum, frame):
        raise TooSlow(f"still reading the file after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def xlsx(cells: dict[str, str], header: list[str]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for coordinate, value in cells.items():
        sheet[coordinate] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def hostile_xlsx(header: list[str]) -> bytes:
    """The audit's file: a header, and one cell in the last row of the last column, so the sheet
    declares the largest dimension Excel allows: under 3 KB once the unused parts are dropped."""
    data = xlsx({"XFD1048576": "x"}, header)
    small = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(small, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if "theme" not in item.filename and "docProps" not in item.filename:
                target.writestr(item.filename, source.read(item.filename))
    return small.getvalue()


def upload(client, request, which: str, content: bytes, name: str = "list.xlsx"):
    who, url_name, fields, _header, _model = IMPORTS[which]
    client.force_login(request.getfixturevalue(who))
    return client.post(reverse(url_name), {**fields, "file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("which", list(IMPORTS))
def test_a_sheet_declaring_a_million_rows_is_refused_at_once_with_a_message(client, request, team, which):
    content = hostile_xlsx(IMPORTS[which][3])
    assert b"A1:XFD1048576" in zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml")
    assert len(content) < 4000
    started = time.monotonic()
    with deadline(10):
        response = upload(client, request, which, content)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    error = response.context["form"].errors["file"][0]
    assert "more than 2000 rows below the header, counting empty rows" in error
    assert not IMPORTS[which][4].objects.exists()


SHARED_TEXT = (
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings",
)


def shared_text_bomb(header: list[str], strings: int) -> bytes:
    """A workbook with a shared-text part of `strings` tiny entries: cheap to zip, slow to load
    (openpyxl loads every one before the first row). Padded so it unpacks less than 50 times its
    size, which the reader has always refused."""
    source = zipfile.ZipFile(io.BytesIO(xlsx({}, header)))
    shared = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    shared += b"<si><t>a</t></si>" * strings + b"</sst>"
    content_type = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_TEXT[0]}"/></Types>'
    relation = f'<Relationship Id="rIdText" Type="{SHARED_TEXT[1]}" Target="sharedStrings.xml"/></Relationships>'
    parts = {name: source.read(name) for name in source.namelist()}
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(b"</Types>", content_type.encode())
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", relation.encode()
    )
    parts["xl/sharedStrings.xml"] = shared
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
        target.writestr("xl/media/padding.bin", random.randbytes(len(shared) // 40), zipfile.ZIP_STORED)
    return out.getvalue()


@pytest.mark.parametrize("which", list(IMPORTS))
def test_a_workbook_packing_a_million_tags_is_refused_before_it_is_loaded(client, request, team, which):
    content = shared_text_bomb(IMPORTS[which][3], 250_000)
    assert len(content) < 200_000
    started = time.monotonic()
    with deadline(20):
        response = upload(client, request, which, content)
    assert time.monotonic() - started < 5
    assert response.status_code == 200
    assert "This workbook holds far more than a list of 2000 rows" in response.context["form"].errors["file"][0]
    assert not IMPORTS[which][4].objects.exists()


@pytest.mark.parametrize("which", list(IMPORTS))
def test_a_row_reaching_far_right_is_refused_with_a_message(client, request, team, which):
    with deadline(10):
        response = upload(client, request, which, xlsx({"XFD2": "x"}, IMPORTS[which][3]))
    assert response.status_code == 200
    assert "Row 2 reaches beyond column 100" in response.context["form"].errors["file"][0]
    assert not IMPORTS[which][4].objects.exists()


def test_blank_rows_count_against_the_row_limit_in_a_csv_too(client, request, team, settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 3
    text = ",".join(MEMBER_HEADER) + "\r\n" + "孙丽,sun.li@example.com,Shanghai 1\r\n" + ",,\r\n" * 3
    response = upload(client, request, "members", text.encode("utf-8-sig"), name="members.csv")
    assert "more than 3 rows below the header, counting empty rows" in response.context["form"].errors["file"][0]
    assert not MemberImport.objects.exists()


def overwrite(stored) -> None:
    with open(stored.file.path, "wb") as handle:
        handle.write(b"not a spreadsheet any more")


def test_the_member_preview_shows_the_rows_read_at_upload_without_reading_the_file_again(client, admin, team):
    client.force_login(admin)
    content = xlsx({"A2": "孙丽", "B2": "sun.li@example.com", "C2": team.name}, MEMBER_HEADER)
    client.post(reverse("teams:member_import"), {"file": SimpleUploadedFile("members.xlsx", content)})
    member_import = MemberImport.objects.get()
    overwrite(member_import)
    for _ in range(2):
        page = client.get(member_import.get_absolute_url()).content.decode()
        assert "sun.li@example.com" in page and "not an Excel workbook" not in page
    client.post(reverse("teams:member_import_apply", args=[member_import.pk]))
    assert User.objects.filter(email="sun.li@example.com").exists()


def test_the_sales_log_preview_shows_the_rows_read_at_upload_without_reading_the_file_again(client, rep):
    client.force_login(rep)
    content = xlsx({"A2": "华为技术有限公司"}, ["客户名称"])
    client.post(reverse("customers:import"), {"kind": "customers", "file": SimpleUploadedFile("c.xlsx", content)})
    log_import = LogImport.objects.get()
    overwrite(log_import)
    for _ in range(2):
        page = client.get(log_import.get_absolute_url()).content.decode()
        assert "华为技术有限公司" in page and "not an Excel workbook" not in page
    client.post(reverse("customers:import_apply", args=[log_import.pk]))
    assert Customer.objects.filter(owner=rep, name="华为技术有限公司").exists()
