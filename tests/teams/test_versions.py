"""teams.versions: a cached value is served while nothing in its subtree changed, and never after
a change commits, whatever happened to the tokens in between."""

import pytest
from django.core.cache import cache
from django.utils import translation

from teams import versions

pytestmark = pytest.mark.django_db


class Counter:
    """compute() for versions.cached that counts its calls and returns a fresh list each time."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return [self.calls]


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()


def test_a_value_is_computed_once_until_its_team_or_a_team_below_changes(
    east, team, other_team, django_capture_on_commit_callbacks
):
    compute = Counter()
    assert versions.cached(east, ("figures",), compute) == [1]
    assert versions.cached(east, ("figures",), compute) == [1] and compute.calls == 1
    assert versions.cached(east, ("other",), compute) == [2]  # another value of the same team
    with django_capture_on_commit_callbacks(execute=True):
        versions.touch([other_team])  # another branch
    assert versions.cached(east, ("figures",), compute) == [1]
    with django_capture_on_commit_callbacks(execute=True):
        versions.touch([team])  # a change below reaches the team above
    assert versions.cached(east, ("figures",), compute) == [3]
    with django_capture_on_commit_callbacks(execute=True):
        versions.touch_all()
    assert versions.cached(east, ("figures",), compute) == [4]


def test_a_change_counts_only_once_it_commits(team, django_capture_on_commit_callbacks):
    compute = Counter()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        versions.touch([team])
        assert versions.cached(team, ("figures",), compute) == [1]  # before the commit: old data
    for callback in callbacks:
        callback()
    assert versions.cached(team, ("figures",), compute) == [2]


def test_a_lost_token_recomputes_and_a_value_kept_with_old_tokens_is_not_served(team):
    compute = Counter()
    versions.cached(team, ("figures",), compute)
    cache.delete(versions._key(team.pk))  # evicted, or Redis restarted without its keys
    assert versions.cached(team, ("figures",), compute) == [2]
    assert versions.cached(team, ("figures",), compute) == [2]


def test_values_are_per_language_and_a_value_not_kept_is_computed_each_time(team):
    compute = Counter()
    with translation.override("en"):
        versions.cached(team, ("figures",), compute)
    with translation.override("zh-hans"):
        assert versions.cached(team, ("figures",), compute) == [2]
    changing = Counter()
    versions.cached(team, ("clock",), changing, keep=lambda value: False)
    assert versions.cached(team, ("clock",), changing, keep=lambda value: False) == [2]


class DownCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("the cache is down")

        return fail


def test_a_failing_cache_computes_without_it(team, monkeypatch):
    monkeypatch.setattr(versions, "cache", DownCache())
    compute = Counter()
    assert versions.cached(team, ("figures",), compute) == [1]
    assert versions.cached(team, ("figures",), compute) == [2]
