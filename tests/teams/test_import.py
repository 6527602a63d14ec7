import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from teams import imports
from teams.models import MemberImport, Membership, User
from tests.factories import TeamFactory

CHINESE_HEADER = ["姓名", "邮箱", "团队", "角色", "职位", "电话"]


def csv_file(rows: list[list[str]], *, encoding: str = "utf-8-sig", name: str = "members.csv") -> SimpleUploadedFile:
    text = "\r\n".join(",".join(row) for row in rows) + "\r\n"
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def xlsx_file(rows: list[list[object]], *, name: str = "members.xlsx") -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, file: SimpleUploadedFile):
    return client.post(reverse("teams:member_import"), {"file": file})


def uploaded_import(client, file: SimpleUploadedFile) -> MemberImport:
    response = upload(client, file)
    member_import = MemberImport.objects.get()
    assert response.status_code == 302 and response.url == member_import.get_absolute_url()
    return member_import


def apply(client, member_import: MemberImport, **kwargs):
    return client.post(reverse("teams:member_import_apply", args=[member_import.pk]), **kwargs)


def row_html(response, number: int) -> str:
    """The preview's table row for spreadsheet row `number`."""
    match = re.search(rf'<tr id="row-{number}".*?</tr>', response.content.decode(), re.DOTALL)
    assert match, f"row {number} is not in the preview"
    return match.group(0)


def written_counts() -> tuple[int, int, int]:
    return User.objects.count(), Membership.objects.count(), AuditEntry.objects.count()


def test_admin_previews_then_imports_a_chinese_csv_with_bom(
    client, admin, team, other_team, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(admin)
    member_import = uploaded_import(
        client,
        csv_file(
            [
                CHINESE_HEADER,
                ["孙丽", "Sun.Li@Example.com", "Shanghai 1", "销售", "销售代表", "13800138000"],
                ["周强", "zhou.qiang@example.com", "Guangzhou", "经理", "", ""],
            ]
        ),
    )
    assert not User.objects.filter(display_name__in=["孙丽", "周强"]).exists()  # a preview writes nobody

    preview = client.get(member_import.get_absolute_url())
    assert preview.status_code == 200
    assert "孙丽" in row_html(preview, 2) and "Acme Sales / East / Shanghai 1" in row_html(preview, 2)
    assert "Manager" in row_html(preview, 3)
    assert "Import 2 members" in preview.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = apply(client, member_import)
    assert response.status_code == 302 and response.url == reverse("teams:member_list")
    sun = User.objects.get(email="sun.li@example.com")
    assert (sun.display_name, sun.username, sun.position, sun.phone) == (
        "孙丽",
        "sun.li@example.com",
        "销售代表",
        "13800138000",
    )
    assert not sun.has_usable_password()
    assert Membership.objects.active().get(user=sun).team == team
    zhou = Membership.objects.active().get(user__email="zhou.qiang@example.com")
    assert (zhou.team, zhou.role) == (other_team, Membership.Role.MANAGER)
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.APPLIED
    assert member_import.created_count == 2 and member_import.applied_at is not None
    created = AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, actor=admin, target_type__model="user")
    assert set(created.values_list("target_id", flat=True)) == {sun.pk, zhou.user_id}
    imported = AuditEntry.objects.get(action=AuditEntry.Action.IMPORTED)
    assert (imported.actor, imported.target_id, imported.note) == (admin, member_import.pk, "2 members imported.")
    assert sorted(m.to[0] for m in mailoutbox) == ["sun.li@example.com", "zhou.qiang@example.com"]


def test_a_csv_saved_by_chinese_excel_in_gb18030_is_read(client, admin, team):
    client.force_login(admin)
    member_import = uploaded_import(
        client,
        csv_file(
            [
                CHINESE_HEADER,
                ["孙丽", "sun.li@example.com", "Shanghai 1", "总监", "区域总监", ""],
            ],
            encoding="gb18030",
        ),
    )
    preview = client.get(member_import.get_absolute_url())
    assert "孙丽" in row_html(preview, 2) and "区域总监" in row_html(preview, 2)
    apply(client, member_import)
    membership = Membership.objects.active().get(user__display_name="孙丽")
    assert (membership.team, membership.role, membership.user.position) == (team, Membership.Role.DIRECTOR, "区域总监")


def test_an_xlsx_with_english_headers_in_any_case_is_imported(client, admin, team):
    client.force_login(admin)
    member_import = uploaded_import(
        client,
        xlsx_file(
            [
                ["Name", "EMAIL", "Team", "role", "Phone", "Username", "Notes"],
                ["Li Na", "li.na@example.com", "Acme Sales/East/Shanghai 1", "Manager", 13800138000, "lina", "ignored"],
                [None, None, None, None, None, None, None],  # Excel often keeps blank rows at the end
            ]
        ),
    )
    apply(client, member_import)
    member = User.objects.get(username="lina")
    assert (member.display_name, member.email, member.phone) == ("Li Na", "li.na@example.com", "13800138000")
    assert Membership.objects.active().get(user=member).role == Membership.Role.MANAGER


def test_bad_rows_are_listed_by_row_number_and_nothing_is_imported(client, admin, team, rep, mailoutbox):
    client.force_login(admin)
    member_import = uploaded_import(
        client,
        csv_file(
            [
                CHINESE_HEADER,
                ["孙丽", "sun.li@example.com", "Shanghai 1", "", "", ""],
                ["周强", "zhou@example.com", "Nowhere", "", "", ""],
                ["孙丽二", "SUN.LI@example.com", "Shanghai 1", "", "", ""],
                ["冒名", rep.email.upper(), "Shanghai 1", "", "", ""],
                ["王五", "wang@example.com", "Shanghai 1", "boss", "", ""],
                ["", "noname@example.com", "Shanghai 1", "", "", ""],
            ]
        ),
    )
    before = written_counts()

    preview = client.get(member_import.get_absolute_url())
    assert "OK" in row_html(preview, 2)
    assert "There is no team “Nowhere”." in row_html(preview, 3)
    assert "This email address is also on row 2." in row_html(preview, 4)
    assert "Another person already uses this email address." in row_html(preview, 5)
    assert "Unknown role “boss”" in row_html(preview, 6)
    assert "The name is missing." in row_html(preview, 7)
    assert preview.context["result"].invalid_count == 5
    assert "Import 1 member" not in preview.content.decode()
    assert "fix the file and upload it again" in preview.content.decode()

    response = apply(client, member_import, follow=True)
    assert response.redirect_chain == [(member_import.get_absolute_url(), 302)]
    assert "Nothing was imported" in response.content.decode()
    assert written_counts() == before
    member_import.refresh_from_db()
    assert member_import.status == MemberImport.Status.PREVIEWED
    assert mailoutbox == []


def test_a_team_name_shared_by_two_teams_needs_its_path(client, admin, team, west):
    TeamFactory(name="Shanghai 1", parent=west)
    client.force_login(admin)
    member_import = uploaded_import(
        client,
        csv_file(
            [
                CHINESE_HEADER,
                ["孙丽", "sun.li@example.com", "Shanghai 1", "", "", ""],
                ["周强", "zhou@example.com", "East/Shanghai 1", "", "", ""],
            ]
        ),
    )
    preview = client.get(member_import.get_absolute_url())
    assert "Several teams are called “Shanghai 1”" in row_html(preview, 2)
    assert "Acme Sales/East/Shanghai 1" in row_html(preview, 2)
    assert "OK" in row_html(preview, 3) and "Acme Sales / East / Shanghai 1" in row_html(preview, 3)


def zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("readme.txt", "not a spreadsheet")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("members.txt", "姓名,邮箱,团队\n孙丽,sun@example.com,Shanghai 1\n".encode(), "Upload a .csv or .xlsx file"),
        ("members.xlsx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "not an Excel workbook"),
        ("members.xlsx", zip_without_workbook(), "not an Excel workbook"),
        ("members.csv", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" * 8, "not a CSV text file"),
        ("members.csv", "姓名,团队\n孙丽,Shanghai 1\n".encode(), "this one is missing: 邮箱 (email)"),
        ("members.csv", "\ufeff姓名,邮箱,团队\n".encode(), "There are no members below the header row."),
    ],
)
def test_a_file_that_is_not_a_member_list_is_refused_at_the_field(client, admin, team, name, content, message):
    client.force_login(admin)
    response = upload(client, SimpleUploadedFile(name, content))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors["file"])
    assert message in response.content.decode()
    assert not MemberImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(client, admin, team, settings):
    settings.MEMBER_IMPORT_MAX_BYTES = 100
    client.force_login(admin)
    rows = [CHINESE_HEADER] + [[f"成员{n}", f"m{n}@example.com", "Shanghai 1", "", "", ""] for n in range(5)]
    response = upload(client, csv_file(rows))
    assert response.status_code == 200
    assert "The file is too large" in response.context["form"].errors["file"][0]
    assert not MemberImport.objects.exists()


def test_a_file_with_too_many_rows_is_refused(client, admin, team, settings):
    settings.MEMBER_IMPORT_MAX_ROWS = 2
    client.force_login(admin)
    rows = [CHINESE_HEADER] + [[f"成员{n}", f"m{n}@example.com", "Shanghai 1", "", "", ""] for n in range(3)]
    response = upload(client, csv_file(rows))
    assert "more than 2 rows" in response.context["form"].errors["file"][0]
    assert not MemberImport.objects.exists()


def test_a_file_cannot_be_imported_twice(client, admin, team, mailoutbox, django_capture_on_commit_callbacks):
    client.force_login(admin)
    member_import = uploaded_import(
        client,
        csv_file(
            [
                CHINESE_HEADER,
                ["孙丽", "sun.li@example.com", "Shanghai 1", "", "", ""],
            ]
        ),
    )
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, member_import)
    before = written_counts()

    with django_capture_on_commit_callbacks(execute=True):
        response = apply(client, member_import, follow=True)
    assert response.redirect_chain == [(member_import.get_absolute_url(), 302)]
    assert "This file has already been imported." in response.content.decode()
    assert "This file was imported on" in response.content.decode()
    assert written_counts() == before
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED).count() == 1
    assert len(mailoutbox) == 1


def test_the_sample_file_has_chinese_headers_and_imports_as_it_is(client, admin, company):
    east_china = TeamFactory(name="华东大区", kind="region", parent=company)
    shanghai = TeamFactory(name="上海一组", parent=east_china)
    client.force_login(admin)
    response = client.get(reverse("teams:member_import_sample"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith("\ufeff姓名,邮箱,团队,角色,职位,电话,用户名".encode())

    member_import = uploaded_import(client, SimpleUploadedFile("sample.csv", response.content))
    apply(client, member_import)
    assert Membership.objects.active().get(user__email="zhangsan@example.com").team == shanghai


def test_upload_page_explains_the_columns_and_links_the_sample(client, admin):
    client.force_login(admin)
    page = client.get(reverse("teams:member_import")).content.decode()
    assert "姓名" in page and "用户名" in page
    assert reverse("teams:member_import_sample") in page


@pytest.fixture
def stored_import(admin, team):
    return imports.store_member_import(
        actor=admin,
        file=csv_file(
            [
                CHINESE_HEADER,
                ["孙丽", "sun.li@example.com", "Shanghai 1", "", "", ""],
            ]
        ),
    )


def import_urls(member_import: MemberImport) -> list[tuple[str, str]]:
    return [
        ("get", reverse("teams:member_import")),
        ("get", reverse("teams:member_import_sample")),
        ("get", reverse("teams:member_import_preview", args=[member_import.pk])),
        ("post", reverse("teams:member_import_apply", args=[member_import.pk])),
    ]


@pytest.mark.parametrize("who", ["rep", "lead", "director"])
def test_only_admins_may_import(client, request, stored_import, who):
    client.force_login(request.getfixturevalue(who))
    for method, url in import_urls(stored_import):
        assert getattr(client, method)(url).status_code == 403, url
    stored_import.refresh_from_db()
    assert stored_import.status == MemberImport.Status.PREVIEWED
    assert not User.objects.filter(email="sun.li@example.com").exists()


def test_anonymous_visitors_are_sent_to_log_in(client, stored_import):
    for method, url in import_urls(stored_import):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_apply_needs_a_post(client, admin, stored_import):
    client.force_login(admin)
    assert client.get(reverse("teams:member_import_apply", args=[stored_import.pk])).status_code == 405
    assert not User.objects.filter(email="sun.li@example.com").exists()


def test_an_unknown_import_is_not_found(client, admin, stored_import):
    client.force_login(admin)
    missing = stored_import.pk + 1
    assert client.get(reverse("teams:member_import_preview", args=[missing])).status_code == 404
    assert client.post(reverse("teams:member_import_apply", args=[missing])).status_code == 404
