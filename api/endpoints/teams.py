"""Me, the teams tree, members in reach, KPIs, targets and a team's numbers for a period."""

import datetime

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.pagination import PageNumberPagination, paginate

from api import schemas
from api.endpoints.filters import ListFilters, narrow
from insights import dashboard
from insights.forms import DashboardForm
from reports import services as report_services
from reports import settings_services
from reports.models import KPI, Target
from teams import access
from teams.models import Membership, Team, User

router = Router(tags=["people and teams"])


def _with_membership(users):
    current = Membership.objects.active().filter(user=OuterRef("pk"))
    return users.annotate(
        team_id=Subquery(current.values("team_id")[:1]), role=Subquery(current.values("role")[:1])
    ).order_by("display_name", "pk")


@router.get("/me", response=schemas.MeOut, summary="The token's owner")
def me(request):
    user = _with_membership(User.objects.filter(pk=request.user.pk)).get()
    s = access.scope(request.user)
    managed = Team.objects.filter(access.in_subtrees(tuple(s.managed_paths), prefix="")).values_list("pk", flat=True)
    return {
        **{field: getattr(user, field) for field in schemas.MemberOut.model_fields},
        "language": user.language,
        "is_admin": s.is_admin,
        "managed_team_ids": list(managed),
        "token_can_write": request.auth.can_write,
    }


@router.get("/teams", response=list[schemas.TeamOut], summary="The teams in reach, as a tree")
def team_tree(request):
    teams = list(access.visible_teams(request.user).order_by("path"))
    nodes = {
        team.pk: {
            "id": team.pk,
            "name": team.name,
            "kind": team.kind,
            "parent_id": team.parent_id,
            "is_active": team.is_active,
            "children": [],
        }
        for team in teams
    }
    roots = []
    for team in teams:
        parent = nodes.get(team.parent_id)
        (parent["children"] if parent else roots).append(nodes[team.pk])
    return roots


@router.get("/members", response=list[schemas.MemberOut], summary="The people in reach")
@paginate(PageNumberPagination, page_size=100)
def members(request, team: int | None = None):
    people = access.visible_members(request.user)
    if team is not None:
        node = access.team_for_view(request.user, team)
        people = people.filter(memberships__in=Membership.objects.active().filter(team__path__startswith=node.path))
    return _with_membership(people)


@router.get("/kpis", response=list[schemas.KpiOut], summary="The KPIs reports ask for")
def kpis(request):
    return KPI.objects.filter(is_active=True)


@router.get("/targets", response=list[schemas.TargetOut], summary="Weekly targets of the people in reach")
@paginate(PageNumberPagination, page_size=500)
def targets(request, filters: Query[ListFilters]):
    in_reach = access.visible_members(request.user).values("pk")
    condition = narrow(
        request.user,
        filters,
        team_field="member__memberships__team",
        member_field="member",
        day_field="week_start",
        week=True,
    )
    rows = Target.objects.filter(condition, member__in=in_reach).select_related("kpi").distinct()
    return [
        {"member_id": t.member_id, "kpi": t.kpi.code, "week_start": t.week_start, "value": t.value}
        for t in rows.order_by("week_start", "member_id", "kpi__position")
    ]


@router.put(
    "/teams/{int:team_id}/targets",
    response={200: schemas.TargetsSaved, 400: schemas.Error},
    summary="Set a week's targets (managers, for their subtree)",
)
def set_targets(request, team_id: int, payload: schemas.TargetsIn):
    team = access.team_for_targets(request.user, team_id)
    period = settings_services.week_period(report_services.settings_for(team), payload.week_start)
    table = settings_services.target_table(team=team, period=period)
    members = {m.user_id for m in table.members}
    kpis = {kpi.code: kpi for kpi in table.kpis}
    values, errors = {}, {}
    for index, row in enumerate(payload.values):
        if row.member_id not in members:
            errors[f"values.{index}.member_id"] = [_("Not a salesperson of this team.")]
        elif row.kpi not in kpis:
            errors[f"values.{index}.kpi"] = [_("Not a KPI of this team's report template.")]
        else:
            values[row.member_id, kpis[row.kpi].pk] = row.value
    if errors:
        raise ValidationError({field: messages for field, messages in errors.items()})
    return {"members_changed": settings_services.save_targets(actor=request.user, table=table, values=values)}


@router.get(
    "/teams/{int:team_id}/numbers",
    response={200: schemas.TeamNumbersOut, 400: schemas.Error},
    summary="A team's totals against target and its submission discipline, as on its dashboard",
)
def team_numbers(
    request,
    team_id: int,
    period: str = "week",
    day: datetime.date | None = None,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
):
    """The dashboard's own figures (insights.dashboard.cached_build), for the period the
    dashboard's form would pick: week, month, quarter (the one containing `day`) or custom."""
    team = access.team_for_view(request.user, team_id)
    team_settings = report_services.settings_for(team)
    data = {"period": period, "day": day or report_services.last_closed_week(team_settings), "start": start, "end": end}
    form = DashboardForm({k: v for k, v in data.items() if v is not None}, team_settings=team_settings, kpis=[])
    if not form.is_valid():
        raise ValidationError({field: list(messages) for field, messages in form.errors.items()})
    first, last = form.cleaned_data["bounds"]
    board = dashboard.cached_build(team, team_settings, first, last, None)
    discipline = board.discipline
    return {
        "team_id": team.pk,
        "start": first,
        "end": last,
        "totals": [
            {
                "kpi": total.kpi.code,
                "actual": total.current.actual,
                "target": total.current.target,
                "rate": total.current.rate,
                "previous_actual": total.previous.actual,
            }
            for total in board.totals
        ],
        "discipline": {
            "expected": discipline.expected,
            "on_time": discipline.on_time,
            "late": discipline.late,
            "not_yet_due": discipline.not_yet_due,
            "missing": discipline.missing,
            "on_leave": discipline.on_leave,
        },
    }
