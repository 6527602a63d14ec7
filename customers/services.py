"""Customers and the sales log: creating and changing customers (with the duplicate warning),
logging, changing and removing activities while their week is still open, and the follow-ups
whose date has passed. Views, imports and the demo call these; they hold no rules themselves."""

import datetime
import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import diff, record, snapshot
from customers import activity_extensions
from customers.models import Activity, Customer
from customers.signals import activity_created
from reports.customer_names import name_key
from reports.models import TeamSettings, WeeklyReport
from reports.services import settings_for
from reports.signals import send_on_commit
from teams import access, versions
from teams.models import Membership, User
from teams.services import current_membership

# A hundred billion yuan in one entry is a typo, not a deal.
MAX_AMOUNT = Decimal("99999999999.99")
EARLIEST_DAY = datetime.date(2000, 1, 1)
SIMILARITY = 0.8
MAX_SIMILAR = 5
CUSTOMER_FIELDS = ["name", "industry", "tier", "status", "lost_reason", "contact", "owner", "created_on"]
# What the pipeline pages show of a customer (its opportunities follow its owner; the lost ones are
# listed with their reasons), cached under the owners' teams' versions.
PIPELINE_FIELDS = {"name", "status", "lost_reason", "owner"}
ACTIVITY_FIELDS = ["occurred_on", "customer", "kind", "outcome", "amount", "next_step", "next_step_on", "notes"]


# Time --------------------------------------------------------------------------------------------


def calendar_of(user: User) -> TeamSettings | None:
    """The calendar of the user's current team (its week and time zone), if they are in one."""
    membership = access.scope(user).membership
    return settings_for(membership.team) if membership else None


def local_today(team_settings: TeamSettings | None, now: datetime.datetime | None = None) -> datetime.date:
    """Today in the team's time zone (the server's when there is no team)."""
    now = now or timezone.now()
    return now.astimezone(team_settings.zone).date() if team_settings else timezone.localdate(now)


# Customers -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Similar:
    customer: Customer
    is_own: bool


def similar_customers(*, owner: User, name: str, exclude: Customer | None = None) -> list[Similar]:
    """Customers of the owner and of the owner's team whose names look like `name`: the same
    once legal forms and punctuation are dropped, one containing the other, or nearly equal."""
    key = name_key(name)
    if not key:
        return []
    membership = current_membership(owner)
    owners = Q(owner=owner)
    if membership is not None:
        teammates = Membership.objects.active().filter(team=membership.team).values("user_id")
        owners |= Q(owner__in=teammates)
    candidates = Customer.objects.filter(owners).select_related("owner").only("name", "key", "owner")
    if exclude is not None:
        candidates = candidates.exclude(pk=exclude.pk)
    found = []
    for customer in candidates.iterator(chunk_size=2000):
        other = customer.key
        if (
            other == key
            or (min(len(key), len(other)) >= 2 and (key in other or other in key))
            or difflib.SequenceMatcher(None, key, other).ratio() >= SIMILARITY
        ):
            found.append(Similar(customer, customer.owner_id == owner.pk))
    found.sort(key=lambda s: (not s.is_own, s.customer.key != key, s.customer.name))
    return found[:MAX_SIMILAR]


def _customer_errors(customer: Customer, *, actor_id: int | None) -> dict[str, str]:
    errors = {}
    customer.name = " ".join(customer.name.split())
    customer.key = name_key(customer.name)
    if not customer.name:
        errors["name"] = _("Enter the customer's name.")
    elif not customer.key:
        errors["name"] = _("The name needs at least one letter or digit.")
    elif Customer.objects.filter(owner=customer.owner, key=customer.key).exclude(pk=customer.pk).exists():
        if actor_id in (None, customer.owner_id):
            errors["name"] = _("You already have a customer with this name.")
        else:
            errors["name"] = _("%(owner)s already has a customer with this name.") % {"owner": customer.owner}
    if customer.status == Customer.Status.LOST and not customer.lost_reason.strip():
        errors["lost_reason"] = _("Say why the customer was lost.")
    if customer.status != Customer.Status.LOST:
        customer.lost_reason = ""
    if customer.created_on and customer.created_on > local_today(calendar_of(customer.owner)):
        errors["created_on"] = _("This date is in the future.")
    elif customer.created_on and customer.created_on < EARLIEST_DAY:
        errors["created_on"] = _("This date is too long ago; check the year.")
    return errors


def check_customer(customer: Customer, *, actor: User | None = None) -> dict[str, str]:
    """Every problem with an unsaved customer, by field, without writing anything."""
    return _customer_errors(customer, actor_id=getattr(actor, "pk", None))


@transaction.atomic
def create_customer(
    *,
    actor: User | None,
    owner: User,
    name: str,
    industry: str = "",
    tier: str = Customer.Tier.C,
    status: str = Customer.Status.LEAD,
    lost_reason: str = "",
    contact: str = "",
    created_on: datetime.date | None = None,
    external_id: str = "",
) -> Customer:
    """Add a customer to `owner`'s list, created today in the owner's time zone unless a day is given.

    Raises ValidationError (by field) for a missing or duplicate name, a lost customer without a
    reason or a date in the future. Similar names are not refused here: callers warn first.
    """
    customer = Customer(
        name=name,
        industry=industry.strip(),
        tier=tier,
        status=status,
        lost_reason=lost_reason.strip(),
        contact=contact.strip(),
        owner=owner,
        created_on=created_on or local_today(calendar_of(owner)),
        external_id=external_id,
    )
    errors = check_customer(customer, actor=actor)
    if errors:
        raise ValidationError(errors)
    customer.save()
    record(actor=actor, action=AuditEntry.Action.CREATED, target=customer, changes=diff(customer, {}, CUSTOMER_FIELDS))
    # The pipeline pages list the customers lost in a period; the Today page's blank entry form
    # offers the owner's customers by name.
    versions.touch_members([owner.pk])
    return customer


@transaction.atomic
def update_customer(*, actor: User, customer: Customer, data: dict) -> Customer:
    """Change a customer's details or owner (`data` holds any of CUSTOMER_FIELDS).

    Raises ValidationError (by field) as create_customer does; nothing is saved then.
    """
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before = snapshot(customer, CUSTOMER_FIELDS)
    owner_before = customer.owner_id
    for field in CUSTOMER_FIELDS:
        if field in data:
            value = data[field]
            setattr(customer, field, value.strip() if isinstance(value, str) and field != "name" else value)
    errors = check_customer(customer, actor=actor)
    if errors:
        raise ValidationError(errors)
    changes = diff(customer, before, CUSTOMER_FIELDS)
    if changes:
        customer.save(update_fields=[*changes, "key", "updated_at"])
        action = AuditEntry.Action.STATUS_CHANGED if set(changes) <= {"status", "lost_reason"} else None
        record(actor=actor, action=action or AuditEntry.Action.UPDATED, target=customer, changes=changes)
    touched = {owner_before, customer.owner_id} if changes.keys() & PIPELINE_FIELDS else set()
    if "name" in changes:  # the sales log's weeks name it, whoever logged those entries
        touched.update(Activity.objects.filter(customer=customer).values_list("author_id", flat=True).distinct())
    versions.touch_members(touched)  # one lookup of their teams on commit
    if "status" in changes:
        touch_follow_ups([customer.pk])
    return customer


# Activities ------------------------------------------------------------------------------------


def touch_follow_ups(customer_ids: Iterable[int]) -> None:
    """Whether an entry's follow-up is due depends on what anyone logged later on its customer and
    on the customer's status (overdue_follow_ups): once the transaction commits, what is kept of
    the follow-ups of everyone who logged on these customers is stale (their homes)."""
    authors = Activity.objects.filter(customer_id__in=set(customer_ids)).values_list("author_id", flat=True)
    versions.touch_people(authors.distinct())


def closed_week_report(author: User, day: datetime.date, team_settings: TeamSettings | None) -> WeeklyReport | None:
    """The author's report of the week containing `day` if it is already submitted (the log of
    that week can then no longer change, since the report was built from it); else None."""
    if team_settings is None:
        return None
    report = WeeklyReport.objects.filter(author=author, week_start=team_settings.week_start_for(day)).first()
    return report if report is not None and not report.is_editable_by_author else None


def parse_amount(value) -> Decimal | None:
    """An amount as typed ("12,000", "¥3 500.50"); raises ValidationError when it is not one."""
    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        return value
    text = str(value).replace(",", "").replace("，", "").replace("¥", "").replace("￥", "").replace(" ", "")
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter an amount in yuan, e.g. 12000 or 12000.50.")) from None
    if not amount.is_finite():
        raise ValidationError(_("Enter an amount in yuan, e.g. 12000 or 12000.50."))
    return amount


def activity_errors(activity: Activity, *, today: datetime.date, team_settings: TeamSettings | None) -> dict[str, str]:
    """Every problem with an activity as it would be saved, by field."""
    errors = {}
    day, kind, amount = activity.occurred_on, activity.kind, activity.amount
    if activity.customer_id is None:
        errors["customer"] = _("Choose the customer.")
    elif activity.customer.owner_id != activity.author_id:
        errors["customer"] = _("Choose one of your own customers.")
    if kind not in Activity.Kind.values:
        errors["kind"] = _("Choose what kind of activity it was.")
    if day is None:
        errors["occurred_on"] = _("Enter the date.")
    elif day > today:
        errors["occurred_on"] = _("An activity cannot be dated in the future; put what is planned in the next step.")
    elif day < EARLIEST_DAY:
        errors["occurred_on"] = _("This date is too long ago; check the year.")
    elif (report := closed_week_report(activity.author, day, team_settings)) is not None:
        errors["occurred_on"] = _(
            "Your report for the week of %(week)s is already submitted, so that week's log can no longer change."
        ) % {"week": f"{report.week_start:%Y-%m-%d}"}
    if amount is not None:
        if amount < 0:
            errors["amount"] = _("The amount cannot be negative.")
        elif amount > MAX_AMOUNT:
            errors["amount"] = _("This amount is too large; check for a typo.")
        elif kind in Activity.Kind.values and kind not in Activity.AMOUNT_ALLOWED:
            errors["amount"] = _("Only quotes, contracts and payments have an amount.")
    elif kind in Activity.AMOUNT_REQUIRED:
        errors["amount"] = _("Enter the amount of the contract or payment.")
    if activity.next_step_on is not None:
        if day is not None and activity.next_step_on < day:
            errors["next_step_on"] = _("The next step cannot come before the activity.")
        elif not activity.next_step.strip():
            errors["next_step"] = _("Say what the next step is.")
    return errors


def _save_activity_or_raise(activity: Activity, team_settings: TeamSettings | None) -> None:
    activity.outcome, activity.next_step = activity.outcome.strip(), activity.next_step.strip()
    activity.notes = activity.notes.strip()
    errors = activity_errors(activity, today=local_today(team_settings), team_settings=team_settings)
    if errors:
        raise ValidationError(errors)
    activity.save()


def _activate_on_contract(actor: User, activity: Activity) -> None:
    """A contract signed with a lead makes it an active customer."""
    customer = activity.customer
    if activity.kind == Activity.Kind.CONTRACT and customer.status == Customer.Status.LEAD:
        customer.status = Customer.Status.ACTIVE
        customer.save(update_fields=["status", "updated_at"])
        record(
            actor=actor,
            action=AuditEntry.Action.STATUS_CHANGED,
            target=customer,
            changes={"status": [Customer.Status.LEAD.value, Customer.Status.ACTIVE.value]},
            note=_("Contract signed."),
        )


def _quick_customer(author: User, name: str, kind: str) -> Customer:
    """A customer created from the activity that first names it: active when that is a contract
    or a payment, a lead otherwise. Its errors are reported against the customer field."""
    try:
        return create_customer(
            actor=author,
            owner=author,
            name=name,
            status=Customer.Status.ACTIVE if kind in Activity.AMOUNT_REQUIRED else Customer.Status.LEAD,
        )
    except ValidationError as exc:
        raise ValidationError({"customer": exc.message_dict.get("name", exc.messages)}) from None


def _apply_extensions(*, actor: User, activity: Activity, extra: dict | None) -> None:
    """Hand the extensions' values to each registered extension (customers/activity_extensions.py)
    once the activity is saved, in the caller's transaction: a refusal rolls the entry back."""
    if extra:
        for extension in activity_extensions.registered():
            extension.apply(actor=actor, activity=activity, data=extra)


@transaction.atomic
def log_activity(
    *,
    author: User,
    customer: Customer | None = None,
    new_customer: str = "",
    occurred_on: datetime.date,
    kind: str,
    outcome: str = "",
    amount: Decimal | None = None,
    next_step: str = "",
    next_step_on: datetime.date | None = None,
    notes: str = "",
    external_id: str = "",
    extra: dict | None = None,
) -> Activity:
    """Log what the author did; with `new_customer` (a name) instead of `customer`, the customer
    is created in the same step (quick create). `extra` holds the values of the activity
    extensions' fields (customers/activity_extensions.py), applied in the same transaction.

    Raises ValidationError (by field) and writes nothing when the author is not in a team, the
    date is in the future or in a week whose report is submitted, the amount is negative, absurd
    or missing for a contract or payment, or the customer is someone else's.
    """
    membership = current_membership(author)
    if membership is None or membership.role == Membership.Role.DIRECTOR:
        raise ValidationError(_("Only members of a team keep a sales log."))
    team_settings = settings_for(membership.team)
    activity = Activity(
        author=author,
        team=membership.team,
        customer=customer,
        occurred_on=occurred_on,
        kind=kind,
        outcome=outcome,
        amount=amount,
        next_step=next_step,
        next_step_on=next_step_on,
        notes=notes,
        external_id=external_id,
    )
    if customer is None and new_customer.strip():
        activity.customer = _quick_customer(author, new_customer, kind)
    _save_activity_or_raise(activity, team_settings)
    _activate_on_contract(author, activity)
    _apply_extensions(actor=author, activity=activity, extra=extra)
    versions.touch([activity.team])  # the dashboards count the log's entries
    touch_follow_ups([activity.customer_id])
    send_on_commit(activity_created, Activity, activity=activity)
    return activity


@transaction.atomic
def update_activity(*, actor: User, activity: Activity, data: dict, extra: dict | None = None) -> Activity:
    """Change an activity (`data` holds any of ACTIVITY_FIELDS, and may name a `new_customer` to
    create instead of `customer`) while both its old and its new week are open. `extra` holds the
    activity extensions' values, applied as log_activity applies them (an edit can move an
    opportunity's stage as logging the entry can).

    Raises ValidationError (by field) and saves nothing otherwise, nor when an extension refuses.
    """
    activity = Activity.objects.select_for_update().select_related("customer").get(pk=activity.pk)
    team_settings = settings_for(activity.team)
    report = closed_week_report(activity.author, activity.occurred_on, team_settings)
    if report is not None:
        raise ValidationError(
            _("Your report for the week of %(week)s is already submitted, so that week's log can no longer change.")
            % {"week": f"{report.week_start:%Y-%m-%d}"}
        )
    before = snapshot(activity, ACTIVITY_FIELDS)
    customer_before = activity.customer_id
    for field in ACTIVITY_FIELDS:
        if field in data and not (field == "customer" and data[field] is None):
            setattr(activity, field, data[field])
    if data.get("new_customer", "").strip() and data.get("customer") is None:
        activity.customer = _quick_customer(activity.author, data["new_customer"], activity.kind)
    _save_activity_or_raise(activity, team_settings)
    changes = diff(activity, before, ACTIVITY_FIELDS)
    if changes:
        record(actor=actor, action=AuditEntry.Action.UPDATED, target=activity, changes=changes)
        # The dashboards count it in its team; the author's log is kept under their current one.
        versions.touch_members([activity.author_id])
        touch_follow_ups({customer_before, activity.customer_id})
    _activate_on_contract(actor, activity)
    _apply_extensions(actor=actor, activity=activity, extra=extra)
    return activity


@transaction.atomic
def delete_activity(*, actor: User, activity: Activity) -> None:
    """Remove an activity while its week's report is not submitted; raises ValidationError otherwise."""
    activity = Activity.objects.select_for_update().select_related("customer").get(pk=activity.pk)
    report = closed_week_report(activity.author, activity.occurred_on, settings_for(activity.team))
    if report is not None:
        raise ValidationError(
            _("Your report for the week of %(week)s is already submitted, so that week's log can no longer change.")
            % {"week": f"{report.week_start:%Y-%m-%d}"}
        )
    record(actor=actor, action=AuditEntry.Action.DELETED, target=activity, changes=diff(activity, {}, ACTIVITY_FIELDS))
    versions.touch_members([activity.author_id])  # as update_activity
    touch_follow_ups([activity.customer_id])
    activity.delete()


# Follow-ups ------------------------------------------------------------------------------------


def overdue_follow_ups(activities: QuerySet[Activity], today: datetime.date) -> QuerySet[Activity]:
    """Customers going cold: among `activities`, those whose next step was due before `today`
    with nothing logged for their customer since (by anyone), customers lost excepted."""
    # Logged on a later day, or later the same day: written as "not earlier" minus the same day's
    # earlier entries, so the customer-and-day index bounds the day (an OR of the two planned
    # three times slower and read each customer's whole log).
    later = Activity.objects.filter(customer=OuterRef("customer_id"), occurred_on__gte=OuterRef("occurred_on")).exclude(
        occurred_on=OuterRef("occurred_on"), pk__lte=OuterRef("pk")
    )
    return (
        activities.filter(next_step_on__lt=today)
        .exclude(customer__status=Customer.Status.LOST)
        .filter(~Exists(later))
        .select_related("customer")
        .order_by("next_step_on", "pk")
    )
