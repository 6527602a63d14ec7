from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from security import services


@receiver(user_logged_in)
def remember_two_factor_status(sender, request, user, **kwargs) -> None:
    services.remember_at_login(user)
