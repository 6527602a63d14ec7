"""Dashboards for managers, directors and admins, scoped by the access policy."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from insights import dashboard
from insights.forms import DashboardForm, ExportForm
from reports import access as report_access
from reports import services as report_services
from reports.models import KPI, TeamSettings
from summaries import charts
from summaries.models import Document
from summaries.services import request_document
from teams import access, versions
from teams.models import Team


@require_GET
def home(request):
    """The dashboard of the user's own team (admins: the top of the tree)."""
    s = access.scope(request.user)
    if not s.sees_teams:
        raise Http404
    team_id = s.own_team_id if s.readable_paths else None
    team = Team.objects.filter(pk=team_id).first() if team_id else Team.objects.filter(parent=None).first()
    if team is None:
        raise Http404
    return redirect("insights:dashboard", pk=team.pk)


def _last_closed_week(team_settings: TeamSettings) -> dict:
    """Dashboards open on the latest week whose deadline has passed: on the 3rd of a month "this
    month" would show only dashes."""
    return {"period": "week", "day": report_services.last_closed_week(team_settings).isoformat()}


@require_GET
def team_dashboard(request, pk):
    team = access.team_for_view(request.user, pk)
    team_settings = report_services.settings_for(team)
    kpis = list(KPI.objects.filter(is_active=True))
    form = DashboardForm(request.GET or _last_closed_week(team_settings), team_settings=team_settings, kpis=kpis)
    board, detail = None, ""
    if form.is_valid():
        start, end = form.cleaned_data["bounds"]

        def draw() -> tuple[dashboard.Dashboard, str]:
            # The figures as cached_build() keeps them for the API and a manager's home: one
            # build per data version whichever page asks first.
            board = dashboard.cached_build(team, team_settings, start, end, form.primary)
            detail = render_to_string("insights/dashboard.html#board-detail", {"board": board})
            return dashboard.header_of(board), detail

        # The header's figures, and the members and trends as HTML (most of the rendering), kept
        # together under cached_build()'s key: one read of the cache for the page.
        key = dashboard.cache_key(team, team_settings, start, end, form.primary)
        board, detail = versions.cached(team, ("dashboard-page", *key), draw)
    export_form = ExportForm(initial={"start": board.start, "end": board.end}) if board else None
    return render(
        request,
        "insights/dashboard.html",
        {"team": team, "form": form, "board": board, "board_detail": detail, "export_form": export_form},
    )


@require_GET
def compare(request, pk):
    """The teams under a region or company side by side for a period."""
    node = access.team_for_view(request.user, pk)
    team_settings = report_services.settings_for(node)
    kpis = list(KPI.objects.filter(is_active=True))
    form = DashboardForm(request.GET or _last_closed_week(team_settings), team_settings=team_settings, kpis=kpis)
    columns, charts_by_kpi = None, []
    if form.is_valid():
        start, end = form.cleaned_data["bounds"]
        columns = dashboard.cached_compare(node, team_settings, start, end)
        for index, kpi in enumerate(total.kpi for total in columns[0].totals):
            bars = [charts.Bar(c.team.name, c.totals[index].actual, c.totals[index].target) for c in columns]
            charts_by_kpi.append({"kpi": kpi, "chart": charts.bar_chart(kpi.name, bars), "index": index})
    return render(
        request,
        "insights/compare.html",
        {"node": node, "form": form, "columns": columns, "charts": charts_by_kpi},
    )


@require_POST
def export(request, pk):
    """Queue an export of the team's reports and KPI values for the period the dashboard shows."""
    team = access.team_for_view(request.user, pk)
    form = ExportForm(request.POST)
    if not form.is_valid():
        errors = [message for messages_ in form.errors.values() for message in messages_]
        messages.error(request, " ".join(dict.fromkeys(errors)) or _("Choose a period to export."))
        return redirect("insights:dashboard", pk=team.pk)
    try:
        document = request_document(
            kind=Document.Kind.EXPORT,
            requested_by=request.user,
            language=get_language(),
            team=team,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            file_format=form.cleaned_data["file_format"],
            layout=form.cleaned_data["layout"],
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("insights:dashboard", pk=team.pk)
    return redirect(document)


@require_GET
def member(request, pk):
    person = access.member_for_view(request.user, pk)
    membership = person.memberships.filter(ended_on__isnull=True).select_related("team").first()
    team_settings = report_services.settings_for(membership.team) if membership else TeamSettings()
    default = {**_last_closed_week(team_settings), "period": "quarter"}
    form = DashboardForm(request.GET or default, team_settings=team_settings, kpis=[])
    history = None
    if form.is_valid():
        start, end = form.cleaned_data["bounds"]
        history = dashboard.member_history(
            person,
            start,
            end,
            within=access.member_reach(request.user, person),
            readable=report_access.visible_reports(request.user),
        )
    return render(request, "insights/member.html", {"person": person, "form": form, "history": history})
