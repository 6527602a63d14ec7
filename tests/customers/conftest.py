import datetime

import pytest
from django.utils import translation

from customers import services
from customers.models import Activity
from tests.reports.test_services import MONDAY, at

WEDNESDAY = MONDAY + datetime.timedelta(days=2)
SUNDAY = MONDAY + datetime.timedelta(days=6)


@pytest.fixture
def wednesday(time_machine):
    """Wednesday 18 November 2026, 10:00 in Shanghai: the week of Monday the 16th is open."""
    time_machine.move_to(at(WEDNESDAY, 10))


@pytest.fixture
def huawei(rep, wednesday):
    return services.create_customer(actor=rep, owner=rep, name="华为技术有限公司", tier="a", status="active")


def visit(author, customer, day, **fields):
    return services.log_activity(
        author=author, customer=customer, occurred_on=day, kind=fields.pop("kind", Activity.Kind.VISIT), **fields
    )


@pytest.fixture
def english():
    """The services' messages in English (a test starts in the default language, Chinese)."""
    with translation.override("en"):
        yield
