"""Who may see, write, review and mark practices of period summaries, built on teams.access.

- The author sees and writes their own summary (a draft is private to them, as weekly reports).
- Managers and directors read the submitted summaries written in their subtree; admins all.
- Managers review submitted summaries written in the subtree they manage (not their own);
  admins any but their own.
- Practices: readers of the team and the people working in it read them; the summary's author
  and its reviewers mark a lesson as a practice.
Out of reach answers 404; in reach but not allowed, 403 (teams.access's convention).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from periodsummaries.models import PeriodSummary
from teams import access
from teams.models import Membership, Team, User


def writes_summaries(user: User) -> bool:
    """The people who write weekly reports write their own period summaries."""
    return access.writes_reports(user)


def leads_team(user: User) -> bool:
    """Managers write the summary of the team or region they lead."""
    return access.scope(user).own_role == Membership.Role.MANAGER


def own_team_id(user: User) -> int | None:
    return access.scope(user).own_team_id


def reviewable_summaries(user: User) -> QuerySet[PeriodSummary]:
    s = access.scope(user)
    managed = None if s.is_admin else s.managed_paths
    return (
        PeriodSummary.objects.filter(access.in_subtrees(managed))
        .exclude(author=user)
        .exclude(status=PeriodSummary.Status.DRAFT)
    )


def can_view_summary(user: User, summary: PeriodSummary) -> bool:
    if summary.author_id == user.pk and user.is_authenticated:
        return True
    if summary.status == PeriodSummary.Status.DRAFT:
        return False
    s = access.scope(user)
    return s.is_admin or any(summary.team.path.startswith(p) for p in s.readable_paths)


def can_edit_summary(user: User, summary: PeriodSummary) -> bool:
    return summary.author_id == user.pk and summary.is_editable_by_author


def can_review_summary(user: User, summary: PeriodSummary) -> bool:
    if summary.author_id == user.pk or summary.status == PeriodSummary.Status.DRAFT:
        return False
    s = access.scope(user)
    return s.is_admin or any(summary.team.path.startswith(p) for p in s.managed_paths)


def can_mark_practice(user: User, summary: PeriodSummary) -> bool:
    """The author, or whoever may review the summary."""
    return summary.author_id == user.pk or can_review_summary(user, summary)


def summary_for_view(user: User, pk: int) -> PeriodSummary:
    summary = PeriodSummary.objects.select_related("author", "team").filter(pk=pk).first()
    if summary is None or not can_view_summary(user, summary):
        raise Http404
    return summary


def summary_for_edit(user: User, pk: int) -> PeriodSummary:
    summary = summary_for_view(user, pk)
    if not can_edit_summary(user, summary):
        raise PermissionDenied
    return summary


def summary_for_review(user: User, pk: int) -> PeriodSummary:
    summary = summary_for_view(user, pk)
    if not can_review_summary(user, summary):
        raise PermissionDenied
    return summary


def summary_for_practice(user: User, pk: int) -> PeriodSummary:
    summary = summary_for_view(user, pk)
    if not can_mark_practice(user, summary):
        raise PermissionDenied
    return summary


def reviewers_of(summary: PeriodSummary) -> QuerySet[User]:
    """Who answers for the summary: the nearest managers of its team; for a team's own summary,
    those of the team above (its lead does not review themselves)."""
    path = summary.team.path
    if summary.level == PeriodSummary.Level.TEAM and summary.team.parent_id is not None:
        path = path[: path.rstrip("/").rfind("/") + 1]
    return access.nearest_managers(path).exclude(pk=summary.author_id)


def can_view_practices(user: User, team: Team) -> bool:
    """Readers of the team, and the people working in it or below it."""
    if access.can_view_team(user, team):
        return True
    own = access.scope(user).own_team_id
    return own is not None and Team.objects.filter(pk=own, path__startswith=team.path).exists()


def team_for_practices(user: User, pk: int) -> Team:
    team = Team.objects.filter(pk=pk).first()
    if team is None or not can_view_practices(user, team):
        raise Http404
    return team


def can_set_summary_rules(user: User, team: Team) -> bool:
    """The deviation threshold is a team setting: managers of the subtree and admins."""
    return access.can_set_targets(user, team)


def team_for_summary_rules(user: User, pk: int) -> Team:
    team = access.team_for_view(user, pk)
    if not can_set_summary_rules(user, team):
        raise PermissionDenied
    return team
