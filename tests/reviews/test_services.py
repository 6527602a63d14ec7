import datetime

import pytest
from django.core.exceptions import ValidationError

from audit.models import AuditEntry
from reports import access as report_access
from reports import services as report_services
from reports.models import ReportRevision, WeeklyReport
from reviews import services
from reviews.models import Feedback, ReviewAction
from tests.reports.test_services import MONDAY, fill


@pytest.fixture
def submitted(rep):
    report = fill(report_services.open_report(author=rep, week_start=MONDAY))
    return report_services.submit_report(report=report, by=rep)


def next_week(rep) -> WeeklyReport:
    return report_services.open_report(author=rep, week_start=MONDAY + datetime.timedelta(days=7))


def test_feedback_marks_the_report_reviewed(submitted, lead):
    feedback = services.mark_reviewed(report=submitted, reviewer=lead, praise="拜访量很好", rating=4)
    submitted.refresh_from_db()
    assert submitted.status == WeeklyReport.Status.REVIEWED and submitted.reviewed_at
    assert feedback.praise == "拜访量很好" and feedback.rating == 4
    assert ReviewAction.objects.get(report=submitted).kind == ReviewAction.Kind.REVIEWED


def test_a_second_click_does_not_review_twice(submitted, lead):
    services.mark_reviewed(report=submitted, reviewer=lead, praise="好")
    with pytest.raises(ValidationError):
        services.mark_reviewed(report=submitted, reviewer=lead, praise="好")
    assert Feedback.objects.filter(report=submitted).count() == 1


def test_empty_feedback_is_refused(submitted, lead):
    with pytest.raises(ValidationError):
        services.mark_reviewed(report=submitted, reviewer=lead, praise="  ", goals=["", " "])
    submitted.refresh_from_db()
    assert submitted.status == WeeklyReport.Status.SUBMITTED


def test_goals_must_be_answered_in_the_next_report(submitted, lead, rep):
    services.mark_reviewed(report=submitted, reviewer=lead, goals=["下周签下华为合同"])
    following = next_week(rep)
    goal_rows = [r for r in following.plan_reviews.all() if r.is_goal]
    assert [r.item_text for r in goal_rows] == ["下周签下华为合同"]
    assert f"plan_review_{goal_rows[0].pk}" in report_services.missing_for_submission(following)


def test_goals_reach_a_next_report_that_is_already_open(submitted, lead, rep):
    following = next_week(rep)  # opened on Monday, before the manager's review
    services.mark_reviewed(report=submitted, reviewer=lead, goals=["回款 20 万"])
    assert "回款 20 万" in [r.item_text for r in following.plan_reviews.all()]


def test_returning_needs_a_reason_and_reopens_the_report_for_its_author(submitted, lead, rep):
    with pytest.raises(ValidationError) as exc:
        services.return_for_revision(report=submitted, reviewer=lead, reason="  ")
    assert "reason" in exc.value.message_dict
    services.return_for_revision(report=submitted, reviewer=lead, reason="请补充客户名称")
    submitted.refresh_from_db()
    assert submitted.status == WeeklyReport.Status.RETURNED
    assert report_access.can_edit_report(rep, submitted)
    assert AuditEntry.objects.filter(target_id=submitted.pk, note="请补充客户名称").exists()


def test_a_returned_report_resubmits_as_a_new_revision_marked_edited_after_review(submitted, lead, rep):
    services.mark_reviewed(report=submitted, reviewer=lead, praise="好")
    services.return_for_revision(report=submitted, reviewer=lead, reason="数字有误")
    submitted.refresh_from_db()
    report_services.save_draft(report=submitted, editor=rep, base_version=submitted.version, data={"summary": "更正"})
    report_services.submit_report(report=submitted, by=rep)
    submitted.refresh_from_db()
    assert submitted.status == WeeklyReport.Status.SUBMITTED and submitted.is_edited_after_review
    assert submitted.revisions.first().kind == ReportRevision.Kind.RESUBMITTED


@pytest.mark.parametrize(
    ("who", "may_review"),
    [("lead", True), ("admin", True), ("director", False), ("other_lead", False), ("rep", False)],
)
def test_who_may_review(request, submitted, who, may_review):
    assert report_access.can_review_report(request.getfixturevalue(who), submitted) is may_review


def test_a_manager_does_not_review_their_own_report(lead):
    own = report_services.submit_report(
        report=fill(report_services.open_report(author=lead, week_start=MONDAY)), by=lead
    )
    assert not report_access.can_review_report(lead, own)


def test_the_next_report_shows_goals_as_the_managers(client, submitted, lead, rep):
    services.mark_reviewed(report=submitted, reviewer=lead, goals=["拜访宁德时代"])
    following = next_week(rep)
    client.force_login(rep)
    for url in (f"/reports/{following.pk}/edit/", following.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "Manager's goal" in page and "拜访宁德时代" in page, url
