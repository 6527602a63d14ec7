"""Period summary rules: opening a summary with its pre-filled figures and last period's action
items to answer, saving drafts without lost updates, submitting, reviewing and returning, and
marking lessons as practices. Views call these; they hold no rules themselves."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify
from periodsummaries import access, selectors
from periodsummaries.models import (
    ActionItem,
    ActionReview,
    PeriodSummary,
    Practice,
    SummaryConflict,
    SummaryFeedback,
    SummaryKpi,
    SummaryReviewAction,
    SummarySettings,
)
from periodsummaries.signals import summary_returned, summary_reviewed, summary_submitted
from reports.models import PlanReview
from reports.services import MAX_ROWS, clean_decimal
from reports.signals import send_on_commit
from reviews.models import ReviewAction
from reviews.services import MAX_GOALS
from teams.models import Membership, Team, User

TEXT_MAX_LENGTH = 20000
CAUSE_MAX_LENGTH = 2000
ACTION_FIELDS = ("item", "owner", "due_on", "measure")


@transaction.atomic
def open_summary(*, author: User, level: str, period: str, day: datetime.date) -> PeriodSummary:
    """The author's summary of the period containing `day`, created as a draft on first open with
    the roll-ups' figures and the previous summary's action items to answer.

    Raises ValidationError when the author writes no summaries at that level.
    """
    membership = Membership.objects.active().filter(user=author).select_related("team").first()
    if membership is None or membership.role == Membership.Role.DIRECTOR:
        raise ValidationError(_("Only members of a team write summaries."))
    if level == PeriodSummary.Level.TEAM and membership.role != Membership.Role.MANAGER:
        raise ValidationError(_("Only a team's manager writes the team's summary."))
    if period not in PeriodSummary.Period.values or level not in PeriodSummary.Level.values:
        raise ValidationError(_("Choose a period and a level from the list."))
    start, end = selectors.period_bounds(period, day)
    existing = PeriodSummary.objects.filter(author=author, level=level, period=period, start=start).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            summary = PeriodSummary.objects.create(
                author=author, team=membership.team, level=level, period=period, start=start, end=end
            )
    except IntegrityError:  # a second tab opened the same period at the same moment
        return PeriodSummary.objects.get(author=author, level=level, period=period, start=start)
    figures = selectors.prefilled_figures(level=level, team=membership.team, author=author, start=start, end=end)
    SummaryKpi.objects.bulk_create(
        SummaryKpi(summary=summary, kpi=f.kpi, target=f.target, prefilled=f.actual, actual=f.actual) for f in figures
    )
    previous = selectors.previous_summary(summary)
    if previous is not None:
        ActionReview.objects.bulk_create(
            ActionReview(summary=summary, action_item=item, item_text=item.item) for item in previous.action_items.all()
        )
    return summary


@transaction.atomic
def refresh_figures(*, summary: PeriodSummary) -> list[SummaryKpi]:
    """Take the roll-ups' figures again (weeks submitted since the summary was opened): targets
    and pre-filled figures are replaced; an actual the author left as pre-filled follows, one the
    author changed stays theirs. Returns the rows whose figures changed.

    Raises ValidationError once the summary is submitted (its figures are then what was sent).
    """
    summary = PeriodSummary.objects.select_for_update().get(pk=summary.pk)
    if not summary.is_editable_by_author:
        raise ValidationError(_("This summary has been submitted and can no longer be edited."))
    rows = {row.kpi_id: row for row in summary.kpis.all()}
    figures = selectors.prefilled_figures(
        level=summary.level, team=summary.team, author=summary.author, start=summary.start, end=summary.end
    )
    changed = []
    for figure in figures:
        row = rows.get(figure.kpi.pk)
        if row is None:
            changed.append(
                SummaryKpi.objects.create(
                    summary=summary, kpi=figure.kpi, target=figure.target, prefilled=figure.actual, actual=figure.actual
                )
            )
            continue
        if (row.target, row.prefilled) == (figure.target, figure.actual):
            continue
        if not row.is_changed:
            row.actual = figure.actual
        row.target, row.prefilled = figure.target, figure.actual
        row.save(update_fields=["target", "prefilled", "actual"])
        changed.append(row)
    summary.version += 1
    summary.save(update_fields=["version", "updated_at"])
    return changed


@dataclass
class SummaryConflictError(Exception):
    """A save started from an older version than the one stored."""

    conflict: SummaryConflict


def save_draft(*, summary: PeriodSummary, editor: User, base_version: int, data: dict) -> PeriodSummary:
    """Store the author's content (a full replacement, as autosave sends the whole form).

    `data`: {"overview", "customers", "process", "market", "problems", "lessons",
    "kpis": {kpi_id: {"actual", "cause"}}, "action_reviews": {id: {"outcome", "note"}},
    "plan": [{item, owner, due_on, measure}]}.

    Raises SummaryConflictError when the summary changed since `base_version` (the refused
    content is kept in a SummaryConflict), ValidationError when it is not editable or a value is
    invalid (nothing is saved).
    """
    with transaction.atomic():
        locked = PeriodSummary.objects.select_for_update().get(pk=summary.pk)
        if not locked.is_editable_by_author:
            raise ValidationError(_("This summary has been submitted and can no longer be edited."))
        if base_version == locked.version:
            _save_content(locked, data)
            locked.version += 1
            locked.save(update_fields=[*PeriodSummary.TEXT_FIELDS, "version", "updated_at"])
            return locked
    conflict = SummaryConflict.objects.create(summary=summary, user=editor, base_version=base_version, data=data)
    raise SummaryConflictError(conflict)


def plan_rows(data: dict) -> list[dict]:
    """The plan's rows with every field as stripped text, blank rows dropped."""
    rows = []
    for row in data.get("plan", [])[:MAX_ROWS]:
        cleaned = {key: str(row.get(key) or "").strip() for key in ACTION_FIELDS}
        if any(cleaned.values()):
            rows.append(cleaned)
    return rows


def plan_is_locked(summary: PeriodSummary) -> bool:
    """Whether the next summary already answers this one's action items."""
    return summary.action_items.filter(reviews__isnull=False).exists()


def stored_plan(summary: PeriodSummary) -> list[dict]:
    return [
        {"item": a.item, "owner": a.owner, "due_on": a.due_on.isoformat() if a.due_on else "", "measure": a.measure}
        for a in summary.action_items.all()
    ]


def _check_content(summary: PeriodSummary, data: dict) -> dict[str, str]:
    errors = {}
    for name in PeriodSummary.TEXT_FIELDS:
        if len(data.get(name, "")) > TEXT_MAX_LENGTH:
            errors[name] = _("The text is too long (at most %(max)d characters).") % {"max": TEXT_MAX_LENGTH}
    for kpi_id, value in data.get("kpis", {}).items():
        try:
            clean_decimal(value.get("actual"), f"kpi_{kpi_id}")
        except ValidationError as exc:
            errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
        if len(value.get("cause", "")) > CAUSE_MAX_LENGTH:
            errors[f"cause_{kpi_id}"] = _("The text is too long (at most %(max)d characters).") % {
                "max": CAUSE_MAX_LENGTH
            }
    for review_id, answer in data.get("action_reviews", {}).items():
        if answer.get("outcome", "") not in ("", *PlanReview.Outcome.values):
            errors[f"action_review_{review_id}"] = _("Choose done, partly done or not done.")
    rows = plan_rows(data)
    if any(not row["item"] for row in rows):
        errors["plan"] = _("Say what is to be done in every row you started.")
    elif "plan" in data and plan_is_locked(summary) and rows != stored_plan(summary):
        errors["plan"] = _("The next summary already answers this plan; it can no longer change.")
    return errors


def _save_content(summary: PeriodSummary, data: dict) -> None:
    errors = _check_content(summary, data)
    if errors:
        raise ValidationError(errors)
    for name in PeriodSummary.TEXT_FIELDS:
        setattr(summary, name, data.get(name, getattr(summary, name)))
    figures = {str(k): v for k, v in data.get("kpis", {}).items()}
    for row in summary.kpis.all():
        answer = figures.get(str(row.kpi_id))
        if answer is not None:
            row.actual = clean_decimal(answer.get("actual"), f"kpi_{row.kpi_id}")
            row.cause = answer.get("cause", "")
            row.save(update_fields=["actual", "cause"])
    answers = {str(k): v for k, v in data.get("action_reviews", {}).items()}
    for review in summary.action_reviews.all():
        answer = answers.get(str(review.pk))
        if answer is not None:
            review.outcome, review.note = answer.get("outcome", ""), answer.get("note", "")[:500]
            review.save(update_fields=["outcome", "note"])
    if "plan" in data and not plan_is_locked(summary):
        summary.action_items.all().delete()
        ActionItem.objects.bulk_create(
            ActionItem(
                summary=summary,
                position=i,
                item=row["item"][:500],
                owner=row["owner"][:100],
                due_on=row["due_on"] or None,
                measure=row["measure"][:300],
            )
            for i, row in enumerate(plan_rows(data))
        )


def missing_for_submission(summary: PeriodSummary) -> dict[str, str]:
    """What must still be filled in before the summary can be submitted, by field."""
    missing = {}
    if not summary.overview.strip():
        missing["overview"] = _("Give an overview of the period.")
    threshold = selectors.deviation_percent(summary.team)
    for row in summary.kpis.select_related("kpi"):
        if row.actual is None:
            missing[f"kpi_{row.kpi_id}"] = _("Enter the period's value (0 if none).")
        elif selectors.needs_cause(row, threshold) and not row.cause.strip():
            missing[f"cause_{row.kpi_id}"] = _(
                "This KPI is more than %(threshold)d%% off its target: give the causes."
            ) % {"threshold": threshold}
    for review in summary.action_reviews.all():
        if not review.outcome:
            missing[f"action_review_{review.pk}"] = _("Say whether this action was done.")
    if not summary.action_items.exists():
        missing["plan"] = _("Add at least one action to next period's plan.")
    return missing


def snapshot(summary: PeriodSummary) -> dict:
    """Everything the author wrote, for the revision history."""
    return {
        **{name: getattr(summary, name) for name in PeriodSummary.TEXT_FIELDS},
        "kpis": [
            {
                "code": row.kpi.code,
                "target": number_text(row.target),
                "prefilled": number_text(row.prefilled),
                "actual": number_text(row.actual),
                "cause": row.cause,
            }
            for row in summary.kpis.select_related("kpi")
        ],
        "action_reviews": [
            {"item": r.item_text, "outcome": r.outcome, "note": r.note} for r in summary.action_reviews.all()
        ],
        "plan": stored_plan(summary),
    }


def number_text(value) -> str:
    return "" if value is None else format(value.normalize(), "f")


def _event_data(summary: PeriodSummary) -> dict:
    return {"period": summary.title, "author": str(summary.author)}


@transaction.atomic
def submit_summary(*, summary: PeriodSummary, by: User) -> PeriodSummary:
    """Submit a draft, or resubmit a summary returned for revision; its reviewers are told.

    Raises ValidationError (keyed by field) when something required is missing.
    """
    summary = PeriodSummary.objects.select_for_update().get(pk=summary.pk)
    if not summary.is_editable_by_author:
        raise ValidationError(_("This summary has already been submitted."))
    missing = missing_for_submission(summary)
    if missing:
        raise ValidationError(missing)
    summary.status = PeriodSummary.Status.SUBMITTED
    summary.submitted_at = timezone.now()
    summary.version += 1
    summary.save(update_fields=["status", "submitted_at", "version", "updated_at"])
    revision = summary.revisions.create(number=summary.revisions.count() + 1, author=by, snapshot=snapshot(summary))
    notify(
        recipients=access.reviewers_of(summary),
        kind=Notification.Kind.PERIOD_SUBMITTED,
        event=f"period_sub:{summary.pk}:{revision.number}",
        actor=by,
        url=reverse("periodsummaries:review", args=[summary.pk]),
        data=_event_data(summary),
    )
    send_on_commit(summary_submitted, PeriodSummary, summary=summary, first=revision.number == 1)
    return summary


@transaction.atomic
def mark_reviewed(
    *,
    summary: PeriodSummary,
    reviewer: User,
    praise: str = "",
    problems: str = "",
    suggestions: str = "",
    goals: list[str] | None = None,
    rating: int | None = None,
) -> SummaryFeedback:
    """Give four-part feedback and mark a submitted summary reviewed.

    Raises ValidationError when the summary is not waiting for review or the feedback is empty.
    """
    summary = PeriodSummary.objects.select_for_update().get(pk=summary.pk)
    if summary.status != PeriodSummary.Status.SUBMITTED:
        raise ValidationError(
            _("This summary is not waiting for review (it is %(status)s).") % {"status": summary.get_status_display()}
        )
    goals = [goal.strip()[:500] for goal in (goals or []) if goal.strip()][:MAX_GOALS]
    if not any(text.strip() for text in (praise, problems, suggestions)) and not goals:
        raise ValidationError(_("Write at least one part of the feedback."))
    feedback = SummaryFeedback.objects.create(
        summary=summary,
        reviewer=reviewer,
        praise=praise,
        problems=problems,
        suggestions=suggestions,
        goals="\n".join(goals),
        rating=rating,
    )
    summary.status = PeriodSummary.Status.REVIEWED
    summary.reviewed_at = timezone.now()
    summary.version += 1
    summary.save(update_fields=["status", "reviewed_at", "version", "updated_at"])
    SummaryReviewAction.objects.create(summary=summary, actor=reviewer, kind=ReviewAction.Kind.REVIEWED)
    notify(
        recipients=[summary.author],
        kind=Notification.Kind.PERIOD_FEEDBACK,
        event=f"period_fb:{feedback.pk}",
        actor=reviewer,
        excerpt=praise or problems or suggestions or "; ".join(goals),
        url=summary.get_absolute_url(),
        data=_event_data(summary),
    )
    send_on_commit(summary_reviewed, PeriodSummary, summary=summary, reviewer=reviewer, feedback=feedback)
    return feedback


@transaction.atomic
def return_for_revision(*, summary: PeriodSummary, reviewer: User, reason: str) -> SummaryReviewAction:
    """Send a submitted or reviewed summary back to its author with the reason.

    Raises ValidationError without a reason, or when the summary is a draft or already returned.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say what the author should change.")})
    summary = PeriodSummary.objects.select_for_update().get(pk=summary.pk)
    if summary.status not in (PeriodSummary.Status.SUBMITTED, PeriodSummary.Status.REVIEWED):
        raise ValidationError(
            _("Only a submitted or reviewed summary can be returned (this one is %(status)s).")
            % {"status": summary.get_status_display()}
        )
    summary.status = PeriodSummary.Status.RETURNED
    summary.version += 1
    summary.save(update_fields=["status", "version", "updated_at"])
    action = SummaryReviewAction.objects.create(
        summary=summary, actor=reviewer, kind=ReviewAction.Kind.RETURNED, reason=reason[:2000]
    )
    notify(
        recipients=[summary.author],
        kind=Notification.Kind.PERIOD_RETURNED,
        event=f"period_ret:{action.pk}",
        actor=reviewer,
        excerpt=reason,
        url=reverse("periodsummaries:edit", args=[summary.pk]),
        data=_event_data(summary),
    )
    send_on_commit(summary_returned, PeriodSummary, summary=summary, reviewer=reviewer, reason=reason)
    return action


def resolve_conflict(*, conflict: SummaryConflict, editor: User) -> PeriodSummary:
    """Keep the refused content after all: store it over the current version (not one
    transaction, as reports.services.resolve_conflict, so that a new conflict survives)."""
    if conflict.resolved_at is not None:
        raise ValidationError(_("This conflict has already been resolved."))
    current = PeriodSummary.objects.only("version").get(pk=conflict.summary_id).version
    summary = save_draft(summary=conflict.summary, editor=editor, base_version=current, data=conflict.data)
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["resolved_at"])
    return summary


@transaction.atomic
def mark_practice(*, summary: PeriodSummary, by: User, title: str, text: str) -> Practice:
    """Keep a lesson of the summary as a practice of the team it was written in.

    Raises ValidationError (keyed by field) for an empty title or text.
    """
    title, text = title.strip(), text.strip()
    errors = {}
    if not title:
        errors["title"] = _("Give the practice a short title.")
    if not text:
        errors["text"] = _("Describe the practice.")
    if errors:
        raise ValidationError(errors)
    return Practice.objects.create(
        team=summary.team, summary=summary, title=title[:200], text=text[:5000], marked_by=by
    )


@transaction.atomic
def set_deviation_percent(*, team: Team, percent: int) -> SummarySettings:
    """Set the team's threshold beyond which a KPI's deviation needs its causes."""
    row, _created = SummarySettings.objects.update_or_create(team=team, defaults={"deviation_percent": percent})
    return row
