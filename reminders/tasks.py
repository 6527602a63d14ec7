from celery import shared_task

from reminders import services


# Every tick works out what is due from the database, so a missed or doubled beat does no harm;
# expiring keeps a backlog of ticks (worker down for an hour) from running one after another.
@shared_task(acks_late=True, expires=4 * 60, soft_time_limit=120, time_limit=180)
def tick() -> int:
    return services.run_tick().sent
