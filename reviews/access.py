"""Who may comment and follow the reviews: predicates and fetchers built on teams.access's Scope
(see teams/access.py for the rule table)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from reports import access as report_access
from reports.models import WeeklyReport
from reviews.models import Comment
from teams import access
from teams.models import User


def can_comment_on_report(user: User, report: WeeklyReport) -> bool:
    """The author, the managers and directors above the report's team, and admins may comment."""
    return report_access.can_view_report(user, report)


def can_change_comment(user: User, comment) -> bool:
    """Only its author edits or removes a comment."""
    return comment.author_id == user.pk


def comment_for_change(user: User, pk: int):
    """The comment for its author to edit or remove; Http404 when its report is out of the user's
    reach, PermissionDenied when the user can read it but did not write it."""
    comment = access.by_pk(Comment.objects.select_related("report__team", "report__author", "author"), pk)
    if comment is None or not report_access.can_view_report(user, comment.report):
        raise Http404
    if not can_change_comment(user, comment):
        raise PermissionDenied
    return comment


def can_view_review_overview(user: User) -> bool:
    """Directors, managers and admins see how the reviews of their subtree stand."""
    s = access.scope(user)
    return s.is_admin or bool(s.readable_paths)


def require_review_overview(user: User) -> None:
    if not can_view_review_overview(user):
        raise Http404
