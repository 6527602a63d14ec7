"""A team's dashboard for a period: totals against targets with the change on the previous period,
submission discipline, 12-week trends, and the members side by side with ranks, sparklines and a
flag on those under 80 % of target two weeks running. Aggregated in the database, with the same
number of queries for 5 or 500 members."""

import dataclasses
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from customers.models import Activity
from reports import roster
from reports.calendar import WorkCalendar, effective_deadline, kept_calendar_for
from reports.models import KPI, KpiValue, PlanReview, TeamSettings, WeeklyReport
from reports.services import achievement
from reviews.models import FeedbackGoal
from summaries import charts
from summaries import problems as problem_analysis
from summaries.rollups import KpiComparison, KpiTotal, combine, kpi_series, previous_period, year_before
from teams import access, versions
from teams.models import Membership, Team, User

TREND_WEEKS = 12
FLAG_BELOW = Decimal("0.8")
FLAG_WEEKS = 2


@dataclass
class Discipline:
    """Submission discipline of a period, counted by reports.roster over its weeks so far."""

    on_time: int = 0
    late: int = 0
    not_yet_due: int = 0
    missing: int = 0
    on_leave: int = 0

    @classmethod
    def of(cls, counts: roster.Counts) -> "Discipline":
        return cls(counts.on_time, counts.late, counts.not_yet_due, counts.missing, counts.on_leave)

    @property
    def expected(self) -> int:
        return self.on_time + self.late + self.not_yet_due + self.missing

    @property
    def due(self) -> int:
        """The expected reports whose deadline has passed: what the rates are out of."""
        return self.on_time + self.late + self.missing

    def rate(self, count: int) -> Decimal | None:
        return achievement(Decimal(count), Decimal(self.due))

    @property
    def on_time_rate(self):
        return self.rate(self.on_time)

    @property
    def late_rate(self):
        return self.rate(self.late)

    @property
    def missing_rate(self):
        return self.rate(self.missing)


@dataclass
class Cell:
    kpi: KPI
    actual: Decimal | None
    target: Decimal | None
    rank: int | None = None
    # The member's actual in the previous period (环比) and in the same period a year before (同比).
    previous: Decimal | None = None
    year_ago: Decimal | None = None

    @property
    def rate(self) -> Decimal | None:
        return achievement(self.actual, self.target)

    @property
    def comparison(self) -> KpiComparison:
        """The cell as the team totals compare theirs: the same KpiComparison, so the same rule
        (no figure or a zero before, no change)."""
        return KpiComparison(
            KpiTotal(self.kpi, self.target, self.actual),
            KpiTotal(self.kpi, None, self.previous),
            KpiTotal(self.kpi, None, self.year_ago),
        )

    @property
    def change(self) -> Decimal | None:
        return self.comparison.change

    @property
    def change_on_year(self) -> Decimal | None:
        return self.comparison.change_on_year


@dataclass
class MemberRow:
    member: User
    team: Team
    cells: list[Cell] = field(default_factory=list)
    spark: str = ""
    is_flagged: bool = False


@dataclass
class ActivityRow:
    member: User
    counts: list[int]

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass
class ActivityTable:
    """Sales log entries by type for each member of the period, with the column totals."""

    kinds: list[tuple[str, str]]
    rows: list[ActivityRow]

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.kinds))]

    @property
    def total(self) -> int:
        return sum(self.totals)


@dataclass
class Dashboard:
    team: Team
    start: datetime.date
    end: datetime.date
    previous_start: datetime.date
    previous_end: datetime.date
    primary: KPI | None
    totals: list[KpiComparison]
    discipline: Discipline
    trends: list[dict]
    members: list[MemberRow]
    activity: ActivityTable | None = None
    problems: problem_analysis.ProblemOverview | None = None
    problem_chart: str = ""
    year_ago_start: datetime.date | None = None
    year_ago_end: datetime.date | None = None

    @property
    def has_year_ago(self) -> bool:
        return any(total.year_ago is not None and total.year_ago.actual is not None for total in self.totals)


def weeks_between(team_settings: TeamSettings, start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The reporting weeks that start within [start, end]."""
    week = team_settings.week_start_for(start)
    if week < start:
        week += datetime.timedelta(days=7)
    weeks = []
    while week <= end:
        weeks.append(week)
        week += datetime.timedelta(days=7)
    return weeks


def roster_weeks(team_settings: TeamSettings, weeks: list[datetime.date]) -> list[datetime.date]:
    """The period's weeks that have begun: later ones expect nothing yet."""
    today = timezone.now().astimezone(team_settings.zone).date()
    return [week for week in weeks if week <= today]


def closed_weeks(
    team_settings: TeamSettings, weeks: list[datetime.date], calendar: WorkCalendar
) -> list[datetime.date]:
    """The weeks whose deadline (and grace period) has passed: "not yet due" has become "missing".
    The roster's deadline: moved to the working day before when it falls on a day off; a week
    entirely off expects nobody, so nothing in it changes with time."""
    now = timezone.now() - datetime.timedelta(minutes=team_settings.grace_minutes)
    deadlines = {week: effective_deadline(team_settings, week, calendar) for week in weeks}
    return [week for week, deadline in deadlines.items() if deadline is None or deadline <= now]


def _phase(team: Team, team_settings: TeamSettings, start: datetime.date, end: datetime.date) -> tuple[int, int]:
    """How far the period's weeks have come: the roster's states change only when this does."""
    weeks = weeks_between(team_settings, start, end)
    # The calendar is kept like the figures: a day off entered or removed replaces every version.
    calendar = kept_calendar_for(team)
    return len(roster_weeks(team_settings, weeks)), len(closed_weeks(team_settings, weeks, calendar))


def cached_build(
    team: Team, team_settings: TeamSettings, start: datetime.date, end: datetime.date, primary: KPI | None
) -> Dashboard:
    """build(), from the cache while nothing in the subtree has changed (teams.versions). The
    number of closed weeks is part of the key, so a deadline passing changes the discipline."""
    what = ("dashboard", *cache_key(team, team_settings, start, end, primary))
    return versions.cached(team, what, lambda: build(team, team_settings, start, end, primary))


def header_of(board: Dashboard) -> Dashboard:
    """The dashboard without its members, trends, activity and problems: what the page draws
    around them (its period, discipline and totals), kept beside those parts drawn as HTML. Read
    back from the cache, the whole dashboard took 2.0 ms (its people and teams as model
    instances), this 0.04 ms."""
    return dataclasses.replace(board, members=[], trends=[], activity=None, problems=None, problem_chart="")


def cached_flagged_members(
    team: Team, team_settings: TeamSettings, start: datetime.date, end: datetime.date, primary: KPI | None
) -> list[MemberRow]:
    """cached_build()'s flagged members (a manager's home lists them), kept on their own under the
    same key, so a page that shows only them does not read the whole dashboard back."""
    what = ("flagged-members", *cache_key(team, team_settings, start, end, primary))
    return versions.cached(
        team,
        what,
        lambda: [row for row in cached_build(team, team_settings, start, end, primary).members if row.is_flagged],
    )


def cache_key(
    team: Team, team_settings: TeamSettings, start: datetime.date, end: datetime.date, primary: KPI | None
) -> tuple:
    """What a dashboard's figures depend on besides the subtree's data version."""
    return (start, end, getattr(primary, "pk", None), *_phase(team, team_settings, start, end))


def build(
    team: Team, team_settings: TeamSettings, start: datetime.date, end: datetime.date, primary: KPI | None
) -> Dashboard:
    previous_start, previous_end = previous_period(start, end)
    year_ago_start, year_ago_end = year_before(start, end)
    trend_start = team_settings.week_start_for(end) - datetime.timedelta(weeks=TREND_WEEKS - 1)
    # One series over all three ranges (this period, the one before, the trend), cut up here.
    series = kpi_series(start=min(previous_start, trend_start), end=end, team=team)
    current = series.within(start, end)
    previous = series.within(previous_start, previous_end)
    trend = series.within(trend_start, end)
    year_ago = kpi_series(start=year_ago_start, end=year_ago_end, team=team)
    weeks = weeks_between(team_settings, start, end)
    kpis = current.kpis or trend.kpis
    primary = primary or (kpis[0] if kpis else None)

    discipline = Discipline.of(roster.roster_of(team, roster_weeks(team_settings, weeks)).counts())
    members = _members(
        team,
        weeks,
        kpis,
        primary,
        start,
        end,
        previous_weeks=weeks_between(team_settings, previous_start, previous_end),
        year_ago_weeks=weeks_between(team_settings, year_ago_start, year_ago_end),
    )
    activity = _activity(team, [row.member for row in members], start, end)
    problems = problem_analysis.overview(team, start, end)
    return Dashboard(
        team=team,
        start=start,
        end=end,
        previous_start=previous_start,
        previous_end=previous_end,
        primary=primary,
        totals=[KpiComparison(current.total(kpi), previous.total(kpi), year_ago.total(kpi)) for kpi in kpis],
        year_ago_start=year_ago_start,
        year_ago_end=year_ago_end,
        discipline=discipline,
        trends=[
            {
                "kpi": kpi,
                "chart": charts.line_chart(
                    kpi.name, [f"{w:%m-%d}" for w in trend.weeks], trend.actuals(kpi), trend.targets(kpi)
                ),
                "rows": list(zip(trend.weeks, trend.targets(kpi), trend.actuals(kpi), strict=True)),
            }
            for kpi in kpis
        ],
        members=members,
        activity=activity,
        problems=problems,
        problem_chart=charts.bar_chart(
            _("Problems by category"),
            [
                charts.Bar(str(row.category or _("Uncategorised")), Decimal(row.count), None)
                for row in problems.categories
            ],
        )
        if problems.categories
        else "",
    )


def _activity(team: Team, members: list[User], start: datetime.date, end: datetime.date) -> ActivityTable:
    """How many visits, calls, quotes… each member logged in the subtree during the period."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Activity.objects.filter(access.in_subtrees((team.path,)), occurred_on__range=(start, end))
        .values("author_id", "kind")
        .annotate(n=Count("pk"))
    ):
        counts[row["author_id"]][row["kind"]] = row["n"]
    kinds = list(Activity.Kind.choices)
    return ActivityTable(
        kinds=kinds,
        rows=[ActivityRow(member, [counts[member.pk].get(kind, 0) for kind, _label in kinds]) for member in members],
    )


def _members(team, weeks, kpis, primary, start, end, *, previous_weeks=(), year_ago_weeks=()) -> list[MemberRow]:
    """Each member's KPIs for the period: what they reported in this subtree, against the targets
    of the weeks they were in it (someone who moved counts where they were that week). Everyone
    who was a salesperson here, wrote a report here or had a target here is a row, so the rows
    add up to the team's totals. Beside each figure, what the member reported here in the
    previous period and a year before (read in the same query)."""
    actual = {
        (row["report__author_id"], row["kpi_id"], row["report__week_start"]): row["total"]
        for row in KpiValue.objects.filter(
            access.in_subtrees((team.path,), prefix="report__team__"),
            report__week_start__in=[*weeks, *previous_weeks, *year_ago_weeks],
        )
        .exclude(report__status=WeeklyReport.Status.DRAFT)
        .values("report__author_id", "kpi_id", "report__week_start")
        .annotate(total=Sum("actual"))
    }
    targets = roster.member_targets(paths=(team.path,), start=start, end=end)
    target = {(t.member_id, t.kpi_id, t.week): t.value for t in targets}
    this_period = set(weeks)
    people = {key[0] for key in actual if key[2] in this_period} | {t.member_id for t in targets}
    memberships = list(
        Membership.objects.filter(
            Q(access.in_subtrees((team.path,)), role=Membership.Role.SALESPERSON, started_on__lte=end)
            & (Q(ended_on__isnull=True) | Q(ended_on__gt=start))
            | Q(user_id__in=people)
        ).select_related("user", "team")
    )
    latest = {}  # each person's latest membership in the subtree, else their latest at all
    for membership in sorted(memberships, key=lambda m: (m.team.path.startswith(team.path), m.started_on)):
        latest[membership.user_id] = membership
    rows = []
    for user_id, current in latest.items():
        row = MemberRow(member=current.user, team=current.team)
        for kpi in kpis:
            actuals = [actual.get((user_id, kpi.pk, w)) for w in weeks]
            weekly_targets = [target.get((user_id, kpi.pk, w)) for w in weeks]
            row.cells.append(
                Cell(
                    kpi,
                    combine(kpi, actuals),
                    combine(kpi, weekly_targets),
                    previous=combine(kpi, [actual.get((user_id, kpi.pk, w)) for w in previous_weeks]),
                    year_ago=combine(kpi, [actual.get((user_id, kpi.pk, w)) for w in year_ago_weeks]),
                )
            )
            if kpi == primary:
                row.spark = charts.sparkline(f"{current.user} · {kpi.name}", actuals)
                rates = [achievement(a, t) for a, t in zip(actuals, weekly_targets, strict=True)]
                row.is_flagged = _below_running(rates)
        rows.append(row)
    for index, kpi in enumerate(kpis):
        _rank([row.cells[index] for row in rows], higher_is_better=kpi.is_higher_better)
    primary_index = kpis.index(primary) if primary in kpis else 0
    rows.sort(key=lambda row: (row.cells[primary_index].rank or 10**6, str(row.member)) if row.cells else (0, ""))
    return rows


def _below_running(rates: list[Decimal | None]) -> bool:
    """Under the threshold for FLAG_WEEKS weeks in a row."""
    run = 0
    for rate in rates:
        run = run + 1 if rate is not None and rate < FLAG_BELOW else 0
        if run >= FLAG_WEEKS:
            return True
    return False


def _rank(cells: list[Cell], *, higher_is_better: bool) -> None:
    """1 for the best; equal values share a rank; no value, no rank."""
    known = sorted({c.actual for c in cells if c.actual is not None}, reverse=higher_is_better)
    places, place = {}, 1
    for value in known:
        places[value] = place
        place += sum(1 for c in cells if c.actual == value)
    for cell in cells:
        cell.rank = places.get(cell.actual)


# One member ----------------------------------------------------------------------------------------


@dataclass
class MemberHistory:
    member: User
    start: datetime.date
    end: datetime.date
    kpis: list[dict]
    reports: list[WeeklyReport]
    goals: list[dict]

    @property
    def on_time(self) -> int:
        return sum(1 for r in self.reports if r.submitted_at and not r.is_late)

    @property
    def late(self) -> int:
        return sum(1 for r in self.reports if r.is_late)


def member_history(
    member: User,
    start: datetime.date,
    end: datetime.date,
    *,
    within: Team | None = None,
    readable: QuerySet[WeeklyReport] | None = None,
) -> MemberHistory:
    """A person's weeks: each KPI against target with a chart, the submission record, and the goals
    managers set with what the next report said about them; with `within`, only what they wrote in
    that subtree (teams.access.member_reach()), and of `readable` (the reader's
    reports.access.visible_reports(), which leaves others' drafts out) only. A fixed number of
    queries."""
    series = kpi_series(start=start, end=end, member=member, team=within)
    labels = [f"{w:%m-%d}" for w in series.weeks]
    kpis = [
        {
            "kpi": kpi,
            "total": series.total(kpi),
            "chart": charts.line_chart(kpi.name, labels, series.actuals(kpi), series.targets(kpi)),
            "rows": list(zip(series.weeks, series.targets(kpi), series.actuals(kpi), strict=True)),
        }
        for kpi in series.kpis
    ]
    written = Q(author=member) if within is None else Q(author=member) & access.in_subtrees((within.path,))
    in_reach = (WeeklyReport.objects.all() if readable is None else readable).filter(written)
    reports = list(in_reach.filter(week_start__range=(start, end)).select_related("team").order_by("-week_start"))
    in_reach = in_reach.values("pk")
    answers = {
        review.goal_id: review
        for review in PlanReview.objects.filter(goal__feedback__report__in=in_reach, report__in=in_reach)
    }
    goals = [
        {"goal": goal, "answer": answers.get(goal.pk)}
        for goal in FeedbackGoal.objects.filter(
            feedback__report__in=in_reach, feedback__report__week_start__range=(start, end)
        )
        .select_related("feedback__report", "feedback__reviewer")
        .order_by("-feedback__report__week_start", "position")
    ]
    return MemberHistory(member, start, end, kpis, reports, goals)


# Teams side by side --------------------------------------------------------------------------------


@dataclass
class TeamColumn:
    team: Team
    totals: list[KpiTotal]
    discipline: Discipline
    # Each total beside the team's previous period (环比) and the same period a year before (同比).
    comparisons: list[KpiComparison] = field(default_factory=list)


def cached_compare(
    node: Team, team_settings: TeamSettings, start: datetime.date, end: datetime.date
) -> list[TeamColumn]:
    """compare(), from the cache while nothing under `node` has changed (teams.versions)."""
    what = ("compare", start, end, *_phase(node, team_settings, start, end))
    return versions.cached(node, what, lambda: compare(node, team_settings, start, end))


def compare(node: Team, team_settings: TeamSettings, start: datetime.date, end: datetime.date) -> list[TeamColumn]:
    """The teams directly under `node` (each with its own subtree) side by side for a period: the
    same KPIs, targets, rates and submission discipline. Grouped queries: the cost does not grow
    with the number of teams. Each figure comes with the previous period's and the year before's
    (summaries.rollups.previous_period, year_before), read in the same query."""
    children = list(Team.objects.filter(parent=node, is_active=True).order_by("name"))
    if not children:
        children = [node]
    owner = {}  # a team path's column: the child whose subtree holds it

    def column_of(path: str) -> int | None:
        if path not in owner:
            owner[path] = next((c.pk for c in children if path.startswith(c.path)), None)
        return owner[path]

    weeks = weeks_between(team_settings, start, end)
    previous_weeks = weeks_between(team_settings, *previous_period(start, end))
    year_ago_weeks = weeks_between(team_settings, *year_before(start, end))
    sums = defaultdict(lambda: [Decimal(0), 0])  # (column, kpi, week) -> [sum, count]
    for row in (
        KpiValue.objects.filter(
            access.in_subtrees((node.path,), prefix="report__team__"),
            report__week_start__in=[*weeks, *previous_weeks, *year_ago_weeks],
            actual__isnull=False,
        )
        .exclude(report__status=WeeklyReport.Status.DRAFT)
        .values("report__team__path", "kpi_id", "report__week_start")
        .annotate(total=Sum("actual"), n=Count("pk"))
    ):
        cell = sums[(column_of(row["report__team__path"]), row["kpi_id"], row["report__week_start"])]
        cell[0] += row["total"]
        cell[1] += row["n"]
    # A target belongs to the team its member was in that week (reports.roster's one rule).
    goals = defaultdict(list)
    for t in roster.member_targets(paths=(node.path,), start=start, end=end):
        if t.week in weeks:
            goals[(column_of(t.team.path), t.kpi_id, t.week)].append(t.value)
    this_period = set(weeks)
    kpi_ids = {key[1] for key in sums if key[2] in this_period} | {key[1] for key in goals}
    kpis = list(KPI.objects.filter(pk__in=kpi_ids).order_by("position", "pk"))

    def weekly(column, kpi, weeks=weeks):
        values = []
        for week in weeks:
            total, n = sums.get((column, kpi.pk, week), (None, 0))
            values.append(None if not n else total if kpi.aggregation == KPI.Aggregation.SUM else total / n)
        return values

    def weekly_targets(column, kpi):
        return [roster.add_people(kpi, goals.get((column, kpi.pk, week), [])) for week in weeks]

    people = roster.Roster(paths=(node.path,), weeks=roster_weeks(team_settings, weeks))
    columns = []
    for child in children:
        totals = [
            KpiTotal(kpi, combine(kpi, weekly_targets(child.pk, kpi)), combine(kpi, weekly(child.pk, kpi)))
            for kpi in kpis
        ]
        columns.append(
            TeamColumn(
                team=child,
                totals=totals,
                discipline=Discipline.of(people.counts(under=child.path)),
                comparisons=[
                    KpiComparison(
                        total,
                        KpiTotal(total.kpi, None, combine(total.kpi, weekly(child.pk, total.kpi, previous_weeks))),
                        KpiTotal(total.kpi, None, combine(total.kpi, weekly(child.pk, total.kpi, year_ago_weeks))),
                    )
                    for total in totals
                ],
            )
        )
    return columns
