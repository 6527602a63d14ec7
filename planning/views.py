from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from planning import access, selectors, services
from planning.forms import DecisionForm, PlanForm, ProposeForm, SplitForm, StartPlanForm
from planning.models import Plan
from planning.selectors import period_label
from reports.models import KPI
from teams import access as team_access
from teams.forms import save_or_show_errors


def index(request):
    """The user's own subtree's plans, and the proposals waiting for them."""
    s = team_access.scope(request.user)
    if not s.sees_teams:
        raise Http404
    visible = team_access.visible_teams(request.user)
    teams = visible.filter(depth=min(visible.values_list("depth", flat=True), default=0))
    waiting = [
        plan
        for plan in Plan.objects.filter(status=Plan.Status.PROPOSED).select_related("team", "kpi", "author")
        if access.can_return_plan(request.user, plan)
    ]
    return render(request, "planning/index.html", {"teams": teams, "waiting": waiting})


def team(request, pk):
    """The figures in force for a subtree, KPI and year, and its versions."""
    node = access.team_for_plans(request.user, pk)
    form = StartPlanForm(request.GET or None)
    kpi, year = (form.cleaned_data["kpi"], form.cleaned_data["year"]) if form.is_valid() else (None, None)
    if kpi is None:
        kpi, year = KPI.objects.filter(is_active=True).first(), form.fields["year"].initial
        form = StartPlanForm(initial={"kpi": kpi, "year": year})
    context = {
        "team": node,
        "form": form,
        "kpi": kpi,
        "year": year,
        "can_write": access.can_write_plan(request.user, node),
    }
    if kpi is not None:
        nodes = selectors.plan_tree(node)
        values = selectors.approved_values(node, kpi, year)
        context |= {
            "table": _table(nodes, values, kpi),
            "gaps": selectors.gaps(nodes, values, kpi),
            "versions": Plan.objects.filter(team__path__startswith=node.path, kpi=kpi, year=year).select_related(
                "team", "author", "decided_by"
            ),
        }
    return render(request, "planning/team.html", context)


def _table(nodes, values, kpi) -> dict:
    return {
        "periods": [period_label(kind, number) for kind, number in selectors.PERIODS],
        "rows": [
            {
                "node": node,
                "stretch": (values.get((node.key, "year", 1)) or (None, None))[1],
                "cells": [
                    (values.get((node.key, kind, number)) or (None, None))[0] for kind, number in selectors.PERIODS
                ],
            }
            for node in nodes
        ],
        "decimals": kpi.decimals,
    }


@require_POST
def start(request, pk):
    node = access.team_for_plans(request.user, pk)
    form = StartPlanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a KPI and a year."))
        return redirect("planning:team", pk=node.pk)
    plan = services.start_plan(
        actor=request.user, team=node, kpi=form.cleaned_data["kpi"], year=form.cleaned_data["year"]
    )
    return redirect(plan)


@require_GET
def plan(request, pk):
    """One version: its figures (editable while a draft), the checks, and the actions allowed."""
    return _plan_page(request, pk)


def _plan_page(request, pk, form=None, split_form=None, decision_form=None, propose_form=None):
    plan = access.plan_for_view(request.user, pk)
    nodes = selectors.plan_tree(plan.team)
    values = selectors.plan_values(plan)
    can_edit = access.can_edit_plan(request.user, plan)
    if can_edit and form is None:
        form = PlanForm(nodes=nodes, values=values, kpi=plan.kpi)
    return render(
        request,
        "planning/plan.html",
        {
            "plan": plan,
            "form": form if can_edit else None,
            "table": _table(nodes, values, plan.kpi),
            "periods": [period_label(kind, number) for kind, number in selectors.PERIODS],
            "gaps": selectors.gaps(nodes, values, plan.kpi),
            "split_form": split_form or SplitForm(),
            "propose_form": propose_form or ProposeForm(initial={"note": plan.note}),
            "decision_form": decision_form or DecisionForm(),
            "can_edit": can_edit,
            "can_propose": access.can_propose_plan(request.user, plan),
            "can_approve": access.can_approve_plan(request.user, plan),
            "can_return": access.can_return_plan(request.user, plan),
            "back": services.plan_page_url(plan.team, plan.kpi, plan.year),
        },
    )


@require_POST
def save(request, pk):
    plan_ = access.plan_for_edit(request.user, pk)
    form = PlanForm(
        request.POST, nodes=selectors.plan_tree(plan_.team), values=selectors.plan_values(plan_), kpi=plan_.kpi
    )
    changed = []
    if form.is_valid() and save_or_show_errors(
        form, lambda: changed.append(services.save_plan(actor=request.user, plan=plan_, values=form.figures()))
    ):
        messages.success(request, _("Targets saved.") if changed[0] else _("No target changed."))
        return redirect(plan_)
    return _plan_page(request, pk, form=form)


@require_POST
def split(request, pk):
    plan_ = access.plan_for_edit(request.user, pk)
    form = SplitForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, pk, split_form=form)
    try:
        services.split_plan(
            actor=request.user, plan=plan_, people=form.cleaned_data["people"], time=form.cleaned_data["time"]
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The targets were split down to every team and person."))
    return redirect(plan_)


@require_POST
def propose(request, pk):
    plan_ = access.plan_for_proposal(request.user, pk)
    form = ProposeForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, pk, propose_form=form)
    services.propose_plan(actor=request.user, plan=plan_, note=form.cleaned_data["note"])
    messages.success(request, _("Proposed for approval."))
    return redirect(plan_)


@require_POST
def approve(request, pk):
    plan_ = access.plan_for_approval(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _plan_page(request, pk, decision_form=form)
    services.approve_plan(actor=request.user, plan=plan_, comment=form.cleaned_data["comment"])
    messages.success(request, _("Approved: the weekly targets of its salespeople are updated."))
    return redirect(plan_)


@require_POST
def send_back(request, pk):
    plan_ = access.plan_for_return(request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid() and save_or_show_errors(
        form, lambda: services.return_plan(actor=request.user, plan=plan_, comment=form.cleaned_data["comment"])
    ):
        messages.success(request, _("Sent back to %(author)s.") % {"author": plan_.author})
        return redirect(plan_)
    return _plan_page(request, pk, decision_form=form)
