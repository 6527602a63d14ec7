"""Single sign-on: which outside identity belongs to which member, and the admins' policy."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    OIDC = "oidc", _("OpenID Connect")
    DINGTALK = "dingtalk", _("DingTalk")
    FEISHU = "feishu", _("Feishu")
    WECOM = "wecom", _("WeCom")
    LDAP = "ldap", _("LDAP directory")


class Identity(models.Model):
    """One account at a provider, linked to one member; a member has at most one per provider."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("member"), on_delete=models.CASCADE, related_name="identities"
    )
    provider = models.CharField(_("provider"), max_length=20, choices=Provider.choices)
    # The provider's stable id for the person (OIDC "sub", DingTalk unionId, an LDAP DN ...).
    subject = models.CharField(_("identifier"), max_length=255)
    email = models.EmailField(_("email"), blank=True)
    name = models.CharField(_("name"), max_length=150, blank=True)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked identity")
        verbose_name_plural = _("linked identities")
        ordering = ["provider", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="sso_identity_unique_subject"),
            models.UniqueConstraint(fields=["user", "provider"], name="sso_identity_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.name or self.email or self.subject}"


class SsoPolicy(models.Model):
    """How sign-ins find their member and who may still use a password: one row, set by admins."""

    class MatchBy(models.TextChoices):
        EMAIL = "email", _("Verified email address")
        EMPLOYEE_ID = "employee_id", _("Employee id (the member's username)")
        MOBILE = "mobile", _("Mobile number")

    match_by = models.CharField(
        _("link a first sign-in to the member with the same"),
        max_length=20,
        choices=MatchBy.choices,
        default=MatchBy.EMAIL,
    )
    is_jit_enabled = models.BooleanField(
        _("create people who match nobody"),
        default=False,
        help_text=_("They get no team and see nothing until an admin places them in one."),
    )
    is_sso_required = models.BooleanField(
        _("require single sign-on"),
        default=False,
        help_text=_("Only the break-glass admins below may still log in with a password."),
    )
    is_password_login_enabled = models.BooleanField(
        _("password login"),
        default=True,
        help_text=_("Off: nobody logs in with a password of this site, break-glass admins included."),
    )
    break_glass_admins = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("break-glass admins"), blank=True, related_name="+"
    )
    # An OpenID Connect provider set here by admins; the server's SSO_OIDC_* variables win.
    oidc_issuer = models.URLField(_("OpenID Connect issuer URL"), blank=True)
    oidc_client_id = models.CharField(_("client id"), max_length=200, blank=True)
    oidc_client_secret = models.CharField(_("client secret"), max_length=500, blank=True)
    oidc_name = models.CharField(
        _("provider name on the login button"),
        max_length=50,
        blank=True,
        help_text=_("For example Keycloak or Authing."),
    )
    # Provider keys whose sign-in the admins trust to have asked for a second factor already.
    mfa_providers = models.JSONField(_("providers that enforce two-factor login"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("single sign-on policy")
        verbose_name_plural = _("single sign-on policy")

    def __str__(self) -> str:
        return str(_("single sign-on policy"))
