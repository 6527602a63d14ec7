from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TwoFactorPolicy(models.Model):
    """Who must log in with a second factor: one row, edited by admins in the app.

    Everyone may turn two-factor login on for themselves; this says whose account cannot be used
    without it.
    """

    is_required_for_admins = models.BooleanField(_("required for admins"), default=False)
    is_required_for_managers = models.BooleanField(
        _("required for managers and directors"),
        default=False,
        help_text=_("They read the reports and feedback of whole teams."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("two-factor policy")
        verbose_name_plural = _("two-factor policy")

    def __str__(self) -> str:
        return str(_("two-factor policy"))


class PasswordResetRequest(models.Model):
    """One "send me a reset link" request: the outbox row its email leaves through, and what the
    throttle counts (per address and per client address).

    A row is written for every request, whether or not an account uses the address, so the
    request does the same work either way; the worker finds out and records it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        NO_ACCOUNT = "no_account", _("No account uses the address")
        FAILED = "failed", _("Failed")

    email = models.EmailField(_("email"))  # trimmed and in lower case
    ip_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("password reset request")
        verbose_name_plural = _("password reset requests")
        indexes = [
            models.Index(fields=["email", "created_at"], name="reset_by_address"),
            models.Index(fields=["ip_address", "created_at"], name="reset_by_client"),
        ]

    def __str__(self) -> str:
        return f"{self.email} {self.created_at:%Y-%m-%d %H:%M}"
