"""A real Celery worker consumes the project's queue: Redis when REDIS_URL is set (CI), otherwise the
file-based broker under var/ that `make run` uses on a machine with no servers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from salesreports.celery import app, ping

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def worker():
    # Starting a worker process takes a few seconds; this is the one test that pays for it.
    env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false"}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "salesreports",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(timeout=20)


@pytest.mark.worker
def test_a_real_worker_runs_tasks(worker):
    app.conf.task_always_eager = False
    try:
        result = ping.delay()
        assert result.get(timeout=30) == "pong"
    finally:
        app.conf.task_always_eager = True
