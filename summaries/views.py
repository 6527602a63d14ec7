"""Asking for PDFs, watching them render, downloading them, and the list of one's documents.
Rendering happens in a worker; every view asks summaries/access.py about the report, team or
member the PDF is about."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from reports import access as report_access
from reports import dates
from reports import services as report_services
from summaries import access as summary_access
from summaries import rollups, services
from summaries.forms import DocumentFilter, PeriodForm
from summaries.models import Document, DocumentRequest
from teams import access, filters

DOCUMENTS_PER_PAGE = 30


def _start(request, **kwargs):
    try:
        job = services.request_document(requested_by=request.user, language=get_language(), **kwargs)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        back = request.META.get("HTTP_REFERER", "")
        ours = url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return redirect(back if ours else "home")  # back to the page asked from, never to another site
    return redirect(job)


@require_POST
def report_pdf(request, pk):
    report = report_access.report_for_view(request.user, pk)
    return _start(request, kind=Document.Kind.REPORT, report=report)


@require_POST
def team_week_pdf(request, pk):
    team = access.team_for_view(request.user, pk)
    try:
        week = datetime.date.fromisoformat(request.POST.get("week", ""))
    except ValueError:
        messages.error(request, _("Choose a week."))
        return redirect(team)
    if not dates.is_supported(week):
        messages.error(request, dates.out_of_range_message())
        return redirect(team)
    return _start(request, kind=Document.Kind.TEAM_WEEK, team=team, start=week)


@require_GET
def team_week(request, pk):
    """The team's weekly summary as a page: the same content and chart as its PDF."""
    team = access.team_for_view(request.user, pk)
    team_settings = report_services.settings_for(team)
    day = dates.parse_day(request.GET.get("week"))
    if day is None:
        week = report_services.current_week_start(team_settings) - datetime.timedelta(days=7)
    else:
        week = team_settings.week_start_for(day)
    return render(
        request,
        "summaries/team_week.html",
        {
            "summary": rollups.team_week(team, week),
            "previous_week": week - datetime.timedelta(days=7),
            "next_week": week + datetime.timedelta(days=7),
        },
    )


def _period_page(request, *, team=None, member=None):
    """Pick a month or quarter; once picked, the summary itself, with its PDF a click away."""
    form = PeriodForm(request.GET if "period" in request.GET else None)
    summary = None
    if form.is_valid():
        start, end = form.bounds()
        summary = rollups.period(
            start=start, end=end, title=rollups.period_title(member or team, start, end), team=team, member=member
        )
    return render(request, "summaries/period.html", {"form": form, "subject": member or team, "summary": summary})


def _period_pdf(request, *, kind: str, team=None, member=None):
    form = PeriodForm(request.POST)
    if not form.is_valid():
        return render(request, "summaries/period.html", {"form": form, "subject": member or team, "summary": None})
    start, end = form.bounds()
    return _start(request, kind=kind, team=team, member=member, start=start, end=end)


@require_GET
def team_period(request, pk):
    return _period_page(request, team=access.team_for_view(request.user, pk))


@require_POST
def team_period_pdf(request, pk):
    team = access.team_for_view(request.user, pk)
    return _period_pdf(request, kind=Document.Kind.TEAM_PERIOD, team=team)


@require_GET
def member_period(request, pk):
    member = access.member_for_view(request.user, pk)
    return _period_page(request, member=member, team=access.member_reach(request.user, member))


@require_POST
def member_period_pdf(request, pk):
    member = access.member_for_view(request.user, pk)
    within = access.member_reach(request.user, member)
    return _period_pdf(request, kind=Document.Kind.MEMBER_PERIOD, member=member, team=within)


@require_GET
def job(request, pk):
    job = summary_access.document_for_view(request.user, pk)
    template = "summaries/job.html#job-status" if request.htmx else "summaries/job.html"
    return render(request, template, {"job": job, "retention_days": settings.DOCUMENT_RETENTION_DAYS})


@require_POST
def retry(request, pk):
    job = summary_access.document_for_view(request.user, pk)
    try:
        return redirect(services.retry(job=job, requested_by=request.user))
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect(job)


@require_GET
def download(request, pk):
    job = summary_access.document_for_view(request.user, pk)
    if job.status != Document.Status.DONE or not job.file:
        raise Http404
    try:
        handle = job.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def document_rows(user, data) -> tuple[DocumentFilter, QuerySet[DocumentRequest]]:
    """The documents the user asked for, filtered by the query string `data`."""
    form = DocumentFilter(data)
    return form, form.apply(summary_access.own_documents(user))


def _document_cells(request: DocumentRequest) -> list:
    document = request.document
    return [
        filters.moment_cell(request.requested_at),
        document.get_kind_display(),
        document.subject,
        document.get_file_format_display(),
        document.get_status_display(),
        document.size if document.status == Document.Status.DONE else "",
    ]


DOCUMENT_LIST = filters.ExportableList(
    rows=document_rows,
    header=lambda: [_("Asked for at"), _("Kind"), _("About"), _("Format"), _("State"), _("Size (bytes)")],
    cells=_document_cells,
    filename="my-documents",
    title=lambda: _("My documents"),
)


@require_GET
def documents(request):
    form, rows = document_rows(request.user, request.GET)
    export = filters.export_list(request, "documents", rows)
    if export:
        return export
    page = Paginator(rows, DOCUMENTS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "summaries/documents.html", {"page": page, "form": form})
