"""Writes of the planning app: versions of target plans, their splits, the approval flow, and the
weekly targets an approved version puts into reports.Target."""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import record
from notifications.models import Notification
from notifications.services import notify
from planning import decompose, selectors
from planning.models import Plan, PlanTarget
from planning.selectors import Node, Values
from reports import services as report_services
from reports.calendar import WorkCalendar, calendars_for
from reports.models import KPI
from teams import access
from teams.models import Team, User


class PeopleSplit:
    EQUAL = "equal"
    WEIGHTS = "weights"  # in proportion to the rows' current yearly targets
    LAST_YEAR = "last_year"


class TimeSplit:
    WORKING_DAYS = "working_days"
    LAST_YEAR = "last_year"


@transaction.atomic
def start_plan(*, actor: User, team: Team, kpi: KPI, year: int) -> Plan:
    """A new draft version of the subtree's targets, starting from the figures in force. The
    actor's open draft of the same plan is returned instead of a second one."""
    open_draft = Plan.objects.filter(
        team=team, kpi=kpi, year=year, author=actor, status__in=[Plan.Status.DRAFT, Plan.Status.RETURNED]
    ).first()
    if open_draft is not None:
        return open_draft
    number = (Plan.objects.filter(team=team, kpi=kpi, year=year).aggregate(n=Max("number"))["n"] or 0) + 1
    plan = Plan.objects.create(team=team, kpi=kpi, year=year, number=number, author=actor)
    keys = {node.key for node in selectors.plan_tree(team)}
    current = {key: value for key, value in selectors.approved_values(team, kpi, year).items() if key[0] in keys}
    _write_values(plan, current)
    record(actor=actor, action=AuditEntry.Action.CREATED, target=plan, note=f"v{number}")
    return plan


def _write_values(plan: Plan, values: Values) -> None:
    PlanTarget.objects.filter(plan=plan).delete()
    rows = []
    for (key, kind, number), (base, stretch) in values.items():
        owner = {"team_id": int(key[1:])} if key[0] == "t" else {"member_id": int(key[1:])}
        rows.append(PlanTarget(plan=plan, kind=kind, number=number, base=base, stretch=stretch, **owner))
    PlanTarget.objects.bulk_create(rows)


def _check(kpi: KPI, value: Decimal) -> str | None:
    if not value.is_finite() or value < 0:
        return _("A target cannot be negative.")
    if value > report_services.MAX_KPI_VALUE:
        return _("This number is too large; check for a typo.")
    if value != round(value, kpi.decimals):
        return _("Use at most %(n)d decimal places.") % {"n": kpi.decimals}
    return None


def cell_name(key: str, kind: str, number: int, level: str) -> str:
    """The form field of one figure: "t4_month3_base"."""
    return f"{key}_{kind}{number}_{level}"


@transaction.atomic
def save_plan(
    *, actor: User, plan: Plan, values: dict[tuple[str, str, int], tuple[Decimal | None, Decimal | None]]
) -> int:
    """Store typed figures (None clears one) over the draft's. A yearly stretch target needs a
    base target and may not be below it.

    Raises ValidationError keyed by cell_name() (nothing is saved)."""
    errors = {}
    current = selectors.plan_values(plan)
    for (key, kind, number), (base, stretch) in values.items():
        for level, value in (("base", base), ("stretch", stretch)):
            problem = None if value is None else _check(plan.kpi, value)
            if problem:
                errors[cell_name(key, kind, number, level)] = problem
        if kind != PlanTarget.Kind.YEAR:
            continue  # quarters' and months' stretch targets come from splits, not typing
        if stretch is not None and base is None:
            errors[cell_name(key, kind, number, "stretch")] = _("Set the target before the stretch target.")
        elif stretch is not None and base is not None and stretch < base:
            errors[cell_name(key, kind, number, "stretch")] = _("The stretch target cannot be below the target.")
    if errors:
        raise ValidationError(errors)
    changes = {}
    for figure, (base, stretch) in values.items():
        before = current.get(figure)
        after = None if base is None else (base, stretch)
        if before != after:
            changes[" ".join(map(str, figure))] = [_plain(before), _plain(after)]
            if after is None:
                current.pop(figure, None)
            else:
                current[figure] = after
    if changes:
        _write_values(plan, current)
        plan.save(update_fields=["updated_at"])
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=plan, changes=changes)
    return len(changes)


def _plain(value: tuple[Decimal, Decimal | None] | None) -> str | None:
    if value is None:
        return None
    base, stretch = value
    text = format(base.normalize(), "f")
    return text if stretch is None else f"{text} / {format(stretch.normalize(), 'f')}"


def _split_level(total: Decimal, weights: list[Decimal], kpi: KPI) -> list[Decimal]:
    # Averages and levels (satisfaction, pipeline) are not shared out: every part keeps the figure.
    if kpi.aggregation != KPI.Aggregation.SUM:
        return [total] * len(weights)
    return decompose.by_weights(total, weights, kpi.decimals)


def _months(node: Node, total: Decimal, kpi: KPI, year: int, time_split: str, calendar: WorkCalendar) -> list[Decimal]:
    if time_split == TimeSplit.LAST_YEAR:
        weights = selectors.actuals_by_month(node, kpi, year - 1)
    else:
        weights = [
            Decimal(decompose.working_days(*decompose.month_bounds(year, m), calendar.is_working_day))
            for m in range(1, 13)
        ]
    return _split_level(total, weights, kpi)


@transaction.atomic
def split_plan(*, actor: User, plan: Plan, people: str, time: str) -> Values:
    """Split the top row's yearly target (and stretch target) into months (by working days or
    like last year's months), then each row's months among its teams and salespeople (equally,
    by their current yearly targets, or by last year's actuals). Every row's year is the sum of
    its months and its quarters the sums of theirs, so every set of parts adds up exactly to its
    whole, across the tree and across the year.

    Raises ValidationError when the top row has no yearly target."""
    nodes = selectors.plan_tree(plan.team)
    values = selectors.plan_values(plan)
    root = nodes[0]
    year_figure = (root.key, PlanTarget.Kind.YEAR, 1)
    if year_figure not in values:
        raise ValidationError(_("Set the yearly target of %(team)s first.") % {"team": plan.team})
    kpi = plan.kpi
    base, stretch = values[year_figure]
    calendar = calendars_for([root.calendar_team])[root.calendar_team.pk]
    months: dict[str, list[tuple[Decimal, Decimal | None]]] = {
        root.key: list(
            zip(
                _months(root, base, kpi, plan.year, time, calendar),
                _months(root, stretch, kpi, plan.year, time, calendar) if stretch is not None else [None] * 12,
                strict=True,
            )
        )
    }
    by_key = {node.key: node for node in nodes}
    for node in nodes:
        children = [by_key[key] for key in node.children]
        if not children:
            continue
        weights = _people_weights(children, values, kpi, plan.year, people)
        child_months: list[list[tuple[Decimal, Decimal | None]]] = [[] for _child in children]
        for month_base, month_stretch in months[node.key]:
            bases = _split_level(month_base, weights, kpi)
            stretches = (
                _split_level(month_stretch, weights, kpi) if month_stretch is not None else [None] * len(children)
            )
            for i, part in enumerate(zip(bases, stretches, strict=True)):
                child_months[i].append(part)
        for child, parts in zip(children, child_months, strict=True):
            months[child.key] = parts
    new: Values = {}
    for key, parts in months.items():
        for month, part in enumerate(parts, start=1):
            new[(key, PlanTarget.Kind.MONTH, month)] = part
        for quarter in range(1, 5):
            new[(key, PlanTarget.Kind.QUARTER, quarter)] = _over(kpi, parts[3 * quarter - 3 : 3 * quarter])
        new[(key, PlanTarget.Kind.YEAR, 1)] = _over(kpi, parts)
    new[year_figure] = (base, stretch)
    _write_values(plan, new)
    plan.save(update_fields=["updated_at"])
    record(actor=actor, action=AuditEntry.Action.UPDATED, target=plan, note=f"split people={people} time={time}")
    return new


def _people_weights(children: list[Node], values: Values, kpi: KPI, year: int, people: str) -> list[Decimal]:
    if people == PeopleSplit.LAST_YEAR:
        return [selectors.year_actual(child, kpi, year - 1) for child in children]
    if people == PeopleSplit.WEIGHTS:
        return [values.get((child.key, PlanTarget.Kind.YEAR, 1), (Decimal(0), None))[0] for child in children]
    return [Decimal(1)] * len(children)


def _over(kpi: KPI, parts: list[tuple[Decimal, Decimal | None]]) -> tuple[Decimal, Decimal | None]:
    """Months as a quarter or a year: summed for sums, else the first month's (the same level)."""
    if kpi.aggregation != KPI.Aggregation.SUM:
        return parts[0]
    stretches = [stretch for _base, stretch in parts]
    return (
        sum((base for base, _stretch in parts), Decimal(0)),
        None if any(s is None for s in stretches) else sum((s for s in stretches if s is not None), Decimal(0)),
    )


@transaction.atomic
def propose_plan(*, actor: User, plan: Plan, note: str = "") -> Plan:
    """Send a draft (or a version sent back) to the directors above for approval, and tell them.

    Raises ValidationError unless the plan is a draft or sent back."""
    if not plan.is_editable:
        raise ValidationError(_("Only a draft can be proposed."))
    plan.status = Plan.Status.PROPOSED
    plan.note = note
    plan.proposed_at = timezone.now()
    plan.save(update_fields=["status", "note", "proposed_at", "updated_at"])
    record(actor=actor, action=AuditEntry.Action.STATUS_CHANGED, target=plan, changes={"status": ["draft", "proposed"]})
    notify(
        recipients=access.plan_approvers(plan.team),
        kind=Notification.Kind.PLAN,
        event=f"plan:{plan.pk}:proposed:{plan.proposed_at.isoformat()}",
        actor=actor,
        url=plan.get_absolute_url(),
        excerpt=note,
        data={"plan": str(plan), "state": "proposed"},
    )
    return plan


@transaction.atomic
def return_plan(*, actor: User, plan: Plan, comment: str) -> Plan:
    """Send a proposal back to its author with a comment.

    Raises ValidationError without a comment or unless the plan waits for approval."""
    if plan.status != Plan.Status.PROPOSED:
        raise ValidationError(_("Only a proposal waiting for approval can be sent back."))
    if not comment.strip():
        raise ValidationError({"comment": _("Say what should change.")})
    plan.status = Plan.Status.RETURNED
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.decision_comment = comment
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.STATUS_CHANGED,
        target=plan,
        changes={"status": ["proposed", "returned"]},
        note=comment,
    )
    _tell_author(actor, plan, "returned")
    return plan


@transaction.atomic
def approve_plan(*, actor: User, plan: Plan, comment: str = "") -> Plan:
    """Put a version in force: its figures win over earlier approved ones, and its salespeople's
    monthly targets become their weekly targets (reports.Target), split by working days.

    Raises ValidationError when the plan is already approved."""
    if plan.status == Plan.Status.APPROVED:
        raise ValidationError(_("This version is already approved."))
    before = plan.status
    plan.status = Plan.Status.APPROVED
    plan.decided_by = actor
    plan.decided_at = timezone.now()
    plan.decision_comment = comment
    plan.save(update_fields=["status", "decided_by", "decided_at", "decision_comment", "updated_at"])
    record(
        actor=actor,
        action=AuditEntry.Action.STATUS_CHANGED,
        target=plan,
        changes={"status": [before, "approved"]},
        note=comment,
    )
    write_weekly_targets(actor=actor, plan=plan)
    _tell_author(actor, plan, "approved")
    return plan


def _tell_author(actor: User, plan: Plan, state: str) -> None:
    notify(
        recipients=[plan.author],
        kind=Notification.Kind.PLAN,
        event=f"plan:{plan.pk}:{state}:{plan.decided_at.isoformat() if plan.decided_at else ''}",
        actor=actor,
        url=plan.get_absolute_url(),
        excerpt=plan.decision_comment,
        data={"plan": str(plan), "state": state},
    )


def member_months(plan: Plan, values: Values, calendars: dict[int, WorkCalendar], node: Node) -> list[Decimal | None]:
    """A salesperson's twelve monthly targets: the months set, else the quarter's or the year's
    split over its months by working days."""
    kpi = plan.kpi
    months: list[Decimal | None] = [None] * 12
    calendar = calendars[node.calendar_team.pk]
    year = values.get((node.key, PlanTarget.Kind.YEAR, 1))
    if year is not None:
        for i, value in enumerate(_months(node, year[0], kpi, plan.year, TimeSplit.WORKING_DAYS, calendar)):
            months[i] = value
    for quarter in range(1, 5):
        figure = values.get((node.key, PlanTarget.Kind.QUARTER, quarter))
        if figure is None:
            continue
        periods = [decompose.month_bounds(plan.year, m) for m in range(3 * quarter - 2, 3 * quarter + 1)]
        parts = (
            decompose.by_working_days(figure[0], periods, calendar.is_working_day, kpi.decimals)
            if kpi.aggregation == KPI.Aggregation.SUM
            else [figure[0]] * 3
        )
        for offset, value in enumerate(parts):
            months[3 * quarter - 3 + offset] = value
    for month in range(1, 13):
        figure = values.get((node.key, PlanTarget.Kind.MONTH, month))
        if figure is not None:
            months[month - 1] = figure[0]
    return months


def weekly_split(kpi: KPI, total: Decimal, weeks: list[datetime.date], calendar: WorkCalendar) -> list[Decimal]:
    """A month's target over the reporting weeks that start in it, by their working days."""
    if kpi.aggregation != KPI.Aggregation.SUM:
        return [total] * len(weeks)
    periods = [(week, week + datetime.timedelta(days=6)) for week in weeks]
    return decompose.by_working_days(total, periods, calendar.is_working_day, kpi.decimals)


def write_weekly_targets(*, actor: User, plan: Plan) -> int:
    """Replace the weekly targets (reports.Target) of the plan's salespeople and KPI in the plan's
    year with their monthly targets split by working days. Returns how many members got targets."""
    nodes = [node for node in selectors.plan_tree(plan.team) if node.is_member]
    values = selectors.plan_values(plan)
    calendars = calendars_for(list({node.calendar_team.pk: node.calendar_team for node in nodes}.values()))
    settings = report_services.settings_by_team([node.calendar_team for node in nodes])
    weekly: dict[int, dict[datetime.date, Decimal]] = defaultdict(dict)
    for node in nodes:
        months = member_months(plan, values, calendars, node)
        team_settings = settings[node.calendar_team.pk]
        for month, total in enumerate(months, start=1):
            if total is None:
                continue
            weeks = report_services.weeks_of_month(team_settings, plan.year, month)
            if not weeks:
                continue
            for week, share in zip(
                weeks, weekly_split(plan.kpi, total, weeks, calendars[node.calendar_team.pk]), strict=True
            ):
                weekly[int(node.key[1:])][week] = share
    report_services.replace_targets(actor=actor, kpi=plan.kpi, values=weekly)
    return len(weekly)


def plan_page_url(team: Team, kpi: KPI, year: int) -> str:
    return f"{reverse('planning:team', args=[team.pk])}?kpi={kpi.pk}&year={year}"
