"""Reads of the search index: the entries a person may see that match a query."""

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
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
    """Entries whose report the user may open, by the rule of teams.access.visible_reports (own
    reports, and others' once submitted in the user's subtree; everything but others' drafts for
    admins): a comment or feedback is found only where its report is, a draft only by its author."""
    s = access.scope(user)
    if not user.is_authenticated:
        return SearchEntry.objects.none()
    others = Q(is_draft=False)
    if not s.is_admin:
        # The subtree's team ids as a list (one small query): PostgreSQL then combines the team
        # index with the text index instead of reading every match in the company.
        others &= Q(team_id__in=list(access.visible_teams(user).values_list("pk", flat=True)))
    return SearchEntry.objects.filter(Q(report_author=user) | others)


def matching(entries: QuerySet[SearchEntry], terms: list[Term]) -> QuerySet[SearchEntry]:
    """Entries containing every term. On PostgreSQL the GIN index finds the entries holding all
    the terms' character pairs and word prefixes, and a substring test on the text keeps those
    where a longer CJK term's pairs stand together (cheaper than the index's phrase recheck).
    Elsewhere (SQLite, development and tests) a slower substring match on the text."""
    if not terms:
        return entries.none()
    if connection.vendor != "postgresql":
        for term in terms:
            entries = entries.filter(text__icontains=term.text)
        return entries
    # Only the table's own name is formatted in; the query is a bound parameter.
    condition = RawSQL(  # nosec B611
        f'"{SearchEntry._meta.db_table}"."terms" @@ %s::tsquery', [tsquery_literal(terms)], output_field=BooleanField()
    )
    entries = entries.filter(condition)
    for term in terms:
        if term.is_cjk and len(term.text) > 2:
            entries = entries.filter(text__contains=term.text)
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
    # The people and teams are fetched for the page's rows only (three small queries): joined in,
    # PostgreSQL joined every match before keeping the newest 20 (51 ms instead of 10 for a
    # customer's name over a quarter of the whole company).
    return entries.prefetch_related(*SHOWN).defer("terms").order_by(*NEWEST)


NEWEST = ("-week_start", "-written_at", "-id")
SHOWN = ("author", "team", "report_author")


def newest_page(entries: QuerySet[SearchEntry], *, offset: int, limit: int, cap: int) -> tuple[list[SearchEntry], int]:
    """Rows `offset` to `offset + limit` of `entries` (search()'s, newest first) and how many
    there are up to `cap`, in one query: the newest `cap` matches are found once, then counted and
    cut. (Counted apart, PostgreSQL found every match twice: 31 → 16 ms for a customer's name over
    a quarter of the whole company, a sixth of the results page in the benchmark.)"""
    # The matches' keys and sort columns only (their texts would be carried through the sort), then
    # the page's rows joined back by key.
    found, params = entries.values_list("id", "week_start", "written_at")[:cap].query.sql_with_params()
    order = ", ".join(f"found.{name.lstrip('-')} DESC" for name in NEWEST)
    columns = ", ".join(f"entry.{field.column}" for field in SearchEntry._meta.concrete_fields if field.name != "terms")
    table = connection.ops.quote_name(SearchEntry._meta.db_table)
    rows = SearchEntry.objects.raw(
        f"SELECT {columns}, found.matches FROM ("  # nosec B608: our table and columns, a bound query
        f"SELECT found.id, found.week_start, found.written_at, COUNT(*) OVER () AS matches FROM ({found}) AS found "
        f"ORDER BY {order} LIMIT %s OFFSET %s"
        f") AS found JOIN {table} AS entry ON entry.id = found.id ORDER BY {order}",
        [*params, limit, offset],
    ).prefetch_related(*SHOWN)
    page = list(rows)
    return page, page[0].matches if page else 0  # type: ignore[attr-defined]  # the raw query's column
