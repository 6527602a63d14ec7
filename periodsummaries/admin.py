from django.contrib import admin

from periodsummaries.models import PeriodSummary, Practice, SummarySettings


@admin.register(PeriodSummary)
class PeriodSummaryAdmin(admin.ModelAdmin):
    list_display = ["author", "team", "level", "period", "start", "status"]
    list_filter = ["level", "period", "status"]
    # Nobody but the author changes what a summary says (teams.access), admins included.
    readonly_fields = [f.name for f in PeriodSummary._meta.fields]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "marked_by", "created_at"]
    search_fields = ["title", "text"]


admin.site.register(SummarySettings)
