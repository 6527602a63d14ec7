"""Weekly report rules: calendars, opening and saving drafts without lost updates, submitting,
targets. Views and tasks call these; they hold no rules themselves."""

import datetime
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.services import notify
from reports import access as report_access
from reports import extensions, signals
from reports.attachments import check_upload
from reports.calendar import WorkCalendar, calendar_for, effective_deadline
from reports.customer_names import name_key
from reports.models import (
    KPI,
    Attachment,
    DraftConflict,
    KpiValue,
    PlanItem,
    PlanReview,
    Problem,
    ProblemCategory,
    ReportRevision,
    ReportTemplate,
    Target,
    TeamSettings,
    TemplateVersion,
    WeeklyReport,
)
from reports.sections import COMMENT_MAX_LENGTH
from teams import versions
from teams.models import Membership, Team, User

DEFAULT_TEMPLATE_NAME = "标准销售周报"
MAX_KPI_VALUE = Decimal("999999999999")  # a trillion CNY in one week is a typo, not a sale
MAX_ROWS = 50


# Calendars --------------------------------------------------------------------------------------


def settings_for(team: Team) -> TeamSettings:
    """The team's effective settings: its own row or its nearest ancestor's, else the defaults;
    the template likewise comes from the nearest team up the tree that names one."""
    return settings_by_team([team])[team.pk]


def settings_by_team(teams: list[Team]) -> dict[int, TeamSettings]:
    """settings_for() of many teams at once, with one query whatever their number (none for none)."""
    if not teams:
        return {}
    chains = {team.pk: [*team.ancestor_ids, team.pk] for team in teams}
    ids = {pk for chain in chains.values() for pk in chain}
    rows = {row.team_id: row for row in TeamSettings.objects.filter(team_id__in=ids).select_related("template")}
    result = {}
    for team in teams:
        chain = chains[team.pk]
        own = next((rows[pk] for pk in reversed(chain) if pk in rows), None)
        effective = TeamSettings(team=team, time_zone=settings.TIME_ZONE) if own is None else own
        if effective.template_id is None:
            effective.template = next(
                (rows[pk].template for pk in reversed(chain) if pk in rows and rows[pk].template_id), None
            )
        result[team.pk] = effective
    return result


def current_week_start(team_settings: TeamSettings, now: datetime.datetime | None = None) -> datetime.date:
    """The first day of "this week" in the team's own time zone."""
    local_day = (now or timezone.now()).astimezone(team_settings.zone).date()
    return team_settings.week_start_for(local_day)


def last_closed_week(team_settings: TeamSettings, now: datetime.datetime | None = None) -> datetime.date:
    """The most recent week whose deadline has passed: the latest week with complete figures."""
    now = now or timezone.now()
    week = current_week_start(team_settings, now)
    while team_settings.deadline_for(week) > now:
        week -= datetime.timedelta(days=7)
    return week


def lateness(
    team_settings: TeamSettings, week_start: datetime.date, at: datetime.datetime, calendar=None
) -> datetime.timedelta | None:
    """How late a submission at `at` is, or None when it is on time (grace period included) or
    the week was entirely off. The deadline is the working-calendar one (moved off days off)."""
    deadline = effective_deadline(team_settings, week_start, calendar or WorkCalendar())
    if deadline is None or at <= deadline + datetime.timedelta(minutes=team_settings.grace_minutes):
        return None
    return at - deadline


def achievement(actual: Decimal | None, target: Decimal | None) -> Decimal | None:
    """actual / target; None when either is missing or the target is zero (no rate to show)."""
    if actual is None or not target:
        return None
    return actual / target


# Templates --------------------------------------------------------------------------------------


def current_version(template: ReportTemplate) -> TemplateVersion:
    # A template is created with its first version, so there always is one.
    return template.versions.order_by("-number").first()  # type: ignore[return-value]


def default_template() -> ReportTemplate:
    return ReportTemplate.objects.get(name=DEFAULT_TEMPLATE_NAME)


def template_version_for(team: Team) -> TemplateVersion:
    template = settings_for(team).template or default_template()
    return current_version(template)


# Reports ----------------------------------------------------------------------------------------


def _previous_report(author: User, week_start: datetime.date) -> WeeklyReport | None:
    return WeeklyReport.objects.filter(author=author, week_start__lt=week_start).order_by("-week_start").first()


def _targets(member: User, week_start: datetime.date) -> dict[int, Decimal]:
    return dict(Target.objects.filter(member=member, week_start=week_start).values_list("kpi_id", "value"))


@transaction.atomic
def open_report(*, author: User, week_start: datetime.date | None = None) -> WeeklyReport:
    """The author's report for the week (this week by default), created as a draft on first open
    with the team's template, the week's targets and last report's plan items to answer.

    Raises ValidationError when the author is not a salesperson or manager in a team.
    """
    membership = Membership.objects.active().filter(user=author).select_related("team").first()
    if membership is None or membership.role == Membership.Role.DIRECTOR:
        raise ValidationError(_("Only members of a team write weekly reports."))
    team_settings = settings_for(membership.team)
    week_start = week_start or current_week_start(team_settings)
    existing = WeeklyReport.objects.filter(author=author, week_start=week_start).first()
    if existing:
        return existing
    version = template_version_for(membership.team)
    try:
        with transaction.atomic():
            report = WeeklyReport.objects.create(
                author=author, team=membership.team, week_start=week_start, template_version=version
            )
    except IntegrityError:  # a second tab opened the same week at the same moment
        return WeeklyReport.objects.get(author=author, week_start=week_start)
    targets = _targets(author, week_start)
    KpiValue.objects.bulk_create(
        KpiValue(report=report, kpi=kpi, target=targets.get(kpi.pk)) for kpi in version.kpis.order_by("templatekpi")
    )
    previous = _previous_report(author, week_start)
    if previous:
        PlanReview.objects.bulk_create(
            [PlanReview(report=report, plan_item=item, item_text=item.item) for item in previous.plan_items.all()]
            + [
                PlanReview(report=report, goal=goal, item_text=goal.text)
                for goal in extensions.review_record().goals_of(previous)
            ]
        )
        if previous.is_editable_by_author and previous.plan_items.exists():
            versions.touch([previous.team])  # its edit page now shows the plan locked (views._form_fields)
    versions.touch_people([author.pk])  # the author's home shows the week's report as started
    return report


@dataclass
class ReportConflict(Exception):
    """A save started from an older version than the one stored."""

    conflict: DraftConflict


def clean_decimal(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except ArithmeticError:
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    if number < 0:
        raise ValidationError({field: _("The value cannot be negative.")})
    if number > MAX_KPI_VALUE:
        raise ValidationError({field: _("This number is too large; check for a typo.")})
    return number


def save_draft(*, report: WeeklyReport, editor: User, base_version: int, data: dict) -> WeeklyReport:
    """Store the author's content (a full replacement, as autosave sends the whole form).

    `data`: {"summary", "kpis": {kpi_id: actual}, "plan_reviews": {review_id: {"outcome", "note"}},
    "problems": [{problem, cause, action, help_needed}], "plan": [{item, customer, due_on}],
    "custom": {key: value}}.

    Raises ReportConflict when the report changed since `base_version`; the refused content is
    kept in a DraftConflict written after the locked block, so the refusal does not roll it back
    (callers must not wrap this in an outer transaction that they roll back). Raises
    ValidationError when the report is not editable or a value is invalid (nothing is saved).
    """
    with transaction.atomic():
        locked = WeeklyReport.objects.select_for_update().get(pk=report.pk)
        if not locked.is_editable_by_author:
            raise ValidationError(_("This report has been submitted and can no longer be edited."))
        if base_version == locked.version:
            _save_content(locked, data)
            locked.version += 1
            locked.save(update_fields=["summary", "custom_values", "section_comments", "version", "updated_at"])
            if locked.status != WeeklyReport.Status.DRAFT:  # a returned report still counts in totals
                versions.touch([report.team])
            versions.touch_people([locked.author_id])  # their home lists the goals still to answer
            signals.report_written.send(sender=WeeklyReport, report=locked)
            return locked
    conflict = DraftConflict.objects.create(report=report, user=editor, base_version=base_version, data=data)
    raise ReportConflict(conflict)


SUMMARY_MAX_LENGTH = 20000
ROW_FIELDS = {
    "problems": ("problem", "category", "customer", "cause", "action", "help_needed"),
    "plan": ("item", "customer", "due_on"),
}


def _rows(data: dict, section: str) -> list[dict]:
    """The section's rows with every field as stripped text, blank rows dropped."""
    rows = []
    for row in data.get(section, [])[:MAX_ROWS]:
        cleaned = {key: str(row.get(key) or "").strip() for key in ROW_FIELDS[section]}
        if any(cleaned.values()):
            rows.append(cleaned)
    return rows


def _check_content(report: WeeklyReport, data: dict) -> dict[str, str]:
    """Every problem with `data`, by field, so the author sees them all at once."""
    errors = {}
    if len(data.get("summary", "")) > SUMMARY_MAX_LENGTH:
        errors["summary"] = _("The text is too long (at most %(max)d characters).") % {"max": SUMMARY_MAX_LENGTH}
    for kpi_id, value in data.get("kpis", {}).items():
        try:
            clean_decimal(value, f"kpi_{kpi_id}")
        except ValidationError as exc:
            errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    for review_id, answer in data.get("plan_reviews", {}).items():
        if answer.get("outcome", "") not in ("", *PlanReview.Outcome.values):
            errors[f"plan_review_{review_id}"] = _("Choose done, partly done or not done.")
    problems = _rows(data, "problems")
    if any(not row["problem"] for row in problems):
        errors["problems"] = _("Describe the problem in every row you started.")
    elif any(row["category"] and row["category"] not in _category_choices(report) for row in problems):
        errors["problems"] = _("Choose each problem's category from the list.")
    if any(not row["item"] for row in _rows(data, "plan")):
        errors["plan"] = _("Say what you plan in every row you started.")
    elif "plan" in data and plan_is_locked(report) and _rows(data, "plan") != _stored_plan(report):
        errors["plan"] = _("Next week's report already answers this plan; it can no longer change.")
    return errors


def _category_choices(report: WeeklyReport) -> set[str]:
    """The categories a problem row may name: the active ones, and any the report already uses
    (an admin may have deactivated it since)."""
    used = report.problems.filter(category__isnull=False).values("category_id")
    return {
        str(pk)
        for pk in ProblemCategory.objects.filter(Q(is_active=True) | Q(pk__in=used)).values_list("pk", flat=True)
    }


def _stored_plan(report: WeeklyReport) -> list[dict]:
    return [
        {"item": p.item, "customer": p.customer, "due_on": p.due_on.isoformat() if p.due_on else ""}
        for p in report.plan_items.all()
    ]


def _save_content(report: WeeklyReport, data: dict) -> None:
    """Write `data` over the report's content; raises ValidationError before writing anything."""
    errors = _check_content(report, data)
    if errors:
        raise ValidationError(errors)
    report.summary = data.get("summary", report.summary)
    if "custom" in data:
        report.custom_values = data["custom"]
    if "sections" in data:
        report.section_comments = {
            str(key): str(text or "").strip()[:COMMENT_MAX_LENGTH] for key, text in data["sections"].items()
        }
    if "kpis" in data:
        values = {str(k): v for k, v in data["kpis"].items()}
        for row in report.kpi_values.all():
            if str(row.kpi_id) in values:
                actual = clean_decimal(values[str(row.kpi_id)], f"kpi_{row.kpi_id}")
                if actual != row.actual:
                    # A number the author changed by hand no longer comes from the sales log.
                    row.actual, row.is_from_log = actual, False
                    row.save(update_fields=["actual", "is_from_log"])
    if "plan_reviews" in data:
        answers = {str(k): v for k, v in data["plan_reviews"].items()}
        for review in report.plan_reviews.all():
            answer = answers.get(str(review.pk))
            if answer is not None:
                review.outcome, review.note = answer.get("outcome", ""), answer.get("note", "")[:500]
                review.save(update_fields=["outcome", "note"])
    if "problems" in data:
        report.problems.all().delete()
        Problem.objects.bulk_create(
            Problem(
                report=report,
                position=i,
                problem=row["problem"][:500],
                category_id=int(row["category"]) if row["category"] else None,
                customer=row["customer"][:200],
                customer_key=name_key(row["customer"]),
                cause=row["cause"][:500],
                action=row["action"][:500],
                help_needed=row["help_needed"][:500],
            )
            for i, row in enumerate(_rows(data, "problems"))
        )
    if "plan" in data and not plan_is_locked(report):
        report.plan_items.all().delete()
        PlanItem.objects.bulk_create(
            PlanItem(
                report=report,
                position=i,
                item=row["item"][:500],
                customer=row["customer"][:200],
                due_on=row["due_on"] or None,
            )
            for i, row in enumerate(_rows(data, "plan"))
        )


def missing_for_submission(report: WeeklyReport) -> dict[str, str]:
    """What must still be filled in before the report can be submitted, by field."""
    missing = {}
    sections = report.template_version.sections
    if "review" in sections and not report.summary.strip():
        missing["summary"] = _("Describe what you did this week.")
    if "review" in sections:
        for review in report.plan_reviews.all():
            if not review.outcome:
                missing[f"plan_review_{review.pk}"] = _("Say whether this plan item was done.")
    if "kpis" in sections:
        for value in report.kpi_values.all():
            if value.actual is None:
                missing[f"kpi_{value.kpi_id}"] = _("Enter this week's value (0 if none).")
    if (
        "problems" in sections
        and report.problems.filter(category__isnull=True).exists()
        and ProblemCategory.objects.filter(is_active=True).exists()
    ):
        missing["problems"] = _("Choose a category for every problem.")
    if "plan" in sections and not report.plan_items.exists():
        missing["plan"] = _("Add at least one item to next week's plan.")
    if "custom" in sections:
        for field in report.template_version.fields:
            if field.get("required") and report.custom_values.get(field["key"]) in (None, ""):
                missing[f"custom_{field['key']}"] = _("This field is required.")
    return missing


def snapshot(report: WeeklyReport) -> dict:
    """Everything the author wrote, in a form that can be stored, compared and shown later."""
    return {
        "summary": report.summary,
        "plan_reviews": [
            {"item": r.item_text, "goal": r.is_goal, "outcome": r.outcome, "note": r.note}
            for r in report.plan_reviews.all()
        ],
        "kpis": [
            {"code": v.kpi.code, "name": v.kpi.name_zh, "target": _text(v.target), "actual": _text(v.actual)}
            for v in report.kpi_values.select_related("kpi").order_by("kpi__position")
        ],
        "problems": [
            {
                "problem": p.problem,
                "category": p.category.name_zh if p.category else "",
                "customer": p.customer,
                "cause": p.cause,
                "action": p.action,
                "help_needed": p.help_needed,
            }
            for p in report.problems.select_related("category")
        ],
        "plan": [
            {"item": p.item, "customer": p.customer, "due_on": p.due_on.isoformat() if p.due_on else ""}
            for p in report.plan_items.all()
        ],
        "custom": report.custom_values,
    }


def _text(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")


@transaction.atomic
def submit_report(*, report: WeeklyReport, by: User, at: datetime.datetime | None = None) -> WeeklyReport:
    """Submit a draft, or resubmit a report returned for revision; late if past the deadline.

    Raises ValidationError (keyed by field) when something required is missing.
    """
    report = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    if not report.is_editable_by_author:
        raise ValidationError(_("This report has already been submitted."))
    missing = missing_for_submission(report)
    if missing:
        raise ValidationError(missing)
    at = at or timezone.now()
    first = report.submitted_at is None
    if first:
        report.submitted_at = at
        report.late_by = lateness(settings_for(report.team), report.week_start, at, calendar_for(report.team))
    if report.reviewed_at is not None:
        report.is_edited_after_review = True
    report.last_submitted_at = at
    was_returned = report.status == WeeklyReport.Status.RETURNED
    report.status = WeeklyReport.Status.SUBMITTED
    report.version += 1
    report.save(
        update_fields=[
            "submitted_at",
            "late_by",
            "last_submitted_at",
            "status",
            "version",
            "is_edited_after_review",
            "updated_at",
        ]
    )
    revision = ReportRevision.objects.create(
        report=report,
        number=report.revisions.count() + 1,
        author=by,
        snapshot=snapshot(report),
        kind=ReportRevision.Kind.SUBMITTED if first else ReportRevision.Kind.RESUBMITTED,
    )
    _notify_managers(report, revision, first=first, was_returned=was_returned)
    versions.touch_about(report.author_id, report.team)
    signals.send_on_commit(signals.report_submitted, WeeklyReport, report=report, first=first)
    signals.report_written.send(sender=WeeklyReport, report=report)
    return report


def _notify_managers(report: WeeklyReport, revision: ReportRevision, *, first: bool, was_returned: bool) -> None:
    """A late first submission concerns the team's managers; a resubmission after a return, the
    reviewer who returned it (or, if they moved on, the team's managers)."""

    if first and report.late_by is not None:
        notify(
            recipients=report_access.readers_among(report, report_access.reviewers_of(report)),
            kind=Notification.Kind.LATE_SUBMISSION,
            event=f"late:{report.pk}",
            actor=report.author,
            report=report,
            url=reverse("reviews:review", args=[report.pk]),
        )
    if was_returned:
        returner = extensions.review_record().last_returner(report)
        recipients = [returner] if returner and report_access.can_review_report(returner, report) else []
        notify(
            recipients=report_access.readers_among(report, recipients or report_access.reviewers_of(report)),
            kind=Notification.Kind.RESUBMITTED,
            event=f"resubmitted:{report.pk}:{revision.number}",
            actor=report.author,
            report=report,
            url=reverse("reviews:review", args=[report.pk]),
        )


# Targets ----------------------------------------------------------------------------------------


def weeks_of_month(team_settings: TeamSettings, year: int, month: int) -> list[datetime.date]:
    """The reporting weeks that start in the given month."""
    day = datetime.date(year, month, 1)
    first = team_settings.week_start_for(day)
    if first < day:
        first += datetime.timedelta(days=7)
    weeks = []
    while first.month == month:
        weeks.append(first)
        first += datetime.timedelta(days=7)
    return weeks


@transaction.atomic
def set_targets(*, actor: User, member: User, week_start: datetime.date, values: dict[KPI, Decimal | None]) -> None:
    """Set (or clear, with None) a member's weekly targets."""
    for kpi, value in values.items():
        if value is None:
            Target.objects.filter(member=member, kpi=kpi, week_start=week_start).delete()
        else:
            Target.objects.update_or_create(
                member=member, kpi=kpi, week_start=week_start, defaults={"value": value, "set_by": actor}
            )
    versions.touch_members([member.pk])
    # Open drafts of that week show the new target at once.
    for row in KpiValue.objects.filter(
        report__author=member,
        report__week_start=week_start,
        report__status=WeeklyReport.Status.DRAFT,
        kpi__in=list(values),
    ):
        row.target = values[row.kpi]
        row.save(update_fields=["target"])


@transaction.atomic
def replace_targets(*, actor: User, kpi: KPI, values: dict[int, dict[datetime.date, Decimal]]) -> None:
    """Set many members' weekly targets of one KPI at once ({member id: {week: value}}), as
    set_targets() does one by one: open drafts of those weeks show the new targets at once."""
    rows = [
        Target(member_id=member_id, kpi=kpi, week_start=week, value=value, set_by=actor)
        for member_id, weeks in values.items()
        for week, value in weeks.items()
    ]
    for member_id, weeks in values.items():
        Target.objects.filter(member_id=member_id, kpi=kpi, week_start__in=list(weeks)).delete()
    Target.objects.bulk_create(rows)
    versions.touch_members(list(values))
    for member_id, weeks in values.items():
        for row in KpiValue.objects.filter(
            report__author_id=member_id,
            report__week_start__in=list(weeks),
            report__status=WeeklyReport.Status.DRAFT,
            kpi=kpi,
        ).select_related("report"):
            row.target = weeks[row.report.week_start]
            row.save(update_fields=["target"])


def spread_monthly_target(total: Decimal, weeks: int, decimals: int) -> list[Decimal]:
    """Split a month's target over its weeks so the weeks add up exactly to the month."""
    quantum = Decimal(1).scaleb(-decimals)
    share = (total / weeks).quantize(quantum, rounding="ROUND_DOWN")
    shares = [share] * weeks
    shares[-1] = total - share * (weeks - 1)
    return shares


# Writing: conflicts and attachments --------------------------------------------------------------

MAX_ATTACHMENTS = 20


def plan_is_locked(report: WeeklyReport) -> bool:
    """Whether a later report already answers this report's plan, so the plan can no longer change."""
    return report.plan_items.filter(reviews__isnull=False).exists()


def resolve_conflict(*, conflict: DraftConflict, editor: User) -> WeeklyReport:
    """Keep the refused content after all: store it over the current version and close the conflict.

    Not one transaction on purpose: if yet another save slipped in meanwhile, save_draft raises
    ReportConflict and the new DraftConflict it records must survive. Raises ValidationError when
    the conflict is already resolved, the report is frozen or the stored content is invalid.
    """
    if conflict.resolved_at is not None:
        raise ValidationError(_("This conflict has already been resolved."))
    current = WeeklyReport.objects.only("version").get(pk=conflict.report_id).version
    report = save_draft(report=conflict.report, editor=editor, base_version=current, data=conflict.data)
    conflict.resolved_at = timezone.now()
    conflict.save(update_fields=["resolved_at"])
    return report


@transaction.atomic
def add_attachment(*, report: WeeklyReport, uploaded_by: User, file) -> Attachment:
    """Attach an uploaded file to a report its author can still edit, stored under a random name.

    Raises ValidationError when the report is frozen, has too many attachments, or the file is
    too large or not what its name claims (see reports.attachments.check_upload).
    """
    locked = WeeklyReport.objects.select_for_update().get(pk=report.pk)
    if not locked.is_editable_by_author:
        raise ValidationError(_("This report has been submitted and can no longer be edited."))
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(_("A report can have at most %(count)d attachments."), params={"count": MAX_ATTACHMENTS})
    checked = check_upload(file)
    attachment = Attachment(
        report=locked,
        original_name=checked.display_name,
        content_type=checked.content_type,
        size=file.size,
        uploaded_by=uploaded_by,
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", file, save=False)
    try:  # a row that cannot be saved must not leave its file behind
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    versions.touch([report.team])  # the report's pages keep its sections (reports.selectors)
    return attachment


@transaction.atomic
def remove_attachment(*, attachment: Attachment) -> None:
    """Delete an attachment (row now, file once committed) while its report is editable.

    Raises ValidationError when the report has been submitted.
    """
    report = WeeklyReport.objects.select_for_update().get(pk=attachment.report_id)
    if not report.is_editable_by_author:
        raise ValidationError(_("This report has been submitted and can no longer be edited."))
    name, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    versions.touch([report.team])  # the report's pages keep its sections (reports.selectors)
    transaction.on_commit(lambda: storage.delete(name))  # type: ignore[arg-type]  # a saved file has a name
