"""Who may see and change weekly reports, templates and targets: predicates and fetchers built on
teams.access's Scope and its subtree helper (see teams/access.py for the rule table)."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from reports.models import WeeklyReport
from teams import access
from teams.models import Membership, User


def can_manage_templates(user: User) -> bool:
    """KPI definitions, report templates and team calendar settings are the admins'."""
    return access.scope(user).is_admin


def require_template_admin(user: User) -> None:
    if not can_manage_templates(user):
        raise PermissionDenied


def visible_reports(user: User) -> QuerySet[WeeklyReport]:
    """Own reports, plus the submitted ones (not drafts) written in teams of the user's subtree;
    all but others' drafts for admins."""
    s = access.scope(user)
    if not user.is_authenticated:
        return WeeklyReport.objects.none()
    others = ~Q(status=WeeklyReport.Status.DRAFT) & access.in_subtrees(s.reach)
    return WeeklyReport.objects.filter(Q(author=user) | others)


def reviewable_reports(user: User) -> QuerySet[WeeklyReport]:
    """The reports can_review_report() allows, as a query: submitted, written in the subtrees the
    user manages (anywhere for admins), not their own. (They are all visible_reports(user): a
    manager reads the subtree they manage.)"""
    s = access.scope(user)
    managed = None if s.is_admin else s.managed_paths
    return (
        WeeklyReport.objects.filter(access.in_subtrees(managed))
        .exclude(author=user)
        .exclude(status=WeeklyReport.Status.DRAFT)
    )


def can_view_report(user: User, report: WeeklyReport) -> bool:
    """The author always; others (admins included) once it is submitted and in their reach."""
    if report.author_id == user.pk and user.is_authenticated:
        return True
    if report.status == WeeklyReport.Status.DRAFT:
        return False
    s = access.scope(user)
    return s.is_admin or any(report.team.path.startswith(p) for p in s.readable_paths)


def can_edit_report(user: User, report: WeeklyReport) -> bool:
    # Authors edit drafts and reports returned to them; a submitted report is frozen so that the
    # manager reviews exactly what was sent.
    return report.author_id == user.pk and report.is_editable_by_author


def readers_among(report: WeeklyReport, people) -> list[User]:
    """Those of `people` who may see the report: whom a notification about it may reach."""
    return [person for person in people if person is not None and can_view_report(person, report)]


def report_for_view(user: User, pk: int) -> WeeklyReport:
    """The report, or Http404 when it does not exist or lies outside the user's reach."""
    report = access.by_pk(WeeklyReport.objects.select_related("author", "team", "template_version"), pk)
    if report is None or not can_view_report(user, report):
        raise Http404
    return report


def report_for_edit(user: User, pk: int) -> WeeklyReport:
    """The report for its author to change; Http404 outside reach, PermissionDenied when frozen
    or when the user is a reader but not the author."""
    report = report_for_view(user, pk)
    if not can_edit_report(user, report):
        raise PermissionDenied
    return report


def can_withdraw_report(user: User, report: WeeklyReport) -> bool:
    # Only the author takes back a submitted report, and only while it waits for review
    # (reviews.services.withdraw_report also refuses once a reader has opened it).
    return report.author_id == user.pk and report.status == WeeklyReport.Status.SUBMITTED


def report_for_withdrawal(user: User, pk: int) -> WeeklyReport:
    """The report for its author to withdraw; Http404 outside reach, PermissionDenied for anyone
    else who can see it and for reports not waiting for review."""
    report = report_for_view(user, pk)
    if not can_withdraw_report(user, report):
        raise PermissionDenied
    return report


def can_review_report(user: User, report: WeeklyReport) -> bool:
    """Managers review submitted reports written in their subtree (not their own); admins any but
    their own."""
    if report.author_id == user.pk or report.status == WeeklyReport.Status.DRAFT:
        return False
    s = access.scope(user)
    return s.is_admin or any(report.team.path.startswith(p) for p in s.managed_paths)


def report_for_review(user: User, pk: int) -> WeeklyReport:
    """The report for a reviewer's action; Http404 outside reach, PermissionDenied for readers who
    may not review it (its author, directors)."""
    report = report_for_view(user, pk)
    if not can_review_report(user, report):
        raise PermissionDenied
    return report


def reviewers_of(report: WeeklyReport) -> QuerySet[User]:
    """The managers who answer for the report: those of its team, or of the nearest team above it
    that has a manager (whom a late submission or a resubmission concerns)."""
    return access.nearest_managers(report.team.path)


def report_audience(report: WeeklyReport) -> QuerySet[User]:
    """Everyone who can see the report: its author, the managers and directors of its team and of
    the teams above it, and admins. These are the people a comment may mention."""
    above = Membership.objects.filter(
        ended_on__isnull=True,
        role__in=[Membership.Role.MANAGER, Membership.Role.DIRECTOR],
        team__path__in=access.path_prefixes(report.team.path),
    ).values("user_id")
    # A subquery, not a join: no row per membership to fold back with DISTINCT.
    return User.objects.filter(Q(pk=report.author_id) | Q(is_staff=True) | Q(pk__in=above), is_active=True)
