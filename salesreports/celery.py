import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesreports.settings")

app = Celery("salesreports")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="salesreports.ping", ignore_result=False)
def ping() -> str:
    """Answer "pong"; lets health checks and tests prove a worker is consuming the queue."""
    return "pong"
