"""Problems across many reports: which categories come up most in a period, and which problems a
member, or a customer, keeps raising week after week without it going away.

A problem recurs when the same member (or the same customer, whoever reports it) raises one of the
same category in at least RECUR_WEEKS different weeks of the window, and it is still raised in the
latest week the window has reports for: nothing suggests it was solved. The window is the period,
stretched back to WINDOW_WEEKS weeks when the period is shorter, so that a week's dashboard still
sees what keeps coming back. Counted in the database; a fixed number of queries.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Max, Min, Q

from reports.models import Problem, ProblemCategory, WeeklyReport
from reports.services import achievement
from teams import access, versions
from teams.models import Team, User

RECUR_WEEKS = 3
WINDOW_WEEKS = 8
SHOWN = 10


@dataclass
class CategoryCount:
    category: ProblemCategory | None  # None: problems filed before categories existed
    count: int
    people: int
    share: Decimal | None


@dataclass
class Recurring:
    category: ProblemCategory | None
    weeks: int
    first: datetime.date
    last: datetime.date
    latest: Problem
    member: User | None = None
    customer: str = ""
    people: int = 1


@dataclass
class ProblemOverview:
    start: datetime.date
    end: datetime.date
    window_start: datetime.date
    categories: list[CategoryCount]
    by_member: list[Recurring]
    by_customer: list[Recurring]

    @property
    def total(self) -> int:
        return sum(c.count for c in self.categories)


def _submitted(team: Team, start: datetime.date, end: datetime.date):
    return Problem.objects.filter(
        access.in_subtrees((team.path,), prefix="report__team__"), report__week_start__range=(start, end)
    ).exclude(report__status=WeeklyReport.Status.DRAFT)


def category_counts(problems, categories: dict[int, ProblemCategory] | None = None) -> list[CategoryCount]:
    """How often each category comes up among `problems`, and among how many people; one query
    (two without `categories`)."""
    if categories is None:
        categories = {c.pk: c for c in ProblemCategory.objects.all()}
    counted = list(
        problems.values("category_id")
        .annotate(n=Count("pk"), people=Count("report__author", distinct=True))
        .order_by("-n", "category_id")
    )
    total = Decimal(sum(row["n"] for row in counted))
    return [
        CategoryCount(
            categories.get(row["category_id"]), row["n"], row["people"], achievement(Decimal(row["n"]), total)
        )
        for row in counted
    ]


def overview(team: Team, start: datetime.date, end: datetime.date) -> ProblemOverview:
    """The period's problems by category, and what recurs in the window ending with the period.
    Problems without a category (from before categories existed) are counted, but cannot recur:
    nothing says they are of the same kind. Six queries, whatever recurs."""
    window_start = min(start, end - datetime.timedelta(weeks=WINDOW_WEEKS) + datetime.timedelta(days=1))
    categories = {c.pk: c for c in ProblemCategory.objects.all()}
    by_category = category_counts(_submitted(team, start, end), categories)
    window = _submitted(team, window_start, end).filter(category__isnull=False)
    latest_week = (
        WeeklyReport.objects.filter(access.in_subtrees((team.path,)), week_start__range=(window_start, end))
        .exclude(status=WeeklyReport.Status.DRAFT)
        .aggregate(last=Max("week_start"))["last"]
    )
    member_groups = list(
        window.values("report__author_id", "category_id")
        .annotate(
            weeks=Count("report__week_start", distinct=True),
            first=Min("report__week_start"),
            last=Max("report__week_start"),
        )
        .filter(weeks__gte=RECUR_WEEKS, last=latest_week)
        .order_by("-weeks", "report__author_id")[:SHOWN]
    )
    customer_groups = list(
        window.exclude(customer_key="")
        .values("customer_key", "category_id")
        .annotate(
            weeks=Count("report__week_start", distinct=True),
            people=Count("report__author", distinct=True),
            first=Min("report__week_start"),
            last=Max("report__week_start"),
        )
        .filter(weeks__gte=RECUR_WEEKS, last=latest_week)
        .order_by("-weeks", "customer_key")[:SHOWN]
    )
    latest = _latest_problems(window, latest_week, member_groups, customer_groups)
    return ProblemOverview(
        start=start,
        end=end,
        window_start=window_start,
        categories=by_category,
        by_member=[
            _recurring(group, categories, latest[("member", group["report__author_id"], group["category_id"])])
            for group in member_groups
        ],
        by_customer=[
            _recurring(
                group,
                categories,
                latest[("customer", group["customer_key"], group["category_id"])],
                people=group["people"],
            )
            for group in customer_groups
        ],
    )


def cached_overview(team: Team, start: datetime.date, end: datetime.date) -> ProblemOverview:
    """overview() from the cache while nothing in the team's subtree has changed: every
    submission, edit, withdrawal and category change replaces the subtree's version
    (teams.versions)."""
    return versions.cached(team, ("problems", start.isoformat(), end.isoformat()), lambda: overview(team, start, end))


def _latest_problems(window, latest_week, member_groups, customer_groups) -> dict[tuple, Problem]:
    """Each recurring group's problem as raised in the latest week: one query for all groups, run
    even when nothing recurs so that the page always costs the same queries."""
    authors = {g["report__author_id"] for g in member_groups} or {0}  # no one has id 0
    keys = {g["customer_key"] for g in customer_groups} or {" "}  # nor a key with a space (name_key)
    latest = {}
    for problem in (
        window.filter(report__week_start=latest_week)
        .filter(Q(report__author_id__in=authors) | Q(customer_key__in=keys))
        .select_related("report__author")
        .order_by("pk")
    ):
        latest[("member", problem.report.author_id, problem.category_id)] = problem
        if problem.customer_key:
            latest[("customer", problem.customer_key, problem.category_id)] = problem
    return latest


def _recurring(group: dict, categories: dict, latest: Problem, people: int = 1) -> Recurring:
    return Recurring(
        category=categories.get(group["category_id"]),
        weeks=group["weeks"],
        first=group["first"],
        last=group["last"],
        latest=latest,
        member=latest.report.author if "report__author_id" in group else None,
        customer=latest.customer if "customer_key" in group else "",
        people=people,
    )
