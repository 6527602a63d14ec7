import difflib

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.translation import gettext as _

from reports import access as report_access
from reports import extensions
from reports.forms import MyReportsFilter
from reports.models import WeeklyReport
from reports.selectors import rendered_my_reports, rendered_sections, sections_context
from teams import filters

REPORTS_PER_PAGE = 26


def my_report_rows(user, data) -> tuple[MyReportsFilter, QuerySet]:
    """The person's own reports, filtered by the query string `data`."""
    form = MyReportsFilter(data)
    return form, form.apply(WeeklyReport.objects.filter(author=user)).select_related("team").order_by("-week_start")


MY_REPORTS = filters.ExportableList(
    rows=my_report_rows,
    header=lambda: [_("Week starting"), _("Team"), _("Status"), _("Submitted at"), _("Late")],
    cells=lambda report: _my_report_cells(report),
    filename="my-reports",
    title=lambda: _("My reports"),
)


def my_reports(request):
    form, reports = my_report_rows(request.user, request.GET)
    export = filters.export_list(request, "my_reports", reports)
    if export:
        return export
    page = Paginator(reports, REPORTS_PER_PAGE).get_page(request.GET.get("page"))
    rows = rendered_my_reports(request.user, list(page)) if page else ""
    return render(request, "reports/my.html", {"page": page, "rows": rows, "form": form})


def _my_report_cells(report: WeeklyReport) -> list:
    return [
        report.week_start.isoformat(),
        report.team.name,
        report.get_status_display(),
        filters.moment_cell(report.submitted_at),
        _("late") if report.is_late else "",
    ]


def detail(request, pk):
    report = report_access.report_for_view(request.user, pk)
    review_record = extensions.review_record()
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "sections": rendered_sections(report, ("detail",), lambda: sections_context(report)),
            **review_record.detail_context(request, report),
            "can_edit": report_access.can_edit_report(request.user, report),
            "can_review": report_access.can_review_report(request.user, report),
            "can_withdraw": report_access.can_withdraw_report(request.user, report)
            and review_record.is_withdrawable(report),
        },
    )


def history(request, pk):
    report = report_access.report_for_view(request.user, pk)
    revisions = list(report.revisions.select_related("author").order_by("number"))
    entries, previous = [], []
    for revision in revisions:
        lines = snapshot_lines(revision.snapshot)
        changes = [line for line in difflib.ndiff(previous, lines) if line[:1] in "+-"] if previous else []
        entries.append({"revision": revision, "changes": changes})
        previous = lines
    return render(request, "reports/history.html", {"report": report, "entries": entries[::-1]})


def snapshot_lines(snapshot: dict) -> list[str]:
    """A stored revision as labelled text lines, so two revisions compare line by line."""
    lines = [f"# {line}" for line in snapshot.get("summary", "").splitlines()]
    for review in snapshot.get("plan_reviews", []):
        lines.append(f"✓ {review['item']}: {review['outcome']} {review['note']}".rstrip())
    for kpi in snapshot.get("kpis", []):
        lines.append(f"{kpi['name']}: {kpi['actual'] or '—'} / {kpi['target'] or '—'}")
    for problem in snapshot.get("problems", []):
        lines.append(" | ".join(v for v in problem.values() if v))
    for item in snapshot.get("plan", []):
        lines.append("→ " + " | ".join(v for v in item.values() if v))
    for key, value in snapshot.get("custom", {}).items():
        lines.append(f"{key}: {value}")
    return lines
