"""What the summaries say, computed with database aggregation and a fixed number of queries
whatever the number of members: a team's week, and a member's or team's month or quarter
(target vs actual with deviation, customer development, problems, lessons, action plan)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, Max, Min, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from reports import roster
from reports import services as report_services
from reports.models import KPI, KpiValue, PlanItem, PlanReview, Problem, Target, WeeklyReport
from reviews.models import Feedback, FeedbackGoal
from summaries import charts
from summaries.problems import category_counts
from teams import access
from teams.models import Team, User


@dataclass
class KpiTotal:
    kpi: KPI
    target: Decimal | None
    actual: Decimal | None

    @property
    def rate(self) -> Decimal | None:
        return report_services.achievement(self.actual, self.target)

    @property
    def deviation(self) -> Decimal | None:
        if self.actual is None or self.target is None:
            return None
        return self.actual - self.target


@dataclass
class MemberWeek:
    member: User
    team: Team
    report: WeeklyReport | None
    status: str  # a roster.State
    values: list[KpiTotal] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return roster.State(self.status).label


@dataclass
class TeamWeek:
    team: Team
    week: datetime.date
    kpis: list[KPI]
    totals: list[KpiTotal]
    members: list[MemberWeek]
    feedback: list[Feedback]
    counts: roster.Counts
    chart: str = ""

    @property
    def week_end(self) -> datetime.date:
        return self.week + datetime.timedelta(days=6)


def _kpis_of(team: Team, values, targets) -> list[KPI]:
    """The KPIs the week's reports have, else those with targets, else the team template's."""
    if values:
        kpis = {v.kpi_id: v.kpi for v in values}
        return sorted(kpis.values(), key=lambda kpi: (kpi.position, kpi.pk))
    if targets:
        return list(KPI.objects.filter(pk__in={t.kpi_id for t in targets}).order_by("position", "pk"))
    return list(report_services.template_version_for(team).kpis.order_by("templatekpi"))


def team_week(team: Team, week: datetime.date, now: datetime.datetime | None = None) -> TeamWeek:
    """The weekly summary of a team and the teams below it: the week's roster (reports.roster), each
    person's KPIs against their target, and team totals that are the member rows added up."""
    people = roster.roster_of(team, [week], now)
    targets = roster.member_targets(paths=(team.path,), start=week, end=week)
    reports = {
        r.pk: r
        for r in WeeklyReport.objects.filter(pk__in=[e.report.pk for e in people.entries if e.report])
        .select_related("author", "team")
        .prefetch_related(
            Prefetch("kpi_values", queryset=KpiValue.objects.select_related("kpi")),
            "problems",
            "plan_items",
        )
    }
    kpis = _kpis_of(team, [v for r in reports.values() for v in r.kpi_values.all()] or None, targets)
    target_of = {(t.member_id, t.kpi_id): t.value for t in targets}
    rows = [(e.member, e.team, reports.get(e.report.pk) if e.report else None, e.state) for e in people.entries]
    listed = {e.member.pk for e in people.entries}
    extra = {t.member_id: t.team for t in targets if t.member_id not in listed}  # e.g. a manager with targets
    for user in User.objects.filter(pk__in=extra):
        rows.append((user, extra[user.pk], None, roster.State.NOT_EXPECTED))
    members = []
    for user, member_team, report, state in rows:
        # The roster holds submitted reports only: a draft is its author's until submitted.
        values = {v.kpi_id: v.actual for v in report.kpi_values.all()} if report else {}
        members.append(
            MemberWeek(
                member=user,
                team=member_team,
                report=report,
                status=state,
                values=[KpiTotal(kpi, target_of.get((user.pk, kpi.pk)), values.get(kpi.pk)) for kpi in kpis],
            )
        )
    members.sort(key=lambda row: (row.team.path, str(row.member), row.member.pk))
    totals = [
        KpiTotal(
            kpi,
            roster.add_people(kpi, [row.values[i].target for row in members]),
            roster.add_people(kpi, [row.values[i].actual for row in members]),
        )
        for i, kpi in enumerate(kpis)
    ]
    feedback = list(
        Feedback.objects.filter(report__in=list(reports))
        .select_related("reviewer", "report__author")
        .prefetch_related("goals")
        .order_by("report__author__display_name")
    )
    summary = TeamWeek(team, week, kpis, totals, members, feedback, people.counts())
    if kpis:
        first = kpis[0]
        summary.chart = charts.bar_chart(
            first.name,
            [charts.Bar(str(row.member), row.values[0].actual, row.values[0].target) for row in members],
        )
    return summary


# Months and quarters ---------------------------------------------------------------------------------


@dataclass
class Period:
    """A member's or a team's month or quarter, in the structure of a work summary."""

    title: str
    start: datetime.date
    end: datetime.date
    weeks: list[datetime.date]
    team: Team | None
    member: User | None
    kpis: list[KpiTotal]
    # The KPIs beside the previous period (环比) and the same period a year before (同比).
    comparisons: list["KpiComparison"]
    trends: list[dict]
    submitted: int
    late: int
    customers: list[dict]
    problems: list[dict]
    problem_categories: list
    lessons: list[Feedback]
    action_plan: list[PlanItem]
    goals: list[FeedbackGoal]
    plan_total: int
    plan_done: int

    @property
    def plan_completion(self) -> Decimal | None:
        return report_services.achievement(Decimal(self.plan_done), Decimal(self.plan_total))


TOP_PROBLEMS = 20


def period_title(subject, start: datetime.date, end: datetime.date) -> str:
    return _("%(who)s: %(start)s – %(end)s") % {"who": subject, "start": f"{start:%Y-%m-%d}", "end": f"{end:%Y-%m-%d}"}


def period_bounds(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month, quarter or year containing `day`: first and last day."""
    if kind == "year":
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    if kind == "month":
        start = day.replace(day=1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
    else:
        start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        following = (start + datetime.timedelta(days=95)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


def _is(kind: str, start: datetime.date, end: datetime.date) -> bool:
    return (start, end) == period_bounds(kind, start)


def previous_period(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """What a period is compared with period-over-period (环比): the previous calendar month for a
    month (October for November, though it has a day more), the previous quarter for a quarter,
    the previous year for a year, otherwise the same number of days just before."""
    before = start - datetime.timedelta(days=1)
    for kind in ("month", "quarter", "year"):
        if _is(kind, start, end):
            return period_bounds(kind, before)
    return before - (end - start), before


def year_before(start: datetime.date, end: datetime.date) -> tuple[datetime.date, datetime.date]:
    """What a period is compared with year-over-year (同比): the same month, quarter or year a year
    earlier, else the same weekdays 52 weeks before (so a reporting week lines up with one)."""
    for kind in ("month", "quarter", "year"):
        if _is(kind, start, end):
            return period_bounds(kind, start.replace(year=start.year - 1, day=1))
    return start - datetime.timedelta(weeks=52), end - datetime.timedelta(weeks=52)


@dataclass
class KpiComparison:
    """A KPI's figures for a period beside the previous period's (环比) and a year before (同比)."""

    current: KpiTotal
    previous: KpiTotal
    year_ago: KpiTotal | None = None

    @property
    def kpi(self) -> KPI:
        return self.current.kpi

    @property
    def change(self) -> Decimal | None:
        """Relative change of the actual against the previous period (+0.12 = 12 % more)."""
        if self.current.actual is None or not self.previous.actual:
            return None
        return self.current.actual / self.previous.actual - 1

    @property
    def change_on_year(self) -> Decimal | None:
        """Relative change of the actual against the same period a year before."""
        if self.current.actual is None or self.year_ago is None or not self.year_ago.actual:
            return None
        return self.current.actual / self.year_ago.actual - 1


def compare(
    *, start: datetime.date, end: datetime.date, current: "KpiSeries", team: Team | None, member: User | None
) -> list[KpiComparison]:
    """Each KPI of `current` beside the previous period and the same period a year before, from
    the same roll-up (kpi_series)."""
    previous_start, previous_end = previous_period(start, end)
    previous = kpi_series(start=previous_start, end=previous_end, team=team, member=member)
    year_ago_start, year_ago_end = year_before(start, end)
    year_ago = kpi_series(start=year_ago_start, end=year_ago_end, team=team, member=member)
    return [KpiComparison(current.total(kpi), previous.total(kpi), year_ago.total(kpi)) for kpi in current.kpis]


@dataclass
class KpiSeries:
    """Weekly actuals and targets per KPI for a member or a team subtree, as the database added
    them up: for a team, sums per week for "sum" KPIs and averages over people otherwise."""

    kpis: list[KPI]
    weeks: list[datetime.date]
    actual: dict[tuple[int, datetime.date], Decimal]
    target: dict[tuple[int, datetime.date], Decimal]

    def actuals(self, kpi: KPI) -> list[Decimal | None]:
        return [self.actual.get((kpi.pk, week)) for week in self.weeks]

    def targets(self, kpi: KPI) -> list[Decimal | None]:
        return [self.target.get((kpi.pk, week)) for week in self.weeks]

    def within(self, start: datetime.date, end: datetime.date) -> "KpiSeries":
        """The same series cut to the weeks starting within [start, end], as kpi_series() over
        that range would have added them up (and with the KPIs that have a figure there)."""
        actual = {key: value for key, value in self.actual.items() if start <= key[1] <= end}
        target = {key: value for key, value in self.target.items() if start <= key[1] <= end}
        kpi_ids = {key[0] for key in actual} | {key[0] for key in target}
        weeks = sorted({key[1] for key in actual} | {key[1] for key in target})
        return KpiSeries([kpi for kpi in self.kpis if kpi.pk in kpi_ids], weeks, actual, target)

    def total(self, kpi: KPI) -> KpiTotal:
        """The period's figure: sums add up, averages average over the weeks, "latest" KPIs take
        the last week's value."""
        return KpiTotal(kpi, combine(kpi, self.targets(kpi)), combine(kpi, self.actuals(kpi)))


def _scope(team: Team | None, member: User | None) -> Q:
    """Which reports belong to a member or a team subtree: reports by the team they were written in.
    With both, the member's reports written within the subtree (teams.access.member_reach())."""
    if team is None:
        return Q(author=member)
    in_team = access.in_subtrees((team.path,))
    return in_team if member is None else in_team & Q(author=member)


def kpi_series(
    *, start: datetime.date, end: datetime.date, team: Team | None = None, member: User | None = None
) -> KpiSeries:
    """The submitted weeks starting within [start, end]. A member's own targets; a team's target
    is reports.roster's (its members' targets of the weeks they were in the subtree)."""
    reports = WeeklyReport.objects.filter(_scope(team, member), week_start__range=(start, end)).exclude(
        status=WeeklyReport.Status.DRAFT
    )
    actual_rows = list(
        KpiValue.objects.filter(report__in=reports)
        .values("kpi_id", "kpi__aggregation", "report__week_start")
        .annotate(total=Sum("actual"), average=Avg("actual"))
    )
    # All KPIs (a handful) read once: the same one query whether the period has data or not.
    all_kpis = {kpi.pk: kpi for kpi in KPI.objects.order_by("position", "pk")}

    def pick(row) -> Decimal | None:
        use = "total" if member is not None or row["kpi__aggregation"] == KPI.Aggregation.SUM else "average"
        return None if row[use] is None else Decimal(row[use])

    actual = {(row["kpi_id"], row["report__week_start"]): pick(row) for row in actual_rows}
    if team is None:
        target = {
            (kpi_id, week): value
            for kpi_id, week, value in Target.objects.filter(member=member, week_start__range=(start, end)).values_list(
                "kpi_id", "week_start", "value"
            )
        }
    else:
        targets = roster.member_targets(paths=(team.path,), start=start, end=end)
        if member is not None:  # the member's targets of the weeks they were in the subtree
            targets = [t for t in targets if t.member_id == member.pk]
        target = roster.team_targets(targets, all_kpis)
    kpi_ids = {key[0] for key in actual} | {key[0] for key in target}
    kpis = [kpi for kpi in all_kpis.values() if kpi.pk in kpi_ids]
    weeks = sorted({key[1] for key in actual} | {key[1] for key in target})
    return KpiSeries(kpis, weeks, actual, target)


def period(
    *, start: datetime.date, end: datetime.date, title: str, team: Team | None = None, member: User | None = None
):
    """A summary of the reporting weeks that start within [start, end], for one member or a team
    subtree (or one member's reports written within a team subtree), in the structure of a work
    summary."""
    reports: QuerySet[WeeklyReport] = WeeklyReport.objects.filter(
        _scope(team, member), week_start__range=(start, end)
    ).exclude(status=WeeklyReport.Status.DRAFT)
    series = kpi_series(start=start, end=end, team=team, member=member)
    weeks = series.weeks
    totals, trends = [], []
    for kpi in series.kpis:
        actual, target = series.actuals(kpi), series.targets(kpi)
        totals.append(series.total(kpi))
        trends.append(
            {
                "kpi": kpi,
                "chart": charts.line_chart(kpi.name, [f"{w:%m-%d}" for w in weeks], actual, target),
                "rows": list(zip(weeks, target, actual, strict=True)),
            }
        )
    counts = reports.aggregate(submitted=Count("pk"), late=Count("pk", filter=Q(late_by__isnull=False)))
    plan = PlanReview.objects.filter(report__in=reports, plan_item__isnull=False).aggregate(
        total=Count("pk", filter=~Q(outcome="")), done=Count("pk", filter=Q(outcome=PlanReview.Outcome.DONE))
    )
    last_week = reports.order_by("-week_start").values_list("week_start", flat=True).first()
    return Period(
        title=title,
        start=start,
        end=end,
        weeks=weeks,
        team=team,
        member=member,
        kpis=totals,
        comparisons=compare(start=start, end=end, current=series, team=team, member=member),
        trends=trends,
        submitted=counts["submitted"],
        late=counts["late"],
        customers=list(
            PlanItem.objects.filter(report__in=reports)
            .exclude(customer="")
            .values("customer")
            .annotate(mentions=Count("pk"))
            .order_by("-mentions", "customer")[:20]
        ),
        problems=list(
            Problem.objects.filter(report__in=reports)
            .values("problem")
            .annotate(
                times=Count("pk"),
                people=Count("report__author", distinct=True),
                first=Min("report__week_start"),
                last=Max("report__week_start"),
                help_needed=Max("help_needed"),
            )
            .order_by("-times", "-last")[:TOP_PROBLEMS]
        ),
        problem_categories=category_counts(Problem.objects.filter(report__in=reports)),
        lessons=list(
            Feedback.objects.filter(report__in=reports)
            .exclude(suggestions="")
            .select_related("reviewer", "report__author")
            .order_by("report__week_start", "pk")
        ),
        action_plan=list(
            PlanItem.objects.filter(report__in=reports, report__week_start=last_week).select_related("report__author")
        ),
        goals=list(
            FeedbackGoal.objects.filter(
                feedback__report__in=reports, feedback__report__week_start=last_week
            ).select_related("feedback__report__author")
        ),
        plan_total=plan["total"],
        plan_done=plan["done"],
    )


def combine(kpi: KPI, weekly: list[Decimal | None]) -> Decimal | None:
    known = [value for value in weekly if value is not None]
    if not known:
        return None
    if kpi.aggregation == KPI.Aggregation.SUM:
        return sum(known, Decimal(0))
    if kpi.aggregation == KPI.Aggregation.AVERAGE:
        return (sum(known, Decimal(0)) / len(known)).quantize(Decimal("0.01"))
    return known[-1]
