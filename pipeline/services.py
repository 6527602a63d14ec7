"""Opportunities: creating them, changing them (a stage move is kept in the history, a later
close date as a slip), the manager's forecast per member, and freezing forecasts once their
period has closed. Views, the Today page's hook, imports and the demo call these."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from customers.models import Customer
from customers.services import EARLIEST_DAY, MAX_AMOUNT, calendar_of, local_today
from pipeline import selectors
from pipeline.models import (
    CloseDateChange,
    Forecast,
    LeadSource,
    Opportunity,
    Period,
    Stage,
    StageChange,
    period_bounds,
)
from teams import versions
from teams.models import User

OPPORTUNITY_FIELDS = [
    "name",
    "amount",
    "stage",
    "expected_close_on",
    "lead_source",
    "competitor",
    "loss_reason",
]
# The defaults (issue 20): name, probability, won, lost.
DEFAULT_STAGES = [
    ("线索", 10, False, False),
    ("需求确认", 25, False, False),
    ("方案报价", 50, False, False),
    ("商务谈判", 75, False, False),
    ("赢单", 100, True, False),
    ("输单", 0, False, True),
]
DEFAULT_SOURCES = ["展会", "转介绍", "线上", "陌生拜访"]


def ensure_default_stages() -> None:
    """Create the default stages and lead sources when none exist (a fresh database, the demo)."""
    if not Stage.objects.exists():
        Stage.objects.bulk_create(
            Stage(name=name, probability=p, position=i, is_won=won, is_lost=lost)
            for i, (name, p, won, lost) in enumerate(DEFAULT_STAGES)
        )
    if not LeadSource.objects.exists():
        LeadSource.objects.bulk_create(LeadSource(name=name, position=i) for i, name in enumerate(DEFAULT_SOURCES))


def owner_today(customer: Customer) -> datetime.date:
    """Today in the time zone of the customer's owner's team: the day a change counts on."""
    return local_today(calendar_of(customer.owner))


def check_opportunity(opportunity: Opportunity) -> dict[str, str]:
    """Every problem with an unsaved opportunity, by field, without writing anything."""
    errors = {}
    opportunity.name = " ".join(opportunity.name.split())
    opportunity.competitor = opportunity.competitor.strip()
    opportunity.loss_reason = opportunity.loss_reason.strip()
    if not opportunity.name:
        errors["name"] = _("Name the opportunity, e.g. what the customer would buy.")
    if opportunity.amount is None:
        errors["amount"] = _("Enter the expected amount.")
    elif opportunity.amount < 0:
        errors["amount"] = _("The amount cannot be negative.")
    elif opportunity.amount > MAX_AMOUNT:
        errors["amount"] = _("This amount is too large; check for a typo.")
    if opportunity.expected_close_on is None:
        errors["expected_close_on"] = _("Enter when you expect to close it.")
    elif opportunity.expected_close_on < EARLIEST_DAY:
        errors["expected_close_on"] = _("This date is too long ago; check the year.")
    stage = opportunity.stage if opportunity.stage_id else None
    if stage is None:
        errors["stage"] = _("Choose the stage.")
    elif stage.is_lost and not opportunity.loss_reason:
        errors["loss_reason"] = _("Say why the opportunity was lost.")
    if stage is not None and not stage.is_lost:
        opportunity.loss_reason = ""
    return errors


def _close_or_reopen(opportunity: Opportunity, day: datetime.date) -> None:
    if opportunity.stage.is_closed:
        opportunity.closed_on = day
        opportunity.cycle_days = max((day - opportunity.created_on).days, 0)
    else:
        opportunity.closed_on = opportunity.cycle_days = None


@transaction.atomic
def create_opportunity(
    *,
    actor: User | None,
    customer: Customer,
    name: str,
    amount: Decimal | None,
    stage: Stage,
    expected_close_on: datetime.date | None,
    lead_source: LeadSource | None = None,
    competitor: str = "",
    loss_reason: str = "",
    created_on: datetime.date | None = None,
    external_id: str = "",
) -> Opportunity:
    """Add an opportunity with `customer`, counted as new on `created_on` (today in the owner's
    time zone by default), and start its stage history.

    Raises ValidationError (by field) for a missing name, amount, stage or close date, a
    negative or absurd amount, or a lost one without a reason; nothing is saved then.
    """
    today = created_on or owner_today(customer)
    opportunity = Opportunity(
        customer=customer,
        name=name,
        amount=amount,  # type: ignore[misc]  # checked by check_opportunity() before saving
        stage=stage,
        expected_close_on=expected_close_on,
        lead_source=lead_source,
        competitor=competitor,
        loss_reason=loss_reason,
        created_on=today,
        external_id=external_id,
    )
    errors = check_opportunity(opportunity)
    if errors:
        raise ValidationError(errors)
    _close_or_reopen(opportunity, today)
    opportunity.save()
    StageChange.objects.create(opportunity=opportunity, to_stage=stage, changed_on=today, changed_by=actor)
    versions.touch_members([customer.owner_id])  # the pipeline pages (selectors.pipeline_figures)
    record(
        actor=actor,
        action=AuditEntry.Action.CREATED,
        target=opportunity,
        changes=diff(opportunity, {}, OPPORTUNITY_FIELDS),
    )
    return opportunity


@transaction.atomic
def update_opportunity(
    *, actor: User | None, opportunity: Opportunity, data: dict, on: datetime.date | None = None
) -> Opportunity:
    """Change an opportunity (`data` holds any of OPPORTUNITY_FIELDS). A new stage is kept in
    the history on `on` (today in the owner's time zone by default) and closes or reopens the
    opportunity; a later expected close date is kept as a slip.

    Raises ValidationError (by field) as create_opportunity does; nothing is saved then.
    """
    opportunity = (
        Opportunity.objects.select_for_update().select_related("stage", "customer__owner").get(pk=opportunity.pk)
    )
    before = snapshot(opportunity, OPPORTUNITY_FIELDS)
    old_stage, old_close_on = opportunity.stage, opportunity.expected_close_on
    for field in OPPORTUNITY_FIELDS:
        if field in data:
            setattr(opportunity, field, data[field])
    errors = check_opportunity(opportunity)
    if errors:
        raise ValidationError(errors)
    changes = diff(opportunity, before, OPPORTUNITY_FIELDS)
    if not changes:
        return opportunity
    day = on or owner_today(opportunity.customer)
    if "stage" in changes:
        _close_or_reopen(opportunity, day)
        StageChange.objects.create(
            opportunity=opportunity, from_stage=old_stage, to_stage=opportunity.stage, changed_on=day, changed_by=actor
        )
    if "expected_close_on" in changes:
        CloseDateChange.objects.create(
            opportunity=opportunity,
            from_on=old_close_on,
            to_on=opportunity.expected_close_on,
            changed_on=day,
            changed_by=actor,
        )
    opportunity.save(update_fields=[*changes, "closed_on", "cycle_days", "updated_at"])
    versions.touch_members([opportunity.customer.owner_id])
    action = AuditEntry.Action.STATUS_CHANGED if set(changes) <= {"stage", "loss_reason"} else AuditEntry.Action.UPDATED
    record(actor=actor, action=action, target=opportunity, changes=changes)
    return opportunity


def move_stage(
    *, actor: User | None, opportunity: Opportunity, stage: Stage, loss_reason: str = "", on=None
) -> Opportunity:
    """Move the opportunity to `stage` (see update_opportunity); a lost one needs a reason."""
    data: dict = {"stage": stage}
    if stage.is_lost:
        data["loss_reason"] = loss_reason or opportunity.loss_reason
    return update_opportunity(actor=actor, opportunity=opportunity, data=data, on=on)


# Forecasts ---------------------------------------------------------------------------------------


def _amount(value, field: str) -> Decimal | None:
    """A forecast amount, or ValidationError on `field` when negative or absurd."""
    if value is None or value == "":
        return None
    if value < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("This amount is too large; check for a typo.")})
    return value


@transaction.atomic
def set_forecast(
    *,
    actor: User,
    member: User,
    period: str,
    day: datetime.date,
    commit: Decimal | None,
    best_case: Decimal | None,
) -> Forecast:
    """Set a member's commit and best case for the month or quarter containing `day`.

    Raises ValidationError (by field) for negative or absurd amounts, a best case below the
    commit, or a period that has closed (its forecast is frozen).
    """
    start, end = period_bounds(period, day)
    commit, best_case = _amount(commit, "commit"), _amount(best_case, "best_case")
    if commit is not None and best_case is not None and best_case < commit:
        raise ValidationError({"best_case": _("The best case cannot be below the commit.")})
    forecast, _created = Forecast.objects.select_for_update().get_or_create(
        member=member, period=period, period_start=start
    )
    if forecast.is_frozen or end < local_today(calendar_of(member)):
        raise ValidationError(_("This period has closed; its forecast can no longer change."))
    before = snapshot(forecast, ["commit", "best_case"])
    forecast.commit, forecast.best_case, forecast.set_by = commit, best_case, actor
    forecast.save()
    changes = diff(forecast, before, ["commit", "best_case"])
    if changes:
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=forecast, changes=changes)
        versions.touch_members([member.pk])
    return forecast


@transaction.atomic
def freeze_forecasts(*, period: str, start: datetime.date, member_ids: list[int]) -> int:
    """Freeze the forecasts of a closed period for `member_ids`: won and weighted pipeline as
    they stand now. Safe to run twice: frozen forecasts stay as they are. Returns how many froze.

    Called by the beat task the day after a period ends (when the figures are those of the
    period's end) and, for forecasts it missed, on the first view after the close.
    """
    _start, end = period_bounds(period, start)
    frozen_ids = set(
        Forecast.objects.filter(
            period=period, period_start=start, member_id__in=member_ids, frozen_at__isnull=False
        ).values_list("member_id", flat=True)
    )
    due = sorted(set(member_ids) - frozen_ids)
    if not due:
        return 0
    figures = selectors.member_figures(owner_ids=due, start=start, end=end)
    now = timezone.now()
    existing = {f.member_id: f for f in Forecast.objects.select_for_update().filter(period=period, period_start=start)}
    for member_id in due:
        won, weighted = figures.get(member_id, (Decimal(0), Decimal(0), Decimal(0)))[:2]
        forecast = existing.get(member_id) or Forecast(member_id=member_id, period=period, period_start=start)
        forecast.frozen_won, forecast.frozen_weighted, forecast.frozen_at = won, weighted, now
        forecast.save()
    versions.touch_members(due)
    return len(due)


def freeze_closed_periods(*, today: datetime.date | None = None) -> int:
    """Freeze the forecasts of the last closed month and quarter for everyone with
    opportunities. The beat task runs this daily; forecasts already frozen stay as they are, so
    a missed or doubled run does no harm."""
    today = today or timezone.localdate()
    owners = list(Opportunity.objects.order_by().values_list("customer__owner_id", flat=True).distinct())
    frozen = 0
    for period in Period.values:
        current_start, _end = period_bounds(period, today)
        start, _end = period_bounds(period, current_start - datetime.timedelta(days=1))
        frozen += freeze_forecasts(period=period, start=start, member_ids=owners)
    return frozen
