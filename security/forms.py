from django import forms
from django.utils.translation import gettext_lazy as _

from security.models import TwoFactorPolicy
from teams.forms import CrispyMixin


class CodeForm(CrispyMixin, forms.Form):
    code = forms.CharField(
        label=_("Verification code"),
        max_length=20,
        help_text=_("The six digits your authenticator app shows now, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


class PolicyForm(CrispyMixin, forms.ModelForm):
    class Meta:
        model = TwoFactorPolicy
        fields = ["is_required_for_admins", "is_required_for_managers"]


class PasswordResetRequestForm(CrispyMixin, forms.Form):
    email = forms.EmailField(
        label=_("Email"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
