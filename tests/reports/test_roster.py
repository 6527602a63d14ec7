"""The one roster (reports/roster.py): who is expected to report for a team in a week, and how
each person stands. Examples first, then properties over generated membership histories."""

import contextlib
import datetime
import os
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reports import roster
from reports import services as report_services
from reports.models import KPI, DayOff, Target, WeeklyReport
from reports.roster import State
from teams.models import Leave, Membership, User
from tests.factories import MembershipFactory, TeamFactory, UserFactory, member_of
from tests.reports.test_services import MONDAY, at

APPROVED = Leave.Status.APPROVED  # only approved leave excuses a report

FRIDAY = MONDAY + datetime.timedelta(days=4)  # the default deadline: Friday 18:00, Shanghai
AFTER_DEADLINE = at(MONDAY + datetime.timedelta(days=7), 9)
BEFORE_DEADLINE = at(MONDAY + datetime.timedelta(days=2), 9)


def write(author, team, week=MONDAY, *, late=False, status=WeeklyReport.Status.SUBMITTED) -> WeeklyReport:
    """A report row as submitting leaves it (the roster reads rows; how they got there is
    tested with the report services)."""
    return WeeklyReport.objects.create(
        author=author,
        team=team,
        week_start=week,
        template_version=report_services.template_version_for(team),
        status=status,
        submitted_at=at(FRIDAY, 12),
        late_by=datetime.timedelta(hours=3) if late else None,
    )


def states(team, week=MONDAY, now=AFTER_DEADLINE) -> dict:
    return {entry.member: entry.state for entry in roster.roster_of(team, [week], now).entries}


def test_each_person_has_one_state_for_the_week(team, rep, other_rep, lead):
    absent = member_of(team, username="absent")
    drafting = member_of(team, username="drafting")
    write(rep, team)
    write(other_rep, team, late=True)
    write(drafting, team, status=WeeklyReport.Status.DRAFT)
    assert states(team) == {rep: State.ON_TIME, other_rep: State.LATE, absent: State.MISSING, drafting: State.MISSING}


def test_before_the_deadline_and_its_grace_period_nobody_is_missing_yet(team, rep, other_rep):
    write(rep, team)
    assert states(team, now=BEFORE_DEADLINE) == {rep: State.ON_TIME, other_rep: State.NOT_YET_DUE}
    assert states(team, now=at(FRIDAY, 18, 30)) == {rep: State.ON_TIME, other_rep: State.MISSING}


def test_someone_who_joined_after_the_deadline_is_not_expected_that_week(team, rep):
    newcomer = UserFactory()
    MembershipFactory(user=newcomer, team=team, started_on=FRIDAY + datetime.timedelta(days=1))
    assert states(team) == {rep: State.MISSING, newcomer: State.NOT_EXPECTED}
    assert roster.roster_of(team, [MONDAY], AFTER_DEADLINE).counts().expected == 1


def test_someone_who_left_before_the_week_is_not_listed(team, rep):
    gone = UserFactory(status=User.Status.LEFT)
    MembershipFactory(user=gone, team=team, started_on=MONDAY - datetime.timedelta(days=90), ended_on=MONDAY)
    assert states(team) == {rep: State.MISSING}


def test_someone_who_moved_mid_week_is_expected_in_the_team_they_were_in_at_the_deadline(team, other_team, rep):
    Membership.objects.filter(user=rep).update(ended_on=MONDAY + datetime.timedelta(days=2))
    Membership.objects.create(user=rep, team=other_team, started_on=MONDAY + datetime.timedelta(days=2))
    assert states(other_team)[rep] == State.MISSING
    assert rep not in states(team)
    write(rep, team)  # written before the move: it counts where it was written, once
    assert states(team)[rep] == State.ON_TIME
    assert rep not in states(other_team)


def test_leave_covering_every_working_day_is_on_leave_and_a_few_days_are_not(team, rep, other_rep):
    Leave.objects.create(member=rep, starts_on=MONDAY, ends_on=FRIDAY, status=APPROVED)
    Leave.objects.create(
        member=other_rep, starts_on=MONDAY, ends_on=MONDAY + datetime.timedelta(days=3), status=APPROVED
    )
    assert states(team) == {rep: State.ON_LEAVE, other_rep: State.MISSING}
    assert roster.roster_of(team, [MONDAY], AFTER_DEADLINE).counts().expected == 1


def test_leave_needs_to_cover_only_the_working_days(team, rep):
    DayOff.objects.create(team=None, on=MONDAY, name="公司假日")
    Leave.objects.create(member=rep, starts_on=MONDAY + datetime.timedelta(days=1), ends_on=FRIDAY, status=APPROVED)
    assert states(team) == {rep: State.ON_LEAVE}


def test_a_profile_marked_on_leave_is_on_leave_unless_they_reported(team, rep, other_rep):
    User.objects.filter(pk__in=[rep.pk, other_rep.pk]).update(status=User.Status.ON_LEAVE)
    write(rep, team)
    assert states(team) == {rep: State.ON_TIME, other_rep: State.ON_LEAVE}


def test_in_a_week_entirely_off_nobody_is_expected(team, rep, other_rep):
    for day in range(7):
        DayOff.objects.create(team=None, on=MONDAY + datetime.timedelta(days=day), name="春节")
    write(rep, team)
    assert states(team) == {rep: State.ON_TIME, other_rep: State.NOT_EXPECTED}
    assert roster.roster_of(team, [MONDAY], AFTER_DEADLINE).counts().expected == 1


def test_a_team_target_counts_each_member_where_they_were_at_the_deadline(team, other_team, rep, other_rep):
    sales = KPI.objects.get(code="sales_amount")
    for person, value in ((rep, 100), (other_rep, 50)):
        Target.objects.create(member=person, kpi=sales, week_start=MONDAY, value=Decimal(value))
    Membership.objects.filter(user=rep).update(ended_on=MONDAY + datetime.timedelta(days=2))
    Membership.objects.create(user=rep, team=other_team, started_on=MONDAY + datetime.timedelta(days=2))
    kpis = {sales.pk: sales}
    by_team = {
        t: roster.team_targets(roster.member_targets(paths=(t.path,), start=MONDAY, end=MONDAY), kpis)
        for t in (team, other_team)
    }
    assert by_team[team] == {(sales.pk, MONDAY): Decimal(50)}
    assert by_team[other_team] == {(sales.pk, MONDAY): Decimal(100)}


# Properties over generated histories -------------------------------------------------------------

# Each example builds a company's worth of rows: fewer examples than the suite's default.
PROPERTY_SETTINGS = settings(
    max_examples=max(int(os.environ.get("HYPOTHESIS_MAX_EXAMPLES", "40")) // 2, 1),
    deadline=None,
    database=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
WEEKS = [MONDAY - datetime.timedelta(weeks=n) for n in (2, 1, 0)]
FIRST_DAY = WEEKS[0] - datetime.timedelta(days=7)
DAYS = 35  # the days the histories play in: a week before the first roster week to the last's end

day = st.integers(min_value=0, max_value=DAYS - 1).map(lambda n: FIRST_DAY + datetime.timedelta(days=n))
# A person: moves at sorted days between the two teams (or out of both: None), leave, reports.
person = st.fixed_dictionaries(
    {
        "stints": st.lists(st.tuples(day, st.sampled_from([0, 1, None])), min_size=1, max_size=4),
        "leave": st.lists(st.tuples(day, st.integers(min_value=0, max_value=9)), max_size=2),
        "reports": st.lists(st.tuples(st.sampled_from(range(len(WEEKS))), st.booleans()), max_size=3),
        "on_leave": st.booleans(),
    }
)


@contextlib.contextmanager
def rolled_back():
    savepoint = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(savepoint)


def build(people: list[dict], teams) -> list[tuple[User, list[Membership]]]:
    built = []
    for index, spec in enumerate(people):
        user = User.objects.create(
            username=f"p{index}",
            display_name=f"成员{index}",
            status=User.Status.ON_LEAVE if spec["on_leave"] else User.Status.ACTIVE,
        )
        stints = sorted(dict(spec["stints"]).items())  # one move per day
        memberships = []
        for (start, where), following in zip(stints, [*stints[1:], None], strict=True):
            if where is not None:
                ended = following[0] if following else None
                memberships.append(
                    Membership.objects.create(user=user, team=teams[where], started_on=start, ended_on=ended)
                )
        taken = set()
        for start, length in spec["leave"]:
            days = {start + datetime.timedelta(days=n) for n in range(length + 1)}
            if not days & taken:
                taken |= days
                Leave.objects.create(member=user, starts_on=min(days), ends_on=max(days), status=APPROVED)
        for week_index, late in spec["reports"]:
            week = WEEKS[week_index]
            held = [m for m in memberships if m.started_on <= week + datetime.timedelta(days=6)]
            if held and not WeeklyReport.objects.filter(author=user, week_start=week).exists():
                write(user, held[-1].team, week, late=late)
        built.append((user, memberships))
    return built


# About 10 s: twenty generated companies, each with its memberships, leave and reports.
@PROPERTY_SETTINGS
@given(people=st.lists(person, min_size=1, max_size=5))
def test_every_person_is_counted_once_a_week_and_teams_add_up_to_their_parent(east, team, people):
    with rolled_back():
        second = TeamFactory(name="Hangzhou", parent=east)
        built = build(people, [team, second])
        whole = roster.Roster(paths=(east.path,), weeks=WEEKS, now=AFTER_DEADLINE)
        parts = [roster.roster_of(t, WEEKS, AFTER_DEADLINE) for t in (team, second)]
        for week in WEEKS:
            members = [e.member.pk for e in whole.select(week=week)]
            assert len(members) == len(set(members))  # nobody twice in a week
            total = whole.counts(week=week)
            split = [part.counts(week=week) for part in parts]
            for state in State.values:
                assert getattr(total, state) == sum(getattr(c, state) for c in split)
        for user, memberships in built:
            for week in WEEKS:
                entry = next((e for e in whole.select(week=week) if e.member.pk == user.pk), None)
                report = WeeklyReport.objects.filter(author=user, week_start=week).first()
                at_deadline = [m for m in memberships if m.started_on <= week + datetime.timedelta(days=4)]
                at_deadline = [
                    m for m in at_deadline if m.ended_on is None or m.ended_on > week + datetime.timedelta(days=4)
                ]
                if report is not None:
                    assert entry.state in roster.SUBMITTED and entry.team == report.team
                elif not at_deadline:
                    assert entry is None or entry.state == State.NOT_EXPECTED
                else:
                    working = {week + datetime.timedelta(days=n) for n in range(5)}
                    covered = all(
                        Leave.objects.approved().filter(member=user, starts_on__lte=d, ends_on__gte=d).exists()
                        for d in working
                    )
                    on_leave = covered or user.status == User.Status.ON_LEAVE
                    assert entry.team == at_deadline[0].team
                    assert entry.state == (State.ON_LEAVE if on_leave else State.MISSING)


@pytest.mark.parametrize("now", [BEFORE_DEADLINE, AFTER_DEADLINE])
def test_expected_is_submitted_plus_not_yet_due_plus_missing(team, rep, other_rep, now):
    write(rep, team)
    counts = roster.roster_of(team, [MONDAY], now).counts()
    assert counts.expected == counts.submitted + counts.not_yet_due + counts.missing == 2
