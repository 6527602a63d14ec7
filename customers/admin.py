from django.contrib import admin

from customers.models import Activity, Customer, LogImport


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "tier", "status", "industry", "created_on"]
    list_filter = ["status", "tier"]
    search_fields = ["name", "industry", "owner__display_name", "owner__username"]
    list_select_related = ["owner"]
    # Changes go through the app's pages, which check duplicates and keep the audit trail.
    readonly_fields = [field.name for field in Customer._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["occurred_on", "author", "customer", "kind", "amount", "next_step_on"]
    list_filter = ["kind"]
    search_fields = ["customer__name", "author__display_name", "outcome"]
    list_select_related = ["author", "customer"]
    readonly_fields = [field.name for field in Activity._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(LogImport)
class LogImportAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "original_name", "uploaded_by", "status", "created_count"]
    readonly_fields = [field.name for field in LogImport._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        # Who imported which file, and what it created.
        return False
