from django.contrib import admin

from pipeline.models import LeadSource, Opportunity, Stage


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["name", "probability", "position", "is_won", "is_lost", "is_active"]
    list_editable = ["probability", "position", "is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Opportunities and their history point at stages: retire one with is_active.


@admin.register(LeadSource)
class LeadSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "position", "is_active"]
    list_editable = ["position", "is_active"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Opportunities point at their lead source: retire one with is_active.


@admin.register(Opportunity)
class OpportunityAdmin(admin.ModelAdmin):
    list_display = ["name", "customer", "stage", "amount", "expected_close_on"]
    list_filter = ["stage", "lead_source"]
    search_fields = ["name", "customer__name"]
    raw_id_fields = ["customer"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Opportunities carry their stage history and the audit trail's entries.
