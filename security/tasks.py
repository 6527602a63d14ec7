from smtplib import SMTPException

from celery import shared_task

from security import services


@shared_task(acks_late=True, autoretry_for=(SMTPException,), retry_backoff=True, max_retries=5)
def send_password_reset(request_id: int) -> None:
    services.deliver_password_reset(request_id=request_id)


@shared_task
def retry_pending_password_resets() -> int:
    return services.retry_pending_password_resets()
