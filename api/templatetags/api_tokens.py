from django import template

from api import access
from api.forms import TokenForm

register = template.Library()


@register.inclusion_tag("api/token_section.html", takes_context=True)
def api_token_section(context):
    """The API tokens part of a person's Preferences page: theirs, and the form for a new one."""
    user = context["request"].user
    return {
        "tokens": access.visible_tokens(user).filter(user=user),
        "form": TokenForm(),
        "csrf_token": context.get("csrf_token"),
    }
