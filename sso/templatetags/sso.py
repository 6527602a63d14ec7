from django import template

from sso import services
from sso.models import Identity

register = template.Library()


@register.simple_tag
def sso_login_page() -> dict:
    """The login page's providers and whether it shows the password form (one query)."""
    return services.login_page_options()


@register.inclusion_tag("sso/_member_identities.html", takes_context=True)
def linked_identities(context, member, can_edit):
    """A member's linked identities, with the admins' button to remove one."""
    return {
        "identities": list(Identity.objects.filter(user=member)),
        "can_edit": can_edit,
        "csrf_token": context.get("csrf_token"),
    }
