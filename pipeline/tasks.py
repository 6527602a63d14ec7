from celery import shared_task

from pipeline import services


@shared_task(acks_late=True, soft_time_limit=300, time_limit=360)
def freeze_closed_forecasts() -> int:
    """Freeze the forecasts of the month and quarter that have just closed (safe to run twice)."""
    return services.freeze_closed_periods()
