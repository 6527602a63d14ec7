"""Read-side builders of reports that pages, PDFs and other apps share (views call them)."""

import datetime
from collections.abc import Callable, Iterable

from django.db.models import Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from reports import extensions
from reports.models import KpiValue, WeeklyReport
from teams import versions
from teams.models import User


def sections_context(
    report: WeeklyReport,
    *,
    history_weeks: Iterable[datetime.date] = (),
    past_actuals: dict | None = None,
    compare_log: bool = False,
    kpi_values: list[KpiValue] | None = None,
) -> dict:
    """What templates/reports/_sections.html needs. The review page adds the author's actuals of
    earlier weeks, keyed by (kpi_id, week_start), asks to compare the numbers with the author's
    sales log (`compare_log`), and passes the report's KPI values in, loaded with those weeks'."""
    past_actuals = past_actuals or {}
    if kpi_values is None:
        kpi_values = list(report.kpi_values.select_related("kpi").order_by("kpi__position"))
    log_differences = extensions.sales_log().differences(report, kpi_values) if compare_log else {}
    return {
        "report": report,
        "kpi_rows": [
            {
                "value": v,
                "history": [past_actuals.get((v.kpi_id, week)) for week in history_weeks],
                "difference": log_differences.get(v.kpi_id),
            }
            for v in kpi_values
        ],
        "history_weeks": list(history_weeks),
        "plan_reviews": list(report.plan_reviews.all()),
        "problems": list(report.problems.select_related("category")),
        "custom_fields": [
            {**field, "value": report.custom_values.get(field["key"], "")} for field in report.template_version.fields
        ],
    }


def rendered_sections(report: WeeklyReport, what: tuple, context: Callable[[], dict]) -> SafeString:
    """templates/reports/_sections.html for `report`, drawn from `context()` (sections_context()'s)
    and kept under the data version of the report's team with the report's version: an edit, a
    review, the author's pipeline or sales log, an attachment, KPIs and categories replace it.
    `what` names anything else the context depends on (the page, the reader's reach)."""
    return versions.cached(
        report.team,
        ("report-sections", report.pk, report.version, *what),
        lambda: render_to_string("reports/_sections.html", context()),
    )


def rendered_my_reports(user: User, reports: list[WeeklyReport]) -> SafeString:
    """templates/reports/_my_rows.html for a page of the user's own reports, with each one's KPI
    achievements. Kept under the user's team's data version and keyed by the page's reports and
    their versions: an edit, a submission, a review, a return or a withdrawal bumps a report's
    version; targets, KPIs and moves replace the versions of the teams concerned."""

    def draw() -> SafeString:
        values = KpiValue.objects.select_related("kpi").order_by("kpi__position")
        prefetch_related_objects(reports, Prefetch("kpi_values", queryset=values))
        return render_to_string("reports/_my_rows.html", {"reports": reports})

    what = ("my-reports", timezone.get_current_timezone_name(), tuple((r.pk, r.version) for r in reports))
    return versions.kept_for(user, what, draw)
