"""What a reviewer's pages read: the reports in their reach, the week's groups, the roll-up per
team. Every function starts from teams.access, so a query can never reach past the policy."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from reports import access as report_access
from reports import services as report_services
from reports.models import TeamSettings, WeeklyReport
from reports.roster import Entry, Roster, State
from teams import access, versions
from teams.models import Membership, Team, User


def require_reviewer(user: User) -> access.Scope:
    """Managers and admins have a review queue; everyone else gets 404."""
    s = access.scope(user)
    if not (s.is_admin or s.is_manager):
        raise Http404
    return s


def reports_to_review(user: User) -> QuerySet[WeeklyReport]:
    """Reports the user may review: written in the managed subtree, not their own."""
    return report_access.reviewable_reports(user)


def awaiting(user: User, week: datetime.date | None = None) -> QuerySet[WeeklyReport]:
    """Submitted reports waiting for the user's review, oldest submission first."""
    reports = reports_to_review(user).filter(status=WeeklyReport.Status.SUBMITTED)
    if week is not None:
        reports = reports.filter(week_start=week)
    return reports.order_by("submitted_at", "pk")


class Waiting(NamedTuple):
    """A report waiting for review, as the navigation badge, the queue's weeks and a manager's
    home count it: who wrote it, for which week, and when its team's review day ends."""

    pk: int
    author: str
    week_start: datetime.date
    team_id: int
    due_at: datetime.datetime


def waiting_reports(user: User) -> list[Waiting]:
    """awaiting(user), oldest submission first, each with when its review is due (is_overdue()'s
    rule). Kept under the team's data version when the user reviews exactly their own team:
    submissions, reviews, returns and withdrawals replace it."""

    def compute() -> list[Waiting]:
        reports = list(awaiting(user).select_related("author", "team").only(*WAITING_FIELDS))
        settings_of = report_services.settings_by_team(list({r.team_id: r.team for r in reports}.values()))
        return [
            Waiting(r.pk, str(r.author), r.week_start, r.team_id, settings_of[r.team_id].review_due_for(r.week_start))
            for r in reports
        ]

    team = _reviewed_team(access.scope(user))
    if team is None:
        return compute()
    return versions.cached(team, ("waiting-reports", user.pk), compute)


# What waiting_reports() reads of a report, its author (their name) and its team (settings_by_team
# walks the team's ancestors by its path).
WAITING_FIELDS = ("week_start", "author__username", "author__display_name", "team__path")


def _reviewed_team(s: access.Scope) -> Team | None:
    """The team under whose data version a reviewer's figures are kept: their own, when it is
    exactly what they review (the same figures for each of its managers). None otherwise."""
    return _own_team_if_exactly(s, s.managed_paths)


def _own_team_if_exactly(s: access.Scope, paths: tuple[str, ...]) -> Team | None:
    """The user's own team when `paths` (what they review or read) is exactly its subtree."""
    team = s.own_team
    if s.is_admin or team is None or paths != (team.path,):
        return None
    return team


def awaiting_count(user: User) -> int:
    """How many reports of any week wait for the user's review (the navigation badge)."""
    s = access.scope(user)
    if not (s.is_admin or s.is_manager):
        return 0
    if _reviewed_team(s) is None:  # an admin's backlog can be the whole company's
        return awaiting(user).count()
    return len(waiting_reports(user))


def roster(user: User, week: datetime.date, now: datetime.datetime | None = None) -> Roster:
    """The week's roster of the teams the user reviews (the one roster every page counts with)."""
    s = access.scope(user)
    return Roster(paths=None if s.is_admin else s.managed_paths, weeks=[week], now=now)


def roster_entries(user: User, week: datetime.date, now: datetime.datetime | None = None) -> list[Entry]:
    """roster(user, week, now)'s entries. Kept under the team's data version when the user reviews
    exactly their own team (the same for each of its managers) and no one's state can still change
    with time alone ("not yet due" turns into "missing" at the deadline)."""

    def compute() -> tuple[list[Entry], bool]:
        entries = roster(user, week, now).entries
        return entries, all(e.state != State.NOT_YET_DUE for e in entries)

    team = _reviewed_team(access.scope(user))
    if team is None:
        return compute()[0]
    entries, _final = versions.cached(team, ("review-roster", week.isoformat()), compute, keep=lambda v: v[1])
    return entries


def waiting_weeks(user: User) -> list[tuple[datetime.date, int]]:
    """Each week with reports waiting for the user's review and how many, newest first: together
    they make the navigation badge's number."""
    if _reviewed_team(access.scope(user)) is None:
        return list(
            awaiting(user)
            .order_by()
            .values_list("week_start")
            .annotate(n=Count("pk"))
            .order_by("-week_start")
            .values_list("week_start", "n")
        )
    return weeks_of(waiting_reports(user))


def weeks_of(waiting: list[Waiting]) -> list[tuple[datetime.date, int]]:
    """waiting_weeks() of a waiting_reports() list a page has already read."""
    return sorted(Counter(w.week_start for w in waiting).items(), reverse=True)


def is_overdue(report: WeeklyReport, team_settings: TeamSettings, now: datetime.datetime | None = None) -> bool:
    """A report still waiting for review after the end of its team's review day."""
    return report.status == WeeklyReport.Status.SUBMITTED and (now or timezone.now()) >= (
        team_settings.review_due_for(report.week_start)
    )


# The director's roll-up -------------------------------------------------------------------------


@dataclass
class TeamRow:
    team: Team
    managers: list[User] = field(default_factory=list)
    expected: int = 0
    submitted: int = 0
    reviewed: int = 0
    pending: int = 0
    returned: int = 0
    late: int = 0
    missing: int = 0
    not_yet_due: int = 0
    on_leave: int = 0
    overdue: int = 0
    due_at: datetime.datetime | None = None

    @property
    def is_behind(self) -> bool:
        return self.overdue > 0


def _review_rows(user: User, week: datetime.date, now: datetime.datetime | None) -> dict[int, TeamRow]:
    """Every team in the user's reach with its week's reports counted by state, its managers and
    when its reviews fall due: the overview's rows before the roster's counts. Kept under the
    team's data version when the user reads exactly their own team's subtree (the same rows for
    everyone who does); whether a team is overdue is decided afresh, as that changes with time."""
    s = access.scope(user)
    team = _own_team_if_exactly(s, s.readable_paths)
    if team is not None:
        rows = versions.cached(team, ("review-rows", week.isoformat()), lambda: _count_rows(user, week))
    else:
        rows = _count_rows(user, week)
    now = now or timezone.now()
    for row in rows.values():
        row.overdue = row.pending if now >= row.due_at else 0
    return rows


def _count_rows(user: User, week: datetime.date) -> dict[int, TeamRow]:
    teams = list(access.visible_teams(user).order_by("path"))
    rows = {team.pk: TeamRow(team=team) for team in teams}
    settings = report_services.settings_by_team(teams)
    counts = (
        report_access.visible_reports(user)
        .filter(team_id__in=rows, week_start=week)
        .exclude(status=WeeklyReport.Status.DRAFT)
        .values("team_id")
        .annotate(
            submitted=Count("pk"),
            reviewed=Count("pk", filter=Q(status=WeeklyReport.Status.REVIEWED)),
            pending=Count("pk", filter=Q(status=WeeklyReport.Status.SUBMITTED)),
            returned=Count("pk", filter=Q(status=WeeklyReport.Status.RETURNED)),
            late=Count("pk", filter=Q(late_by__isnull=False)),
        )
    )
    for entry in counts:
        row = rows[entry.pop("team_id")]
        for name, value in entry.items():
            setattr(row, name, value)
    for membership in (
        Membership.objects.active().filter(team_id__in=rows, role=Membership.Role.MANAGER).select_related("user")
    ):
        rows[membership.team_id].managers.append(membership.user)
    for row in rows.values():
        row.due_at = settings[row.team.pk].review_due_for(week)
    return rows


def overview(user: User, week: datetime.date, now: datetime.datetime | None = None) -> list[TeamRow]:
    """For every team in the user's reach that has members or reports this week: how its reviews
    stand. A fixed number of queries whatever the number of teams or reports."""
    rows = _review_rows(user, week, now)
    s = access.scope(user)
    by_team = Roster(paths=s.reach, weeks=[week], now=now).counts_by_team()
    for team_id, row in rows.items():
        counts = by_team[team_id]
        row.expected, row.missing, row.not_yet_due, row.on_leave = (
            counts.expected,
            counts.missing,
            counts.not_yet_due,
            counts.on_leave,
        )
    return [row for row in rows.values() if row.expected or row.submitted]


def overdue_teams(user: User, week: datetime.date, now: datetime.datetime | None = None) -> list[TeamRow]:
    """The overview's rows whose reviews are overdue (`is_behind`), without the roster's counts
    that deciding it does not need: the whole company's roster is thousands of rows."""
    return [row for row in _review_rows(user, week, now).values() if row.is_behind]
