"""What the pipeline pages, the weekly report's section, the PDF and the exports read: each
figure computed once, here, in the database, with a fixed number of queries whatever the size
of the pipeline."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db.models import Avg, Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum

from audit.models import AuditEntry
from customers.models import Customer
from pipeline.models import CloseDateChange, Forecast, LeadSource, Opportunity, Stage, StageChange
from reports import roster
from reports.models import KPI
from teams import versions
from teams.models import Membership, Team, User

ZERO = Decimal(0)
CENT = Decimal("0.01")


# The weekly report's section ---------------------------------------------------------------------


def week_changes(*, owner_id: int, start: datetime.date, end: datetime.date) -> dict[str, list]:
    """What moved in the owner's pipeline between `start` and `end`: opportunities created,
    advanced to a later stage, won, lost, and those whose close date slipped. Three queries."""
    changes: dict[str, list] = {"new": [], "advanced": [], "won": [], "lost": [], "slipped": []}
    moves = (
        StageChange.objects.filter(opportunity__customer__owner_id=owner_id, changed_on__range=(start, end))
        .select_related("opportunity__customer", "from_stage", "to_stage")
        .order_by("changed_on", "pk")
    )
    for move in moves:
        if move.from_stage is None:
            changes["new"].append(move)
        elif move.to_stage.is_won:
            changes["won"].append(move)
        elif move.to_stage.is_lost:
            changes["lost"].append(move)
        elif move.to_stage.position > move.from_stage.position:
            changes["advanced"].append(move)
    slips = (
        CloseDateChange.objects.filter(
            opportunity__customer__owner_id=owner_id, changed_on__range=(start, end), to_on__gt=F("from_on")
        )
        .select_related("opportunity__customer")
        .order_by("changed_on", "pk")
    )
    changes["slipped"] = list(slips)
    return changes


def has_pipeline(owner_id: int) -> bool:
    """Whether the person owns any opportunity (the weekly report then shows the section)."""
    return Opportunity.objects.filter(customer__owner_id=owner_id).exists()


# Members -----------------------------------------------------------------------------------------


def members_of(team: Team) -> list[User]:
    """The people now in the team's subtree who sell (salespeople and managers). One query."""
    memberships = Membership.objects.active().filter(
        team__path__startswith=team.path, role__in=[Membership.Role.SALESPERSON, Membership.Role.MANAGER]
    )
    return list(User.objects.filter(pk__in=memberships.values("user_id")).order_by("display_name", "username"))


# Forecast ----------------------------------------------------------------------------------------


def member_figures(
    *, owner_ids: list[int], start: datetime.date, end: datetime.date
) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """{owner: (won in the period, probability-weighted open pipeline expected to close by its
    end, the same unweighted)}. Two queries."""
    figures: dict[int, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
    # The won ones counted by a filter on the closed ones rather than by a join condition: closed
    # opportunities are mostly won or lost, which the planner cannot know, and it then probed the
    # customers once per won opportunity of the whole company (8.6 ms instead of 2.9 for a team).
    won = (
        Opportunity.objects.filter(customer__owner_id__in=owner_ids, closed_on__range=(start, end))
        .values("customer__owner_id")
        .annotate(total=Sum("amount", filter=Q(stage__is_won=True)))
    )
    for row in won:
        figures[row["customer__owner_id"]][0] = row["total"] or ZERO
    pipeline = (
        Opportunity.objects.open()
        .filter(customer__owner_id__in=owner_ids, expected_close_on__lte=end)
        .values("customer__owner_id")
        .annotate(
            weighted=Sum(F("amount") * F("stage__probability"), output_field=DecimalField()),
            total=Sum("amount"),
        )
    )
    for row in pipeline:
        weighted = Decimal(str(row["weighted"] or 0)) / 100
        figures[row["customer__owner_id"]][1] = weighted.quantize(CENT)
        figures[row["customer__owner_id"]][2] = row["total"] or ZERO
    return {owner: (won, weighted, total) for owner, (won, weighted, total) in figures.items()}


def sales_kpi() -> KPI | None:
    """The KPI whose target the forecast is measured against: the amount of contracts signed."""
    return KPI.objects.filter(log_source=KPI.LogSource.CONTRACT_AMOUNT, is_active=True).order_by("position").first()


@dataclass
class ForecastRow:
    member: User | None  # None: the team's total
    won: Decimal = ZERO
    weighted: Decimal = ZERO
    pipeline: Decimal = ZERO
    commit: Decimal | None = None
    best_case: Decimal | None = None
    target: Decimal | None = None
    frozen: Decimal | None = None  # the forecast frozen at the period's end

    @property
    def forecast(self) -> Decimal:
        return self.won + self.weighted

    @property
    def attainment(self) -> Decimal | None:
        return self.forecast / self.target if self.target else None

    @property
    def accuracy(self) -> Decimal | None:
        """Actual won against the forecast frozen at the period's end: 1 is spot on."""
        return self.won / self.frozen if self.frozen else None


@dataclass
class ForecastTable:
    start: datetime.date
    end: datetime.date
    is_closed: bool
    rows: list[ForecastRow] = field(default_factory=list)
    total: ForecastRow = field(default_factory=lambda: ForecastRow(member=None))


def forecasts_of(*, members: list[User], period: str, start: datetime.date) -> dict[int, Forecast]:
    """The members' forecasts of the month or quarter beginning `start`, by member. One query."""
    ids = [member.pk for member in members]
    return {f.member_id: f for f in Forecast.objects.filter(member_id__in=ids, period=period, period_start=start)}


def forecast_table(
    *, team: Team, members: list[User], period: str, start: datetime.date, end: datetime.date, today: datetime.date
) -> ForecastTable:
    """Per member and for the team: won, weighted pipeline, the manager's commit and best case,
    and the target (the sales-amount KPI's, from reports.roster); once the period has closed,
    the forecast frozen at its end. Seven queries."""
    ids = [member.pk for member in members]
    figures = member_figures(owner_ids=ids, start=start, end=end)
    forecasts = forecasts_of(members=members, period=period, start=start)
    kpi = sales_kpi()
    targets: dict[int, Decimal] = defaultdict(Decimal)
    if kpi is not None:
        for target in roster.member_targets(paths=(team.path,), start=start, end=end, kpi_ids=[kpi.pk]):
            targets[target.member_id] += target.value
    table = ForecastTable(start=start, end=end, is_closed=end < today)
    total = table.total
    for member in members:
        won, weighted, pipeline = figures.get(member.pk, (ZERO, ZERO, ZERO))
        forecast = forecasts.get(member.pk)
        row = ForecastRow(
            member=member,
            won=won,
            weighted=weighted,
            pipeline=pipeline,
            commit=forecast.commit if forecast else None,
            best_case=forecast.best_case if forecast else None,
            target=targets.get(member.pk),
            frozen=forecast.frozen_forecast if forecast else None,
        )
        table.rows.append(row)
        total.won += won
        total.weighted += weighted
        total.pipeline += pipeline
        for name in ("commit", "best_case", "target", "frozen"):
            value = getattr(row, name)
            if value is not None:
                setattr(total, name, (getattr(total, name) or ZERO) + value)
    return table


# Funnel ------------------------------------------------------------------------------------------


@dataclass
class FunnelStep:
    stage: Stage
    reached: int
    conversion: Decimal | None  # share of those reaching the previous stage that reached this one


@dataclass
class Outcomes:
    won: int = 0
    lost: int = 0
    won_amount: Decimal = ZERO
    cycle_days: Decimal | None = None

    @property
    def win_rate(self) -> Decimal | None:
        closed = self.won + self.lost
        return Decimal(self.won) / closed if closed else None


@dataclass
class Funnel:
    stages: list[Stage]
    steps: list[FunnelStep]
    outcomes: Outcomes
    by_source: list[tuple[str, list[FunnelStep], Outcomes]]
    by_member: dict[int, Outcomes]
    loss_reasons: list
    lost_customers: list[Customer]


def _steps(stages: list[Stage], reached_counts: dict[int, int]) -> list[FunnelStep]:
    """reached_counts: {furthest stage position reached: opportunities}; an opportunity that got
    to a stage passed every earlier one."""
    steps: list[FunnelStep] = []
    previous: int | None = None
    for stage in stages:
        reached = sum(
            n for position, n in reached_counts.items() if position is not None and position >= stage.position
        )
        conversion = Decimal(reached) / previous if previous else None
        steps.append(FunnelStep(stage, reached, conversion))
        previous = reached
    return steps


def funnel(*, owner_ids: list[int], start: datetime.date, end: datetime.date) -> Funnel:
    """Stage-to-stage conversion of the opportunities created in the period, win rate and
    average cycle time of those closed in it, all also by lead source and (outcomes) by member;
    the reasons opportunities were lost and the customers lost in the period. Seven queries."""
    stages = list(Stage.objects.filter(is_lost=False).order_by("position", "pk"))
    sources = {source.pk: source.name for source in LeadSource.objects.all()}
    furthest = (
        StageChange.objects.filter(opportunity=OuterRef("pk"), to_stage__is_lost=False)
        .order_by("-to_stage__position")
        .values("to_stage__position")[:1]
    )
    cohort = (
        Opportunity.objects.filter(customer__owner_id__in=owner_ids, created_on__range=(start, end))
        .annotate(furthest=Subquery(furthest, output_field=IntegerField()))
        .values("lead_source_id", "furthest")
        .annotate(n=Count("pk"))
        .order_by()
    )
    reached_all: dict[int, int] = defaultdict(int)
    reached_by_source: dict[int | None, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for group in cohort:
        reached_all[group["furthest"]] += group["n"]
        reached_by_source[group["lead_source_id"]][group["furthest"]] += group["n"]
    closed = (
        Opportunity.objects.filter(customer__owner_id__in=owner_ids, closed_on__range=(start, end))
        .values("customer__owner_id", "lead_source_id")
        .annotate(
            won=Count("pk", filter=Q(stage__is_won=True)),
            lost=Count("pk", filter=Q(stage__is_lost=True)),
            won_amount=Sum("amount", filter=Q(stage__is_won=True)),
            cycle=Avg("cycle_days", filter=Q(stage__is_won=True)),
        )
        .order_by()
    )
    total = Outcomes()
    by_member: dict[int, Outcomes] = defaultdict(Outcomes)
    by_source_outcomes: dict[int | None, Outcomes] = defaultdict(Outcomes)
    cycle_sums: dict[object, Decimal] = defaultdict(Decimal)
    for row in closed:
        cycle_total = Decimal(str(row["cycle"] or 0)) * row["won"]
        for key, outcomes in (
            ("all", total),
            (("m", row["customer__owner_id"]), by_member[row["customer__owner_id"]]),
            (("s", row["lead_source_id"]), by_source_outcomes[row["lead_source_id"]]),
        ):
            outcomes.won += row["won"]
            outcomes.lost += row["lost"]
            outcomes.won_amount += row["won_amount"] or ZERO
            cycle_sums[key] += cycle_total
            outcomes.cycle_days = (cycle_sums[key] / outcomes.won).quantize(Decimal("0.1")) if outcomes.won else None
    by_source = []
    for source_id in sorted(set(reached_by_source) | set(by_source_outcomes), key=lambda pk: (pk is None, pk or 0)):
        name = sources.get(source_id, "") if source_id is not None else ""
        by_source.append((name, _steps(stages, reached_by_source[source_id]), by_source_outcomes[source_id]))
    lost = Q(stage__is_lost=True)  # a filter, not a join condition: see member_figures()
    loss_reasons = list(
        Opportunity.objects.filter(customer__owner_id__in=owner_ids, closed_on__range=(start, end))
        .values("loss_reason")
        .annotate(n=Count("pk", filter=lost), amount=Sum("amount", filter=lost))
        .filter(n__gt=0)
        .order_by("-n", "loss_reason")[:10]
    )
    return Funnel(
        stages=stages,
        steps=_steps(stages, reached_all),
        outcomes=total,
        by_source=by_source,
        by_member=dict(by_member),
        loss_reasons=loss_reasons,
        lost_customers=lost_customers(owner_ids=owner_ids, start=start, end=end),
    )


LOST_CUSTOMERS_SHOWN = 50


def lost_customers(*, owner_ids: list[int], start: datetime.date, end: datetime.date) -> list[Customer]:
    """Churn: customers marked lost during the period (the audit trail records when) that are
    still lost, with their reasons. Two queries."""
    lost_in_period = AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(Customer),
        created_at__date__range=(start, end),
        changes__status__1=Customer.Status.LOST,
    ).values("target_id")
    return list(
        Customer.objects.filter(owner_id__in=owner_ids, status=Customer.Status.LOST, pk__in=lost_in_period)
        .select_related("owner")
        .order_by("name")[:LOST_CUSTOMERS_SHOWN]
    )


# The pipeline pages ------------------------------------------------------------------------------


def pipeline_key(
    *, members: list[User], period: str, start: datetime.date, end: datetime.date, today: datetime.date
) -> tuple:
    """What pipeline_figures() depend on besides the data teams.versions covers."""
    return ("pipeline", period, start.isoformat(), end.isoformat(), end < today, tuple(m.pk for m in members))


def pipeline_figures(
    *, team: Team, members: list[User], period: str, start: datetime.date, end: datetime.date, today: datetime.date
) -> tuple[ForecastTable, Funnel]:
    """forecast_table() and funnel() of `members` (a team's, or one person in their team), from
    the cache while nothing they add up to has changed (teams.versions): creating or changing an
    opportunity or a forecast touches its owner's teams; a customer's new owner, status, name or
    reason for loss both owners'; targets and memberships their people's; stages and lead
    sources every team. Each forecast row shows its member as now."""

    def compute() -> tuple[ForecastTable, Funnel]:
        table = forecast_table(team=team, members=members, period=period, start=start, end=end, today=today)
        for row in table.rows:
            row.member = None  # kept without the people: a thousand users take 30 ms to unpickle
        return table, funnel(owner_ids=[member.pk for member in members], start=start, end=end)

    key = pipeline_key(members=members, period=period, start=start, end=end, today=today)
    table, figures = versions.cached(team, key, compute)
    for row, member in zip(table.rows, members, strict=True):
        row.member = member  # the rows follow `members`, whose order is part of the key
    return table, figures


# Lists -------------------------------------------------------------------------------------------


def open_opportunities(opportunities, *, limit: int = 200) -> list[Opportunity]:
    """The open ones among `opportunities`, soonest close first, with what the list shows."""
    return list(
        opportunities.open()
        .select_related("customer__owner", "stage", "lead_source")
        .order_by("expected_close_on", "pk")[:limit]
    )
