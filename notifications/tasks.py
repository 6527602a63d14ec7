from smtplib import SMTPException

from celery import shared_task

from notifications import services


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def send_notification_email(notification_id: int) -> None:
    services.deliver_email(notification_id=notification_id)


@shared_task(acks_late=True)
def retry_pending_emails() -> int:
    return services.retry_pending_emails()
