from django.contrib import admin

from api.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Read-only, nothing deleted: tokens are made by their owners and revoked on the API tokens pages (audited)."""

    list_display = ["name", "user", "prefix", "can_write", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["can_write"]
    search_fields = ["name", "prefix", "user__username", "user__display_name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a revoked token stays, so the audit trail and the admins' list can name it
