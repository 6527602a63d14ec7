"""Attachments on a weekly report: checked by content, stored under random names, served only
to people who may read the report."""

import io
import re
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services
from reports.models import Attachment, WeeklyReport
from tests.reports.test_services import MONDAY, fill

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
OOXML = "application/vnd.openxmlformats-officedocument"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


def office(main_part: str) -> bytes:
    """A minimal Office Open XML package: [Content_Types].xml plus the application's main part."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(main_part, "<document/>")
    return buffer.getvalue()


@pytest.fixture
def draft(rep):
    return services.open_report(author=rep, week_start=MONDAY)


def upload(client, report, name: str, content: bytes, **headers):
    return client.post(
        reverse("reports:attachment_upload", args=[report.pk]),
        {"file": SimpleUploadedFile(name, content, "application/octet-stream")},
        **headers,
    )


def stored_files(settings) -> list[Path]:
    return [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]


def test_author_attaches_a_pdf_and_the_manager_downloads_it(client, rep, lead, draft, settings):
    client.force_login(rep)
    response = upload(client, draft, "../../合同 v2.pdf", PDF)
    assert response.status_code == 302 and response.url == reverse("reports:edit", args=[draft.pk])
    attachment = Attachment.objects.get(report=draft)
    assert attachment.original_name == "合同 v2.pdf" and attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF) and attachment.uploaded_by == rep
    assert re.fullmatch(r"attachments/\d{4}/\d{2}/[0-9a-f]{32}\.pdf", attachment.file.name)  # not the author's name

    client.force_login(lead)
    assert client.get(reverse("reports:attachment_download", args=[attachment.pk])).status_code == 404  # a draft
    WeeklyReport.objects.filter(pk=draft.pk).update(status=WeeklyReport.Status.SUBMITTED)
    response = client.get(reverse("reports:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E5%90%88%E5%90%8C%20v2.pdf" in response["Content-Disposition"]


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("现场照片.PNG", PNG, "image/png"),
        ("报价单.docx", office("word/document.xml"), f"{OOXML}.wordprocessingml.document"),
        ("客户清单.xlsx", office("xl/workbook.xml"), f"{OOXML}.spreadsheetml.sheet"),
        ("介绍.pptx", office("ppt/presentation.xml"), f"{OOXML}.presentationml.presentation"),
        ("旧报价.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "application/msword"),
    ],
)
def test_images_and_office_files_are_accepted_by_their_content(client, rep, draft, name, content, content_type):
    client.force_login(rep)
    upload(client, draft, name, content)
    assert Attachment.objects.get(report=draft).content_type == content_type


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("合同.pdf", EXE, "is not a real .pdf file"),  # an .exe renamed
        ("setup.exe", EXE, "Files of this type cannot be attached."),
        ("照片.jpg", PNG, "is not a real .jpg file"),  # the extension must agree with the content
        ("报价单.docx", office("xl/workbook.xml"), "is not a real .docx file"),
        ("archive.docx", b"PK\x03\x04" + b"\x00" * 50, "is not a real .docx file"),  # a broken zip
        ("README", PDF, "Files of this type cannot be attached."),
    ],
)
def test_files_that_are_not_what_they_claim_are_refused_and_nothing_is_stored(
    client, rep, draft, settings, name, content, message
):
    client.force_login(rep)
    response = upload(client, draft, name, content, follow=True)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []


def test_a_file_over_the_size_limit_is_refused(client, rep, draft, settings):
    settings.REPORT_ATTACHMENT_MAX_BYTES = 64
    client.force_login(rep)
    response = upload(client, draft, "big.pdf", PDF + b"x" * 64, follow=True)
    assert "The file is too large" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(settings) == []


def test_htmx_upload_swaps_the_attachment_list_with_the_error_or_the_new_file(client, rep, draft):
    client.force_login(rep)
    refused = upload(client, draft, "合同.pdf", EXE, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "is not a real .pdf file" in refused.content.decode()
    accepted = upload(client, draft, "合同.pdf", PDF, HTTP_HX_REQUEST="true")
    page = accepted.content.decode()
    assert page.lstrip().startswith('<section class="card mb-3" id="section-attachments">')
    assert "合同.pdf" in page and "is not a real" not in page


def test_the_report_page_shows_an_attachment_at_once_and_drops_a_removed_one(
    client, rep, draft, django_capture_on_commit_callbacks
):
    """The report's sections are kept between views (reports.selectors.rendered_sections)."""
    client.force_login(rep)
    url = reverse("reports:detail", args=[draft.pk])
    assert 'id="section-attachments"' not in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        added = services.add_attachment(report=draft, uploaded_by=rep, file=SimpleUploadedFile("报价单.pdf", PDF))
    assert "报价单.pdf" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(attachment=added)
    assert "报价单.pdf" not in client.get(url).content.decode()


@pytest.fixture
def attachment(rep, draft):
    return services.add_attachment(report=draft, uploaded_by=rep, file=SimpleUploadedFile("合同.pdf", PDF))


@pytest.mark.parametrize(
    ("person", "status"),
    [
        ("rep", 200),
        ("lead", 200),
        ("director", 200),
        ("admin", 200),
        ("outsider", 404),
        ("other_lead", 404),
        ("other_rep", 404),
    ],
)
def test_only_readers_of_the_report_download_its_attachments(client, request, attachment, person, status):
    WeeklyReport.objects.filter(pk=attachment.report_id).update(status=WeeklyReport.Status.SUBMITTED)
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("reports:attachment_download", args=[attachment.pk])).status_code == status


# A draft is private to its author: its manager and admins do not even see it.
@pytest.mark.parametrize(("person", "status"), [("lead", 404), ("admin", 404), ("outsider", 404)])
def test_only_the_author_deletes_or_uploads(client, request, draft, attachment, person, status):
    client.force_login(request.getfixturevalue(person))
    assert client.post(reverse("reports:attachment_delete", args=[attachment.pk])).status_code == status
    assert upload(client, draft, "more.pdf", PDF).status_code == status
    assert list(Attachment.objects.all()) == [attachment]


def test_author_deletes_an_attachment_and_its_file(
    client, rep, attachment, settings, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.exists()
    assert stored_files(settings) == []
    assert client.get(reverse("reports:attachment_delete", args=[attachment.pk])).status_code == 405


def test_a_submitted_report_takes_no_new_files_and_keeps_its_own(client, rep, draft, attachment):
    services.submit_report(report=fill(draft), by=rep)
    client.force_login(rep)
    assert upload(client, draft, "late.pdf", PDF).status_code == 403
    assert client.post(reverse("reports:attachment_delete", args=[attachment.pk])).status_code == 403
    assert list(Attachment.objects.all()) == [attachment]
    assert WeeklyReport.objects.get().status == WeeklyReport.Status.SUBMITTED
