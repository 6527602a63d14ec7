"""Who may see and change customers and the sales log: predicates and fetchers built on
teams.access's Scope and its subtree helper (see teams/access.py for the rule table)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from customers.models import Activity, Customer, LogImport
from teams import access
from teams.models import Membership, User


def keeps_sales_log(user: User) -> bool:
    """The people who write weekly reports log their sales activities."""
    return access.writes_reports(user)


def visible_customers(user: User):
    """Own customers, plus those owned by people the user may look up; all for admins."""
    s = access.scope(user)
    if s.is_admin:
        return Customer.objects.all()
    if not user.is_authenticated:
        return Customer.objects.none()
    if not s.readable_paths:
        return Customer.objects.filter(owner=user)
    # The people first (one query), then their customers by the owner index: a subquery here
    # makes PostgreSQL scan every customer of the company.
    return Customer.objects.filter(owner_id__in=access.member_ids_in_reach(s, user))


def can_edit_customer(user: User, customer) -> bool:
    """The owner, the managers above the owner (not directors), and admins."""
    s = access.scope(user)
    if s.is_admin or customer.owner_id == user.pk:
        return True
    return s.is_manager and access.visible_members(user).filter(pk=customer.owner_id).exists()


def customer_for_view(user: User, pk: int):
    """The customer, or Http404 when it does not exist or lies outside the user's reach."""
    customer = visible_customers(user).select_related("owner").filter(pk=pk).first()
    if customer is None:
        raise Http404
    return customer


def customer_for_edit(user: User, pk: int):
    """The customer for a change; Http404 outside reach, PermissionDenied for readers (directors)."""
    customer = customer_for_view(user, pk)
    if not can_edit_customer(user, customer):
        raise PermissionDenied
    return customer


def customer_owners(user: User) -> QuerySet[User]:
    """Whom the user may make a customer's owner or import for: themselves if they keep a sales
    log, and for managers and admins the active people in reach who keep one."""
    s = access.scope(user)
    writers = Membership.objects.active().filter(
        user=OuterRef("pk"), role__in=[Membership.Role.SALESPERSON, Membership.Role.MANAGER]
    )
    people = User.objects.filter(Exists(writers), is_active=True)
    if s.is_admin:
        return people
    if s.is_manager:
        return people.filter(pk__in=access.visible_members(user).values("pk"))
    return people.filter(pk=user.pk)


def visible_activities(user: User):
    """Own activities, plus those logged in teams of the user's subtree; all for admins."""
    s = access.scope(user)
    if s.is_admin:
        return Activity.objects.all()
    if not user.is_authenticated:
        return Activity.objects.none()
    return Activity.objects.filter(Q(author=user) | access.in_subtrees(s.readable_paths))


def activity_for_edit(user: User, pk: int):
    """An activity for its author to change; Http404 outside reach, PermissionDenied for readers."""
    activity = visible_activities(user).select_related("customer", "team").filter(pk=pk).first()
    if activity is None:
        raise Http404
    if activity.author_id != user.pk:
        raise PermissionDenied
    return activity


def can_import_sales_log(user: User) -> bool:
    """Whether customer_owners(user) names anyone: at once for salespeople and managers, who are
    among their own candidates; asked of the database for directors and admins."""
    if user.is_active and access.scope(user).own_role in (Membership.Role.SALESPERSON, Membership.Role.MANAGER):
        return True
    return customer_owners(user).exists()


def require_sales_log_import(user: User) -> None:
    if not can_import_sales_log(user):
        raise PermissionDenied


def log_import_for(user: User, pk: int):
    """A stored import, only for the person who uploaded it (others: Http404)."""
    log_import = LogImport.objects.filter(pk=pk, uploaded_by=user).first()
    if log_import is None:
        raise Http404
    return log_import
