"""PostgreSQL drops the app's connection between two requests (a failover, a restart, an idle
timeout in a proxy): the next request still succeeds, because Django checks a kept connection
before using it (CONN_HEALTH_CHECKS) and opens a new one.

The app runs as in production, under gunicorn with persistent connections, in its own process:
the test client would keep the test's own connection and skip the check.
"""

import os
import subprocess
import sys
import time
import urllib.request
from contextlib import closing
from urllib.parse import urlsplit, urlunsplit

import psycopg2
import pytest
from django.db import connection

from tests.faults.conftest import free_port
from tests.project.test_settings import ROOT

pytestmark = [
    pytest.mark.faults,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="drops a PostgreSQL connection"),
]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - our own local server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _app_backends(database: str) -> set[int]:
    # closing(): psycopg2's own `with` ends the transaction but keeps the connection open.
    with closing(psycopg2.connect(**_libpq(database))) as probe, probe.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid() "
            "AND application_name = 'salesreports-faults'",
            [database],
        )
        return {row[0] for row in cursor.fetchall()}


def _libpq(database: str) -> dict:
    s = connection.settings_dict
    return {
        "dbname": database,
        "host": s["HOST"],
        "port": s["PORT"] or 5432,
        "user": s["USER"],
        "password": s["PASSWORD"],
    }


@pytest.fixture
def server(migration_data):
    database = connection.settings_dict["NAME"]
    url = urlsplit(os.environ["DATABASE_URL"])
    database_url = urlunsplit(url._replace(path="/" + database, query="application_name=salesreports-faults"))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "salesreports.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url, "CONN_MAX_AGE": "600"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            _get(base + "/healthz")
            break
        except OSError:
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    yield base, database
    process.terminate()
    process.wait(timeout=20)


def test_after_the_database_drops_the_connection_the_next_request_succeeds(server):
    # gunicorn starting and Django loading in it: about three seconds.
    base, database = server
    assert _get(base + "/healthz") == 200
    kept = _app_backends(database)
    assert len(kept) == 1, "the app should keep its connection between requests"
    with closing(psycopg2.connect(**_libpq(database))) as admin, admin.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM unnest(%s) AS pid", [list(kept)])
    time.sleep(0.2)
    assert _app_backends(database) == set()

    assert _get(base + "/healthz") == 200
    assert _get(base + "/accounts/login/") == 200
    assert len(_app_backends(database) - kept) == 1  # a new connection took over
