"""Versions of a team subtree's data, for caches of what is computed from it (the dashboards).

Every team has a version token in the cache, and so does the whole tree. A service that changes
what a subtree adds up to (a submission, a target, a move) calls `touch(teams)` in its
transaction: once the transaction commits, the tokens of those teams and of every team above
them are replaced. A cached value is stored with its team's token and the tree's and served only
while they are current, so after the commit nobody reads the old value any more: a new
submission shows up at once for its manager and the directors above. Changes that reach every
team (KPIs, templates, calendars, the tree itself) call `touch_all()`.

Tokens are replaced on commit, not before: a page computed from the old data meanwhile is stored
with the old token, never with the new one. A token missing from the cache (evicted, Redis
restarted) is created afresh, so a lost token can only cause a recomputation, never a stale read.
If the cache itself fails, pages are computed as if nothing was cached.
"""

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import get_language

from teams import access
from teams.models import Team, User

logger = logging.getLogger(__name__)
T = TypeVar("T")

ALL = "versions:all"
TIMEOUT = 10 * 60  # an upper bound on staleness for anything the versions do not cover


def _key(team_id: int) -> str:
    return f"versions:team:{team_id}"


def touch(teams: Iterable[Team]) -> None:
    """Once the current transaction commits, make the cached values of these teams and of every
    team above them stale."""
    touch_keys({_key(pk) for team in teams for pk in (*team.ancestor_ids, team.pk)})


def touch_members(member_ids: Iterable[int]) -> None:
    """touch() the teams these people belong or belonged to (their targets count where they were),
    looked up once the transaction commits."""
    ids = set(member_ids)
    if ids:
        transaction.on_commit(lambda: _replace([_key(pk) for pk in _teams_of(ids)]))


def _teams_of(member_ids: set[int]) -> set[int]:
    paths = Team.objects.filter(memberships__user__in=member_ids).values_list("path", flat=True).distinct()
    return {int(segment) for path in paths for segment in path.split("/")[:-1]}


def _person_key(user_id: int) -> str:
    return f"versions:person:{user_id}"


def touch_people(user_ids: Iterable[int]) -> None:
    """Once the current transaction commits, make what kept_about() keeps of these people's own
    data stale, for changes their team's figures do not show (a draft opened or saved, feedback
    read)."""
    touch_keys({_person_key(pk) for pk in user_ids})


def touch_about(person_id: int, team: Team) -> None:
    """touch() the team and touch_people() the person: a change to one person's data in that team
    (their report), which their own pages show in whichever team they are now."""
    touch([team])
    touch_people([person_id])


def touch_all() -> None:
    """Once the current transaction commits, make every cached value stale."""
    touch_keys([ALL])


def _replace(keys: list[str]) -> None:
    try:
        cache.set_many(dict.fromkeys(keys, uuid.uuid4().hex), timeout=None)
    except Exception:  # the cache is down: values stored in it will expire with TIMEOUT
        logger.exception("Could not replace the cache versions %s", keys)


def touch_keys(keys: Iterable[str]) -> None:
    """Once the current transaction commits, replace these tokens (the teams', or an app's own for
    cached_under)."""
    keys = list(keys)
    if keys:
        transaction.on_commit(lambda: _replace(keys))


def _tokens(keys: list[str], found: dict) -> str:
    """The tokens of `keys`, from `found` (a get_many that asked for them) or created afresh when
    missing."""
    missing = [key for key in keys if key not in found]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found = cache.get_many(keys)  # another process may have added one first: its token counts
    return ":".join(found.get(key, "") for key in keys)


def cached(team: Team, what: tuple, compute: Callable[[], T], keep: Callable[[T], bool] = lambda value: True) -> T:
    """`compute()`'s value for `what` (a tuple of plain values) about `team`'s subtree, from the
    cache while nothing in the subtree has changed. Values are per language (charts and names).
    A value for which `keep(value)` is false is not stored (it would change with time alone)."""
    return cached_under([ALL, _key(team.pk)], (*what, team.pk), compute, keep)


def cached_under(
    tokens: list[str], what: tuple, compute: Callable[[], T], keep: Callable[[T], bool] = lambda value: True
) -> T:
    """cached() under any tokens: `compute()`'s value for `what`, from the cache while none of the
    tokens has been replaced since it was stored (touch_keys; touch_all replaces ALL).

    A value is stored with the tokens it was computed under and served only while they are still
    the current ones, so the tokens and the value come back in one round trip."""
    key = "versions:value:" + hashlib.sha256(f"{get_language()}:{what!r}".encode()).hexdigest()
    try:
        found = cache.get_many([*tokens, key])
        current = _tokens(tokens, found)
    except Exception:
        logger.exception("The cache failed; computing %s without it", what[:1])
        return compute()
    stored = found.get(key)
    if stored is not None and stored[0] == current:
        return stored[1]
    value = compute()
    if keep(value):
        try:
            cache.set(key, (current, value), timeout=TIMEOUT)
        except Exception:
            logger.exception("Could not cache %s", what[:1])
    return value


def kept_about(person_id: int, team_id: int, what: tuple, compute: Callable[[], T]) -> T:
    """cached() for what is computed from one person's data in one team (their reports there,
    their log): kept under that team's version and the person's own token (touch_people)."""
    return cached_under([ALL, _key(team_id), _person_key(person_id)], (*what, person_id, team_id), compute)


def kept_for(user: User, what: tuple, compute: Callable[[], T]) -> T:
    """kept_about() for what `user` sees of their own data, under their own team; someone outside
    a team has it computed on each view."""
    team = access.scope(user).own_team
    return compute() if team is None else kept_about(user.pk, team.pk, what, compute)
