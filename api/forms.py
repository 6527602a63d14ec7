from django import forms
from django.utils.translation import gettext_lazy as _

from api import services
from teams.forms import CrispyMixin


class TokenForm(CrispyMixin, forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What uses it, e.g. “CRM sync” or “BI dashboard”.")
    )
    days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        initial=90,
        choices=[(days, _("%(days)d days") % {"days": days}) for days in services.LIFETIMES],
    )
    can_write = forms.TypedChoiceField(
        label=_("Access"),
        coerce=lambda value: value == "write",
        initial="read",
        choices=[("read", _("Read only")), ("write", _("Read and write"))],
        widget=forms.RadioSelect,
    )
