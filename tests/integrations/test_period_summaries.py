"""Written monthly, quarterly and yearly summaries reach the robots that want each submission and
each review, and the webhooks, like weekly reports do."""

import datetime

import pytest

from integrations import services
from integrations.models import Delivery, Robot, Subscription
from periodsummaries import services as summary_services
from tests.integrations.test_robots import robot_for
from tests.periodsummaries.test_services import NOVEMBER, complete, submitted_weeks


@pytest.fixture
def now_safe(time_machine):
    """Away from any half hour, for what the eager tasks send at once."""
    time_machine.move_to(datetime.datetime(2026, 12, 2, 2, 10, tzinfo=datetime.UTC), tick=False)


def test_a_monthly_summary_submitted_and_reviewed_reaches_robots_and_webhooks(
    receiver, admin, team, rep, lead, now_safe, django_capture_on_commit_callbacks
):
    submitted_weeks(rep, lead)
    submitting = robot_for(receiver, team, "wecom", events=[Robot.Event.SUBMITTED])
    reviewing = robot_for(receiver, team, "feishu", events=[Robot.Event.REVIEWED], language="en")
    deaf = robot_for(receiver, team, "dingtalk", events=[Robot.Event.DEADLINE])
    hook = services.save_subscription(
        subscription=Subscription(name="BI", url=f"{receiver.base}/webhook", events=list(Subscription.Event.values)),
        actor=admin,
    )
    receiver.secrets["webhook"] = hook.secret
    summary = complete(summary_services.open_summary(author=rep, level="member", period="month", day=NOVEMBER))
    with django_capture_on_commit_callbacks(execute=True):
        summary_services.submit_summary(summary=summary, by=rep)
    with django_capture_on_commit_callbacks(execute=True):
        summary_services.return_for_revision(summary=summary, reviewer=lead, reason="请补充华为项目的原因")
    summary.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        summary_services.submit_summary(summary=summary, by=rep)
    with django_capture_on_commit_callbacks(execute=True):
        feedback = summary_services.mark_reviewed(summary=summary, reviewer=lead, praise="结构清楚", rating=4)

    url = f"https://reports.example.com{summary.get_absolute_url()}"
    wecom = [got.body["markdown"]["content"] for got in receiver.of("wecom")]
    assert len(wecom) == 2  # the submission and the resubmission
    assert all("2026-11" in text and str(rep) in text and url in text for text in wecom)
    (feishu,) = receiver.of("feishu")
    assert "reviewed the summary 2026-11 Monthly" in feishu.body["card"]["header"]["title"]["content"]
    assert not Delivery.objects.filter(robot=deaf).exists()
    assert Delivery.objects.filter(robot=submitting).count() == 2
    assert Delivery.objects.filter(robot=reviewing).count() == 1

    documents = receiver.of("webhook")
    assert all(got.verified for got in documents)
    events = [got.body["event"] for got in documents]
    assert events == [
        "period_summary.submitted",
        "period_summary.returned",
        "period_summary.submitted",
        "period_summary.reviewed",
    ]
    first, returned, again, reviewed = (got.body["data"] for got in documents)
    assert first["is_resubmission"] is False and again["is_resubmission"] is True
    assert first["summary"]["url"] == url and first["summary"]["period"] == "month"
    assert first["summary"]["start"] == "2026-11-01" and first["summary"]["end"] == "2026-11-30"
    assert first["summary"]["author"]["id"] == rep.pk and first["summary"]["team"]["id"] == team.pk
    assert returned["reason"] == "请补充华为项目的原因" and returned["reviewer"]["id"] == lead.pk
    assert reviewed["feedback"] == {"id": feedback.pk, "rating": 4}
    assert reviewed["summary"]["status"] == "reviewed"
