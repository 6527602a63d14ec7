"""Importing customers and activities from a spreadsheet: preview first, then all rows or none."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from audit.models import AuditEntry
from customers import imports
from customers.models import Activity, Customer, LogImport
from tests.customers.conftest import MONDAY

pytestmark = pytest.mark.usefixtures("wednesday")


def csv_file(rows: list[list[str]], name="list.csv") -> SimpleUploadedFile:
    text = "\n".join(",".join(row) for row in rows)
    return SimpleUploadedFile(name, ("\ufeff" + text).encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list], name="list.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile(name, out.getvalue())


def upload(client, kind: str, file) -> LogImport:
    response = client.post(reverse("customers:import"), {"kind": kind, "file": file})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return LogImport.objects.latest("pk")


CUSTOMERS = [
    ["客户名称", "行业", "客户等级", "状态", "流失原因", "联系人", "创建日期"],
    ["华为技术有限公司", "通信", "A", "活跃", "", "王经理", "2025-03-01"],
    ["美的集团", "家电", "b", "lead", "", "", ""],
    ["格力电器", "家电", "C", "流失", "选了竞品", "", "2024/6/1"],
]


def test_customers_are_previewed_then_imported_all_at_once(client, rep):
    client.force_login(rep)
    stored = upload(client, "customers", csv_file(CUSTOMERS))
    page = client.get(stored.get_absolute_url()).content.decode()
    assert 'id="apply-import"' in page and "华为技术有限公司" in page
    assert not Customer.objects.exists()  # a preview saves nothing

    assert client.post(reverse("customers:import_apply", args=[stored.pk])).status_code == 302
    customers = {c.name: c for c in Customer.objects.filter(owner=rep)}
    assert set(customers) == {"华为技术有限公司", "美的集团", "格力电器"}
    assert (customers["华为技术有限公司"].tier, customers["华为技术有限公司"].created_on) == (
        "a",
        datetime.date(2025, 3, 1),
    )
    assert customers["格力电器"].lost_reason == "选了竞品"
    assert customers["美的集团"].created_on == MONDAY + datetime.timedelta(days=2)  # today
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED).count() == 1

    # A second click finds the file imported and adds nobody twice.
    client.post(reverse("customers:import_apply", args=[stored.pk]))
    assert Customer.objects.count() == 3


def test_bad_rows_are_named_with_their_row_number_and_nothing_is_imported(client, rep, huawei):
    rows = [
        CUSTOMERS[0],
        ["华为技术 有限公司", "", "", "", "", "", ""],  # already rep's
        ["美的集团", "", "D", "", "", "", ""],
        ["格力电器", "", "", "流失", "", "", ""],
        ["海尔", "", "", "", "", "", "2030-01-01"],
        ["海尔集团", "", "", "", "", "", ""],  # the same as row 5 once 集团 is dropped
        ["比亚迪", "", "", "", "", "", "昨天"],
        ["京东方", "", "", "", "", "", ""],  # fine, but not imported while others are wrong
    ]
    client.force_login(rep)
    stored = upload(client, "customers", csv_file(rows))
    result = imports.preview(stored)
    errors = {row.number: " ".join(row.errors) for row in result.rows}
    assert "You already have a customer with this name." in errors[2]
    assert "Unknown tier “D”" in errors[3]
    assert "Say why the customer was lost." in errors[4]
    assert "This date is in the future." in errors[5]
    assert "also on row 5" in errors[6]
    assert "“昨天” is not a date" in errors[7]
    assert errors[8] == ""
    page = client.get(stored.get_absolute_url()).content.decode()
    assert 'id="apply-import"' not in page and 'id="fix-and-upload"' in page

    response = client.post(reverse("customers:import_apply", args=[stored.pk]), follow=True)
    assert "Nothing was imported" in response.content.decode()
    assert Customer.objects.count() == 1


def test_activities_refer_to_known_customers_and_types(client, rep, huawei):
    rows = [
        ["日期", "客户", "类型", "结果", "金额", "下一步", "下一步日期", "备注"],
        [MONDAY, "华为技术有限公司", "拜访", "确认需求", None, "发报价", MONDAY + datetime.timedelta(days=2), ""],
        [MONDAY, "华为技术有限公司", "签约", "年度框架合同", 120000, "", None, ""],
        [MONDAY, "不认识的公司", "电话", "", None, "", None, ""],
        [MONDAY, "华为技术有限公司", "吃饭", "", None, "", None, ""],
        [MONDAY, "华为技术有限公司", "回款", "", -5, "", None, ""],
        [MONDAY + datetime.timedelta(days=5), "华为技术有限公司", "拜访", "", None, "", None, ""],
    ]
    client.force_login(rep)
    stored = upload(client, "activities", xlsx_file(rows))
    errors = {row.number: " ".join(row.errors) for row in imports.preview(stored).rows}
    assert errors[2] == "" and errors[3] == ""  # Excel date cells and number cells read right
    assert "“不认识的公司” is not among 张伟's customers" in errors[4]
    assert "Unknown type “吃饭”" in errors[5]
    assert "The amount cannot be negative." in errors[6]
    assert "cannot be dated in the future" in errors[7]
    client.post(reverse("customers:import_apply", args=[stored.pk]))
    assert not Activity.objects.exists()

    good = upload(client, "activities", xlsx_file(rows[:3]))
    client.post(reverse("customers:import_apply", args=[good.pk]))
    assert list(Activity.objects.order_by("pk").values_list("kind", "amount")) == [
        ("visit", None),
        ("contract", 120000),
    ]


def test_a_manager_imports_for_the_team_but_a_salesperson_only_for_themselves(client, rep, other_rep, lead, outsider):
    rows = [["客户名称", "负责人"], ["华为", "rep"], ["美的", "other_rep@example.com"], ["格力", "outsider"]]
    client.force_login(lead)
    stored = upload(client, "customers", csv_file(rows))
    errors = [" ".join(row.errors) for row in imports.preview(stored).rows]
    assert errors[:2] == ["", ""]
    assert "“outsider” is not a salesperson you may import for." in errors[2]

    client.force_login(rep)
    mine = upload(client, "customers", csv_file(rows[:3]))
    errors = [" ".join(row.errors) for row in imports.preview(mine).rows]
    assert errors[0] == "" and "may import for" in errors[1]


@pytest.mark.parametrize(
    ("file", "message"),
    [
        (SimpleUploadedFile("list.pdf", b"%PDF-1.4"), "Upload a .csv or .xlsx file"),
        (SimpleUploadedFile("list.xlsx", b"not a zip at all"), "not an Excel workbook"),
        (SimpleUploadedFile("list.csv", "名称,行业\n华为,通信\n".encode()), "missing"),
        (SimpleUploadedFile("list.csv", "客户名称\n".encode()), "There are no rows below the header row."),
    ],
)
def test_unusable_files_are_refused_at_upload_and_nothing_is_stored(client, rep, file, message):
    client.force_login(rep)
    response = client.post(reverse("customers:import"), {"kind": "customers", "file": file})
    assert response.status_code == 200 and message in response.content.decode()
    assert not LogImport.objects.exists()


def test_someone_elses_import_is_not_found(client, rep, other_rep):
    client.force_login(rep)
    stored = upload(client, "customers", csv_file(CUSTOMERS))
    client.force_login(other_rep)
    assert client.get(stored.get_absolute_url()).status_code == 404
    assert client.post(reverse("customers:import_apply", args=[stored.pk])).status_code == 404
    assert not Customer.objects.exists()


def test_the_sample_files_import_as_they_are(client, rep):
    client.force_login(rep)
    for kind in ("customers", "activities"):
        response = client.get(reverse("customers:import_sample", args=[kind]))
        assert response.content.startswith("\ufeff".encode())
        stored = upload(client, kind, SimpleUploadedFile(f"{kind}.csv", response.content))
        assert imports.preview(stored).can_apply, [row.errors for row in imports.preview(stored).rows]
        client.post(reverse("customers:import_apply", args=[stored.pk]))
    assert Customer.objects.count() == 2 and Activity.objects.count() == 2
