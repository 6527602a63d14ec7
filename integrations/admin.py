from django.contrib import admin

from integrations.models import Delivery, Robot, Subscription


# Secrets stay out of the admin: the lists show them masked and the forms leave them out.
@admin.register(Robot)
class RobotAdmin(admin.ModelAdmin):
    list_display = ["name", "team", "platform", "masked_url", "masked_secret", "is_active", "failures_in_a_row"]
    list_filter = ["platform", "is_active"]
    exclude = ["secret", "url"]
    readonly_fields = ["masked_url", "masked_secret", "paused_at", "last_error", "created_by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Robots are removed on their own page, which the audit trail records.


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["name", "url", "masked_secret", "is_active"]
    exclude = ["secret"]
    readonly_fields = ["masked_secret", "created_by"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Subscriptions are removed on the webhooks page, which the audit trail records.


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event", "robot", "subscription", "status", "attempts", "response_code", "created_at"]
    list_filter = ["status", "event"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # The delivery log is the record of what was sent.
