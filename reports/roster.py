"""One roster and one team target: who was expected to report for a team subtree in a week and
how each person stands, and what the team's target was. Every page, PDF, digest and export that
counts people or targets asks here, so their numbers agree.

Who is expected in team T for week W (see README, "Expected, missing, not yet due"):
- the salespeople whose membership in T holds on the week's deadline day (the working-calendar
  deadline, in the team's time zone): someone who joined after it, or left before it, is not
  expected; someone who moved mid-week is expected in the team they were in at the deadline;
- minus those on leave: recorded leave covering every working day of the week, or a profile
  marked "on leave" (shown as on leave, not counted as expected);
- nobody in a week that is entirely off.

Everyone who submitted a report written in T that week is listed too, expected or not (a report
counts in the team it was written in, once, whoever's roster it would have been on). States:
on time, late, not yet due (before deadline + grace), missing (after), on leave, not expected.

A team's target for a KPI and week is its members' targets for that week, a member counting in
the team they were in at the week's deadline day, added up ("sum" KPIs) or averaged over people
(the others); over a period the weeks combine by the KPI's rule like the actuals.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reports import services as report_services
from reports.calendar import WorkCalendar, calendars_for, effective_deadline
from reports.models import KPI, Target, TeamSettings, WeeklyReport
from teams import access
from teams.models import Leave, Membership, Team, User

DAYS = [datetime.timedelta(days=i) for i in range(7)]


class State(models.TextChoices):
    ON_TIME = "on_time", _("On time")
    LATE = "late", _("Late")
    NOT_YET_DUE = "not_yet_due", _("Not yet due")
    MISSING = "missing", _("Missing")
    ON_LEAVE = "on_leave", _("On leave")
    NOT_EXPECTED = "not_expected", _("Not expected")


SUBMITTED = (State.ON_TIME, State.LATE)
EXPECTED = (State.ON_TIME, State.LATE, State.NOT_YET_DUE, State.MISSING)


@dataclass
class Entry:
    member: User
    team: Team
    week: datetime.date
    state: str
    report: WeeklyReport | None = None
    deadline: datetime.datetime | None = None


@dataclass
class Counts:
    on_time: int = 0
    late: int = 0
    not_yet_due: int = 0
    missing: int = 0
    on_leave: int = 0
    not_expected: int = 0

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def expected(self) -> int:
        return self.on_time + self.late + self.not_yet_due + self.missing


def count(entries: list[Entry]) -> Counts:
    counts = Counts()
    for entry in entries:
        setattr(counts, entry.state, getattr(counts, entry.state) + 1)
    return counts


def reference_day(team_settings: TeamSettings, calendar: WorkCalendar, week: datetime.date) -> datetime.date:
    """The day whose membership decides the week: the (working-calendar) deadline's day."""
    deadline = effective_deadline(team_settings, week, calendar) or team_settings.deadline_for(week)
    return deadline.date()


def _holds(membership: Membership, day: datetime.date) -> bool:
    return membership.started_on <= day and (membership.ended_on is None or membership.ended_on > day)


def _overlaps(membership: Membership, week: datetime.date) -> bool:
    return membership.started_on <= week + DAYS[6] and (membership.ended_on is None or membership.ended_on > week)


def in_paths(path: str, paths: tuple[str, ...] | None) -> bool:
    return paths is None or any(path.startswith(root) for root in paths)


class Calendars:
    """Team settings and working calendars of the teams one computation meets (two queries)."""

    def __init__(self, teams: list[Team]):
        self.settings = report_services.settings_by_team(teams)
        self.calendars = calendars_for(teams)
        # Asked once per person and week, answered once per team and week: the working calendar
        # made a director's quarter of 1,000 people's targets cost 250 ms.
        self._reference_days: dict[tuple[int, datetime.date], datetime.date] = {}

    def reference_day(self, team_id: int, week: datetime.date) -> datetime.date:
        key = (team_id, week)
        if key not in self._reference_days:
            self._reference_days[key] = reference_day(self.settings[team_id], self.calendars[team_id], week)
        return self._reference_days[key]


class Roster:
    """The roster of the subtrees under `paths` (None: every team) for `weeks`, as it stands at
    `now`. Loaded with a fixed number of queries whatever the number of people or weeks; then
    read per team or subtree and week without further queries."""

    def __init__(self, *, paths: tuple[str, ...] | None, weeks, now: datetime.datetime | None = None):
        self.paths = paths
        self.weeks = sorted(set(weeks))
        self.now = now or timezone.now()
        self.entries: list[Entry] = []
        if not self.weeks:
            return
        first, last = self.weeks[0], self.weeks[-1] + DAYS[6]
        in_reach = Membership.objects.filter(
            access.in_subtrees(paths), role=Membership.Role.SALESPERSON, started_on__lte=last
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
        people = in_reach.values("user_id")
        # Their memberships elsewhere too: someone who moved out mid-week belongs to the other team.
        memberships = list(
            Membership.objects.filter(user_id__in=people, role=Membership.Role.SALESPERSON, started_on__lte=last)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=first))
            .select_related("user", "team")
        )
        reports = list(
            WeeklyReport.objects.filter(week_start__in=self.weeks)
            .exclude(status=WeeklyReport.Status.DRAFT)
            .filter(access.in_subtrees(paths) | Q(author_id__in=people))
            .select_related("author", "team")
            # The roster reads who wrote when and in what state; a year of the company's reports'
            # texts would be decoded for nothing (pages that show a text fetch it themselves).
            .defer("summary", "custom_values", "section_comments")
        )
        leave = defaultdict(list)
        for row in Leave.objects.approved().filter(member_id__in=people, starts_on__lte=last, ends_on__gte=first):
            leave[row.member_id].append(row)
        calendars = Calendars(list({m.team_id: m.team for m in memberships}.values()))
        by_user = defaultdict(list)
        for membership in memberships:
            by_user[membership.user_id].append(membership)
        for week in self.weeks:
            written = {r.author_id: r for r in reports if r.week_start == week}
            for report in written.values():
                if in_paths(report.team.path, paths):
                    state = State.LATE if report.is_late else State.ON_TIME
                    self.entries.append(Entry(report.author, report.team, week, state, report))
            for user_id, held in by_user.items():
                if user_id not in written:
                    entry = self._expectation(held, week, calendars, leave.get(user_id, ()))
                    if entry is not None:
                        self.entries.append(entry)
        self.entries.sort(key=lambda e: (e.week, e.team.path, str(e.member), e.member.pk))

    def _expectation(self, held: list[Membership], week, calendars: Calendars, leave) -> Entry | None:
        overlapping = [m for m in held if _overlaps(m, week)]
        if not overlapping:
            return None
        at_deadline = next((m for m in overlapping if _holds(m, calendars.reference_day(m.team_id, week))), None)
        membership = at_deadline or max(overlapping, key=lambda m: m.started_on)
        if not in_paths(membership.team.path, self.paths):
            return None  # the week is another team's
        if at_deadline is None:  # joined after the deadline, or left before it
            return Entry(membership.user, membership.team, week, State.NOT_EXPECTED)
        ts, calendar = calendars.settings[membership.team_id], calendars.calendars[membership.team_id]
        deadline = effective_deadline(ts, week, calendar)
        entry = Entry(membership.user, membership.team, week, State.NOT_EXPECTED, deadline=deadline)
        if deadline is None:
            return entry  # a week entirely off: nobody is expected
        working = [week + day for day in DAYS if calendar.is_working_day(week + day)]
        if membership.user.status == User.Status.ON_LEAVE or all(
            any(row.covers(day) for row in leave) for day in working
        ):
            entry.state = State.ON_LEAVE
        elif self.now < deadline + datetime.timedelta(minutes=ts.grace_minutes):
            entry.state = State.NOT_YET_DUE
        else:
            entry.state = State.MISSING
        return entry

    def select(self, *, week: datetime.date | None = None, under: str | None = None, team_id: int | None = None):
        """The entries of one week (or all), of one subtree or one team (or all)."""
        return [
            e
            for e in self.entries
            if (week is None or e.week == week)
            and (under is None or e.team.path.startswith(under))
            and (team_id is None or e.team.pk == team_id)
        ]

    def counts(self, **kwargs) -> Counts:
        return count(self.select(**kwargs))

    def counts_by_team(self, week: datetime.date | None = None) -> dict[int, Counts]:
        """Counts of each team by itself (not its subtree), in one pass."""
        by_team = defaultdict(list)
        for entry in self.select(week=week):
            by_team[entry.team.pk].append(entry)
        return defaultdict(Counts, {team_id: count(entries) for team_id, entries in by_team.items()})


def roster_of(team: Team, weeks, now: datetime.datetime | None = None) -> Roster:
    return Roster(paths=(team.path,), weeks=weeks, now=now)


# Targets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MemberTarget:
    member_id: int
    team: Team
    kpi_id: int
    week: datetime.date
    value: Decimal


def member_targets(
    *, paths: tuple[str, ...] | None, start: datetime.date, end: datetime.date, kpi_ids=None
) -> list[MemberTarget]:
    """Every member's target for the weeks starting within [start, end] during which the member
    was in the subtree (their membership holding on the week's deadline day), with that team.
    Three queries."""
    in_reach = (
        Membership.objects.filter(access.in_subtrees(paths), started_on__lte=end + DAYS[6])
        .exclude(role=Membership.Role.DIRECTOR)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gt=start))
    )
    memberships = list(in_reach.select_related("team"))
    by_user = defaultdict(list)
    for membership in memberships:
        by_user[membership.user_id].append(membership)
    targets = Target.objects.filter(
        member_id__in=in_reach.values("user_id"),
        week_start__range=(start, end),
    )
    if kpi_ids is not None:
        targets = targets.filter(kpi_id__in=kpi_ids)
    calendars = Calendars(list({m.team_id: m.team for m in memberships}.values()))
    found = []
    for member_id, kpi_id, week, value in targets.values_list("member_id", "kpi_id", "week_start", "value"):
        for membership in by_user[member_id]:
            if _holds(membership, calendars.reference_day(membership.team_id, week)):
                found.append(MemberTarget(member_id, membership.team, kpi_id, week, value))
                break
    return found


def add_people(kpi: KPI, values: list[Decimal | None]) -> Decimal | None:
    """Several people's figures of one week as the team's: "sum" KPIs add up, the others average
    over the people who have one."""
    known = [value for value in values if value is not None]
    if not known:
        return None
    total = sum(known, Decimal(0))
    return total if kpi.aggregation == KPI.Aggregation.SUM else total / len(known)


def team_targets(targets: list[MemberTarget], kpis: dict[int, KPI], under: str | None = None) -> dict:
    """{(kpi_id, week): the team's target} from member_targets(), for the subtree `under` (all
    of them when None)."""
    grouped = defaultdict(list)
    for target in targets:
        if under is None or target.team.path.startswith(under):
            grouped[(target.kpi_id, target.week)].append(target.value)
    return {key: add_people(kpis[key[0]], values) for key, values in grouped.items() if key[0] in kpis}
