import datetime
from decimal import Decimal

import pytest

from notifications.models import Notification
from planning import pace, services
from planning.models import PaceAlert
from planning.signals import pace_alert
from reports.models import KPI
from tests.planning.helpers import submitted_week


@pytest.fixture
def sales(db):
    return KPI.objects.get(code="sales_amount")


@pytest.fixture
def plan_in_force(director, team, rep, other_rep, lead, sales):
    plan = services.start_plan(actor=director, team=team, kpi=sales, year=2027)
    services.save_plan(actor=director, plan=plan, values={(f"t{team.pk}", "year", 1): (Decimal(1_200_000), None)})
    services.split_plan(
        actor=director, plan=plan, people=services.PeopleSplit.EQUAL, time=services.TimeSplit.WORKING_DAYS
    )
    services.approve_plan(actor=director, plan=plan)
    return plan


def test_thresholds_of_a_month():
    start, end = datetime.date(2027, 4, 1), datetime.date(2027, 4, 30)
    assert pace.elapsed_threshold(start, end, datetime.date(2027, 4, 10)) is None
    assert pace.elapsed_threshold(start, end, datetime.date(2027, 4, 16)) == 50
    assert pace.elapsed_threshold(start, end, datetime.date(2027, 4, 28)) == 90
    assert pace.elapsed_threshold(start, end, datetime.date(2027, 5, 1)) == 100
    assert pace.elapsed_threshold(start, end, datetime.date(2027, 5, 20)) is None


def test_managers_hear_once_who_is_behind_pace(
    plan_in_force, lead, rep, other_rep, sales, mailoutbox, django_capture_on_commit_callbacks
):
    # rep sold well in April, other_rep sold nothing.
    for monday in (datetime.date(2027, 4, 5), datetime.date(2027, 4, 12)):
        submitted_week(rep, monday, sales, Decimal(100_000))
    heard = []

    def receiver(sender, **kwargs):
        heard.append(kwargs)

    pace_alert.connect(receiver)
    try:
        today = datetime.date(2027, 4, 17)  # 53 % of April (18 % of the quarter)
        # (the cast joined their teams today, in 2026: their targets count from then on)
        with django_capture_on_commit_callbacks(execute=True):
            first = pace.send_pace_alerts(today=today)
        again = pace.send_pace_alerts(today=today)
    finally:
        pace_alert.disconnect(receiver)
    assert first >= 1 and again == 0
    month = [kw for kw in heard if kw["start"] == datetime.date(2027, 4, 1)]
    assert [b.member for b in month[0]["behind"]] == [other_rep]
    assert month[0]["threshold"] == 50 and month[0]["managers"] == [lead]
    notifications = Notification.objects.filter(recipient=lead, kind=Notification.Kind.PACE)
    assert notifications.count() == first
    assert (
        "王芳" in notifications.first().title
        and "张伟" not in notifications.filter(data__period="2027-04").first().title
    )
    assert PaceAlert.objects.filter(threshold=50, starts_on=datetime.date(2027, 4, 1)).count() == 1
    assert len(mailoutbox) == first  # one email per alert, as in the inbox
