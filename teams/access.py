"""The one access policy. Every view and every list goes through this module; it is the only
code that reads Membership.role or User.is_staff to decide who may see or change what.

Who                     | sees                                          | changes
----------------------- | --------------------------------------------- | --------------------------------
anonymous               | nothing but login, password reset, language   | nothing
salesperson             | own profile (and, later, own reports)          | own preferences (and own drafts)
manager of team T       | T and all teams below it, their members        | own preferences (reviews later)
director of node N      | N and all teams below it, read-only            | own preferences
admin (is_staff)        | everything                                     | team structure, members, roles, imports

Answers:
- An object outside the user's reach answers 404, exactly like one that does not exist, so ids
  cannot be probed (fetchers raise Http404).
- An object the user can see but not change answers 403 (fetchers raise PermissionDenied).
- Admin-only pages that are not about one object (create a team, import members, the audit
  trail) answer 403 to everyone else.

A manager's and director's reach is computed from their *current* membership; a member is in
reach when their current membership (or, for people who left, any past membership) lies in a
team inside that subtree.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from teams.models import Membership, Team, User


@dataclass(frozen=True)
class Scope:
    """What one user may reach, computed once per request."""

    is_admin: bool
    # Root paths of the subtrees the user manages (may review and set targets) and may read.
    managed_paths: tuple[str, ...]
    readable_paths: tuple[str, ...]
    own_team_id: int | None
    own_role: str | None

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_paths)

    @property
    def is_director(self) -> bool:
        return self.own_role == Membership.Role.DIRECTOR

    @property
    def sees_teams(self) -> bool:
        return self.is_admin or bool(self.readable_paths)


def scope(user: User) -> Scope:
    """The user's reach, memoised on the user object (one query per request at most)."""
    cached = getattr(user, "_access_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        result = Scope(False, (), (), None, None)
    else:
        membership = Membership.objects.active().filter(user=user).select_related("team").first()
        managed, readable = (), ()
        if membership and membership.role in (Membership.Role.MANAGER, Membership.Role.DIRECTOR):
            readable = (membership.team.path,)
            if membership.role == Membership.Role.MANAGER:
                managed = readable
        result = Scope(
            is_admin=user.is_staff,
            managed_paths=managed,
            readable_paths=readable,
            own_team_id=membership.team_id if membership else None,
            own_role=membership.role if membership else None,
        )
    user._access_scope = result
    return result


# Predicates -------------------------------------------------------------------------------------


def is_admin(user: User) -> bool:
    """Admins manage structure, members, roles and templates, and see everything."""
    return scope(user).is_admin


def can_manage_structure(user: User) -> bool:
    """May create, rename and move teams and add, move or deactivate members."""
    return scope(user).is_admin


def can_view_audit_trail(user: User) -> bool:
    return scope(user).is_admin


def can_view_team(user: User, team: Team) -> bool:
    s = scope(user)
    return s.is_admin or any(team.path.startswith(p) for p in s.readable_paths)


def can_view_member(user: User, member: User) -> bool:
    if member.pk == user.pk and user.is_authenticated:
        return True
    return visible_members(user).filter(pk=member.pk).exists()


def can_edit_member(user: User, member: User) -> bool:
    """Only admins change another person's profile, team or status."""
    return scope(user).is_admin


# Scopes for lists -------------------------------------------------------------------------------


def visible_teams(user: User) -> QuerySet[Team]:
    """Teams the user may browse: all for admins, the subtree for managers and directors."""
    s = scope(user)
    if s.is_admin:
        return Team.objects.all()
    return Team.objects.under(list(s.readable_paths))


def visible_members(user: User) -> QuerySet[User]:
    """People the user may look up: everyone for admins, the subtree's members otherwise.

    People who left stay visible to the managers of the teams they were in, so their
    history can still be read.
    """
    s = scope(user)
    if s.is_admin:
        return User.objects.all()
    if not s.readable_paths:
        return User.objects.filter(pk=user.pk) if user.is_authenticated else User.objects.none()
    in_subtree = Q()
    for path in s.readable_paths:
        in_subtree |= Q(team__path__startswith=path)
    current = Membership.objects.filter(in_subtree, user=OuterRef("pk"), ended_on__isnull=True)
    past = Membership.objects.filter(in_subtree, user=OuterRef("pk"))
    return User.objects.filter(Q(Exists(current)) | Q(status=User.Status.LEFT, pk__in=past.values("user"))
                               | Q(pk=user.pk))


# Fetchers for detail and action views -----------------------------------------------------------


def team_for_view(user: User, pk: int) -> Team:
    """The team, or Http404 when it does not exist or lies outside the user's reach."""
    team = Team.objects.select_related("parent").filter(pk=pk).first()
    if team is None or not can_view_team(user, team):
        raise Http404
    return team


def team_for_edit(user: User, pk: int) -> Team:
    """The team for a structural change; Http404 outside reach, PermissionDenied for non-admins."""
    team = team_for_view(user, pk)
    if not can_manage_structure(user):
        raise PermissionDenied
    return team


def member_for_view(user: User, pk: int) -> User:
    """The person, or Http404 when they do not exist or lie outside the user's reach."""
    member = visible_members(user).filter(pk=pk).first()
    if member is None:
        raise Http404
    return member


def member_for_edit(user: User, pk: int) -> User:
    """The person for an admin change; Http404 outside reach, PermissionDenied for non-admins."""
    member = member_for_view(user, pk)
    if not can_edit_member(user, member):
        raise PermissionDenied
    return member


def require_structure_admin(user: User) -> None:
    """Guard for admin-only pages that are not about one object."""
    if not can_manage_structure(user):
        raise PermissionDenied


def require_audit_access(user: User) -> None:
    if not can_view_audit_trail(user):
        raise PermissionDenied
