from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Admins see what was sent and what failed (with the reason), and can search by person."""

    list_display = ["created_at", "recipient", "kind", "read_at", "email_status", "email_attempts", "email_error"]
    list_filter = ["email_status", "kind"]
    search_fields = ["recipient__username", "recipient__display_name", "recipient__email"]
    readonly_fields = [field.name for field in Notification._meta.fields]
    list_select_related = ["recipient"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The inbox entry and the record of the email: what was said to whom, and whether it went out.
        return False
