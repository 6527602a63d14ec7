"""Notifications: one per recipient and event, shown in the inbox, emailed after commit, never
sent twice, kept and retried when the broker or the mail server is down."""

import datetime
import smtplib
import time

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from notifications import services
from notifications.models import Notification
from reports import access as report_access
from reports import services as report_services
from reports.models import WeeklyReport
from reviews import services as review_services
from teams.models import User
from tests.reports.test_services import at
from tests.reviews.test_pages import FRIDAY, submitted


class DisconnectedBackend(BaseEmailBackend):
    """The mail server dropped the connection: a temporary failure."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class RefusingBackend(BaseEmailBackend):
    """The mail server refuses the address: a permanent failure."""

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (550, b"No such user")})


@pytest.fixture
def report(rep):
    return submitted(rep)


# Fan-out ------------------------------------------------------------------------------------------


def test_feedback_tells_the_author_once_and_not_the_reviewer(report, rep, lead):
    review_services.mark_reviewed(report=report, reviewer=lead, praise="客户跟进及时")
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [("rep", "feedback")]
    notification = Notification.objects.get()
    assert notification.excerpt == "客户跟进及时"
    assert notification.url == report.get_absolute_url()


def test_a_return_tells_the_author_and_links_to_the_edit_page(report, rep, lead):
    review_services.return_for_revision(report=report, reviewer=lead, reason="补充客户名称")
    notification = Notification.objects.get(recipient=rep)
    assert notification.kind == Notification.Kind.RETURNED
    assert notification.url == reverse("reports:edit", args=[report.pk])


def test_the_same_event_twice_gives_one_notification_per_recipient(report, rep, lead):
    for _ in range(2):
        services.notify(
            recipients=[rep, rep], kind=Notification.Kind.COMMENT, event="comment:1", actor=lead, report=report
        )
    assert Notification.objects.filter(recipient=rep).count() == 1


def test_the_actor_people_who_left_and_outsiders_hear_nothing(report, rep, lead, outsider, other_rep):
    other_rep.status = User.Status.LEFT
    other_rep.save()
    # notify() is generic: whoever tells about a report hands it the report's readers only.
    recipients = report_access.readers_among(report, [lead, other_rep, outsider])
    assert outsider not in recipients
    created = services.notify(
        recipients=recipients, kind=Notification.Kind.COMMENT, event="x", actor=lead, report=report
    )
    assert created == []


def test_a_late_first_submission_tells_the_teams_manager(other_rep, lead, rep):
    submitted(rep, at(FRIDAY, 12))  # on time: nobody is told
    late = submitted(other_rep, at(FRIDAY + datetime.timedelta(days=1), 9))
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.report) == (
        lead,
        Notification.Kind.LATE_SUBMISSION,
        late,
    )
    with translation.override("en"):
        assert notification.title == "王芳 submitted the report of the week of 2026-11-16 late (by 15 h)"


def test_a_resubmission_tells_the_reviewer_who_returned_it(report, rep, lead):
    review_services.return_for_revision(report=report, reviewer=lead, reason="补充")
    report_services.submit_report(report=WeeklyReport.objects.get(pk=report.pk), by=rep)
    assert Notification.objects.filter(recipient=lead, kind=Notification.Kind.RESUBMITTED).count() == 1


# Email after commit, once ----------------------------------------------------------------------------


def test_a_rolled_back_event_leaves_nothing_and_sends_nothing(
    report, lead, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
            raise RuntimeError("something later in the request failed")
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_the_email_goes_after_commit_in_the_recipients_language(
    report, rep, lead, mailoutbox, django_capture_on_commit_callbacks
):
    for language in ("en", "zh-hans"):
        User.objects.filter(pk=rep.pk).update(language=language)
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            services.notify(
                recipients=[User.objects.get(pk=rep.pk)],
                kind=Notification.Kind.COMMENT,
                event=f"comment:{language}",
                actor=lead,
                report=report,
                excerpt="请补充客户名称",
            )
        assert len(callbacks) == 1
    english, chinese = mailoutbox
    assert "李经理 (@lead) commented on 张伟's report of the week of 2026-11-16" in english.subject
    assert "李经理 (@lead) 评论了张伟 2026-11-16 当周的周报" in chinese.subject
    assert "请补充客户名称" in chinese.body and report.get_absolute_url() in chinese.body
    html, mimetype = chinese.alternatives[0]
    assert mimetype == "text/html" and "请补充客户名称" in html
    assert set(Notification.objects.values_list("email_status", flat=True)) == {"sent"}


def test_an_email_is_never_sent_twice(report, rep, lead, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    notification = Notification.objects.get()
    assert services.deliver_email(notification_id=notification.pk) is False
    assert services.retry_pending_emails() == 0
    assert len(mailoutbox) == 1


@pytest.fixture
def broker_down(settings):
    """Nothing listens on port 1: publishing fails as it does when Redis is down. Yields a
    function that brings the broker back (eager tasks, as in the rest of the suite)."""
    from salesreports.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    saved = app.conf.task_always_eager, app.conf.broker_url, app._pool
    app.conf.task_always_eager, app.conf.broker_url, app._pool = False, "redis://127.0.0.1:1/0", None

    def restore():
        if app._pool is not None and app._pool is not saved[2]:
            app._pool.force_close_all()
        app.conf.task_always_eager, app.conf.broker_url, app._pool = saved

    yield restore
    restore()


def test_with_the_broker_down_a_return_succeeds_and_the_sweep_sends_later(
    client, report, rep, lead, broker_down, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(lead)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reviews:return", args=[report.pk]), {"reason": "请补充拜访明细"})
    assert time.monotonic() - started < 10  # the retry policy gives up quickly instead of hanging
    broker_down()
    assert response.status_code == 302
    notification = Notification.objects.get(recipient=rep)
    assert notification.email_status == Notification.EmailStatus.PENDING
    assert mailoutbox == []
    # The broker is back: beat's sweep sends it, once.
    assert services.retry_pending_emails() == 1
    assert services.retry_pending_emails() == 0
    assert len(mailoutbox) == 1


def test_with_the_broker_down_a_late_submission_succeeds_and_the_manager_hears_later(
    client, rep, lead, broker_down, mailoutbox, django_capture_on_commit_callbacks, time_machine
):
    from tests.reports.test_services import MONDAY
    from tests.reports.test_writing import complete

    report = report_services.open_report(author=rep, week_start=MONDAY)
    time_machine.move_to(at(FRIDAY + datetime.timedelta(days=1), 9))
    client.force_login(rep)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:submit", args=[report.pk]), complete(report))
    broker_down()
    report.refresh_from_db()
    assert response.status_code == 302 and report.status == WeeklyReport.Status.SUBMITTED
    late = Notification.objects.get(recipient=lead, kind=Notification.Kind.LATE_SUBMISSION)
    assert late.email_status == Notification.EmailStatus.PENDING and mailoutbox == []
    assert services.retry_pending_emails() == 1
    assert [message.to for message in mailoutbox] == [[lead.email]]


def test_a_dropped_connection_is_retried_and_sent_once_it_works(report, rep, lead, settings, mailoutbox):
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    notification = Notification.objects.get()
    settings.EMAIL_BACKEND = f"{__name__}.DisconnectedBackend"
    with pytest.raises(smtplib.SMTPServerDisconnected):
        services.deliver_email(notification_id=notification.pk)
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == ("pending", 1)
    assert "SMTPServerDisconnected" in notification.email_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.retry_pending_emails() == 1
    assert len(mailoutbox) == 1


def test_a_refused_address_is_recorded_as_failed_for_the_admins(report, rep, lead, settings, mailoutbox):
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    notification = Notification.objects.get()
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    assert services.deliver_email(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert "No such user" in notification.email_error
    assert services.retry_pending_emails() == 0


def test_a_claim_left_by_a_dead_worker_is_taken_over_after_the_timeout(report, rep, lead, mailoutbox):
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    notification = Notification.objects.get()
    Notification.objects.filter(pk=notification.pk).update(
        email_status=Notification.EmailStatus.SENDING, email_claimed_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert services.retry_pending_emails() == 0  # still being sent by someone
    Notification.objects.filter(pk=notification.pk).update(
        email_claimed_at=timezone.now() - services.CLAIM_TIMEOUT - datetime.timedelta(minutes=1)
    )
    assert services.retry_pending_emails() == 1
    assert len(mailoutbox) == 1


# Choices and the inbox ----------------------------------------------------------------------------------


def test_an_unwanted_kind_reaches_the_inbox_but_not_the_mailbox(
    client, report, rep, lead, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(rep)
    wanted = [kind for kind in Notification.Kind.values if kind != Notification.Kind.FEEDBACK]
    assert client.post(reverse("notifications:settings"), {"wanted": wanted}).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    assert Notification.objects.get(recipient=rep).email_status == Notification.EmailStatus.NOT_WANTED
    assert mailoutbox == []
    shown = client.get(reverse("notifications:settings")).context["form"].initial["wanted"]
    assert Notification.Kind.FEEDBACK not in shown and Notification.Kind.RETURNED in shown


def test_the_bell_counts_unread_and_opening_reads_and_follows_the_link(client, report, rep, lead):
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    client.force_login(rep)
    assert 'data-badge="unread"' in client.get(reverse("home")).content.decode()
    notification = Notification.objects.get()
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-badge="unread"' not in client.get(reverse("home")).content.decode()


def test_mark_all_read_and_opening_the_report_read_its_notifications(client, report, rep, lead):
    review_services.return_for_revision(report=report, reviewer=lead, reason="补充")
    services.notify(recipients=[rep], kind=Notification.Kind.COMMENT, event="c1", actor=lead, report=report)
    client.force_login(rep)
    client.get(report.get_absolute_url())
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    services.notify(recipients=[rep], kind=Notification.Kind.COMMENT, event="c2", actor=lead, report=report)
    client.post(reverse("notifications:read_all"))
    assert not Notification.objects.filter(read_at__isnull=True).exists()


def test_the_inbox_lists_only_ones_own_notifications(client, report, rep, lead, other_rep):
    review_services.mark_reviewed(report=report, reviewer=lead, praise="好")
    client.force_login(other_rep)
    assert list(client.get(reverse("notifications:inbox")).context["page"]) == []
