from django.contrib import admin

from security.models import TwoFactorPolicy


@admin.register(TwoFactorPolicy)
class TwoFactorPolicyAdmin(admin.ModelAdmin):
    # The policy is changed on its own page in the app, which records it in the audit trail.
    list_display = ["is_required_for_admins", "is_required_for_managers", "updated_at", "updated_by"]
    readonly_fields = ["is_required_for_admins", "is_required_for_managers", "updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
