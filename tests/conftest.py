"""The cast: a company with two regions, each with one team.

    company (director)
    ├── east (region)
    │   └── team        rep, lead (manager), other_rep
    └── west (region)
        └── other_team  outsider, other_lead (manager)

plus `admin` (staff, in no team).
"""

import itertools
import os
from pathlib import Path

import pytest
from django.utils import translation

from tests import demo_data, world


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A kept test database may have been flushed by the last run's transactional tests (browser,
    worker), taking the data migrations' rows with them: put them back (they are made idempotently)."""
    from tests import data_migrations

    with django_db_blocker.unblock():
        data_migrations.restore()


def _flushes_the_database(item: pytest.Item) -> bool:
    """A transactional test (as pytest-django tells them apart), which ends by emptying every table."""
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")):
        return True
    return bool({"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ())))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """After a transactional test has emptied the tables, put the data migrations' rows back for the
    tests that follow in this process (the browser tests run first, before ordinary ones)."""
    result = yield
    if _flushes_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        from tests import data_migrations

        with item.config.stash[blocking_manager_key].unblock():
            data_migrations.restore()
    return result


_tests = itertools.count()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings):
    # Each test its own MEDIA_ROOT, made only when a file is stored: in this process's VAR_DIR
    # (tests/isolation.py), removed when it ends. (Not pytest's tmp_path: a folder per test, and
    # thousands of them to delete in later runs.)
    media = Path(os.environ["VAR_DIR"]) / "media" / str(next(_tests))
    for name, value in world.isolated_settings(media).items():
        setattr(settings, name, value)
    from django.core.cache import cache

    cache.clear()
    world.eager_celery()
    # Each test starts in the default language, whatever an earlier one (or its request) left active.
    translation.deactivate()
    yield
    demo_data.forget_if_restored()


# The cast, each made only when a test asks for it (tests/world.py makes all of it at once).
@pytest.fixture
def company(db):
    return world.make_team("company", None)


@pytest.fixture
def east(company):
    return world.make_team("east", company)


@pytest.fixture
def west(company):
    return world.make_team("west", company)


@pytest.fixture
def team(east):
    return world.make_team("team", east)


@pytest.fixture
def other_team(west):
    return world.make_team("other_team", west)


@pytest.fixture
def rep(team):
    return world.make_person("rep", team)


@pytest.fixture
def other_rep(team):
    return world.make_person("other_rep", team)


@pytest.fixture
def lead(team):
    return world.make_person("lead", team)


@pytest.fixture
def director(company):
    return world.make_person("director", company)


@pytest.fixture
def outsider(other_team):
    return world.make_person("outsider", other_team)


@pytest.fixture
def other_lead(other_team):
    return world.make_person("other_lead", other_team)


@pytest.fixture
def admin(db):
    return world.make_admin()
