"""Read side of the planning app: the tree a plan covers, its figures, the approved figures in
force, the gaps between a parent and its children, and last year's actuals to split by."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from planning.decompose import month_bounds
from planning.models import Plan, PlanTarget
from reports.models import KPI
from summaries.rollups import combine, kpi_series
from teams import access
from teams.models import Team, User

# (kind, number) of every figure a node has, in the order of the table: year, quarters, months.
PERIODS: list[tuple[str, int]] = [
    (PlanTarget.Kind.YEAR, 1),
    *((PlanTarget.Kind.QUARTER, q) for q in range(1, 5)),
    *((PlanTarget.Kind.MONTH, m) for m in range(1, 13)),
]

# (node key, kind, number) → (base, stretch)
Values = dict[tuple[str, str, int], tuple[Decimal, Decimal | None]]


def period_label(kind: str, number: int) -> str:
    if kind == PlanTarget.Kind.YEAR:
        return _("Year")
    if kind == PlanTarget.Kind.QUARTER:
        return f"Q{number}"
    return _("Month %(n)d") % {"n": number}


@dataclass
class Node:
    """A row of the plan: a team of the subtree or one of its salespeople."""

    key: str  # "t<team pk>" or "m<user pk>"
    name: str
    depth: int
    # The team whose working-day calendar the row uses (its own, or the member's).
    calendar_team: Team
    team: Team | None = None
    member: User | None = None
    parent: str | None = None
    children: list[str] = field(default_factory=list)

    @property
    def is_member(self) -> bool:
        return self.member is not None


def team_key(team_id: int) -> str:
    return f"t{team_id}"


def member_key(user_id: int) -> str:
    return f"m{user_id}"


def plan_tree(team: Team) -> list[Node]:
    """The active teams of the subtree in tree order, each followed by its current salespeople
    (two queries)."""
    teams = list(Team.objects.active().filter(path__startswith=team.path).order_by("path"))
    members = access.current_salespeople([t.path for t in teams[:1]])
    by_team: dict[int, list[User]] = defaultdict(list)
    for membership in members:
        by_team[membership.team_id].append(membership.user)
    nodes: dict[str, Node] = {}
    for t in teams:
        parent = team_key(t.parent_id) if t.parent_id and team_key(t.parent_id) in nodes else None
        node = Node(team_key(t.pk), t.name, t.depth - team.depth, t, team=t, parent=parent)
        nodes[node.key] = node
        for user in by_team.get(t.pk, []):
            child = Node(member_key(user.pk), str(user), node.depth + 1, t, member=user, parent=node.key)
            nodes[child.key] = child
            node.children.append(child.key)
        if parent:
            nodes[parent].children.append(node.key)
    # Tree order: each team, its salespeople, then its child teams (teams come in path order).
    result: list[Node] = []

    def walk(key: str) -> None:
        result.append(nodes[key])
        for child in nodes[key].children:
            walk(child)

    if teams:
        walk(team_key(team.pk))
    return result


def node_key_of(target: PlanTarget) -> str:
    return team_key(target.team_id) if target.team_id else f"m{target.member_id}"


def plan_values(plan: Plan) -> Values:
    """The plan's own figures."""
    return {
        (node_key_of(t), t.kind, t.number): (t.base, t.stretch)
        for t in PlanTarget.objects.filter(plan=plan).only("team_id", "member_id", "kind", "number", "base", "stretch")
    }


def approved_plans(team: Team, kpi: KPI, year: int):
    """Approved versions for plans above, at or below `team`, oldest decision first."""
    above = Q(team__path__in=_prefixes(team.path))
    below = Q(team__path__startswith=team.path)
    return Plan.objects.filter(above | below, kpi=kpi, year=year, status=Plan.Status.APPROVED).order_by(
        "decided_at", "pk"
    )


def _prefixes(path: str) -> list[str]:
    segments = path.split("/")[:-1]
    return ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]


def approved_values(team: Team, kpi: KPI, year: int) -> Values:
    """The figures in force: each row's figures from the latest approved version that sets them
    (a team's approved change wins over the company plan approved before it)."""
    values: Values = {}
    targets = PlanTarget.objects.filter(plan__in=approved_plans(team, kpi, year)).order_by(
        "plan__decided_at", "plan_id"
    )
    for t in targets.only("team_id", "member_id", "kind", "number", "base", "stretch"):
        values[(node_key_of(t), t.kind, t.number)] = (t.base, t.stretch)
    return values


@dataclass(frozen=True)
class Gap:
    """Children (or months, or quarters) that do not add up to their parent's figure."""

    node: Node
    kind: str
    number: int
    parent_value: Decimal
    children_value: Decimal
    what: str  # "children" or "months"

    @property
    def label(self) -> str:
        return period_label(self.kind, self.number)

    @property
    def difference(self) -> Decimal:
        return self.children_value - self.parent_value


def gaps(nodes: list[Node], values: Values, kpi: KPI) -> list[Gap]:
    """Where the base targets of a row's children, or of its months and quarters, differ from the
    row's. Only for KPIs that add up (sums); a warning, never a block."""
    if kpi.aggregation != KPI.Aggregation.SUM:
        return []
    by_key = {node.key: node for node in nodes}
    found = []
    for node in nodes:
        for kind, number in PERIODS:
            own = values.get((node.key, kind, number))
            parts = [values.get((child, kind, number)) for child in node.children if child in by_key]
            known = [part[0] for part in parts if part is not None]
            if own is not None and known and sum(known, Decimal(0)) != own[0]:
                found.append(Gap(node, kind, number, own[0], sum(known, Decimal(0)), "children"))
        year = values.get((node.key, PlanTarget.Kind.YEAR, 1))
        months = [values.get((node.key, PlanTarget.Kind.MONTH, m)) for m in range(1, 13)]
        known_months = [m[0] for m in months if m is not None]
        if year is not None and known_months and sum(known_months, Decimal(0)) != year[0]:
            found.append(Gap(node, PlanTarget.Kind.YEAR, 1, year[0], sum(known_months, Decimal(0)), "months"))
    return found


def actuals_by_month(node: Node, kpi: KPI, year: int) -> list[Decimal]:
    """A row's actuals of `year` per month (weeks by the month they start in), from the same
    roll-up the dashboards use; missing months count as zero."""
    start, end = month_bounds(year, 1)[0], month_bounds(year, 12)[1]
    if node.member is not None:
        series = kpi_series(start=start, end=end, member=node.member)
    else:
        series = kpi_series(start=start, end=end, team=node.team)
    result = []
    for month in range(1, 13):
        first, last = month_bounds(year, month)
        within = series.within(first, last)
        value = combine(kpi, within.actuals(kpi)) if kpi in within.kpis else None
        result.append(value if value is not None and value > 0 else Decimal(0))
    return result


def year_actual(node: Node, kpi: KPI, year: int) -> Decimal:
    months = actuals_by_month(node, kpi, year)
    return sum(months, Decimal(0))


def period_bounds(kind: str, number: int, year: int) -> tuple[datetime.date, datetime.date]:
    if kind == PlanTarget.Kind.YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    if kind == PlanTarget.Kind.QUARTER:
        return month_bounds(year, 3 * number - 2)[0], month_bounds(year, 3 * number)[1]
    return month_bounds(year, number)
