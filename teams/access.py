"""The one access policy: the Scope of a user (their role, the subtrees they read and manage), the
one subtree helper (in_subtrees), and the team, member and leave predicates and fetchers. Each
higher app keeps the predicates and fetchers of its own objects in its access.py, built on
these (reports/access.py, reviews/access.py, summaries/access.py, customers/access.py); this
module and those are the only code that reads Membership.role or User.is_staff to decide who may
see or change what. The table below is the whole policy.

Who                 | sees                                             | changes
------------------- | ------------------------------------------------ | -----------------------------------------
anonymous           | nothing but login, password reset, language      | nothing
salesperson         | own profile, own reports                         | own preferences; own report while it is a
                    |                                                  | draft or returned for revision
manager of team T   | T and all teams below it: members, their reports | the same for their own report; targets of
                    |                                                  | members in T's subtree; reviews of reports
                    |                                                  | written there (not their own)
director of node N  | N and all teams below it, read-only              | own preferences (and own report, if any)
admin (is_staff)    | everything                                       | team structure, members, roles, imports,
                    |                                                  | KPIs, templates, team settings, targets,
                    |                                                  | reviews, the two-factor policy and resets

Leave: each person records their own. Short leave from today on is approved as it is recorded;
longer leave, or leave starting in the past, waits for a manager of the member's team (or of the
teams above) or an admin, who approve or decline it. Managers and directors see the leave of the
members in their subtree; nobody decides their own.

Customers and the sales log: a salesperson sees and changes their own customers and activities;
managers see those of the members in their subtree (customers follow their owner, activities
stay with the team they were logged in, like reports) and may edit the customers (to hand them
over when someone leaves); directors read them; admins see everything. Only the author changes
an activity. The duplicate warning when a customer is created names similar customers of the
owner's own team, so two colleagues do not chase the same company unknowingly.

Reports are in reach through the team they were written in, so a manager keeps seeing the
reports a member wrote in their team after the member moves on, and the new team's managers do
not see what the member wrote before: every page, PDF and export that adds up a member's reports
counts only those in the reader's reach (member_reach()). Nobody but the author edits a report's
content, admins included: what a manager reviews is what the author wrote.

Drafts are private to their author until first submitted: managers, directors and admins get 404
on a draft, its attachments, its history and its PDF. A report returned for revision is no draft:
its reviewers keep seeing it while the author revises it.

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

import functools
import operator
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from teams.models import Leave, Membership, Team, User


@dataclass(frozen=True)
class Scope:
    """What one user may reach, computed once per request."""

    is_admin: bool
    # Root paths of the subtrees the user manages (may review and set targets) and may read.
    managed_paths: tuple[str, ...]
    readable_paths: tuple[str, ...]
    own_team_id: int | None
    own_role: str | None
    # The current membership the scope was read from (its team joined), for pages that show it.
    membership: Membership | None = field(default=None, compare=False, repr=False)

    @property
    def own_team(self) -> Team | None:
        return self.membership.team if self.membership else None

    @property
    def is_manager(self) -> bool:
        return bool(self.managed_paths)

    @property
    def sees_teams(self) -> bool:
        return self.is_admin or bool(self.readable_paths)

    @property
    def reach(self) -> tuple[str, ...] | None:
        """The subtrees the user reads, None for all of them (admins), as in_subtrees() and the
        roster take them; values kept per reader's reach are keyed by it."""
        return None if self.is_admin else self.readable_paths


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
            membership=membership,
        )
    user._access_scope = result
    return result


def in_subtrees(paths: tuple[str, ...] | None, prefix: str = "team__") -> Q:
    """Rows under any of the given team paths, reached through `prefix` ("" for teams themselves);
    None means every row (admins), no paths no row."""
    if paths is None:
        return Q()
    conditions = [Q(**{f"{prefix}path__startswith": path}) for path in paths]
    return functools.reduce(operator.or_, conditions) if conditions else Q(pk__in=[])


def by_pk(queryset: QuerySet, pk):
    """One row by primary key, or None: get() drops the model's default ordering, which .first()
    would sort by (a join for some models) to pick among at most one row."""
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist:
        return None


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
    return Team.objects.filter(in_subtrees(s.readable_paths, prefix=""))


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
    in_subtree = in_subtrees(s.readable_paths)
    current = Membership.objects.filter(in_subtree, user=OuterRef("pk"), ended_on__isnull=True)
    past = Membership.objects.filter(in_subtree, user=OuterRef("pk"))
    return User.objects.filter(
        Q(Exists(current)) | Q(status=User.Status.LEFT, pk__in=past.values("user")) | Q(pk=user.pk)
    )


def two_factor_required(user: User, *, for_admins: bool, for_managers: bool) -> bool:
    """Whether the admins' two-factor policy applies to the person: admins when it is required for
    admins; managers and directors (who read whole teams) when it is required for managers."""
    s = scope(user)
    return (for_admins and s.is_admin) or (
        for_managers and s.own_role in (Membership.Role.MANAGER, Membership.Role.DIRECTOR)
    )


def can_set_security_policy(user: User) -> bool:
    """Who must use two-factor login, and resetting someone's, is the admins' call."""
    return scope(user).is_admin


def require_security_admin(user: User) -> None:
    if not can_set_security_policy(user):
        raise PermissionDenied


def member_ids_in_reach(s: Scope, user: User) -> list[int]:
    """The ids of visible_members(user) for a manager or director, from their memberships: those
    now in the subtree, and those who left after being in it."""
    reach = Membership.objects.filter(in_subtrees(s.readable_paths)).filter(
        Q(ended_on__isnull=True) | Q(user__status=User.Status.LEFT)
    )
    return sorted({*reach.values_list("user_id", flat=True), user.pk})


# Fetchers for detail and action views -----------------------------------------------------------


def team_for_view(user: User, pk: int) -> Team:
    """The team, or Http404 when it does not exist or lies outside the user's reach."""
    team = by_pk(Team.objects.select_related("parent"), pk)
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


# Writers, readers of a member's reports, targets --------------------------------------------------


def writes_reports(user: User) -> bool:
    """Salespeople and managers write weekly reports; directors and admins outside teams do not."""
    s = scope(user)
    return s.own_role in (Membership.Role.SALESPERSON, Membership.Role.MANAGER)


def member_reach(user: User, member: User) -> Team | None:
    """The team whose subtree bounds what the user may read of `member`'s reports, for the pages,
    PDFs and exports that add them up: None when every one of them is in reach (their own, and
    admins'), otherwise the root of the subtree the user reads, so that a member who moved in
    brings none of what they wrote in another team. Http404 when the member is out of reach."""
    member = member_for_view(user, member.pk)
    s = scope(user)
    if s.is_admin or member.pk == user.pk:
        return None
    if s.own_team is None:  # nobody outside a team reads another person's reports
        raise Http404
    return s.own_team


def can_view_member_summary(user: User, member: User, within: Team | None) -> bool:
    """A member's summary bounded to `within` (None: unbounded), such as a stored PDF: for whoever
    may read the member and every report it adds up."""
    if not can_view_member(user, member):
        return False
    if within is None:
        return scope(user).is_admin or member.pk == user.pk
    return can_view_team(user, within)


def can_set_targets(user: User, team: Team) -> bool:
    """Managers set targets for teams in their subtree; admins for any team."""
    s = scope(user)
    return s.is_admin or any(team.path.startswith(p) for p in s.managed_paths)


def team_for_targets(user: User, pk: int) -> Team:
    """The team whose targets are being set; Http404 outside reach, PermissionDenied for readers."""
    team = team_for_view(user, pk)
    if not can_set_targets(user, team):
        raise PermissionDenied
    return team


def nearest_managers(team_path: str) -> QuerySet[User]:
    """The active managers of the team at `team_path`, or of the nearest team above it that has one."""
    paths = path_prefixes(team_path)
    managers = list(
        Membership.objects.active()
        .filter(role=Membership.Role.MANAGER, team__path__in=paths, user__is_active=True)
        .values_list("team__path", "user_id")
    )
    nearest = max((path for path, _ in managers), key=len, default=None)
    return User.objects.filter(pk__in=[user_id for path, user_id in managers if path == nearest])


def path_prefixes(path: str) -> list[str]:
    """ "1/4/9/" → ["1/", "1/4/", "1/4/9/"]: the paths of a team and of every team above it."""
    segments = path.split("/")[:-1]
    return ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]


# Leave ------------------------------------------------------------------------------------------


def visible_leave(user: User) -> QuerySet[Leave]:
    """Own leave, plus that of the people a manager or director may look up; all for admins."""
    s = scope(user)
    if s.is_admin:
        return Leave.objects.all()
    if not user.is_authenticated:
        return Leave.objects.none()
    if not s.readable_paths:
        return Leave.objects.filter(member=user)
    return Leave.objects.filter(member_id__in=member_ids_in_reach(s, user))


def can_view_team_leave(user: User) -> bool:
    """Managers, directors and admins see their subtree's leave, pending and recorded."""
    s = scope(user)
    return s.is_admin or bool(s.readable_paths)


def require_team_leave(user: User) -> None:
    if not can_view_team_leave(user):
        raise Http404


def can_decide_leave(user: User, leave: Leave) -> bool:
    """Managers approve or decline the leave of the members now in the subtree they manage; admins
    anyone's; nobody their own."""
    if leave.member_id == user.pk:
        return False
    s = scope(user)
    if s.is_admin:
        return True
    return s.is_manager and (
        Membership.objects.active().filter(in_subtrees(s.managed_paths), user_id=leave.member_id).exists()
    )


def leave_for_decision(user: User, pk: int) -> Leave:
    """Leave for a manager's decision; Http404 outside reach, PermissionDenied for those who may see
    it but not decide it (the member, directors)."""
    leave = by_pk(visible_leave(user).select_related("member"), pk)
    if leave is None:
        raise Http404
    if not can_decide_leave(user, leave):
        raise PermissionDenied
    return leave


def leave_deciders(member: User) -> QuerySet[User]:
    """Whom a member's leave request goes to: the managers of their team, or of the nearest team
    above it that has one; a manager's goes to the managers above them. (Admins see every request
    on the leave page, also when nobody is named here.)"""
    membership = Membership.objects.active().filter(user=member).select_related("team").first()
    if membership is None:
        return User.objects.none()
    path = membership.team.path
    if membership.role == Membership.Role.MANAGER:
        path = path[: path.rstrip("/").rfind("/") + 1]
    return nearest_managers(path).exclude(pk=member.pk) if path else User.objects.none()


def current_salespeople(paths: list[str]) -> QuerySet[Membership]:
    """The current salespeople of the subtrees (with user and team), for targets set from the top
    down (planning) and pace alerts."""
    return (
        Membership.objects.active()
        .filter(in_subtrees(tuple(paths)), role=Membership.Role.SALESPERSON, user__is_active=True)
        .select_related("user", "team")
        .order_by("team__path", "user__display_name", "user_id")
    )


def managers_of(team: Team) -> QuerySet[User]:
    """The managers who answer for a team: its own, or those of the nearest team above it."""
    return nearest_managers(team.path)


def plan_approvers(team: Team) -> QuerySet[User]:
    """Who approves target plans of `team`: the directors of the team or of any team above it."""
    return User.objects.filter(
        memberships__in=Membership.objects.active().filter(
            role=Membership.Role.DIRECTOR, team__path__in=path_prefixes(team.path)
        ),
        is_active=True,
    ).distinct()


def may_approve_plans(user: User, team: Team) -> bool:
    """Directors approve target plans of their subtree; admins of any team."""
    s = scope(user)
    if s.is_admin:
        return True
    return s.own_role == Membership.Role.DIRECTOR and any(team.path.startswith(p) for p in s.readable_paths)
