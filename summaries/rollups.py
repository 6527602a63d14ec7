"""What the summaries say, computed with database aggregation and a fixed number of queries
whatever the number of members: a team's week, and a member's or team's month or quarter
(target vs actual with deviation, customer development, problems, lessons, action plan)."""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Avg, Count, F, Max, Min, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from reports import services as report_services
from reports.models import KPI, KpiValue, PlanItem, PlanReview, Problem, Target, WeeklyReport
from reviews.models import Feedback, FeedbackGoal
from summaries import charts
from teams.models import Membership, Team, User


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
    values: list[KpiTotal] = field(default_factory=list)

    @property
    def status(self) -> str:
        """on_time, late, returned, draft or missing."""
        if self.report is None:
            return "missing"
        if self.report.status == WeeklyReport.Status.DRAFT:
            return "draft"
        if self.report.status == WeeklyReport.Status.RETURNED:
            return "returned"
        return "late" if self.report.is_late else "on_time"


@dataclass
class TeamWeek:
    team: Team
    week: datetime.date
    kpis: list[KPI]
    totals: list[KpiTotal]
    members: list[MemberWeek]
    feedback: list[Feedback]
    chart: str = ""

    @property
    def week_end(self) -> datetime.date:
        return self.week + datetime.timedelta(days=6)

    @property
    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(("on_time", "late", "returned", "draft", "missing"), 0)
        for row in self.members:
            counts[row.status] += 1
        return counts


def _kpis_of(team: Team, values) -> list[KPI]:
    kpis = {v.kpi_id: v.kpi for v in values}
    if not kpis:
        return list(report_services.template_version_for(team).kpis.order_by("templatekpi"))
    return sorted(kpis.values(), key=lambda kpi: (kpi.position, kpi.pk))


def team_week(team: Team, week: datetime.date) -> TeamWeek:
    """The weekly summary of a team and the teams below it."""
    reports = list(
        WeeklyReport.objects.filter(team__path__startswith=team.path, week_start=week)
        .select_related("author", "team")
        .prefetch_related(
            Prefetch("kpi_values", queryset=KpiValue.objects.select_related("kpi")),
            "problems",
            "plan_items",
        )
        .order_by("team__path", "author__display_name")
    )
    by_author = {r.author_id: r for r in reports}
    memberships = (
        Membership.objects.active()
        .filter(team__path__startswith=team.path, role=Membership.Role.SALESPERSON, user__status=User.Status.ACTIVE)
        .select_related("user", "team")
        .order_by("team__path", "user__display_name")
    )
    people = {m.user_id: (m.user, m.team) for m in memberships}
    for report in reports:  # people who wrote here and moved or left still count this week
        people.setdefault(report.author_id, (report.author, report.team))
    kpis = _kpis_of(team, [v for r in reports for v in r.kpi_values.all()])
    targets = {
        (t["member_id"], t["kpi_id"]): t["value"]
        for t in Target.objects.filter(member_id__in=people, week_start=week).values("member_id", "kpi_id", "value")
    }
    members = []
    for user_id, (user, member_team) in people.items():
        report = by_author.get(user_id)
        # A draft is its author's until submitted: its status shows, its figures do not.
        shown = report is not None and report.status != WeeklyReport.Status.DRAFT
        values = {v.kpi_id: v for v in report.kpi_values.all()} if shown else {}
        members.append(
            MemberWeek(
                member=user,
                team=member_team,
                report=report,
                values=[
                    KpiTotal(
                        kpi,
                        values[kpi.pk].target if kpi.pk in values else targets.get((user_id, kpi.pk)),
                        values[kpi.pk].actual if kpi.pk in values else None,
                    )
                    for kpi in kpis
                ],
            )
        )
    submitted = [r for r in reports if r.status != WeeklyReport.Status.DRAFT]
    sums = {
        row["kpi_id"]: row
        for row in KpiValue.objects.filter(report__in=submitted)
        .values("kpi_id")
        .annotate(
            actual_sum=Sum("actual"), actual_avg=Avg("actual"), target_sum=Sum("target"), target_avg=Avg("target")
        )
    }
    totals = []
    for kpi in kpis:
        row = sums.get(kpi.pk, {})
        if kpi.aggregation == KPI.Aggregation.SUM:
            totals.append(KpiTotal(kpi, row.get("target_sum"), row.get("actual_sum")))
        else:  # averages (satisfaction) and latest values (pipeline) average over people
            totals.append(KpiTotal(kpi, _decimal(row.get("target_avg")), _decimal(row.get("actual_avg"))))
    feedback = list(
        Feedback.objects.filter(report__in=submitted)
        .select_related("reviewer", "report__author")
        .prefetch_related("goals")
        .order_by("report__author__display_name")
    )
    members.sort(key=lambda row: (row.team.path, str(row.member)))
    summary = TeamWeek(team, week, kpis, totals, members, feedback)
    if kpis:
        first = kpis[0]
        summary.chart = charts.bar_chart(
            first.name,
            [charts.Bar(str(row.member), row.values[0].actual, row.values[0].target) for row in members],
        )
    return summary


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(Decimal("0.01"))


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
    """The month or quarter containing `day`: first and last day."""
    if kind == "month":
        start = day.replace(day=1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
    else:
        start = datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
        following = (start + datetime.timedelta(days=95)).replace(day=1)
    return start, following - datetime.timedelta(days=1)


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


def _scopes(start, end, team: Team | None, member: User | None) -> tuple[Q, Q]:
    """Which reports and which targets belong to a member or a team subtree in [start, end]:
    reports by the team they were written in, targets of the weeks their member was in the
    subtree (someone who moved counts where they were that week). With both, the member's within
    the subtree (teams.access.member_reach()); a member alone, all of theirs."""
    if member is not None and team is None:
        return Q(author=member), Q(member=member)
    reports, targets = Q(team__path__startswith=team.path), in_subtree_that_week(team.path)
    if member is not None:
        return reports & Q(author=member), targets & Q(member=member)
    return reports, targets


def in_subtree_that_week(path: str) -> Q:
    """Targets whose member was in the subtree the week of the target, as a join through the
    member's memberships (used in one filter() call, so all of it is about the same membership).
    A join rather than EXISTS lets the planner start from the subtree's few memberships instead of
    every target of the period; memberships of one person never overlap, so no row counts twice."""
    return Q(
        Q(member__memberships__ended_on__isnull=True) | Q(member__memberships__ended_on__gt=F("week_start")),
        member__memberships__team__path__startswith=path,
        member__memberships__started_on__lte=F("week_start"),
    )


def kpi_series(
    *, start: datetime.date, end: datetime.date, team: Team | None = None, member: User | None = None
) -> KpiSeries:
    """The submitted weeks starting within [start, end]; three queries."""
    scope, target_scope = _scopes(start, end, team, member)
    reports = WeeklyReport.objects.filter(scope, week_start__range=(start, end)).exclude(
        status=WeeklyReport.Status.DRAFT
    )
    actual_rows = list(
        KpiValue.objects.filter(report__in=reports)
        .values("kpi_id", "kpi__aggregation", "report__week_start")
        .annotate(total=Sum("actual"), average=Avg("actual"))
    )
    target_rows = list(
        Target.objects.filter(target_scope, week_start__range=(start, end))
        .values("kpi_id", "kpi__aggregation", "week_start")
        .annotate(total=Sum("value"), average=Avg("value"))
    )

    def pick(row) -> Decimal | None:
        use = "total" if member is not None or row["kpi__aggregation"] == KPI.Aggregation.SUM else "average"
        return None if row[use] is None else Decimal(row[use])

    actual = {(row["kpi_id"], row["report__week_start"]): pick(row) for row in actual_rows}
    target = {(row["kpi_id"], row["week_start"]): pick(row) for row in target_rows}
    kpi_ids = {key[0] for key in actual} | {key[0] for key in target}
    # All KPIs (a handful) filtered here: the same one query whether the period has data or not.
    kpis = [kpi for kpi in KPI.objects.order_by("position", "pk") if kpi.pk in kpi_ids]
    weeks = sorted({key[1] for key in actual} | {key[1] for key in target})
    return KpiSeries(kpis, weeks, actual, target)


def period(
    *, start: datetime.date, end: datetime.date, title: str, team: Team | None = None, member: User | None = None
):
    """A summary of the reporting weeks that start within [start, end], for one member or a team
    subtree (or one member's reports written within a team subtree), in the structure of a work
    summary."""
    from insights.problems import category_counts  # insights builds on these roll-ups

    scope, _ = _scopes(start, end, team, member)
    reports: QuerySet[WeeklyReport] = WeeklyReport.objects.filter(scope, week_start__range=(start, end)).exclude(
        status=WeeklyReport.Status.DRAFT
    )
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
