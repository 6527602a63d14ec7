"""The embedded SQLite default takes a few people writing at once without "database is locked"."""

import threading
import time

from django.conf import settings
from django.db import connections, transaction
from django.db.backends.sqlite3.base import DatabaseWrapper

WRITERS = 6


def sqlite_settings(path) -> dict:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": settings.SQLITE_OPTIONS,
        "TIME_ZONE": None,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "AUTOCOMMIT": True,
        "ATOMIC_REQUESTS": False,
        "TEST": {},
    }


def test_six_people_saving_at_once_on_sqlite_all_succeed(tmp_path, django_db_blocker):
    # Each writer reads, then writes in one transaction, as a view that checks a row before saving
    # it does. With SQLite's default (deferred) transactions, the second writer to upgrade its read
    # lock fails at once with "database is locked", whatever the timeout: the 500s of issue 15.
    config = sqlite_settings(tmp_path / "shared.sqlite3")  # a file of its own, outside the test database
    with django_db_blocker.unblock():
        run_writers(config)


def run_writers(config: dict) -> None:
    setup = DatabaseWrapper(config, "setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER)")
        cursor.execute("INSERT INTO counter VALUES (1, 0)")
    setup.close()

    errors: list[Exception] = []
    start = threading.Barrier(WRITERS)

    def write(n: int) -> None:
        alias = f"writer{n}"
        connections[alias] = DatabaseWrapper(config, alias)
        try:
            start.wait()
            with transaction.atomic(using=alias), connections[alias].cursor() as cursor:
                cursor.execute("SELECT value FROM counter WHERE id = 1")
                value = cursor.fetchone()[0]
                time.sleep(0.02)
                cursor.execute("UPDATE counter SET value = %s WHERE id = 1", [value + 1])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connections[alias].close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    check = DatabaseWrapper(config, "check")
    with check.cursor() as cursor:
        cursor.execute("SELECT value FROM counter WHERE id = 1")
        assert cursor.fetchone()[0] == WRITERS  # no update lost either
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
    check.close()


def test_the_default_database_is_sqlite_configured_for_concurrent_writers():
    default = settings.DATABASES["default"]
    if default["ENGINE"] != "django.db.backends.sqlite3":
        return  # CI on PostgreSQL: nothing to configure
    assert default["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert default["OPTIONS"]["timeout"] >= 5
