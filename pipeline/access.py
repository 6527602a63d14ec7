"""Who reaches which opportunities: exactly who reaches their customer (teams.access's customer
rules). The owner and the managers above edit them, directors read them, admins see all.
Forecasts: a team's readers see it; its managers (not directors) and admins set a member's
commit and best case."""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from customers import access as customer_access
from pipeline.models import Opportunity, OpportunityImport
from teams import access
from teams.models import Team, User


def visible_opportunities(user: User) -> QuerySet[Opportunity]:
    """The opportunities of the customers the user may see."""
    return Opportunity.objects.filter(customer__in=customer_access.visible_customers(user))


def opportunity_for_view(user: User, pk: int) -> Opportunity:
    """The opportunity, or Http404 when it does not exist or lies outside the user's reach."""
    opportunity = (
        visible_opportunities(user).select_related("customer__owner", "stage", "lead_source").filter(pk=pk).first()
    )
    if opportunity is None:
        raise Http404
    return opportunity


def can_edit_opportunity(user: User, opportunity: Opportunity) -> bool:
    """Whoever may edit its customer: the owner, the managers above, admins (not directors)."""
    return customer_access.can_edit_customer(user, opportunity.customer)


def opportunity_for_edit(user: User, pk: int) -> Opportunity:
    """The opportunity for a change; Http404 outside reach, PermissionDenied for readers."""
    opportunity = opportunity_for_view(user, pk)
    if not can_edit_opportunity(user, opportunity):
        raise PermissionDenied
    return opportunity


def can_set_forecast(user: User, team: Team) -> bool:
    """The managers of the team's subtree and admins; not directors, who read."""
    return access.can_set_targets(user, team)


def team_for_forecast(user: User, pk: int) -> Team:
    """The team whose forecasts the user sets; Http404 outside reach, PermissionDenied for readers."""
    team = access.team_for_view(user, pk)
    if not can_set_forecast(user, team):
        raise PermissionDenied
    return team


def import_for(user: User, pk: int) -> OpportunityImport:
    """A stored import, only for the person who uploaded it (others: Http404)."""
    stored = OpportunityImport.objects.filter(pk=pk, uploaded_by=user).first()
    if stored is None:
        raise Http404
    return stored
