"""Read side of period summaries: periods, the pre-filled figures (the weekly roll-ups, as the
dashboards compute them), a lead's view of their members' summaries, practices, and what a page
and the PDF show of one summary (both call summary_context)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from periodsummaries.models import PeriodSummary, Practice, SummaryKpi, SummarySettings
from reports import services as report_services
from reports.models import KPI
from summaries import rollups
from teams.models import Team, User


def period_bounds(kind: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month, quarter or year containing `day`: first and last day (months and quarters as
    the roll-ups count them)."""
    if kind == PeriodSummary.Period.YEAR:
        return datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    return rollups.period_bounds(kind, day)


@dataclass
class Figure:
    kpi: KPI
    target: Decimal | None
    actual: Decimal | None


def prefilled_figures(
    *, level: str, team: Team, author: User, start: datetime.date, end: datetime.date
) -> list[Figure]:
    """Each KPI's target and actual over the period, from the same roll-up the member and team
    period pages show (summaries.rollups.kpi_series); the team template's KPIs when no week has
    a figure yet."""
    if level == PeriodSummary.Level.TEAM:
        series = rollups.kpi_series(start=start, end=end, team=team)
    else:
        series = rollups.kpi_series(start=start, end=end, member=author)
    figures = []
    for kpi in series.kpis:
        total = series.total(kpi)
        figures.append(Figure(kpi, total.target, total.actual))
    if not figures:
        kpis = report_services.template_version_for(team).kpis.order_by("templatekpi")
        figures = [Figure(kpi, None, None) for kpi in kpis]
    return figures


def deviation_percent(team: Team) -> int:
    """The team's threshold for required causes: its own setting or its nearest ancestor's."""
    chain = [*team.ancestor_ids, team.pk]
    rows = dict(SummarySettings.objects.filter(team_id__in=chain).values_list("team_id", "deviation_percent"))
    for pk in reversed(chain):
        if pk in rows:
            return rows[pk]
    return SummarySettings._meta.get_field("deviation_percent").default


def needs_cause(row: SummaryKpi, threshold: int) -> bool:
    """A KPI further from target than the team's threshold, either way."""
    deviation = row.deviation
    return deviation is not None and abs(deviation) * 100 > threshold


def previous_summary(summary: PeriodSummary) -> PeriodSummary | None:
    """The author's summary of the same level and period kind just before this one."""
    return (
        PeriodSummary.objects.filter(
            author=summary.author_id, level=summary.level, period=summary.period, start__lt=summary.start
        )
        .order_by("-start")
        .first()
    )


def member_summaries(summary: PeriodSummary) -> QuerySet[PeriodSummary]:
    """For a team's summary: its members' submitted personal summaries of the same period,
    written in the team's subtree (their key points are shown beside the lead's)."""
    if summary.level != PeriodSummary.Level.TEAM:
        return PeriodSummary.objects.none()
    return (
        PeriodSummary.objects.filter(
            team__path__startswith=summary.team.path,
            level=PeriodSummary.Level.MEMBER,
            period=summary.period,
            start=summary.start,
        )
        .exclude(status=PeriodSummary.Status.DRAFT)
        .exclude(author=summary.author_id)
        .select_related("author")
        .prefetch_related("action_items")
        .order_by("author__display_name", "pk")
    )


def summary_context(summary: PeriodSummary) -> dict:
    """Everything the summary page and its PDF show, computed once."""
    threshold = deviation_percent(summary.team)
    kpis = list(summary.kpis.select_related("kpi"))
    return {
        "summary": summary,
        "threshold": threshold,
        "kpi_rows": [{"row": row, "needs_cause": needs_cause(row, threshold)} for row in kpis],
        "action_reviews": list(summary.action_reviews.all()),
        "action_items": list(summary.action_items.all()),
        "member_summaries": list(member_summaries(summary)),
        "feedback_list": list(summary.feedback.select_related("reviewer")),
        "actions": list(summary.review_actions.select_related("actor")),
        "practices": list(summary.practices.all()),
    }


def practices_of(team: Team, query: str = "") -> QuerySet[Practice]:
    """A team's practices, those of the teams below it included, newest first; `query` searches
    their title and text."""
    practices = Practice.objects.filter(team__path__startswith=team.path).select_related(
        "team", "marked_by", "summary__author"
    )
    query = query.strip()
    if query:
        practices = practices.filter(Q(title__icontains=query) | Q(text__icontains=query))
    return practices
