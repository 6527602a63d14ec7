"""The manager's side of a report: mark it reviewed with feedback, or return it for revision."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import record
from reports.models import PlanReview, WeeklyReport
from reviews.models import Feedback, FeedbackGoal, ReviewAction
from teams.models import User

MAX_GOALS = 10


def _locked(report: WeeklyReport) -> WeeklyReport:
    return WeeklyReport.objects.select_for_update().get(pk=report.pk)


@transaction.atomic
def mark_reviewed(
    *,
    report: WeeklyReport,
    reviewer: User,
    praise: str = "",
    problems: str = "",
    suggestions: str = "",
    goals: list[str] | None = None,
    rating: int | None = None,
) -> Feedback:
    """Give feedback and mark a submitted report reviewed.

    Goals become items the author's next report must answer (closed-loop feedback): added to that
    report at once if it is already open, or when it is opened. Raises ValidationError when the
    report is not waiting for review (a second click on the button included) or the feedback is
    empty.
    """
    report = _locked(report)
    if report.status != WeeklyReport.Status.SUBMITTED:
        raise ValidationError(
            _("This report is not waiting for review (it is %(status)s).") % {"status": report.get_status_display()}
        )
    goals = [goal.strip()[:500] for goal in (goals or []) if goal.strip()][:MAX_GOALS]
    if not any(text.strip() for text in (praise, problems, suggestions)) and not goals:
        raise ValidationError(_("Write at least one part of the feedback."))
    feedback = Feedback.objects.create(
        report=report, reviewer=reviewer, praise=praise, problems=problems, suggestions=suggestions, rating=rating
    )
    created = FeedbackGoal.objects.bulk_create(
        FeedbackGoal(feedback=feedback, position=i, text=text) for i, text in enumerate(goals)
    )
    _carry_goals_forward(report, created)
    report.status = WeeklyReport.Status.REVIEWED
    report.reviewed_at = timezone.now()
    report.version += 1
    report.save(update_fields=["status", "reviewed_at", "version", "updated_at"])
    ReviewAction.objects.create(report=report, actor=reviewer, kind=ReviewAction.Kind.REVIEWED)
    return feedback


def _carry_goals_forward(report: WeeklyReport, goals: list[FeedbackGoal]) -> None:
    """Add new goals to the author's next report when it is already open for writing."""
    following = (
        WeeklyReport.objects.filter(author_id=report.author_id, week_start__gt=report.week_start)
        .order_by("week_start")
        .first()
    )
    if following is not None and following.is_editable_by_author:
        PlanReview.objects.bulk_create(PlanReview(report=following, goal=goal, item_text=goal.text) for goal in goals)


@transaction.atomic
def return_for_revision(*, report: WeeklyReport, reviewer: User, reason: str) -> ReviewAction:
    """Send a submitted or reviewed report back to its author, who can edit and resubmit it.

    Raises ValidationError without a reason, or when the report is not submitted or reviewed.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the author should change.")})
    report = _locked(report)
    if report.status not in (WeeklyReport.Status.SUBMITTED, WeeklyReport.Status.REVIEWED):
        raise ValidationError(
            _("Only a submitted or reviewed report can be returned (this one is %(status)s).")
            % {"status": report.get_status_display()}
        )
    old_status = report.get_status_display()
    report.status = WeeklyReport.Status.RETURNED
    report.version += 1
    report.save(update_fields=["status", "version", "updated_at"])
    action = ReviewAction.objects.create(
        report=report, actor=reviewer, kind=ReviewAction.Kind.RETURNED, reason=reason[:2000]
    )
    record(
        actor=reviewer,
        action=AuditEntry.Action.STATUS_CHANGED,
        target=report,
        changes={"status": [str(old_status), str(report.get_status_display())]},
        note=reason[:200],
    )
    return action
