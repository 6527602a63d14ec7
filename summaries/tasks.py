from celery import shared_task

from summaries import services


# Rendering is idempotent (the job is claimed first), so a task lost with a dying worker can be
# delivered again: acks_late with reject_on_worker_lost puts it back on the queue.
@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def render_document(job_id: int) -> None:
    services.render_job(job_id=job_id)


@shared_task(acks_late=True)
def requeue_stale_documents() -> int:
    return services.requeue_stale_jobs()


@shared_task(acks_late=True)
def expire_documents() -> int:
    return services.expire_documents()
