"""Pace alerts (planning) reach the team's chat robots and the webhooks: one message per team and
alert, in each robot's language, through the same outbox as the other events."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse

from integrations import services
from integrations.models import Delivery, Robot, Subscription
from planning import pace
from tests.integrations.test_robots import robot_for
from tests.planning.helpers import submitted_week
from tests.planning.test_pace import plan_in_force, sales  # noqa: F401 # fixtures

TODAY = datetime.date(2027, 4, 17)  # 53 % of April


@pytest.fixture
def alerts(time_machine, django_capture_on_commit_callbacks, rep, sales):  # noqa: F811
    """rep sold well in April, other_rep nothing; the pace beat runs, its messages sent at once."""
    for monday in (datetime.date(2027, 4, 5), datetime.date(2027, 4, 12)):
        submitted_week(rep, monday, sales, Decimal(100_000))
    time_machine.move_to(datetime.datetime(2026, 12, 3, 2, 10, tzinfo=datetime.UTC), tick=False)

    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return pace.send_pace_alerts(today=TODAY)

    return run


def test_the_teams_robot_hears_once_per_alert_who_is_behind_pace(
    receiver,
    team,
    rep,
    other_rep,
    plan_in_force,  # noqa: F811
    alerts,
):
    robot = robot_for(receiver, team, "wecom", events=[Robot.Event.PACE])
    english = robot_for(receiver, team, "dingtalk", events=[Robot.Event.PACE], language="en")
    deaf = robot_for(receiver, team, "feishu", events=[Robot.Event.SUBMITTED])
    sent = alerts()
    assert sent >= 1
    assert alerts() == 0  # the next beat: nothing new
    assert Delivery.objects.filter(robot=robot).count() == sent
    assert Delivery.objects.filter(robot=english).count() == sent
    assert not Delivery.objects.filter(robot=deaf).exists()
    month = [
        got.body["markdown"]["content"] for got in receiver.of("wecom") if "2027-04 " in got.body["markdown"]["content"]
    ]
    (content,) = month
    assert "50%" in content and str(other_rep) in content and str(rep) not in content
    assert f"https://reports.example.com{reverse('insights:dashboard', args=[team.pk])}" in content
    english_month = [got for got in receiver.of("dingtalk") if "2027-04 " in got.body["markdown"]["title"]]
    assert "behind pace" in english_month[0].body["markdown"]["title"]


def test_the_pace_alert_webhook_carries_the_documented_fields(
    receiver,
    admin,
    team,
    other_rep,
    plan_in_force,  # noqa: F811
    alerts,
):
    subscription = services.save_subscription(
        subscription=Subscription(name="BI", url=f"{receiver.base}/webhook", events=[Subscription.Event.PACE_ALERT]),
        actor=admin,
    )
    receiver.secrets["webhook"] = subscription.secret
    alerts()
    documents = receiver.of("webhook")
    assert documents and all(got.verified for got in documents)
    bodies = [got.body for got in documents]
    assert {b["event"] for b in bodies} == {"pace.alert"}
    (april,) = [b["data"] for b in bodies if b["data"]["period"]["label"] == "2027-04"]
    assert april["team"] == {"id": team.pk, "name": team.name}
    assert april["threshold"] == 50 and april["kpi"]["code"] == "sales_amount"
    assert april["period"] == {"start": "2027-04-01", "end": "2027-04-30", "label": "2027-04"}
    (behind,) = april["behind"]
    assert behind["member"]["id"] == other_rep.pk
    assert Decimal(behind["actual"]) == 0 and Decimal(behind["expected"]) > 0
    assert json.dumps(april)  # plain JSON
