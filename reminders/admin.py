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
