"""Reads of the search index: the entries a person may see that match a query."""

import datetime
from dataclasses import dataclass
from types import EllipsisType

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString

from search.models import SearchEntry
from search.text import Term, passage, tsquery_literal
from teams import access, versions
from teams.models import Team, User


@dataclass(frozen=True)
class Filters:
    team: Team | None = None
    member: User | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None


def reach(user: User) -> tuple[int, ...] | None:
    """The teams whose submitted reports the user may find: their subtree's team ids (one small
    query), or None for all of them (admins)."""
    if access.scope(user).is_admin:
        return None
    return tuple(access.visible_teams(user).values_list("pk", flat=True))


def visible_entries(user: User, teams: tuple[int, ...] | None | EllipsisType = ...) -> QuerySet[SearchEntry]:
    """Entries whose report the user may open, by the rule of teams.access.visible_reports (own
    reports, and others' once submitted in the user's subtree; everything but others' drafts for
    admins): a comment or feedback is found only where its report is, a draft only by its author.
    `teams` is the user's reach() when the caller has it already."""
    if not user.is_authenticated:
        return SearchEntry.objects.none()
    if teams is ...:
        teams = reach(user)
    others = Q(is_draft=False)
    if teams is not None:
        # The subtree's team ids as a list: PostgreSQL then combines the team index with the text
        # index instead of reading every match in the company.
        others &= Q(team_id__in=teams)
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


def search(
    user: User, terms: list[Term], filters: Filters = Filters(), teams: tuple[int, ...] | None | EllipsisType = ...
) -> QuerySet[SearchEntry]:
    """What the user may see that matches every term, within the filters, newest week first
    (`teams`: the user's reach(), when the caller has it)."""
    entries = matching(visible_entries(user, teams), terms)
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


# Results are kept until something the searcher may find changes. Entries others may find (of
# submitted reports, comments, feedback) replace PUBLISHED when they change; a draft's entry, which
# only its author finds, replaces its author's own token (search.services). So an autosave
# somewhere in the company leaves everyone else's results kept.
PUBLISHED = "search:published"


def own_token(user_id: int) -> str:
    return f"search:own:{user_id}"


class DrawnRows(list):
    """A page's entries (their keys, when kept) with the page's rows as drawn (`html`)."""

    html: SafeString


def drawn_rows(entries: list[SearchEntry], terms: list[Term]) -> SafeString:
    """The result rows (templates/search/results.html#result-rows): each entry with its passage,
    the matches marked."""
    for entry in entries:
        entry.passage = passage(entry.text, terms)  # type: ignore[attr-defined]  # for the template
    return render_to_string("search/results.html#result-rows", {"entries": entries})


def kept_newest_page(
    user: User, terms: list[Term], filters: Filters, teams: tuple[int, ...] | None, *, offset: int, limit: int, cap: int
) -> tuple[DrawnRows, int]:
    """newest_page() of search(user, terms, filters, teams), its keys drawn as rows, with the count,
    kept under the tokens above and keyed by the searcher's reach (`teams`, their reach(): a move
    changes it) and the time zone the times are shown in: a repeated search reads nothing of the
    index. (Names in the rows change with touch_all, whose token is among these.)"""

    def compute() -> tuple[list[int], int, SafeString]:
        rows, matches = newest_page(search(user, terms, filters, teams), offset=offset, limit=limit, cap=cap)
        return [row.pk for row in rows], matches, drawn_rows(rows, terms)

    what = (
        "search",
        user.pk,
        teams,
        tuple(term.text for term in terms),
        filters.team.pk if filters.team else None,
        filters.member.pk if filters.member else None,
        filters.start,
        filters.end,
        offset,
        limit,
        cap,
        timezone.get_current_timezone_name(),
    )
    ids, matches, html = versions.cached_under([versions.ALL, PUBLISHED, own_token(user.pk)], what, compute)
    rows = DrawnRows(ids)
    rows.html = html
    return rows, matches
