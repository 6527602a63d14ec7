from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sso import providers, services
from sso.models import Provider, SsoPolicy
from teams.forms import CrispyMixin, LoginForm
from teams.models import User


class PolicyLoginForm(LoginForm):
    """The login form under the single sign-on policy: a right password is still refused when the
    policy says this person signs in through a provider (checked after the password, so the
    answer reveals nothing to someone who does not know it)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if getattr(user, "backend", "") in services.LOCAL_PASSWORD_BACKENDS and not services.password_login_allowed(
            user
        ):
            raise ValidationError(
                _("Your company signs in through single sign-on: use one of the buttons below."),
                code="sso_required",
            )

    def get_invalid_login_error(self):
        refusal = getattr(self.request, "sso_refusal", "")
        if refusal:
            return ValidationError(refusal, code="sso_refused")
        return super().get_invalid_login_error()


class PolicyForm(CrispyMixin, forms.ModelForm):
    mfa_providers = forms.MultipleChoiceField(
        label=gettext_lazy("Providers that enforce two-factor login"),
        help_text=gettext_lazy("People signing in through these are not asked for a code here again."),
        choices=Provider.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    oidc_issuer = forms.URLField(
        label=gettext_lazy("OpenID Connect issuer URL"), required=False, assume_scheme="https", max_length=200
    )
    oidc_client_secret = forms.CharField(
        label=gettext_lazy("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy("Leave empty to keep the current secret."),
    )

    class Meta:
        model = SsoPolicy
        fields = [
            "match_by",
            "is_jit_enabled",
            "is_sso_required",
            "is_password_login_enabled",
            "break_glass_admins",
            "mfa_providers",
            "oidc_issuer",
            "oidc_client_id",
            "oidc_client_secret",
            "oidc_name",
        ]
        widgets = {"break_glass_admins": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["break_glass_admins"].queryset = User.objects.filter(is_staff=True, is_active=True)
        if providers.oidc_config(None) is not None:  # the server's variables set the provider
            for name in OIDC_FIELDS:
                del self.fields[name]

    def clean(self):
        data = super().clean()
        if "oidc_issuer" in self.fields:
            self._clean_oidc(data)
        candidate = SsoPolicy(
            oidc_issuer=data.get("oidc_issuer", ""),
            oidc_client_id=data.get("oidc_client_id", ""),
        )
        if not providers.configured_keys(candidate) and (
            data.get("is_sso_required") or data.get("is_password_login_enabled") is False
        ):
            raise ValidationError(_("No single sign-on provider is configured yet: everyone would be locked out."))
        if data.get("is_sso_required") and not data.get("break_glass_admins"):
            self.add_error(
                "break_glass_admins", _("Name at least one admin who can still log in when the provider is down.")
            )
        return data

    def _clean_oidc(self, data: dict) -> None:
        issuer = data.get("oidc_issuer", "")
        if not issuer:
            return
        if not data.get("oidc_client_id"):
            self.add_error("oidc_client_id", _("Enter the client id the provider gave this site."))
        if not data.get("oidc_client_secret") and not self.instance.oidc_client_secret:
            self.add_error("oidc_client_secret", _("Enter the client secret the provider gave this site."))
        if issuer != self.instance.oidc_issuer:
            try:
                providers.check_issuer(issuer)
            except providers.ProviderError as exc:
                self.add_error("oidc_issuer", exc.message)


OIDC_FIELDS = ["oidc_issuer", "oidc_client_id", "oidc_client_secret", "oidc_name"]
