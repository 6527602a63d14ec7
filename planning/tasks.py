from celery import shared_task
from django.utils import timezone

from planning import pace


# Safe to run twice: each alert is claimed (PaceAlert) before it is sent.
@shared_task(acks_late=True, soft_time_limit=240, time_limit=300)
def send_pace_alerts() -> int:
    return pace.send_pace_alerts(today=timezone.localdate())
