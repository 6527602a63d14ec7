from django.dispatch import receiver
from django.utils.translation import gettext as _
from django_auth_ldap.backend import ldap_error

from sso import services
from sso.backends import DirectoryBackend


@receiver(ldap_error, sender=DirectoryBackend)
def directory_failed(sender, context, user, request, exception, **kwargs) -> None:
    """The directory is down or refused our search: tell the person, and the admins."""
    if context not in ("authenticate", "search_for_user_dn"):
        return
    services.record_provider_failure(provider="ldap", detail=type(exception).__name__)
    if request is not None:
        request.sso_refusal = _("The company directory cannot be reached. Try again later or log in another way.")
