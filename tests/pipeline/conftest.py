import datetime
from decimal import Decimal

import pytest

from customers import services as customer_services
from pipeline import services
from pipeline.models import LeadSource, Stage
from tests.reports.test_services import MONDAY, at

WEDNESDAY = MONDAY + datetime.timedelta(days=2)


def stage(name: str) -> Stage:
    return Stage.objects.get(name=name)


@pytest.fixture
def wednesday(time_machine):
    """Wednesday 18 November 2026, 10:00 in Shanghai: the week of Monday the 16th is open."""
    time_machine.move_to(at(WEDNESDAY, 10))


@pytest.fixture
def huawei(rep, wednesday):
    services.ensure_default_stages()
    return customer_services.create_customer(actor=rep, owner=rep, name="华为技术有限公司", status="active")


@pytest.fixture
def deal(rep, huawei):
    """Created the week before, at 需求确认, expected to close in December."""
    return services.create_opportunity(
        actor=rep,
        customer=huawei,
        name="核心网升级",
        amount=Decimal("200000"),
        stage=stage("需求确认"),
        expected_close_on=datetime.date(2026, 12, 15),
        lead_source=LeadSource.objects.get(name="展会"),
        created_on=MONDAY - datetime.timedelta(days=7),
    )
