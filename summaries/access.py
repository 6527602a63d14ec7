"""Who may read a summary and its stored PDFs: predicates and fetchers built on teams.access's
Scope (see teams/access.py for the rule table)."""

from django.http import Http404

from reports import access as report_access
from summaries.models import Document
from teams import access
from teams.models import Team, User


def can_view_team_summary(user: User, team: Team) -> bool:
    """A team's summaries: its managers and directors (and those above), and admins."""
    return access.can_view_team(user, team)


def document_for_view(user: User, pk: int):
    """A PDF job whose subject the user may read (the report, the team, the member's reports it
    adds up); Http404 otherwise, whoever asked for it."""
    job = access.by_pk(Document.objects.select_related("report__team", "report__author", "team", "member"), pk)
    if job is None:
        raise Http404
    if job.kind == Document.Kind.LIST:
        allowed = job.requested_by_id == user.pk  # rendered as that person sees the list
    elif job.report_id is not None:
        allowed = report_access.can_view_report(user, job.report)
    elif job.member_id is not None:
        allowed = access.can_view_member_summary(user, job.member, job.team)
    else:
        allowed = can_view_team_summary(user, job.team)
    if not allowed:
        raise Http404
    return job
