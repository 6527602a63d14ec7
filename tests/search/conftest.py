import datetime

import pytest

from reports import services as report_services
from reviews import services as review_services
from tests.reports.test_services import MONDAY, fill


def write(author, week=MONDAY, *, summary="拜访了三家客户", submit=True, **overrides):
    """A report by `author` for `week` saying `summary`, submitted unless asked otherwise."""
    overrides.setdefault("plan", [{"item": "整理客户资料", "customer": "", "due_on": None}])
    report = fill(report_services.open_report(author=author, week_start=week), summary=summary, **overrides)
    return report_services.submit_report(report=report, by=author) if submit else report


@pytest.fixture
def last_week():
    return MONDAY - datetime.timedelta(weeks=1)


@pytest.fixture
def reviewed(rep, lead):
    report = write(rep, summary="拜访宁德时代新能源采购部，确认四季度需求")
    review_services.mark_reviewed(report=report, reviewer=lead, suggestions="先给比亚迪做一版阶梯报价")
    return report
