"""Importing opportunities from a spreadsheet: preview first, then all rows or none."""

from decimal import Decimal

from django.urls import reverse

from audit.models import AuditEntry
from pipeline import imports
from pipeline.models import Opportunity, OpportunityImport
from tests.customers.test_imports import csv_file, xlsx_file

HEADER = ["客户", "商机名称", "金额", "阶段", "预计成交日期", "线索来源", "竞争对手", "输单原因"]


def upload(client, file) -> OpportunityImport:
    response = client.post(reverse("pipeline:import"), {"file": file})
    assert response.status_code == 302, response.content.decode()[-2000:]
    return OpportunityImport.objects.latest("pk")


def test_opportunities_are_previewed_then_imported_with_their_history(client, rep, huawei):
    client.force_login(rep)
    rows = [HEADER, ["华为技术有限公司", "年度框架采购", "300,000", "方案报价", "2026-12-20", "展会", "中兴", ""]]
    stored = upload(client, xlsx_file(rows))
    page = client.get(stored.get_absolute_url()).content.decode()
    assert 'id="apply-import"' in page and not Opportunity.objects.exists()
    assert client.post(reverse("pipeline:import_apply", args=[stored.pk])).status_code == 302
    deal = Opportunity.objects.get()
    assert (deal.amount, deal.stage.name, deal.lead_source.name, deal.competitor) == (
        Decimal(300000),
        "方案报价",
        "展会",
        "中兴",
    )
    assert deal.stage_changes.count() == 1
    assert AuditEntry.objects.filter(action=AuditEntry.Action.IMPORTED).count() == 1
    client.post(reverse("pipeline:import_apply", args=[stored.pk]))
    assert Opportunity.objects.count() == 1  # a second click imports nothing twice


def test_bad_rows_are_named_and_nothing_is_imported(client, rep, huawei):
    rows = [
        HEADER,
        ["华为技术有限公司", "年度框架采购", "300000", "方案报价", "2026-12-20", "", "", ""],
        ["不存在的公司", "产线升级", "1000", "线索", "2026-12-20", "", "", ""],
        ["华为技术有限公司", "二期", "abc", "谈判中", "明年", "电视广告", "", ""],
        ["华为技术有限公司", "三期", "5000", "输单", "2026-12-20", "", "", ""],
    ]
    client.force_login(rep)
    stored = upload(client, csv_file(rows))
    errors = {row.number: " ".join(row.errors) for row in imports.preview(stored).rows}
    assert errors[2] == ""
    assert "is not among" in errors[3]
    assert "Unknown stage “谈判中”" in errors[4] and "Unknown lead source “电视广告”" in errors[4]
    assert "is not a date" in errors[4] and "Enter an amount in yuan" in errors[4]
    assert "Say why the opportunity was lost." in errors[5]
    client.post(reverse("pipeline:import_apply", args=[stored.pk]))
    assert not Opportunity.objects.exists()


def test_the_sample_file_names_every_column(client, rep, wednesday):
    client.force_login(rep)
    text = client.get(reverse("pipeline:import_sample")).content.decode("utf-8-sig")
    assert text.splitlines()[0].split(",")[:5] == ["客户", "商机名称", "金额", "阶段", "预计成交日期"]
