"""Who may see, write and approve target plans (built on teams.access).

Who                 | sees                        | changes
------------------- | --------------------------- | ---------------------------------------------
salesperson         | nothing (404)               | nothing
manager of team T   | plans of T and below        | writes versions for T and below and proposes
                    |                             | them; edits their own drafts; never approves
director of node N  | plans of N and below        | writes versions for N and below; approves or
                    |                             | sends back proposals there; approves own drafts
admin               | every plan                  | the same as a director, everywhere

A plan outside the user's subtree answers 404; one they see but may not change answers 403.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from planning.models import Plan
from teams import access
from teams.models import Team, User


def can_view_plans(user: User, team: Team) -> bool:
    return access.can_view_team(user, team)


def can_write_plan(user: User, team: Team) -> bool:
    """Managers and directors of the subtree (and admins) start versions and propose them."""
    return can_view_plans(user, team)


def can_edit_plan(user: User, plan: Plan) -> bool:
    """Its author, or someone who may approve it, while it is a draft or sent back."""
    return plan.is_editable and (plan.author_id == user.pk or access.may_approve_plans(user, plan.team))


def can_propose_plan(user: User, plan: Plan) -> bool:
    return plan.is_editable and plan.author_id == user.pk and not access.may_approve_plans(user, plan.team)


def can_approve_plan(user: User, plan: Plan) -> bool:
    """A director above (or an admin) approves a proposal, or their own draft directly."""
    if not access.may_approve_plans(user, plan.team):
        return False
    return plan.status == Plan.Status.PROPOSED or (plan.is_editable and plan.author_id == user.pk)


def can_return_plan(user: User, plan: Plan) -> bool:
    return plan.status == Plan.Status.PROPOSED and access.may_approve_plans(user, plan.team)


def team_for_plans(user: User, pk: int) -> Team:
    """A team whose plans the user may see; Http404 otherwise."""
    return access.team_for_view(user, pk)


def plan_for_view(user: User, pk: int) -> Plan:
    """Http404 unless the plan's team is in the user's subtree."""
    plan = Plan.objects.select_related("team", "kpi", "author", "decided_by").filter(pk=pk).first()
    if plan is None or not can_view_plans(user, plan.team):
        raise Http404
    return plan


def _plan_for(user: User, pk: int, predicate) -> Plan:
    plan = plan_for_view(user, pk)
    if not predicate(user, plan):
        raise PermissionDenied
    return plan


def plan_for_edit(user: User, pk: int) -> Plan:
    """Http404 outside reach; PermissionDenied unless can_edit_plan()."""
    return _plan_for(user, pk, can_edit_plan)


def plan_for_proposal(user: User, pk: int) -> Plan:
    return _plan_for(user, pk, can_propose_plan)


def plan_for_approval(user: User, pk: int) -> Plan:
    return _plan_for(user, pk, can_approve_plan)


def plan_for_return(user: User, pk: int) -> Plan:
    return _plan_for(user, pk, can_return_plan)
