from django.contrib import admin

from reminders.models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["claimed_at", "recipient", "kind", "period_start", "team", "status", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__username", "recipient__display_name"]
    readonly_fields = [field.name for field in Reminder._meta.fields]
    list_select_related = ["recipient", "team"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # The claim that makes a reminder go out once: without it the next tick would send it again.
        return False
