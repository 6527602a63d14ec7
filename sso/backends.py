"""LDAP / Active Directory login through django-auth-ldap, linked to members like every other
provider: the directory checks the password, sso.services decides who the person is here."""

from django.conf import settings
from django_auth_ldap.backend import LDAPBackend

from sso import services
from sso.models import Provider
from sso.providers import Claims


def _first(ldap_user, attribute: str) -> str:
    values = ldap_user.attrs.get(attribute.lower()) or ldap_user.attrs.get(attribute) or [""]
    return str(values[0])


class DirectoryBackend(LDAPBackend):
    """Binds as the person (after a user search); never creates or updates a member by itself."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        self._request = request  # a new backend object per login attempt (django.contrib.auth)
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_or_build_user(self, username, ldap_user):
        # Directories set email and mobile centrally, so they count as verified.
        claims = Claims(
            provider=Provider.LDAP,
            subject=ldap_user.dn.lower(),
            email=_first(ldap_user, settings.LDAP_EMAIL_ATTR),
            email_verified=True,
            employee_id=_first(ldap_user, settings.LDAP_EMPLOYEE_ID_ATTR) or username,
            mobile=_first(ldap_user, settings.LDAP_MOBILE_ATTR),
            name=_first(ldap_user, settings.LDAP_NAME_ATTR),
        )
        try:
            user = services.sign_in(claims=claims)
        except services.SignInRefused as exc:
            if getattr(self, "_request", None) is not None:
                self._request.sso_refusal = exc.message
            raise ldap_user.AuthenticationFailed(exc.message) from exc
        return user, False
