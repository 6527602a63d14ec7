"""The weekly report's PDF, rendered by WeasyPrint as the worker renders it and read back with
pypdf: the pipeline section lists the week's changes and the author's comment on them."""

import datetime
from decimal import Decimal

import pytest

from pipeline import services
from reports import services as report_services
from summaries.models import Document
from tests.pipeline.conftest import stage
from tests.reports.test_services import MONDAY, fill
from tests.summaries.test_pdfs import _fonts, read, render  # noqa: F401

pytestmark = pytest.mark.usefixtures("_fonts")

LAST_WEEK = MONDAY - datetime.timedelta(days=7)


def opportunity(rep, customer, name: str, stage_name: str, amount: int, **fields):
    return services.create_opportunity(
        actor=rep,
        customer=customer,
        name=name,
        amount=Decimal(amount),
        stage=stage(stage_name),
        expected_close_on=datetime.date(2026, 12, 31),
        **fields,
    )


@pytest.fixture
def week_of_changes(rep, huawei, deal):
    """In the week of MONDAY: one new opportunity, one advanced, one won, one lost, one slipped."""
    opportunity(rep, huawei, "边缘计算试点", "线索", 80000)  # created today: new
    services.move_stage(actor=rep, opportunity=deal, stage=stage("方案报价"))
    won = opportunity(rep, huawei, "园区专网", "商务谈判", 300000, created_on=LAST_WEEK)
    services.move_stage(actor=rep, opportunity=won, stage=stage("赢单"))
    lost = opportunity(rep, huawei, "数据中心扩容", "方案报价", 150000, created_on=LAST_WEEK)
    services.move_stage(actor=rep, opportunity=lost, stage=stage("输单"), loss_reason="预算被砍")
    slipping = opportunity(rep, huawei, "云桌面替换", "需求确认", 60000, created_on=LAST_WEEK)
    services.update_opportunity(actor=rep, opportunity=slipping, data={"expected_close_on": datetime.date(2027, 3, 31)})


def test_the_report_pdf_lists_the_weeks_pipeline_changes_and_the_authors_comment(rep, week_of_changes):
    # A real WeasyPrint render with the bundled 10 MB CJK font: a few seconds.
    report = fill(report_services.open_report(author=rep), sections={"pipeline": "园区专网已签，核心网升级下周报价"})
    report = report_services.submit_report(report=report, by=rep)
    text, _ = read(render(kind=Document.Kind.REPORT, report=report))
    assert "张伟的周报" in text
    assert text.index("业绩指标") < text.index("商机变化")  # beside the KPIs, as on the pages
    lines = text.splitlines()

    def line_of(name: str) -> str:
        return next(line for line in lines if name in line)

    assert "新增" in line_of("边缘计算试点") and "线索" in line_of("边缘计算试点")
    assert "推进" in line_of("核心网升级") and "需求确认 → 方案报价" in line_of("核心网升级")
    assert "赢单" in line_of("园区专网") and "商务谈判 → 赢单" in line_of("园区专网")
    assert "输单" in line_of("数据中心扩容") and "方案报价 → 输单" in line_of("数据中心扩容")
    assert "预算被砍" in text  # the reason, under the lost one
    assert "成交日期推迟" in line_of("云桌面替换") and "2026-12-31 → 2027-03-31" in text
    assert "你对本周商机的说明" in text and "园区专网已签，核心网升级下周报价" in text
