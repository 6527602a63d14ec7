from django.contrib import admin

from pipeline.models import LeadSource, Opportunity, Stage
from teams import versions


class PastTheServices(admin.ModelAdmin):
    """Changes made here bypass pipeline.services, which touch only the owners' teams: stages
    and lead sources shape every team's pipeline, so every cached figure goes stale."""

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        versions.touch_all()


@admin.register(Stage)
class StageAdmin(PastTheServices):
    list_display = ["name", "probability", "position", "is_won", "is_lost", "is_active"]
    list_editable = ["probability", "position", "is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Opportunities and their history point at stages: retire one with is_active.


@admin.register(LeadSource)
class LeadSourceAdmin(PastTheServices):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Opportunities point at their lead source: retire one with is_active.


@admin.register(Opportunity)
class OpportunityAdmin(PastTheServices):
    list_display = ["name", "customer", "stage", "amount", "expected_close_on"]
    list_filter = ["stage", "lead_source"]
    search_fields = ["name", "customer__name"]
    raw_id_fields = ["customer"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Opportunities carry their stage history and the audit trail's entries.
