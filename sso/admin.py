from django.contrib import admin

from sso.models import Identity


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "provider", "subject", "email", "linked_at", "last_used_at"]
    list_filter = ["provider"]
    search_fields = ["user__username", "user__display_name", "subject", "email"]
    readonly_fields = ["user", "provider", "subject", "email", "name", "linked_at", "last_used_at"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # unlinking is audited: from the member's page
