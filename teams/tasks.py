from smtplib import SMTPException

from celery import shared_task

from teams import services
from teams.models import User


@shared_task(acks_late=True, autoretry_for=(SMTPException,), retry_backoff=True, max_retries=5)
def send_invitation(user_id: int) -> None:
    member = User.objects.filter(pk=user_id).first()
    if member is not None:
        services.send_invitation(member=member)
