"""The pipeline pages: a member's and a team's pipeline (funnel, conversion, forecast against
target), opportunities (create, read, change), the manager's forecast and the exports. Rules
live in pipeline/services.py, figures in pipeline/selectors.py; every object comes through
pipeline/access.py and teams.access."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from customers import access as customer_access
from customers.models import Customer
from customers.services import calendar_of, local_today
from pipeline import access, exports, imports, selectors, services
from pipeline.forms import ForecastForm, ImportForm, OpportunityForm
from pipeline.models import Period, period_bounds
from reports import dates
from teams import access as team_access
from teams import versions
from teams.forms import save_or_show_errors
from teams.models import User
from teams.services import current_membership


def _period(request, today: datetime.date) -> dict:
    """The month or quarter asked for in ?period= and ?day= (this quarter by default)."""
    period = request.GET.get("period") if request.GET.get("period") in Period.values else Period.QUARTER
    day = dates.parse_day(request.GET.get("day")) or today
    start, end = period_bounds(period, day)
    return {
        "period": period,
        "start": start,
        "end": end,
        "previous_day": start - datetime.timedelta(days=1),
        "next_day": end + datetime.timedelta(days=1) if end < dates.latest() else None,
        "periods": Period.choices,
    }


def _freeze_if_closed(table_period: dict, members: list[User], today: datetime.date) -> None:
    """Forecasts of a closed period are frozen on the first view after the close, if the nightly
    task has not done it yet."""
    if table_period["end"] < today and members:
        services.freeze_forecasts(
            period=table_period["period"], start=table_period["start"], member_ids=[m.pk for m in members]
        )


@require_GET
def index(request):
    """Salespeople and managers: their own pipeline; directors and admins: their team's."""
    user = request.user
    if customer_access.keeps_sales_log(user):
        return redirect("pipeline:member", pk=user.pk)
    membership = team_access.scope(user).membership
    if membership is not None and team_access.can_view_team(user, membership.team):
        return redirect("pipeline:team", pk=membership.team_id)
    root = team_access.visible_teams(user).filter(parent__isnull=True).order_by("name").first()
    if root is None:
        raise Http404
    return redirect("pipeline:team", pk=root.pk)


@require_GET
def team(request, pk):
    return _team_page(request, team_access.team_for_view(request.user, pk))


def _team_page(request, team, posted: dict[int, ForecastForm] | None = None):
    """The team's pipeline; `posted`: a manager's forecast rows as sent, shown with their errors."""
    today = local_today(calendar_of(request.user))
    chosen = _period(request, today)
    members = selectors.members_of(team)
    _freeze_if_closed(chosen, members, today)
    figures = {"members": members, "period": chosen["period"], "start": chosen["start"], "end": chosen["end"]}
    table, funnel = selectors.pipeline_figures(team=team, **figures, today=today)
    for row in table.rows:
        row.outcomes = funnel.by_member.get(row.member.pk) or selectors.Outcomes()
    can_set_forecast = access.can_set_forecast(request.user, team) and not table.is_closed
    context = {"team": team, **chosen, "table": table, "funnel": funnel, "can_set_forecast": can_set_forecast}

    def forecast_html() -> str:
        if can_set_forecast:
            for row in table.rows:
                row.form = (posted or {}).get(row.member.pk) or ForecastForm(
                    prefix=str(row.member.pk), initial={"commit": row.commit, "best_case": row.best_case}
                )
        return render_to_string("pipeline/_forecast.html", context)

    # As HTML too, kept as long as the figures are: the members' outcomes and the funnel, and the
    # forecast table with a manager's inputs (the form around them, with the viewer's CSRF token,
    # is team.html's), unless it shows what was just posted.
    key = selectors.pipeline_key(**figures, today=today)
    context["detail"] = versions.cached(
        team, ("pipeline-html", *key), lambda: render_to_string("pipeline/team.html#detail", context)
    )
    context["forecast"] = (
        forecast_html()
        if posted
        else versions.cached(team, ("pipeline-forecast-html", can_set_forecast, *key), forecast_html)
    )
    return render(request, "pipeline/team.html", context)


@require_GET
def member(request, pk):
    member = team_access.member_for_view(request.user, pk)
    today = local_today(calendar_of(member))
    chosen = _period(request, today)
    membership = current_membership(member)
    opportunities = access.visible_opportunities(request.user).filter(customer__owner=member)
    if membership is None:
        table, funnel = None, selectors.funnel(owner_ids=[member.pk], start=chosen["start"], end=chosen["end"])
    else:
        _freeze_if_closed(chosen, [member], today)
        table, funnel = selectors.pipeline_figures(
            team=membership.team,
            members=[member],
            period=chosen["period"],
            start=chosen["start"],
            end=chosen["end"],
            today=today,
        )
    return render(
        request,
        "pipeline/member.html",
        {
            "member": member,
            **chosen,
            "table": table,
            "funnel": funnel,
            "opportunities": selectors.open_opportunities(opportunities),
            "can_create": member.pk == request.user.pk and customer_access.keeps_sales_log(request.user),
        },
    )


def _creatable_customers(user: User):
    return Customer.objects.filter(owner__in=customer_access.customer_owners(user)).order_by("name", "pk")


def opportunity_create(request):
    customers = _creatable_customers(request.user)
    if not customer_access.can_import_sales_log(request.user):
        raise PermissionDenied
    initial = {"customer": request.GET.get("customer", "")[:20]}
    form = OpportunityForm(request.POST or None, customers=customers, initial=initial)
    if request.method == "POST" and form.is_valid():
        created = []

        def create():
            created.append(
                services.create_opportunity(
                    actor=request.user, customer=form.cleaned_data["customer"], **form.service_data()
                )
            )

        if save_or_show_errors(form, create):
            messages.success(request, _("“%(name)s” is added to the pipeline.") % {"name": created[0].name})
            return redirect(created[0])
    return render(request, "pipeline/opportunity_form.html", {"form": form, "title": _("New opportunity")})


@require_GET
def opportunity_detail(request, pk):
    opportunity = access.opportunity_for_view(request.user, pk)
    return render(
        request,
        "pipeline/opportunity_detail.html",
        {
            "opportunity": opportunity,
            "moves": opportunity.stage_changes.select_related("from_stage", "to_stage", "changed_by"),
            "slips": opportunity.close_date_changes.select_related("changed_by"),
            "can_edit": access.can_edit_opportunity(request.user, opportunity),
        },
    )


def opportunity_edit(request, pk):
    opportunity = access.opportunity_for_edit(request.user, pk)
    initial = {name: getattr(opportunity, name) for name in services.OPPORTUNITY_FIELDS}
    form = OpportunityForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if save_or_show_errors(
            form,
            lambda: services.update_opportunity(actor=request.user, opportunity=opportunity, data=form.service_data()),
        ):
            messages.success(request, _("The opportunity is saved."))
            return redirect(opportunity)
    return render(
        request,
        "pipeline/opportunity_form.html",
        {"form": form, "title": str(opportunity), "opportunity": opportunity},
    )


@require_POST
def forecast_set(request, pk):
    """The manager's commit and best case of every member, saved together (the changed rows). A
    row refused saves none: the page comes back as typed, with the reasons next to the inputs."""
    team = access.team_for_forecast(request.user, pk)
    chosen = _period(request, local_today(calendar_of(request.user)))
    members = selectors.members_of(team)
    current = selectors.forecasts_of(members=members, period=chosen["period"], start=chosen["start"])
    posted = {
        member.pk: ForecastForm(
            request.POST,
            prefix=str(member.pk),
            initial={"commit": current[member.pk].commit, "best_case": current[member.pk].best_case}
            if member.pk in current
            else {},
        )
        for member in members
    }
    if all([form.is_valid() for form in posted.values()]) and _save_forecasts(request.user, members, posted, chosen):
        messages.success(request, _("Forecasts saved."))
        url = reverse("pipeline:team", args=[team.pk])
        return redirect(f"{url}?period={chosen['period']}&day={chosen['start']:%Y-%m-%d}")
    messages.error(request, _("The forecasts were not saved: see the marked rows."))
    return _team_page(request, team, posted)


@transaction.atomic
def _save_forecasts(actor: User, members: list[User], posted: dict[int, ForecastForm], chosen: dict) -> bool:
    saved = True
    for member in members:
        form = posted[member.pk]
        if form.has_changed():
            saved &= save_or_show_errors(
                form,
                lambda member=member, data=form.cleaned_data: services.set_forecast(
                    actor=actor, member=member, period=chosen["period"], day=chosen["start"], **data
                ),
            )
    if not saved:
        transaction.set_rollback(True)
    return saved


@require_GET
def export(request, pk, file_format):
    team = team_access.team_for_view(request.user, pk)
    if file_format not in ("csv", "xlsx"):
        raise Http404
    members = selectors.members_of(team)
    opportunities = access.visible_opportunities(request.user).filter(customer__owner__in=members)
    content = exports.render(opportunities, file_format=file_format)
    content_type = "text/csv; charset=utf-8" if file_format == "csv" else exports.XLSX_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="pipeline-{team.pk}.{file_format}"'
    return response


# Imports --------------------------------------------------------------------------------------------


def import_upload(request):
    customer_access.require_sales_log_import(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            stored = imports.store(actor=request.user, file=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            return redirect(stored)
    return render(request, "pipeline/import_form.html", {"form": form, "columns": imports.COLUMNS})


@require_GET
def import_sample(request):
    customer_access.require_sales_log_import(request.user)
    response = HttpResponse(imports.sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="opportunities-sample.csv"'
    return response


@require_GET
def import_preview(request, pk):
    stored = access.import_for(request.user, pk)
    result = None if stored.is_applied else imports.preview(stored)
    return render(request, "pipeline/import_preview.html", {"log_import": stored, "result": result})


@require_POST
def import_apply(request, pk):
    stored = access.import_for(request.user, pk)
    try:
        imports.apply(actor=request.user, stored=stored)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The file is imported."))
    return redirect(stored)
