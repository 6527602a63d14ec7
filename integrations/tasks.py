from celery import shared_task

from integrations import services


@shared_task(acks_late=True)
def send_delivery(delivery_id: int) -> None:
    """Safe to run twice: the row is claimed first. A failure is recorded on the row and retried
    by the sweep with backoff, not by Celery."""
    services.deliver(delivery_id=delivery_id)


@shared_task(acks_late=True, expires=50)
def send_due_deliveries() -> int:
    return services.send_due()
