"""PDF jobs through a real Celery worker on the real broker (Redis in CI): the job renders in the
worker, and a worker killed mid-render leaves a job that a new worker finishes.

The worker is a separate process, so it must reach the test database: PostgreSQL's, or SQLite's
when it is a file (`make test`); an in-memory SQLite test database skips them. CI runs these on
PostgreSQL and Redis.
"""

import signal
import subprocess
import time

import pytest

from notifications.models import Notification
from reports import services as report_services
from salesreports.celery import app
from summaries import services
from summaries.models import Document
from tests import data_migrations
from tests.factories import member_of
from tests.reports.test_services import MONDAY, fill
from tests.reviews.test_pages import submitted
from tests.summaries.test_pdfs import read
from tests.workers import start_worker, stop_worker, worker_database_url

pytestmark = [
    pytest.mark.worker,
    pytest.mark.faults,  # a worker killed mid-render (SIGKILL), and the job finished once after restart
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _migration_data():
    """Transactional tests flush the data migration's rows (default KPIs and template)."""
    data_migrations.restore()


def start_pdf_worker(**env) -> subprocess.Popen:
    """A worker on both queues, on this test's database and media folder."""
    from django.conf import settings

    return start_worker("celery,pdf", DATABASE_URL=worker_database_url(), MEDIA_ROOT=str(settings.MEDIA_ROOT), **env)


@pytest.fixture
def not_eager():
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = True


def wait_for(job: Document, statuses: set[str], timeout: float) -> Document:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.02)
    raise AssertionError(f"job still {job.status} after {timeout} s")


def test_a_worker_renders_the_pdf_with_the_chinese_text_numbers_and_font(rep, not_eager):
    # Starting a worker and importing WeasyPrint takes several seconds.
    draft = report_services.open_report(author=rep, week_start=MONDAY)
    kpis = {v.kpi_id: "86500" if v.kpi.code == "sales_amount" else "5" for v in draft.kpi_values.select_related("kpi")}
    report = report_services.submit_report(report=fill(draft, kpis=kpis), by=rep)
    worker = start_pdf_worker()
    try:
        job = services.request_document(kind=Document.Kind.REPORT, report=report, requested_by=rep, language="zh-hans")
        job = wait_for(job, {"done", "failed"}, timeout=60)
    finally:
        stop_worker(worker)
    text, fonts = read(job)
    assert "张伟的周报" in text and "销售额" in text and "86,500" in text
    assert any("Noto-Sans-SC" in name for name in fonts), fonts
    # The worker told the person who asked, in the transaction that finished the job.
    (notification,) = Notification.objects.filter(recipient=rep, kind=Notification.Kind.DOCUMENT)
    assert notification.url == job.get_absolute_url() and notification.data["state"] == "ready"


def test_a_job_whose_worker_was_killed_is_finished_by_a_new_worker(team, lead, not_eager, monkeypatch):
    # Two workers, one killed with SIGKILL mid-render; about 15 s.
    for i in range(25):
        submitted(member_of(team, username=f"m{i}", display_name=f"成员{i}"))
    first = start_pdf_worker()
    try:
        job = services.request_document(
            kind=Document.Kind.TEAM_WEEK, team=team, start=MONDAY, requested_by=lead, language="zh-hans"
        )
        wait_for(job, {"rendering"}, timeout=60)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=20)
    finally:
        if first.poll() is None:
            first.kill()
    job.refresh_from_db()
    assert job.status == "rendering", "the render finished before the worker could be killed"
    # The sweep finds the job stale (a one-second timeout here, ten minutes in production) and
    # a new worker takes it over.
    monkeypatch.setattr(services, "STALE_AFTER", services.datetime.timedelta(seconds=1))
    second = start_pdf_worker(DOCUMENT_STALE_SECONDS="1")
    try:
        time.sleep(1.2)
        assert services.requeue_stale_jobs() == 1
        job = wait_for(job, {"done", "failed"}, timeout=60)
    finally:
        stop_worker(second)
    assert (job.status, job.attempts) == ("done", 2), job.error
