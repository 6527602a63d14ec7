from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from audit.services import record
from security.models import TwoFactorPolicy
from teams.backends import find_account


@admin.register(TwoFactorPolicy)
class TwoFactorPolicyAdmin(admin.ModelAdmin):
    # The policy is changed on its own page in the app, which records it in the audit trail.
    list_display = ["is_required_for_admins", "is_required_for_managers", "updated_at", "updated_by"]
    readonly_fields = ["is_required_for_admins", "is_required_for_managers", "updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


# Two-factor devices are set up by their owners and reset by admins on the app's pages, which
# record both. django-otp's admin would let an admin read a secret or swap a device unrecorded.
admin.site.unregister(TOTPDevice)
admin.site.unregister(StaticDevice)


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AuditedAccessAttemptAdmin(AccessAttemptAdmin):
    """Deleting an access attempt unlocks a login before its cool-off ends: allowed, and recorded."""

    @transaction.atomic
    def delete_model(self, request, obj):
        self._record_unlock(request, obj)
        super().delete_model(request, obj)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for attempt in queryset:
            self._record_unlock(request, attempt)
        super().delete_queryset(request, queryset)

    def _record_unlock(self, request, attempt: AccessAttempt) -> None:
        # In the trail of the person whose login it was, when the attempt names an account.
        record(
            actor=request.user,
            action=AuditEntry.Action.UPDATED,
            target=find_account(attempt.username) or attempt,
            changes={"username": [attempt.username, None], "ip_address": [attempt.ip_address, None]},
            note="login unlocked in django-admin",
        )


admin.site.unregister(AccessLog)
admin.site.unregister(AccessFailureLog)


@admin.register(AccessLog)
class KeptAccessLogAdmin(AccessLogAdmin):
    # Who logged in when and from where: login history is kept.
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AccessFailureLog)
class KeptAccessFailureLogAdmin(AccessFailureLogAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False
