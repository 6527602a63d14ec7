"""The cast: a company with two regions, each with one team.

    company (director)
    ├── east (region)
    │   └── team        rep, lead (manager), other_rep
    └── west (region)
        └── other_team  outsider, other_lead (manager)

plus `admin` (staff, in no team).
"""

import pytest

from teams.models import Membership
from tests.factories import TeamFactory, UserFactory, member_of


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """A kept test database may have been flushed by the last run's transactional tests (browser,
    worker), taking the data migrations' rows with them: put them back (they are made idempotently)."""
    from tests import data_migrations

    with django_db_blocker.unblock():
        data_migrations.restore()


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    # Each test its own empty cache: rolled-back rows reuse primary keys, so values cached by one
    # test (keyed by team) must not reach the next; and never the Redis the broker uses.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "tests"}}
    from django.core.cache import cache

    cache.clear()
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from salesreports.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True


@pytest.fixture
def company(db):
    return TeamFactory(name="Acme Sales", kind="company")


@pytest.fixture
def east(company):
    return TeamFactory(name="East", kind="region", parent=company)


@pytest.fixture
def west(company):
    return TeamFactory(name="West", kind="region", parent=company)


@pytest.fixture
def team(east):
    return TeamFactory(name="Shanghai 1", parent=east)


@pytest.fixture
def other_team(west):
    return TeamFactory(name="Guangzhou", parent=west)


@pytest.fixture
def rep(team):
    return member_of(team, display_name="张伟", username="rep")


@pytest.fixture
def other_rep(team):
    return member_of(team, display_name="王芳", username="other_rep")


@pytest.fixture
def lead(team):
    return member_of(team, Membership.Role.MANAGER, display_name="李经理", username="lead")


@pytest.fixture
def director(company):
    return member_of(company, Membership.Role.DIRECTOR, display_name="赵总监", username="director")


@pytest.fixture
def outsider(other_team):
    return member_of(other_team, display_name="刘洋", username="outsider")


@pytest.fixture
def other_lead(other_team):
    return member_of(other_team, Membership.Role.MANAGER, display_name="陈经理", username="other_lead")


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", display_name="管理员", is_staff=True, is_superuser=True)
