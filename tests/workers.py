"""Starting a real Celery worker process for the tests that need one."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]


def worker_database_url() -> str:
    """The test database for a process of its own: PostgreSQL's, or SQLite's when it is a file (as
    under `make test`'s --reuse-db, see tests/isolation.py). Skips the test when it lives in this
    process's memory."""
    from django.db import connection

    name = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/" + name))
    if connection.vendor == "sqlite" and not connection.is_in_memory_db():
        return f"sqlite:///{name}"
    pytest.skip("a worker process cannot reach SQLite's in-memory test database: run with --reuse-db (make test)")


def stop_worker(process: subprocess.Popen) -> None:
    """Stop a worker the test is done with, at once: SIGKILL. A warm shutdown (SIGTERM) waits for
    the broker's next poll and takes four to five seconds; the tests that stop a worker this way
    have seen their last task finish (or kill it on purpose, mid-task)."""
    process.kill()
    process.wait(timeout=20)


def start_worker(queues: str = "celery", **env: str) -> subprocess.Popen:
    """A solo worker on the project's broker (Redis when REDIS_URL is set, else the file broker),
    with the given environment on top of this process's."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "salesreports",
            "worker",
            "-Q",
            queues,
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env={**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false", **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
