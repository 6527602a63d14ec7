from django import template

from sso import services
from sso.models import Identity
from sso.providers import browser_providers

register = template.Library()


@register.inclusion_tag("sso/_login_options.html", takes_context=True)
def sso_login_options(context):
    """The configured providers' buttons on the login page."""
    return {"providers": browser_providers(), "next": context.get("next", "")}


@register.simple_tag
def sso_password_form_shown() -> bool:
    return services.password_form_shown()


@register.inclusion_tag("sso/_member_identities.html", takes_context=True)
def linked_identities(context, member, can_edit):
    """A member's linked identities, with the admins' button to remove one."""
    return {
        "identities": list(Identity.objects.filter(user=member)),
        "can_edit": can_edit,
        "csrf_token": context.get("csrf_token"),
    }
