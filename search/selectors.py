"""Reads of the search index: the entries a person may see that match a query."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from search.models import SearchEntry
from search.text import Term, tsquery_literal
from teams import access
from teams.models import Team, User


@dataclass(frozen=True)
class Filters:
    team: Team | None = None
    member: User | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


def visible_entries(user: User) -> QuerySet[SearchEntry]:
    """Entries whose report the user may open (teams.access.visible_reports): a comment or a
    feedback is found only where its report is, and a draft only by its author."""
    return SearchEntry.objects.filter(report__in=access.visible_reports(user))


def matching(entries: QuerySet[SearchEntry], terms: list[Term]) -> QuerySet[SearchEntry]:
    """Entries containing every term. On PostgreSQL through the GIN-indexed `document` column;
    elsewhere (SQLite, development and tests) a slower substring match on the text."""
    if not terms:
        return entries.none()
    if connection.vendor == "postgresql":
        condition = RawSQL(
            f'"{SearchEntry._meta.db_table}"."document" @@ %s::tsquery',
            [tsquery_literal(terms)],
            output_field=BooleanField(),
        )
        return entries.filter(condition)
    for term in terms:
        entries = entries.filter(text__icontains=term.text)
    return entries


def search(user: User, terms: list[Term], filters: Filters = Filters()) -> QuerySet[SearchEntry]:
    """What the user may see that matches every term, within the filters, newest week first."""
    entries = matching(visible_entries(user), terms)
    if filters.team is not None:
        entries = entries.filter(team__path__startswith=filters.team.path)
    if filters.member is not None:
        entries = entries.filter(report__author=filters.member)
    if filters.start is not None:
        entries = entries.filter(week_start__gte=filters.start)
    if filters.end is not None:
        entries = entries.filter(week_start__lte=filters.end)
    return entries.select_related("author", "team", "report__author").order_by("-week_start", "-written_at", "-pk")
