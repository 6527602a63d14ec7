"""Who may read a summary and its stored documents: predicates, fetchers and the list of one's
own documents, built on teams.access's Scope (see teams/access.py for the rule table).

A document is opened (its page, its file, asking again) by whoever may read what it shows: the
report, the team, the member's reports it adds up; an exported list only by the person who asked
for it, since it was written as they see the list. "My documents" lists what the person asked for
themselves, whatever their role (a manager or admin does not see others' documents there); each
row still opens through document_for_view, so a file whose subject has left their reach since
answers 404 like any other."""

from django.db.models import QuerySet
from django.http import Http404

from reports import access as report_access
from summaries.models import Document, DocumentRequest
from teams import access
from teams.models import Team, User


def can_view_team_summary(user: User, team: Team) -> bool:
    """A team's summaries: its managers and directors (and those above), and admins."""
    return access.can_view_team(user, team)


def can_view_document(user: User, job: Document) -> bool:
    """Whether the user may open the job's page and file (its subject loaded, see document_for_view)."""
    if job.kind == Document.Kind.LIST:
        return job.requested_by_id == user.pk  # rendered as that person sees the list
    if job.report_id is not None:
        return report_access.can_view_report(user, job.report)
    if job.member_id is not None:
        return access.can_view_member_summary(user, job.member, job.team)
    return can_view_team_summary(user, job.team)


def document_for_view(user: User, pk: int) -> Document:
    """A job whose subject the user may read (the report, the team, the member's reports it adds
    up; a list: its requester only); Http404 otherwise, whoever asked for it."""
    job = access.by_pk(Document.objects.select_related("report__team", "report__author", "team", "member"), pk)
    if job is None or not can_view_document(user, job):
        raise Http404
    return job


def own_documents(user: User) -> QuerySet[DocumentRequest]:
    """The documents the user asked for, newest request first, with what each row shows."""
    return (
        DocumentRequest.objects.filter(requester=user)
        .select_related("document__report__author", "document__team", "document__member")
        .order_by("-requested_at", "-pk")
    )
