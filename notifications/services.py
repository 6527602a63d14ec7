"""Notifications: one per recipient and event, shown in the inbox and, where wanted, emailed.

Emails leave through `deliver_email`, which claims the row before sending (so two workers, a
retried task or the sweep cannot send one message twice) and records the outcome. A message whose
task never reached the broker, or whose worker died mid-send, is sent by `retry_pending_emails`,
which beat runs every few minutes.
"""

import datetime
import logging
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import EmailPreference, Notification
from teams.models import User

logger = logging.getLogger(__name__)

# A claim older than this belongs to a worker that died mid-send: the sweep takes it over.
CLAIM_TIMEOUT = datetime.timedelta(minutes=10)
MAX_EMAIL_ATTEMPTS = 5
SWEEP_BATCH = 200
EXCERPT_LENGTH = 300


def _excerpt(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def wants_email(user: User, kind: str) -> bool:
    return bool(user.email) and not EmailPreference.objects.filter(user=user, kind=kind, is_wanted=False).exists()


@transaction.atomic
def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    event: str,
    actor: User | None = None,
    report: Any = None,  # a reports.WeeklyReport: notifications sit below reports and do not import it
    excerpt: str = "",
    url: str = "",
    data: dict | None = None,
) -> list[Notification]:
    """Tell each recipient about an event, once: a recipient who already has a notification for
    `event` gets no second one. The actor is never told about their own action, nor is anyone
    who has left. Callers decide who may see what: a notification about a report goes only to
    its readers (reports.access.readers_among). Emails are queued after commit, so a rolled-back
    event sends nothing. Returns the notifications created now."""
    url = url or (report.get_absolute_url() if report else "")
    people = {person.pk: person for person in recipients if person is not None}
    created = []
    for person in people.values():
        if actor is not None and person.pk == actor.pk:
            continue
        if not person.is_active or person.status == User.Status.LEFT:
            continue
        if Notification.objects.filter(recipient=person, event=event).exists():
            continue
        status = Notification.EmailStatus.PENDING if wants_email(person, kind) else Notification.EmailStatus.NOT_WANTED
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=person,
                    kind=kind,
                    event=event,
                    actor=actor,
                    report=report,
                    excerpt=_excerpt(excerpt),
                    url=url,
                    data=data or {},
                    email_status=status,
                )
        except IntegrityError:  # the same event reported at the same moment by another process
            continue
        created.append(notification)
        if status == Notification.EmailStatus.PENDING:
            transaction.on_commit(partial(queue_email, notification.pk))
    return created


@dataclass
class Draft:
    """One notification for notify_many."""

    recipient: User
    kind: str
    event: str
    url: str
    data: dict


EMAIL_BATCH = 100


@transaction.atomic
def notify_many(drafts: list[Draft]) -> int:
    """notify() for many recipients at once (reminders, digests) with a fixed number of queries:
    one notification per recipient and event, emails queued after commit in batches. The caller
    has already chosen who should hear about what. Returns how many notifications are new."""
    if not drafts:
        return 0
    started = timezone.now()
    unwanted = set(
        EmailPreference.objects.filter(user__in={d.recipient.pk for d in drafts}, is_wanted=False).values_list(
            "user_id", "kind"
        )
    )
    rows = [
        Notification(
            recipient=d.recipient,
            kind=d.kind,
            event=d.event,
            url=d.url,
            data=d.data,
            email_status=Notification.EmailStatus.PENDING
            if d.recipient.email and (d.recipient.pk, d.kind) not in unwanted
            else Notification.EmailStatus.NOT_WANTED,
        )
        for d in drafts
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    new = Notification.objects.filter(
        event__in={d.event for d in drafts}, recipient__in={d.recipient.pk for d in drafts}, created_at__gte=started
    )
    pending = list(new.filter(email_status=Notification.EmailStatus.PENDING).values_list("pk", flat=True))
    for start in range(0, len(pending), EMAIL_BATCH):
        batch = pending[start : start + EMAIL_BATCH]
        transaction.on_commit(partial(queue_emails, batch))
    return new.count()


def queue_emails(notification_ids: list[int]) -> None:
    """queue_email() for a batch, in one task."""
    from notifications import tasks

    try:
        tasks.send_notification_emails.delay(notification_ids)
    except Exception:
        logger.warning("Could not queue %d emails; the sweep will retry them", len(notification_ids))


def queue_email(notification_id: int) -> None:
    """Hand the email to a worker. A broker outage must not fail the web request: the row stays
    pending and the sweep sends it once the broker is back."""
    from notifications import tasks

    try:
        tasks.send_notification_email.delay(notification_id)
    except Exception:
        logger.warning("Could not queue the email of notification %s; the sweep will retry it", notification_id)


def _claim(notification_id: int) -> bool:
    """Take the row for sending; False when it is sent, failed, or being sent by someone else."""
    now = timezone.now()
    claimable = Q(email_status=Notification.EmailStatus.PENDING) | Q(
        email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=now - CLAIM_TIMEOUT
    )
    return bool(
        Notification.objects.filter(claimable, pk=notification_id).update(
            email_status=Notification.EmailStatus.SENDING, email_claimed_at=now, email_attempts=F("email_attempts") + 1
        )
    )


def render_email(notification: Notification) -> EmailMultiAlternatives:
    """The message in the recipient's language, as plain text with an HTML alternative."""
    recipient = notification.recipient
    with translation.override(recipient.language):
        context = {
            "notification": notification,
            "recipient": recipient,
            "link": settings.SITE_URL.rstrip("/") + notification.url,
            "settings_link": settings.SITE_URL.rstrip("/") + reverse("notifications:settings"),
        }
        subject = " ".join(render_to_string("emails/notification_subject.txt", context).split())
        text = render_to_string("emails/notification.txt", context)
        html = render_to_string("emails/notification.html", context)
    message = EmailMultiAlternatives(subject, text, to=[recipient.email])
    message.attach_alternative(html, "text/html")
    return message


def deliver_email(*, notification_id: int) -> bool:
    """Send the notification's email unless it has been sent or someone else is sending it.

    Returns True when this call sent it. A temporary SMTP failure puts the row back to pending and
    re-raises so the task retries with backoff; a refused address, or the last attempt, marks it
    failed with the reason (admins see it in the Django admin).
    """
    if not _claim(notification_id):
        return False
    notification = Notification.objects.select_related("recipient", "actor", "report__author").get(pk=notification_id)
    try:
        render_email(notification).send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        _record_failure(notification, exc, permanent=True)
        return False
    except (smtplib.SMTPException, OSError) as exc:
        _record_failure(notification, exc, permanent=notification.email_attempts >= MAX_EMAIL_ATTEMPTS)
        raise
    Notification.objects.filter(pk=notification_id).update(
        email_status=Notification.EmailStatus.SENT, email_sent_at=timezone.now(), email_error=""
    )
    return True


def _record_failure(notification: Notification, exc: Exception, *, permanent: bool) -> None:
    status = Notification.EmailStatus.FAILED if permanent else Notification.EmailStatus.PENDING
    logger.warning("Email of notification %s failed (%s): %s", notification.pk, status, exc)
    Notification.objects.filter(pk=notification.pk).update(
        email_status=status, email_claimed_at=None, email_error=f"{type(exc).__name__}: {exc}"[:300]
    )


def failed_email_count() -> int:
    """Emails given up on (the outbox's permanent failures), for the admins' pages."""
    return Notification.objects.filter(email_status=Notification.EmailStatus.FAILED).count()


def retry_pending_emails(*, now: datetime.datetime | None = None) -> int:
    """Send what is still waiting: emails whose task was lost with the broker, and claims left by
    a worker that died mid-send. Returns how many were sent. Safe to run from several beats."""
    now = now or timezone.now()
    due = Notification.objects.filter(
        Q(email_status=Notification.EmailStatus.PENDING)
        | Q(email_status=Notification.EmailStatus.SENDING, email_claimed_at__lt=now - CLAIM_TIMEOUT)
    ).order_by("created_at")
    sent = 0
    for pk in list(due.values_list("pk", flat=True)[:SWEEP_BATCH]):
        try:
            sent += deliver_email(notification_id=pk)
        except (smtplib.SMTPException, OSError):
            continue  # recorded on the row; the next sweep tries again
    return sent


# The inbox --------------------------------------------------------------------------------------


def mark_read(*, notification: Notification) -> None:
    """Mark one notification read (again: no change)."""
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def mark_all_read(*, user: User) -> int:
    """Mark every unread notification of the user read; returns how many there were."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def mark_report_read(*, user: User, report: Any) -> None:
    """Opening a report reads what the inbox said about it."""
    Notification.objects.filter(recipient=user, report=report, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def set_email_preferences(*, user: User, wanted: Iterable[str]) -> None:
    """Store which kinds of notification the user wants by email (all others: inbox only)."""
    wanted = set(wanted)
    for kind in Notification.Kind.values:
        EmailPreference.objects.update_or_create(user=user, kind=kind, defaults={"is_wanted": kind in wanted})


def email_preferences(user: User) -> set[str]:
    """The kinds the user wants by email."""
    unwanted = set(EmailPreference.objects.filter(user=user, is_wanted=False).values_list("kind", flat=True))
    return set(Notification.Kind.values) - unwanted
