from django.contrib import admin

from audit.models import AuditEntry
from audit.services import diff, record, snapshot


class AuditedAdminMixin:
    """Changes made in the Django admin land in the audit trail like the app's own, marked
    "django-admin": who created what, and each changed field with its old and new value."""

    audit_exclude = frozenset({"password", "last_login", "updated_at"})

    def _audited_fields(self, obj, form) -> list[str]:
        concrete = {field.name for field in obj._meta.concrete_fields}
        return [name for name in form.changed_data if name in concrete and name not in self.audit_exclude]

    def save_model(self, request, obj, form, change):
        fields = self._audited_fields(obj, form)
        before = snapshot(type(obj).objects.get(pk=obj.pk), fields) if change else {}
        super().save_model(request, obj, form, change)
        if not change:
            record(actor=request.user, action=AuditEntry.Action.CREATED, target=obj, note="django-admin")
            return
        changes = diff(obj, before, fields)
        if changes:
            record(
                actor=request.user, action=AuditEntry.Action.UPDATED, target=obj, changes=changes, note="django-admin"
            )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "target_type", "target_repr"]
    list_filter = ["action", "target_type"]
    search_fields = ["target_repr"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
