"""The pipeline: stages and lead sources, opportunities (list, detail with the stage history,
create, change) and a team's forecast and funnel for a month or quarter. Every object comes
through pipeline/access.py (the same reach as the pipeline pages), every change through
pipeline/services.py (stage history, the loss-reason rule, the audit trail), and every figure
from pipeline/selectors.py, the functions the pipeline pages call. A POST that carries an
`external_id` already sent for the same customer changes that opportunity instead of adding a
second one, as customers and activities do."""

import datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import PageNumberPagination, paginate

from api import schemas
from api.endpoints.filters import ListFilters, narrow
from customers import access as customer_access
from customers.models import Customer
from customers.services import calendar_of, local_today
from pipeline import access, selectors, services
from pipeline.models import LeadSource, Opportunity, Period, Stage, period_bounds
from teams import access as team_access

router = Router(tags=["pipeline"])


@router.get("/stages", response=list[schemas.StageOut], summary="The pipeline's stages, in order")
def stage_list(request):
    return Stage.objects.order_by("position", "pk")


@router.get("/lead-sources", response=list[schemas.LeadSourceOut], summary="Where opportunities come from")
def lead_source_list(request):
    return LeadSource.objects.order_by("position", "pk")


class OpportunityFilters(ListFilters):
    """team, member: the customer's owner; start, end (or week): the expected close date;
    stage: a stage id; status: open, won or lost."""

    stage: int | None = None
    status: Literal["open", "won", "lost"] | None = None
    external_id: str | None = None


STATUS = {
    "open": Q(stage__is_won=False, stage__is_lost=False),
    "won": Q(stage__is_won=True),
    "lost": Q(stage__is_lost=True),
}


@router.get("/opportunities", response=list[schemas.OpportunityOut], summary="Opportunities in reach")
@paginate(PageNumberPagination, page_size=100)
def opportunity_list(request, filters: Query[OpportunityFilters]):
    condition = narrow(
        request.user,
        filters,
        team_field="customer__owner__memberships__team",
        member_field="customer__owner",
        day_field="expected_close_on",
        week=False,
    )
    if filters.stage is not None:
        condition &= Q(stage_id=filters.stage)
    if filters.status is not None:
        condition &= STATUS[filters.status]
    if filters.external_id:
        condition &= Q(external_id=filters.external_id)
    opportunities = access.visible_opportunities(request.user).filter(condition).select_related("customer")
    return opportunities.distinct().order_by("expected_close_on", "pk")


@router.get(
    "/opportunities/{int:opportunity_id}",
    response=schemas.OpportunityDetailOut,
    summary="An opportunity with its stage history and close-date changes",
)
def opportunity_detail(request, opportunity_id: int):
    return access.opportunity_for_view(request.user, opportunity_id)


def _choices(fields: dict) -> dict:
    """The service's fields from the API's: stage_id and lead_source_id become the stage and the
    lead source, checked to exist (400 on the field otherwise)."""
    if "stage_id" in fields:
        stage_id = fields.pop("stage_id")
        fields["stage"] = Stage.objects.filter(pk=stage_id).first() if stage_id is not None else None
        if fields["stage"] is None:
            raise ValidationError({"stage_id": [_("Choose one of the stages.")]})
    if "lead_source_id" in fields:
        source_id = fields.pop("lead_source_id")
        fields["lead_source"] = LeadSource.objects.filter(pk=source_id).first() if source_id is not None else None
        if source_id is not None and fields["lead_source"] is None:
            raise ValidationError({"lead_source_id": [_("Choose one of the lead sources.")]})
    return fields


def _customer(request, customer_id: int) -> Customer:
    """A customer the user may add opportunities to: as on the page, one of the customers of
    access.customer_owners()."""
    customer = (
        Customer.objects.filter(owner__in=customer_access.customer_owners(request.user), pk=customer_id)
        .select_related("owner")
        .first()
    )
    if customer is None:
        raise ValidationError({"customer_id": [_("Choose one of the customers you may add opportunities to.")]})
    return customer


def _update(request, pk: int, fields: dict) -> Opportunity:
    opportunity = access.opportunity_for_edit(request.user, pk)
    return services.update_opportunity(actor=request.user, opportunity=opportunity, data=_choices(fields))


@router.post(
    "/opportunities",
    response={200: schemas.OpportunityOut, 201: schemas.OpportunityOut, 400: schemas.Error},
    summary="Add an opportunity (201), or change the one with the same external_id (200)",
)
def opportunity_create(request, payload: schemas.OpportunityIn):
    if not customer_access.can_import_sales_log(request.user):
        raise PermissionDenied
    customer = _customer(request, payload.customer_id)
    # A resend changes only what it names; a new opportunity takes the defaults for the rest.
    sent = payload.model_dump(exclude_unset=True, exclude={"customer_id", "external_id"})
    if payload.external_id:
        existing = Opportunity.objects.filter(customer=customer, external_id=payload.external_id).first()
        if existing is not None:
            return Status(200, _update(request, existing.pk, sent))
    fields = _choices(payload.model_dump(exclude={"customer_id", "external_id"}))
    try:
        with transaction.atomic():
            opportunity = services.create_opportunity(
                actor=request.user, customer=customer, external_id=payload.external_id, **fields
            )
    except IntegrityError:  # the same external id sent twice at the same moment: the other won
        existing = Opportunity.objects.get(customer=customer, external_id=payload.external_id)
        return Status(200, _update(request, existing.pk, sent))
    return Status(201, opportunity)


@router.patch(
    "/opportunities/{int:opportunity_id}",
    response={200: schemas.OpportunityOut, 400: schemas.Error},
    summary="Change an opportunity or move it to another stage (its owner, their managers, admins)",
)
def opportunity_update(request, opportunity_id: int, payload: schemas.OpportunityPatch):
    return _update(request, opportunity_id, payload.model_dump(exclude_unset=True))


# A team's figures --------------------------------------------------------------------------------


class PeriodQuery(schemas.Schema):
    """The month or quarter containing `day` (today by default), as the team's pipeline page."""

    period: Literal["month", "quarter"] = Period.QUARTER.value  # type: ignore[assignment]
    day: datetime.date | None = None


def _team_period(request, team_id: int, query: PeriodQuery):
    team = team_access.team_for_view(request.user, team_id)
    today = local_today(calendar_of(request.user))
    start, end = period_bounds(query.period, query.day or today)
    members = selectors.members_of(team)
    return team, members, today, {"team_id": team.pk, "period": query.period, "start": start, "end": end}


def _row(row: selectors.ForecastRow) -> dict:
    return {
        "member_id": row.member.pk if row.member else None,
        **{
            name: getattr(row, name)
            for name in ("won", "weighted", "pipeline", "forecast", "commit", "best_case", "target", "attainment")
        },
        "frozen": row.frozen,
        "accuracy": row.accuracy,
    }


@router.get(
    "/teams/{int:team_id}/forecast",
    response={200: schemas.ForecastOut, 400: schemas.Error},
    summary="A team's forecast against target for a month or quarter, as on its pipeline page",
)
def team_forecast(request, team_id: int, query: Query[PeriodQuery]):
    team, members, today, chosen = _team_period(request, team_id, query)
    if chosen["end"] < today and members:  # as the page: frozen on the first look after the close
        services.freeze_forecasts(period=query.period, start=chosen["start"], member_ids=[m.pk for m in members])
    table = selectors.forecast_table(
        team=team, members=members, period=query.period, start=chosen["start"], end=chosen["end"], today=today
    )
    return {**chosen, "is_closed": table.is_closed, "rows": [_row(r) for r in table.rows], "total": _row(table.total)}


def _steps(steps: list[selectors.FunnelStep]) -> list[dict]:
    return [
        {"stage_id": s.stage.pk, "stage": s.stage.name, "reached": s.reached, "conversion": s.conversion} for s in steps
    ]


def _outcomes(outcomes: selectors.Outcomes) -> dict:
    return {
        "won": outcomes.won,
        "lost": outcomes.lost,
        "won_amount": outcomes.won_amount,
        "cycle_days": outcomes.cycle_days,
        "win_rate": outcomes.win_rate,
    }


@router.get(
    "/teams/{int:team_id}/funnel",
    response={200: schemas.FunnelOut, 400: schemas.Error},
    summary="A team's funnel, conversion, win rate, cycle time and churn for a month or quarter",
)
def team_funnel(request, team_id: int, query: Query[PeriodQuery]):
    _team, members, _today, chosen = _team_period(request, team_id, query)
    funnel = selectors.funnel(owner_ids=[m.pk for m in members], start=chosen["start"], end=chosen["end"])
    return {
        **chosen,
        "steps": _steps(funnel.steps),
        "outcomes": _outcomes(funnel.outcomes),
        "by_source": [
            {"lead_source": name, "steps": _steps(steps), "outcomes": _outcomes(outcomes)}
            for name, steps, outcomes in funnel.by_source
        ],
        "by_member": [
            {"member_id": member_id, **_outcomes(outcomes)} for member_id, outcomes in sorted(funnel.by_member.items())
        ],
        "loss_reasons": [
            {"loss_reason": r["loss_reason"], "count": r["n"], "amount": r["amount"]} for r in funnel.loss_reasons
        ],
        "lost_customers": [
            {"id": c.pk, "name": c.name, "owner_id": c.owner_id, "lost_reason": c.lost_reason}
            for c in funnel.lost_customers
        ],
    }
