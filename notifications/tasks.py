from smtplib import SMTPException

from celery import shared_task

from notifications import services


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> None:
    services.deliver_email(notification_id=notification_id)


@shared_task(acks_late=True)
def send_notification_emails(notification_ids: list[int]) -> None:
    """A batch (reminders): one failing address must not hold up the others, which the sweep
    would otherwise only send minutes later."""
    for notification_id in notification_ids:
        try:
            services.deliver_email(notification_id=notification_id)
        except (SMTPException, OSError):
            continue  # recorded on the row as pending; the sweep retries it with the others


@shared_task(acks_late=True)
def retry_pending_emails() -> int:
    return services.retry_pending_emails()
