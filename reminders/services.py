"""Who should be reminded of what, now: deadline reminders, the overdue reminder, the managers'
review-day digest and afternoon nudge, and the quarterly "check your profile" reminder.

One periodic tick (every five minutes, from beat) works it all out from the database: each team's
calendar settings (which admins change in the app, no deploy), the working calendar (public
holidays, make-up working days, the admins' days off), members' leave, and who has submitted.
Everything is computed in the team's own time zone, with a fixed number of queries whatever the
number of members. A reminder is claimed in the database before it is delivered (see
Reminder), so it goes out once even when two beats tick at the same moment.
"""

import datetime
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from audit.models import AuditEntry
from audit.services import record
from notifications.models import Notification
from notifications.services import Draft, notify, notify_many
from reminders.models import Reminder
from reminders.signals import reminders_delivered
from reports import services as report_services
from reports.calendar import WorkCalendar, calendars_for, effective_deadline, is_covered, provisional_holidays
from reports.models import DayOff, TeamSettings, WeeklyReport, parse_reminder_hours
from reports.roster import Roster
from reports.signals import send_on_commit
from summaries.models import Document
from summaries.services import request_document
from teams import access, versions
from teams.models import Leave, Membership, Team, User

# A reminder whose moment passed more than this long ago (worker down, machine off) is dropped
# rather than sent late at night.
WINDOW = datetime.timedelta(hours=6)
# A claim that is still not sent after this long belongs to a tick that died: take it over.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
# A summary is a document, not a nudge: it still goes out a day late if the workers were down.
SUMMARY_WINDOW = datetime.timedelta(hours=24)
PROFILE_CHECK_TIME = datetime.time(10, 0)
PROFILE_CHECK_DAYS = 7


@dataclass
class Due:
    recipient: User
    period_start: datetime.date
    kind: str
    team_id: int
    notification_kind: str
    url: str
    data: dict = field(default_factory=dict)


@dataclass
class TickResult:
    due: int
    sent: int


def _local(moment: datetime.datetime, zone) -> str:
    return formats.date_format(moment.astimezone(zone), "Y-m-d H:i")


def _in_window(
    now: datetime.datetime, at: datetime.datetime, until: datetime.datetime | None = None, window=WINDOW
) -> bool:
    return at <= now < min(at + window, until or at + window)


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class _World:
    """Everything one tick reads, loaded with a fixed number of queries."""

    def __init__(self, now: datetime.datetime):
        self.now = now
        self.teams = {team.pk: team for team in Team.objects.filter(is_active=True)}
        teams = list(self.teams.values())
        self.settings: dict[int, TeamSettings] = report_services.settings_by_team(teams)
        self.calendars: dict[int, WorkCalendar] = calendars_for(teams)
        self.this_week = {pk: report_services.current_week_start(ts, now) for pk, ts in self.settings.items()}
        weeks = {w - datetime.timedelta(days=days) for w in self.this_week.values() for days in (0, 7)}
        self.memberships = list(
            Membership.objects.active()
            .filter(team_id__in=self.teams, user__is_active=True, user__status=User.Status.ACTIVE)
            .select_related("user")
        )
        days = {now.astimezone(ts.zone).date() for ts in self.settings.values()}
        self.leave = defaultdict(list)
        if days:
            for leave in Leave.objects.approved().filter(starts_on__lte=max(days), ends_on__gte=min(days)):
                self.leave[leave.member_id].append(leave)
        self.reports = list(
            WeeklyReport.objects.filter(week_start__in=weeks)
            .exclude(status=WeeklyReport.Status.DRAFT)
            .values("author_id", "week_start", "status", "late_by", "team__path")
        )
        self.written = {(r["author_id"], r["week_start"]) for r in self.reports}
        self.weeks_read = weeks

    @cached_property
    def roster(self) -> Roster:
        """Read only on review days, when a digest is worked out."""
        return Roster(paths=None, weeks=self.weeks_read, now=self.now)

    def today(self, team_id: int) -> datetime.date:
        return self.now.astimezone(self.settings[team_id].zone).date()

    def is_on_leave(self, user_id: int, day: datetime.date) -> bool:
        return any(leave.covers(day) for leave in self.leave.get(user_id, ()))

    def is_quiet_for(self, membership: Membership) -> bool:
        """No reminders today for this person: a day off in their team, or they are on leave."""
        today = self.today(membership.team_id)
        return not self.calendars[membership.team_id].is_working_day(today) or self.is_on_leave(
            membership.user_id, today
        )

    def weeks(self, team_id: int) -> list[datetime.date]:
        this_week = self.this_week[team_id]
        return [this_week - datetime.timedelta(days=7), this_week]


def due_reminders(now: datetime.datetime | None = None) -> list[Due]:
    """Every reminder that is due at `now` and not yet ruled out (submitted, on leave, day off).
    Whether it was already sent is for the claim to decide."""
    world = _World(now or timezone.now())
    due = []
    for membership in world.memberships:
        if membership.role in (Membership.Role.SALESPERSON, Membership.Role.MANAGER):
            due += _writer_reminders(world, membership)
        if membership.role == Membership.Role.MANAGER:
            due += _reviewer_reminders(world, membership)
            due += _weekly_summary(world, membership)
        due += _profile_reminder(world, membership)
    return due


def _writer_reminders(world: _World, membership: Membership) -> list[Due]:
    if world.is_quiet_for(membership):
        return []
    team_id, user = membership.team_id, membership.user
    ts, calendar = world.settings[team_id], world.calendars[team_id]
    found = []
    for week in world.weeks(team_id):
        deadline = effective_deadline(ts, week, calendar)
        if deadline is None or (user.pk, week) in world.written:
            continue
        data = {"week": week.isoformat(), "deadline": _local(deadline, ts.zone)}
        url = reverse("reports:this_week")
        # Of the early reminders due now, only the nearest to the deadline (hours "3,2" overlap).
        early = [
            h for h in parse_reminder_hours(ts.reminder_hours) if _in_window(world.now, deadline - _hours(h), deadline)
        ]
        if early:
            hours = min(early)
            found.append(Due(user, week, f"due:{hours}", membership.team_id, Notification.Kind.DUE_SOON, url, data))
        overdue_at = deadline + datetime.timedelta(minutes=ts.grace_minutes + ts.overdue_reminder_minutes)
        if _in_window(world.now, overdue_at):
            found.append(Due(user, week, "overdue", membership.team_id, Notification.Kind.OVERDUE, url, data))
    return found


def _hours(hours: int) -> datetime.timedelta:
    return datetime.timedelta(hours=hours)


def _reviewer_reminders(world: _World, membership: Membership) -> list[Due]:
    """On the review day: the morning digest, and in the afternoon a nudge while reviews wait."""
    if world.is_quiet_for(membership):
        return []
    team_id, manager = membership.team_id, membership.user
    today, ts, calendar = world.today(team_id), world.settings[team_id], world.calendars[team_id]
    found = []
    for week in world.weeks(team_id):
        if ts.review_day_for(week) != today or effective_deadline(ts, week, calendar) is None:
            continue
        counts = _review_counts(world, membership, week)
        url = f"{reverse('reviews:queue')}?week={week.isoformat()}"
        data = {"week": week.isoformat(), **counts, "due": _local(ts.review_due_for(week), ts.zone)}
        digest_at = datetime.datetime.combine(today, ts.digest_time, tzinfo=ts.zone)
        if _in_window(world.now, digest_at) and any(counts.values()):
            found.append(Due(manager, week, "digest", membership.team_id, Notification.Kind.REVIEW_DIGEST, url, data))
        pending_at = datetime.datetime.combine(today, ts.pending_reminder_time, tzinfo=ts.zone)
        if _in_window(world.now, pending_at) and counts["pending"]:
            found.append(
                Due(manager, week, "pending", membership.team_id, Notification.Kind.REVIEWS_PENDING, url, data)
            )
    return found


def _weekly_summary(world: _World, membership: Membership) -> list[Due]:
    """Once the deadline (and grace period) has passed: the team's weekly summary PDF."""
    team_id, ts, calendar = membership.team_id, world.settings[membership.team_id], world.calendars[membership.team_id]
    found = []
    for week in world.weeks(team_id):
        deadline = effective_deadline(ts, week, calendar)
        if deadline is None:
            continue
        if _in_window(
            world.now, deadline + datetime.timedelta(minutes=ts.grace_minutes), until=None, window=SUMMARY_WINDOW
        ):
            data = {"week": week.isoformat(), "team": world.teams[team_id].name}
            found.append(Due(membership.user, week, "summary", team_id, Notification.Kind.SUMMARY_READY, "", data))
    return found


def _review_counts(world: _World, membership: Membership, week: datetime.date) -> dict[str, int]:
    """The manager's subtree for the week: awaiting (pending) review, late, missing."""
    path = world.teams[membership.team_id].path
    reports = [r for r in world.reports if r["week_start"] == week and r["team__path"].startswith(path)]
    pending = sum(1 for r in reports if r["status"] == WeeklyReport.Status.SUBMITTED)
    counts = world.roster.counts(week=week, under=path)
    return {"awaiting": pending, "pending": pending, "late": counts.late, "missing": counts.missing}


def _profile_reminder(world: _World, membership: Membership) -> list[Due]:
    """In the first working week of each quarter: check that your profile data is up to date."""
    if world.is_quiet_for(membership):
        return []
    team_id, user = membership.team_id, membership.user
    today, ts, calendar = world.today(team_id), world.settings[team_id], world.calendars[team_id]
    quarter = _quarter_start(today)
    first = quarter
    while not calendar.is_working_day(first) and first < quarter + datetime.timedelta(days=31):
        first += datetime.timedelta(days=1)
    if not (first <= today < first + datetime.timedelta(days=PROFILE_CHECK_DAYS)):
        return []
    if world.now < datetime.datetime.combine(first, PROFILE_CHECK_TIME, tzinfo=ts.zone):
        return []
    url = reverse("teams:member_detail", args=[user.pk])
    return [Due(user, quarter, "profile", membership.team_id, Notification.Kind.PROFILE_CHECK, url, {})]


# Claiming and delivering ------------------------------------------------------------------------


def claim(due: list[Due], now: datetime.datetime) -> str:
    """Insert a claim for each due reminder (those already claimed or sent are skipped by the
    unique constraint) and take over claims left unsent by a dead tick. Returns this tick's token:
    the rows carrying it are this tick's to deliver."""
    token = uuid.uuid4().hex
    Reminder.objects.bulk_create(
        [
            Reminder(
                recipient=d.recipient,
                period_start=d.period_start,
                kind=d.kind,
                team_id=d.team_id,
                claim_token=token,
                claimed_at=now,
                notification_kind=d.notification_kind,
                url=d.url,
                data=d.data,
            )
            for d in due
        ],
        ignore_conflicts=True,
    )
    Reminder.objects.filter(status=Reminder.Status.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT).update(
        claim_token=token, claimed_at=now
    )
    return token


@transaction.atomic
def deliver(token: str, now: datetime.datetime) -> int:
    """Turn this tick's claims into notifications (inbox and email) and mark them sent, together:
    if delivery fails, the claims stay unsent and a later tick takes them over."""
    claims = list(
        Reminder.objects.select_for_update(of=("self",))
        .filter(claim_token=token, status=Reminder.Status.CLAIMED)
        .select_related("recipient", "team")
    )
    for claim in claims:
        if claim.kind == "summary":
            claim.url = _summary_url(claim)
    notify_many(
        [
            Draft(
                recipient=r.recipient,
                kind=r.notification_kind,
                event=f"reminder:{r.kind}:{r.period_start.isoformat()}",
                url=r.url,
                data=r.data,
            )
            for r in claims
        ]
    )
    Reminder.objects.filter(pk__in=[r.pk for r in claims]).update(status=Reminder.Status.SENT, sent_at=now)
    if claims:
        send_on_commit(reminders_delivered, Reminder, reminders=claims, now=now)
    return len(claims)


def _summary_url(claim: Reminder) -> str:
    """Ask for the team's weekly summary PDF (once per content and language: managers of the team
    share it) and link to its page, which shows progress and then the download."""
    job = request_document(
        kind=Document.Kind.TEAM_WEEK,
        requested_by=None,
        language=claim.recipient.language,
        team=claim.team,
        start=claim.period_start,
    )
    Reminder.objects.filter(pk=claim.pk).update(url=job.get_absolute_url())
    return job.get_absolute_url()


def warn_about_provisional_holidays(now: datetime.datetime | None = None) -> int:
    """From October on, tell the admins once when next year's official holiday schedule is still
    unknown (the calendar then uses the computed public holidays provisionally). Returns how
    many admins were told now."""
    today = timezone.localdate(now or timezone.now())
    year = today.year + 1
    if today.month < 10 or is_covered(year):
        return 0
    event = f"holidays:{year}"
    if Notification.objects.filter(kind=Notification.Kind.HOLIDAYS, event=event).exists():
        return 0  # the admins were told: one query per tick from then on
    admins = User.objects.filter(is_staff=True, is_active=True)
    told = notify(
        recipients=admins,
        kind=Notification.Kind.HOLIDAYS,
        event=event,
        url=reverse("reminders:schedule"),
        data={"year": year},
    )
    return len(told)


def run_tick(now: datetime.datetime | None = None) -> TickResult:
    """Work out what is due, claim it and deliver it. Safe to run from several beats at once."""
    now = now or timezone.now()
    warn_about_provisional_holidays(now)
    due = due_reminders(now)
    token = claim(due, now)
    return TickResult(due=len(due), sent=deliver(token, now))


def schedule(teams: list[Team], now: datetime.datetime | None = None) -> list[dict]:
    """When this week's reminders of each team go out, for the admins' schedule page (two queries
    whatever the number of teams)."""
    now = now or timezone.now()
    settings, calendars = report_services.settings_by_team(teams), calendars_for(teams)
    rows = []
    for team in teams:
        ts = settings[team.pk]
        week = report_services.current_week_start(ts, now)
        deadline = effective_deadline(ts, week, calendars[team.pk])
        review_day = ts.review_day_for(week)
        rows.append(
            {
                "team": team,
                "settings": ts,
                "week": week,
                "deadline": deadline,
                "is_moved": deadline is not None and deadline != ts.deadline_for(week),
                "early": [deadline - _hours(h) for h in parse_reminder_hours(ts.reminder_hours)] if deadline else [],
                "overdue": deadline + datetime.timedelta(minutes=ts.grace_minutes + ts.overdue_reminder_minutes)
                if deadline
                else None,
                "digest": datetime.datetime.combine(review_day, ts.digest_time, tzinfo=ts.zone),
                "pending": datetime.datetime.combine(review_day, ts.pending_reminder_time, tzinfo=ts.zone),
            }
        )
    return rows


# Days off and leave -------------------------------------------------------------------------------

MAX_LEAVE_DAYS = 366


@transaction.atomic
def add_day_off(
    *, actor: User, team: Team | None, on: datetime.date, name: str, is_working_day: bool = False
) -> DayOff:
    """A company-wide (team None) or team day off, or a make-up working day (调休补班) with
    `is_working_day`. Raises ValidationError when the day is already entered there."""
    if DayOff.objects.filter(team=team, on=on).exists():
        raise ValidationError({"on": _("This day is already entered here.")})
    day_off = DayOff.objects.create(team=team, on=on, name=name.strip()[:100], is_working_day=is_working_day)
    versions.touch_all()  # who is expected and by when, for the team and every team below it
    record(actor=actor, action=AuditEntry.Action.CREATED, target=day_off, changes={"on": [None, on.isoformat()]})
    return day_off


@transaction.atomic
def remove_day_off(*, actor: User, day_off: DayOff) -> None:
    record(
        actor=actor, action=AuditEntry.Action.DELETED, target=day_off, changes={"on": [day_off.on.isoformat(), None]}
    )
    day_off.delete()
    versions.touch_all()


LEAVE_FIELDS = ["starts_on", "ends_on", "note", "status"]


def needs_approval(*, starts_on: datetime.date, ends_on: datetime.date, today: datetime.date) -> bool:
    """Leave longer than settings.LEAVE_APPROVAL_AFTER_DAYS, or starting before today, waits for a
    manager: short leave announced ahead is the member's own call."""
    return (ends_on - starts_on).days + 1 > settings.LEAVE_APPROVAL_AFTER_DAYS or starts_on < today


@transaction.atomic
def record_leave(
    *,
    member: User,
    starts_on: datetime.date,
    ends_on: datetime.date,
    note: str = "",
    today: datetime.date | None = None,
) -> Leave:
    """A member's leave (both days included): approved at once, or pending with the managers told
    (needs_approval()). Audited. Raises ValidationError for a period that ends before it starts,
    is longer than a year, or overlaps leave already recorded and not declined."""
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The leave cannot end before it starts.")})
    if (ends_on - starts_on).days >= MAX_LEAVE_DAYS:
        raise ValidationError({"ends_on": _("Record at most one year of leave at a time.")})
    overlapping = Leave.objects.filter(member=member, starts_on__lte=ends_on, ends_on__gte=starts_on)
    if overlapping.exclude(status=Leave.Status.DECLINED).exists():
        raise ValidationError({"starts_on": _("This overlaps leave you have already recorded.")})
    pending = needs_approval(starts_on=starts_on, ends_on=ends_on, today=today or timezone.localdate())
    leave = Leave.objects.create(
        member=member,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip()[:200],
        status=Leave.Status.PENDING if pending else Leave.Status.APPROVED,
    )
    versions.touch_members([member.pk])  # the dashboards count who is on leave
    record(actor=member, action=AuditEntry.Action.CREATED, target=leave, changes=_leave_changes(leave))
    if pending:
        notify(
            recipients=access.leave_deciders(member),
            kind=Notification.Kind.LEAVE_REQUEST,
            event=f"leave:{leave.pk}",
            actor=member,
            url=reverse("reminders:team_leave"),
            excerpt=leave.note,
            data=_leave_data(leave),
        )
    return leave


@transaction.atomic
def decide_leave(*, leave: Leave, decided_by: User, approve: bool) -> Leave:
    """Approve or decline pending leave, audited, and tell the member. Raises ValidationError when
    it is no longer pending."""
    leave = Leave.objects.select_for_update().get(pk=leave.pk)
    if leave.status != Leave.Status.PENDING:
        raise ValidationError(_("This leave has already been decided."))
    leave.status = Leave.Status.APPROVED if approve else Leave.Status.DECLINED
    leave.decided_by, leave.decided_at = decided_by, timezone.now()
    leave.save(update_fields=["status", "decided_by", "decided_at"])
    versions.touch_members([leave.member_id])
    record(
        actor=decided_by,
        action=AuditEntry.Action.STATUS_CHANGED,
        target=leave,
        changes={"status": [Leave.Status.PENDING.value, leave.status]},
    )
    notify(
        recipients=[leave.member],
        kind=Notification.Kind.LEAVE_DECIDED,
        event=f"leave-decided:{leave.pk}",
        actor=decided_by,
        url=reverse("reminders:leave"),
        data={**_leave_data(leave), "approved": approve},
    )
    return leave


@transaction.atomic
def cancel_leave(*, leave: Leave) -> None:
    """Remove leave that has not started yet, or that is still waiting for a decision (past
    approved leave is history). Audited. Raises ValidationError otherwise."""
    if leave.status != Leave.Status.PENDING and leave.starts_on <= timezone.localdate():
        raise ValidationError(_("Leave that has already started cannot be removed."))
    record(
        actor=leave.member,
        action=AuditEntry.Action.DELETED,
        target=leave,
        changes={field: [value, None] for field, (_old, value) in _leave_changes(leave).items()},
    )
    versions.touch_members([leave.member_id])
    leave.delete()


def _leave_changes(leave: Leave) -> dict:
    return {field: [None, _as_text(getattr(leave, field))] for field in LEAVE_FIELDS}


def _as_text(value):
    return value.isoformat() if isinstance(value, datetime.date) else value


def _leave_data(leave: Leave) -> dict:
    return {"starts_on": f"{leave.starts_on:%Y-%m-%d}", "ends_on": f"{leave.ends_on:%Y-%m-%d}"}


def coverage_warning(today: datetime.date | None = None) -> list[dict]:
    """This year and next, where the official holiday schedule is not known yet, each with the
    computed public holidays the calendar uses as provisional days off until admins confirm."""
    today = today or timezone.localdate()
    return [
        {"year": year, "holidays": provisional_holidays(year)}
        for year in (today.year, today.year + 1)
        if not is_covered(year)
    ]
