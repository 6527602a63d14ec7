"""Exports of a team's reports and KPI values: they open in Excel with Chinese headers, numbers
stay numbers, and nothing in them runs as a formula."""

import csv
import io

import openpyxl
from django.urls import reverse

from summaries.exports import safe_text
from summaries.models import Document
from tests.insights.test_dashboard import WEEKS, report_week

PERIOD = {"start": "2026-11-01", "end": "2026-11-30"}


def export(client, who, team, django_capture_on_commit_callbacks, **choices) -> tuple[Document, bytes]:
    client.force_login(who)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("insights:export", args=[team.pk]), {**PERIOD, **choices})
    document = Document.objects.get(file_format=choices["file_format"], layout=choices["layout"])
    assert response.url == document.get_absolute_url()
    document.refresh_from_db()
    assert document.status == Document.Status.DONE, document.error
    download = client.get(reverse("summaries:download", args=[document.pk]))
    assert download["Content-Type"] == document.content_type
    return document, b"".join(download.streaming_content)


def test_the_xlsx_export_has_chinese_headers_a_row_per_value_and_numbers(
    client, lead, rep, other_rep, team, kpis, django_capture_on_commit_callbacks
):
    for week in WEEKS[:2]:
        report_week(rep, week, kpis, 1234.5, target=1000, lead=lead)
        report_week(other_rep, week, kpis, 800, target=1000, lead=lead)
    rep.language = lead.language = "zh-hans"
    lead.save(update_fields=["language"])
    client.force_login(lead)
    client.post(reverse("teams:set_language"), {"language": "zh-hans", "next": "/"})
    _, content = export(client, lead, team, django_capture_on_commit_callbacks, file_format="xlsx", layout="long")
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("成员", "用户名", "团队", "周开始日期")
    assert "目标" in rows[0] and "实际" in rows[0] and "达成率（%）" in rows[0]
    per_report = len(rep.reports.first().kpi_values.all())
    assert len(rows) == 1 + 4 * per_report  # two people, two weeks, every KPI
    sales = [row for row in rows[1:] if row[6] == "sales_amount" and row[0] == "张伟"]
    assert [row[10] for row in sales] == [1234.5, 1234.5]
    assert isinstance(sales[0][9], (int, float)) and sales[0][11] == 123.5  # target 1000, rate 123.5 %
    assert sales[0][3].date() == WEEKS[0]


def test_the_wide_csv_is_utf8_with_a_bom_and_a_column_group_per_kpi(
    client, lead, rep, team, kpis, django_capture_on_commit_callbacks
):
    report_week(rep, WEEKS[0], kpis, 500, target=1000, lead=lead)
    client.force_login(lead)
    client.post(reverse("teams:set_language"), {"language": "zh-hans", "next": "/"})
    _, content = export(client, lead, team, django_capture_on_commit_callbacks, file_format="csv", layout="wide")
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert "销售额 目标（元）" in rows[0] and "销售额 实际（元）" in rows[0] and "销售额 达成率（%）" in rows[0]
    assert len(rows) == 2  # one row for the one member-week
    row = dict(zip(rows[0], rows[1], strict=True))
    assert (row["成员"], row["销售额 实际（元）"], row["销售额 达成率（%）"]) == (
        "张伟",
        "500.00",
        "50.0",
    )  # the KPI's two decimals


def test_text_that_looks_like_a_formula_is_neutralised(client, lead, team, kpis, django_capture_on_commit_callbacks):
    from tests.factories import member_of

    sly = member_of(team, display_name='=HYPERLINK("http://evil","x")', username="sly")
    report_week(sly, WEEKS[0], kpis, 1)
    _, content = export(client, lead, team, django_capture_on_commit_callbacks, file_format="xlsx", layout="wide")
    cell = openpyxl.load_workbook(io.BytesIO(content)).active["A2"]
    assert cell.value.startswith("=HYPERLINK") and cell.data_type == "s"  # text, not a formula
    assert [safe_text(t) for t in ("+1", "-1", "@a", "ok")] == ["'+1", "'-1", "'@a", "ok"]


def test_an_export_of_a_team_out_of_reach_or_a_backward_period_is_refused(client, lead, other_lead, team):
    client.force_login(other_lead)
    assert (
        client.post(
            reverse("insights:export", args=[team.pk]), {**PERIOD, "file_format": "csv", "layout": "long"}
        ).status_code
        == 404
    )
    client.force_login(lead)
    response = client.post(
        reverse("insights:export", args=[team.pk]),
        {"start": "2026-11-30", "end": "2026-11-01", "file_format": "csv", "layout": "long"},
        follow=True,
    )
    assert "The last day is before the first." in response.content.decode()
    assert not Document.objects.exists()


def test_the_dashboard_offers_the_export_of_the_period_it_shows(client, lead, team):
    client.force_login(lead)
    page = client.get(
        reverse("insights:dashboard", args=[team.pk]), {"period": "month", "day": "2026-11-20"}
    ).content.decode()
    assert 'id="export-form"' in page and 'value="2026-11-01"' in page and 'value="2026-11-30"' in page


def test_the_sales_log_exports_one_row_per_activity_with_amounts_as_numbers(
    client, lead, rep, outsider, team, django_capture_on_commit_callbacks
):
    import datetime
    from decimal import Decimal

    from customers import services as log

    huawei = log.create_customer(actor=rep, owner=rep, name="华为", tier="a")
    log.log_activity(
        author=rep,
        customer=huawei,
        occurred_on=datetime.date(2026, 11, 3),
        kind="contract",
        amount=Decimal("120000.50"),
        outcome='=HYPERLINK("http://evil")',
        next_step="回款",
        next_step_on=datetime.date(2026, 11, 30),
    )
    log.log_activity(author=rep, customer=huawei, occurred_on=datetime.date(2026, 11, 10), kind="visit")
    elsewhere = log.create_customer(actor=outsider, owner=outsider, name="格力")
    log.log_activity(author=outsider, customer=elsewhere, occurred_on=datetime.date(2026, 11, 10), kind="visit")
    client.force_login(lead)
    client.post(reverse("teams:set_language"), {"language": "zh-hans", "next": "/"})
    _, content = export(client, lead, team, django_capture_on_commit_callbacks, file_format="xlsx", layout="log")
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["销售日志"]
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:9] == ("成员", "用户名", "团队", "日期", "客户", "客户等级", "类型", "结果", "金额（元）")
    assert len(rows) == 3  # the header and rep's two entries; nothing from another team
    contract = rows[1]
    assert (contract[4], contract[6], contract[8]) == ("华为", "签约", 120000.5)
    assert contract[7] == '=HYPERLINK("http://evil")'  # a text cell: shown as typed, never run
    assert contract[3].date() == datetime.date(2026, 11, 3)


def test_numbers_are_written_with_the_kpis_decimals(client, lead, rep, team, kpis, django_capture_on_commit_callbacks):
    kpis["satisfaction"].decimals = 1
    kpis["satisfaction"].save(update_fields=["decimals"])
    report_week(rep, WEEKS[0], kpis, 105000, satisfaction="4.5", target=100000, lead=lead)
    _, content = export(client, lead, team, django_capture_on_commit_callbacks, file_format="csv", layout="long")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    by_kpi = {row[6]: row for row in rows[1:]}
    assert by_kpi["sales_amount"][9:11] == ["100000.00", "105000.00"]  # two decimals, not four
    assert by_kpi["satisfaction"][10] == "4.5"


def test_retrying_a_failed_export_keeps_its_format_and_layout(
    client, lead, rep, team, kpis, django_capture_on_commit_callbacks
):
    report_week(rep, WEEKS[0], kpis, 500, target=1000, lead=lead)
    failed, _ = export(client, lead, team, django_capture_on_commit_callbacks, file_format="xlsx", layout="wide")
    Document.objects.filter(pk=failed.pk).update(status=Document.Status.FAILED, error="The worker was lost.")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("summaries:retry", args=[failed.pk]))
    again = Document.objects.exclude(pk=failed.pk).get()
    assert response.url == again.get_absolute_url()
    again.refresh_from_db()
    assert (again.file_format, again.layout, again.status) == ("xlsx", "wide", Document.Status.DONE)
    download = client.get(reverse("summaries:download", args=[again.pk]))
    assert download["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet["A2"].value == "张伟"
