"""Dashboards for managers, directors and admins, scoped by the access policy."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from insights import dashboard
from insights.forms import DashboardForm
from reports import services as report_services
from reports.models import KPI, TeamSettings
from teams import access
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


@require_GET
def team_dashboard(request, pk):
    team = access.team_for_view(request.user, pk)
    team_settings = report_services.settings_for(team)
    kpis = list(KPI.objects.filter(is_active=True))
    form = DashboardForm(request.GET or {"period": "month"}, team_settings=team_settings, kpis=kpis)
    board = None
    if form.is_valid():
        start, end = form.cleaned_data["bounds"]
        board = dashboard.build(team, team_settings, start, end, form.primary)
    return render(request, "insights/dashboard.html", {"team": team, "form": form, "board": board})


@require_GET
def member(request, pk):
    person = access.member_for_view(request.user, pk)
    membership = person.memberships.filter(ended_on__isnull=True).select_related("team").first()
    team_settings = report_services.settings_for(membership.team) if membership else TeamSettings()
    form = DashboardForm(request.GET or {"period": "quarter"}, team_settings=team_settings, kpis=[])
    history = None
    if form.is_valid():
        start, end = form.cleaned_data["bounds"]
        history = dashboard.member_history(person, start, end)
    return render(request, "insights/member.html", {"person": person, "form": form, "history": history})
