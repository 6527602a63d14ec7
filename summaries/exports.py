"""Reports and KPI values of a team subtree and period as CSV or XLSX, for Excel.

Four layouts: one row per member, week and KPI ("long", for pivot tables), one row per member
and week with a column group per KPI ("wide", to read), one row per sales activity ("log"), and
one row per KPI with the team's period beside the previous period (环比) and the same period a
year before (同比) ("kpis", the figures of the dashboard and the summaries, from rollups.compare).
Headers are in the requester's language (Chinese by default) and name each column's unit.
Numbers stay numbers in XLSX. CSV is UTF-8 with a byte-order mark so Excel shows Chinese
correctly. Text that a spreadsheet would take for a formula (starting with = + - @), in a header
(KPI names come from admins) or a cell, is neutralised by the writers: in CSV with a leading
apostrophe, in XLSX as a cell typed as text, so nothing extra shows. Rows are streamed from one
query.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from customers.models import Activity
from reports import roster
from reports.models import KPI, KpiValue, Target, WeeklyReport
from reports.services import achievement
from summaries import rollups
from teams import access
from teams.models import Team, User
from teams.spreadsheets import CHUNK, safe_text, write_csv, write_xlsx


def _unit(kpi: KPI) -> str:
    return str(kpi.get_unit_display())


def _values(team: Team, start: datetime.date, end: datetime.date):
    """Each submitted value with its week's target as the dashboard counts it (the Target table,
    so a target set after the report was written is there too), in one streamed query."""
    week_target = Target.objects.filter(
        member=OuterRef("report__author"), kpi=OuterRef("kpi"), week_start=OuterRef("report__week_start")
    ).values("value")[:1]
    return (
        KpiValue.objects.filter(
            access.in_subtrees((team.path,), prefix="report__team__"), report__week_start__range=(start, end)
        )
        .exclude(report__status=WeeklyReport.Status.DRAFT)
        .annotate(week_target=Subquery(week_target))
        .select_related("kpi", "report__author", "report__team")
        .order_by(
            "report__team__path",
            "report__author__display_name",
            "report__author_id",
            "report__week_start",
            "kpi__position",
            "kpi_id",
        )
    )


def _unreported(team: Team, start: datetime.date, end: datetime.date) -> list[tuple]:
    """Members with a target in the subtree but no report there that week, so the targets of the
    file add up to the team's target (reports.roster): (member, team, week, {kpi_id: target})."""
    reported = set(
        WeeklyReport.objects.filter(access.in_subtrees((team.path,)), week_start__range=(start, end))
        .exclude(status=WeeklyReport.Status.DRAFT)
        .values_list("author_id", "week_start")
    )
    weeks = defaultdict(dict)
    for target in roster.member_targets(paths=(team.path,), start=start, end=end):
        if (target.member_id, target.week) not in reported:
            weeks[(target.member_id, target.team, target.week)][target.kpi_id] = target.value
    people = User.objects.in_bulk({key[0] for key in weeks})
    rows = [(people[member_id], member_team, week, values) for (member_id, member_team, week), values in weeks.items()]
    rows.sort(key=lambda row: (row[1].path, str(row[0]), row[0].pk, row[2]))
    return rows


def _unreported_cells(member: User, member_team: Team, week: datetime.date) -> list:
    return [
        safe_text(str(member)),
        safe_text(member.username),
        safe_text(member_team.name),
        week,
        str(_("No report")),
        None,
    ]


def long_rows(team: Team, start: datetime.date, end: datetime.date) -> tuple[list[str], Iterator[list]]:
    header = [
        _("Member"),
        _("Username"),
        _("Team"),
        _("Week starting"),
        _("Status"),
        _("Late by (hours)"),
        _("KPI code"),
        _("KPI"),
        _("Unit"),
        _("Target"),
        _("Actual"),
        _("Achievement (%)"),
    ]

    def rows():
        for value in _values(team, start, end).iterator(chunk_size=CHUNK):
            report = value.report
            rate = achievement(value.actual, value.week_target)
            yield [
                *_report_cells(report),
                value.kpi.code,
                value.kpi.name,
                _unit(value.kpi),
                _number(value.week_target, value.kpi),
                _number(value.actual, value.kpi),
                _percent(rate),
            ]
        kpis = {kpi.pk: kpi for kpi in KPI.objects.all()}
        for member, member_team, week, targets in _unreported(team, start, end):
            for kpi_id, target in sorted(targets.items(), key=lambda item: (kpis[item[0]].position, item[0])):
                kpi = kpis[kpi_id]
                yield [
                    *_unreported_cells(member, member_team, week),
                    kpi.code,
                    safe_text(kpi.name),
                    _unit(kpi),
                    target,
                    None,
                    None,
                ]

    return header, rows()


def wide_rows(team: Team, start: datetime.date, end: datetime.date) -> tuple[list[str], Iterator[list]]:
    kpis = list(KPI.objects.filter(pk__in=_values(team, start, end).values("kpi_id")).order_by("position", "pk"))
    header = [_("Member"), _("Username"), _("Team"), _("Week starting"), _("Status"), _("Late by (hours)")]
    for kpi in kpis:
        header += [
            _("%(kpi)s target (%(unit)s)") % {"kpi": kpi.name, "unit": _unit(kpi)},
            _("%(kpi)s actual (%(unit)s)") % {"kpi": kpi.name, "unit": _unit(kpi)},
            _("%(kpi)s achievement (%%)") % {"kpi": kpi.name},
        ]
    positions = {kpi.pk: i for i, kpi in enumerate(kpis)}

    def rows():
        current, cells = None, []
        for value in _values(team, start, end).iterator(chunk_size=CHUNK):
            report = value.report
            if report.pk != getattr(current, "pk", None):
                if current is not None:
                    yield [*_report_cells(current), *cells]
                current, cells = report, [None] * (3 * len(kpis))
            rate = achievement(value.actual, value.week_target)
            at = 3 * positions[value.kpi_id]
            cells[at : at + 3] = [
                _number(value.week_target, value.kpi),
                _number(value.actual, value.kpi),
                _percent(rate),
            ]
        if current is not None:
            yield [*_report_cells(current), *cells]
        for member, member_team, week, targets in _unreported(team, start, end):
            cells = [None] * (3 * len(kpis))
            for kpi_id, target in targets.items():
                if kpi_id in positions:
                    cells[3 * positions[kpi_id]] = target
            yield [*_unreported_cells(member, member_team, week), *cells]

    return header, rows()


def activities(team: Team, start: datetime.date, end: datetime.date):
    """The sales log of a subtree and period, by the team each entry was logged in."""
    return Activity.objects.filter(access.in_subtrees((team.path,)), occurred_on__range=(start, end))


def log_rows(team: Team, start: datetime.date, end: datetime.date) -> tuple[list[str], Iterator[list]]:
    header = [
        _("Member"),
        _("Username"),
        _("Team"),
        _("Date"),
        _("Customer"),
        _("Customer tier"),
        _("Type"),
        pgettext("sales activity", "Outcome"),
        _("Amount (CNY)"),
        _("Next step"),
        _("Next step by"),
        _("Notes"),
    ]

    def rows():
        entries = (
            activities(team, start, end)
            .select_related("author", "team", "customer")
            .order_by("team__path", "author__display_name", "author_id", "occurred_on", "pk")
        )
        for entry in entries.iterator(chunk_size=CHUNK):
            yield [
                str(entry.author),
                entry.author.username,
                entry.team.name,
                entry.occurred_on,
                entry.customer.name,
                str(entry.customer.get_tier_display()),
                str(entry.get_kind_display()),
                entry.outcome,
                entry.amount,
                entry.next_step,
                entry.next_step_on,
                entry.notes,
            ]

    return header, rows()


def kpi_rows(team: Team, start: datetime.date, end: datetime.date) -> tuple[list[str], Iterator[list]]:
    """The team's KPIs for the period against target, beside the previous period and a year before:
    rollups.compare(), as the dashboard totals and the month, quarter and year summaries show them."""
    previous_start, previous_end = rollups.previous_period(start, end)
    year_ago_start, year_ago_end = rollups.year_before(start, end)
    header = [
        _("KPI code"),
        _("KPI"),
        _("Unit"),
        _("Target"),
        _("Actual"),
        _("Achievement (%)"),
        _("Actual %(start)s – %(end)s") % {"start": previous_start, "end": previous_end},
        _("Change on previous period (%)"),
        _("Actual %(start)s – %(end)s") % {"start": year_ago_start, "end": year_ago_end},
        _("Change on a year before (%)"),
    ]
    current = rollups.kpi_series(start=start, end=end, team=team)
    comparisons = rollups.compare(start=start, end=end, current=current, team=team, member=None)

    def rows():
        for row in comparisons:
            kpi = row.kpi
            yield [
                kpi.code,
                safe_text(kpi.name),
                _unit(kpi),
                _number(row.current.target, kpi),
                _number(row.current.actual, kpi),
                _percent(row.current.rate),
                _number(row.previous.actual, kpi),
                _percent(row.change),
                _number(row.year_ago.actual if row.year_ago else None, kpi),
                _percent(row.change_on_year),
            ]

    return header, rows()


def _report_cells(report: WeeklyReport) -> list:
    """The columns every row starts with: who, where, which week, and how it was submitted."""
    return [
        str(report.author),
        report.author.username,
        report.team.name,
        report.week_start,
        str(report.get_status_display()),
        _hours(report),
    ]


def _number(value: Decimal | None, kpi: KPI) -> Decimal | None:
    """A stored value (four decimal places) with the KPI's own decimals: 105000, not 105000.0000."""
    return None if value is None else value.quantize(Decimal(1).scaleb(-kpi.decimals), rounding=ROUND_HALF_UP)


def _percent(rate: Decimal | None) -> Decimal | None:
    """0.12345 → 12.3 (per cent, one decimal, halves rounded up as people expect)."""
    return None if rate is None else (rate * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _hours(report: WeeklyReport) -> Decimal | None:
    if report.late_by is None:
        return None
    return (Decimal(report.late_by.total_seconds()) / 3600).quantize(Decimal("0.1"))


def render(*, team: Team, start: datetime.date, end: datetime.date, layout: str, file_format: str, progress) -> bytes:
    header, rows = {"wide": wide_rows, "log": log_rows, "kpis": kpi_rows}.get(layout, long_rows)(team, start, end)
    if file_format == "xlsx":
        return write_xlsx(header, rows, progress, title=_("Sales log") if layout == "log" else _("Reports"))
    return write_csv(header, rows, progress)
