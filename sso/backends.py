"""LDAP / Active Directory login, linked to members like every other provider: the directory
checks the password (sso.directory), sso.services decides who the person is here."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.utils.translation import gettext as _

from sso import directory, services
from sso.models import Provider
from sso.providers import Claims, ldap_configured


class DirectoryBackend(ModelBackend):
    """Checks the password against the directory; never creates or updates a member by itself
    (except the admin flag when an admins' group is configured, audited)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not ldap_configured() or username is None or password is None:
            return None
        attributes = {
            "email": settings.LDAP_EMAIL_ATTR,
            "employee_id": settings.LDAP_EMPLOYEE_ID_ATTR,
            "mobile": settings.LDAP_MOBILE_ATTR,
            "name": settings.LDAP_NAME_ATTR,
        }
        try:
            person = directory.authenticate(username.strip(), password, list(dict.fromkeys(attributes.values())))
        except directory.DirectoryUnavailable as exc:
            services.record_provider_failure(provider=Provider.LDAP, detail=str(exc))
            _tell(request, _("The company directory cannot be reached. Try again later or log in another way."))
            return None
        if person is None:
            return None
        found = {key: person.attributes.get(name, "") for key, name in attributes.items()}
        # Directories set email and mobile centrally, so they count as verified.
        claims = Claims(
            provider=Provider.LDAP,
            subject=person.dn.lower(),
            email=found["email"],
            email_verified=True,
            employee_id=found["employee_id"] or username.strip(),
            mobile=found["mobile"],
            name=found["name"],
        )
        try:
            user = services.sign_in(claims=claims)
            if person.is_admin is not None:
                user = services.set_admin_from_directory(user=user, is_admin=person.is_admin)
        except services.SignInRefused as exc:
            _tell(request, exc.message)
            return None
        return user if self.user_can_authenticate(user) else None


def _tell(request, message: str) -> None:
    """The login form shows this instead of "wrong username or password" (sso.forms)."""
    if request is not None:
        request.sso_refusal = message
