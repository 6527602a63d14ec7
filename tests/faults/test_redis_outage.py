"""Redis (broker and cache) stops while people submit reports and comment: every request still
succeeds, and what was to be mailed goes out once Redis is back, each email exactly once.

The first test needs only redis-server; the second runs a real Celery worker, so it needs
PostgreSQL as well (the worker is another process). CI runs both.
"""

import datetime
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from notifications import services as notification_services
from notifications.models import Notification
from reports import services as report_services
from reports.models import WeeklyReport
from tests.reports.test_services import MONDAY, at
from tests.reports.test_writing import complete
from tests.reviews.test_pages import FRIDAY, submitted
from tests.workers import start_worker, worker_database_url

pytestmark = pytest.mark.faults

LATE = at(FRIDAY + datetime.timedelta(days=1), 9)
LAST_FRIDAY = FRIDAY - datetime.timedelta(days=7)


def timed_post(client: Client, url: str, data: dict):
    started = time.monotonic()
    response = client.post(url, data)
    return response, time.monotonic() - started


def work_while_redis_is_down(rep, lead, earlier: WeeklyReport) -> list:
    """A late submission (the manager is told), a comment each way on last week's report, and the
    pages people look at meanwhile. Returns the (response, seconds) of the posts."""
    this_week = WeeklyReport.objects.get(author=rep, week_start=MONDAY)
    as_rep, as_lead = Client(), Client()
    as_rep.force_login(rep)
    as_lead.force_login(lead)
    results = [
        timed_post(as_rep, reverse("reports:submit", args=[this_week.pk]), complete(this_week)),
        timed_post(as_lead, reverse("reviews:comment_add", args=[earlier.pk]), {"body": "@张伟 客户名单请补全"}),
        timed_post(as_rep, reverse("reviews:comment_add", args=[earlier.pk]), {"body": "已补全，请经理再看"}),
    ]
    for client, name in [(as_lead, "reviews:queue"), (as_lead, "home"), (as_rep, "notifications:inbox")]:
        assert client.get(reverse(name)).status_code == 200, name
    return results


@pytest.fixture
def week(rep, time_machine):
    earlier = submitted(rep, at(LAST_FRIDAY, 12), week=MONDAY - datetime.timedelta(days=7))
    report_services.open_report(author=rep, week_start=MONDAY)
    time_machine.move_to(LATE)
    return earlier


def test_with_redis_stopped_requests_succeed_and_the_sweep_sends_each_email_once(
    on_redis, week, rep, lead, mailoutbox, django_capture_on_commit_callbacks
):
    # Publishing to a stopped Redis is retried twice before giving up: about a second in all.
    on_redis.stop()
    with django_capture_on_commit_callbacks(execute=True):
        results = work_while_redis_is_down(rep, lead, week)
    for response, seconds in results:
        assert response.status_code == 302 and seconds < 10
    assert WeeklyReport.objects.get(author=rep, week_start=MONDAY).status == WeeklyReport.Status.SUBMITTED
    pending = Notification.objects.filter(email_status=Notification.EmailStatus.PENDING)
    assert sorted(pending.values_list("recipient__username", "kind")) == [
        ("lead", "comment"),
        ("lead", "late"),
        ("rep", "mention"),
    ]
    assert mailoutbox == []

    on_redis.start()
    assert notification_services.retry_pending_emails() == 3
    assert notification_services.retry_pending_emails() == 0
    assert sorted(m.to[0] for m in mailoutbox) == sorted([lead.email, lead.email, rep.email])


def _sent_messages(mail_dir: Path) -> int:
    return sum(path.read_text(errors="replace").count("\nMessage-ID: ") for path in mail_dir.glob("*.log"))


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_what_piled_up_while_redis_was_down_exactly_once(
    migration_data, on_redis, rep, lead, tmp_path, settings, time_machine
):
    # A worker, a Redis stopped and restarted, and the worker's reconnection: about 15 s.
    from notifications.tasks import retry_pending_emails

    earlier = submitted(rep, at(LAST_FRIDAY, 12), week=MONDAY - datetime.timedelta(days=7))
    report_services.open_report(author=rep, week_start=MONDAY)
    time_machine.move_to(LATE, tick=True)
    var = tmp_path / "var"
    worker = start_worker(
        "celery",
        REDIS_URL=on_redis.url,
        DATABASE_URL=worker_database_url(),
        VAR_DIR=str(var),
        MEDIA_ROOT=settings.MEDIA_ROOT,
    )
    try:
        on_redis.stop()
        for response, seconds in work_while_redis_is_down(rep, lead, earlier):
            assert response.status_code == 302 and seconds < 10
        assert Notification.objects.filter(email_status=Notification.EmailStatus.PENDING).count() == 3

        on_redis.start()
        retry_pending_emails.delay()  # what beat sends every five minutes
        deadline = time.monotonic() + 60
        while Notification.objects.exclude(email_status=Notification.EmailStatus.SENT).exists():
            assert time.monotonic() < deadline, "the worker did not send the pending emails"
            assert worker.poll() is None, "the worker died"
            time.sleep(0.2)
        retry_pending_emails.delay()  # a second sweep finds nothing left to send
        time.sleep(2)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert set(Notification.objects.values_list("email_attempts", flat=True)) == {1}
    assert _sent_messages(var / "mail") == 3
