from django.contrib import admin

from planning.models import Plan


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["team", "kpi", "year", "number", "status", "author", "decided_by", "decided_at"]
    list_filter = ["status", "year"]
    readonly_fields = ["decided_at", "proposed_at"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # Every version of a target plan is kept (and audited).
