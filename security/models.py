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
