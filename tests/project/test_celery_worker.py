"""A real Celery worker consumes the project's queue: Redis when REDIS_URL is set (CI), otherwise the
file-based broker under var/ that `make run` uses on a machine with no servers."""

import pytest

from salesreports.celery import app, ping
from tests.workers import start_worker, stop_worker


@pytest.fixture
def worker():
    # Starting a worker process takes a few seconds.
    process = start_worker()
    yield process
    stop_worker(process)


@pytest.mark.worker
def test_a_real_worker_runs_tasks(worker):
    app.conf.task_always_eager = False
    try:
        result = ping.delay()
        assert result.get(timeout=30) == "pong"
    finally:
        app.conf.task_always_eager = True
