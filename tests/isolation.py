"""Keeps parallel test processes (pytest-xdist's gw0, gw1 …) and the servers and workers they start
out of each other's way, and away from `make run`'s state. Loaded with `-p tests.isolation`
(pyproject.toml) so that it runs before pytest-django reads the settings.

- VAR_DIR: a fresh folder per test process, so the file-based Celery broker, its results and the
  dev outbox of one process (and of the Celery workers it starts, which inherit the environment)
  are never seen by another, nor by a `make run` on the same checkout.
- REDIS_URL: one Redis database per test process (the given one for the first, the next ones
  for the others), so a worker started by one process never takes another's tasks.
- Test databases get a suffix per process from pytest-django itself (test_x_gw0, test_x_gw1).
  With `--reuse-db` (`make test`), SQLite's test database is a file under var/test-databases/
  instead of memory, so it is built by migrations once and then only migrated forward (PostgreSQL's
  are kept the same way); `--create-db` builds them afresh.
- Ports are always asked of the kernel (port 0), never fixed.
- STATIC_ROOT: an empty folder of the process's own (see pytest_configure).
"""

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

import pytest

WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # set by xdist before this module is imported
INDEX = int(WORKER.removeprefix("gw") or 0)
REDIS_DATABASES = 16  # Redis's default number of databases
BROWSER_TESTS = "tests/browser/"


def _own_redis_database(url: str) -> str:
    match = re.fullmatch(r"(redis://[^/]+)(?:/(\d+))?", url)
    if not match:
        return url
    base = int(match.group(2) or 0)
    return f"{match.group(1)}/{(base + INDEX) % REDIS_DATABASES}"


_var_dir = tempfile.mkdtemp(prefix=f"salesreports-tests-{WORKER or 'main'}-")
os.environ["VAR_DIR"] = _var_dir
if os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"])


atexit.register(shutil.rmtree, _var_dir, ignore_errors=True)


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Never the checkout's collected static files (staticfiles/, left by `make bench` or a
    # collectstatic): WhiteNoise would index its thousands of files for each test client, which
    # made the suite five times slower. Tests serve static files through the finders.
    settings.STATIC_ROOT = Path(_var_dir) / "static"
    if not config.getoption("reuse_db", default=False):
        return
    from django.db.backends.signals import connection_created

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or database.get("TEST", {}).get("NAME"):
        return
    folder = Path(settings.BASE_DIR) / "var" / "test-databases"
    folder.mkdir(parents=True, exist_ok=True)
    database.setdefault("TEST", {})["NAME"] = str(folder / "test.sqlite3")  # pytest-django adds _gw0 …
    connection_created.connect(_unsynchronised)


def _unsynchronised(sender, connection, **kwargs) -> None:
    # A throwaway database: no fsync on commit (transactional tests commit after every test).
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """One Chromium for all browser tests: with `--dist loadgroup` they share one test process,
    scheduled first as the largest group. (xdist's own `xdist_group` mark no longer reaches the
    scheduler under pytest 9, which ignores the node id xdist rewrites.)"""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class BrowserTestsTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return "browser" if nodeid.startswith(BROWSER_TESTS) else super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)
