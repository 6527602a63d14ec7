from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.services import record
from teams import retention
from teams.models import Membership, Team, User


class RefuseDeletingHistoryMixin:
    """Deleting goes through teams.retention, which refuses (with the reason) anything that holds
    history. There is no bulk delete: each deletion is looked at on its own."""

    def blockers(self, obj) -> list[str]:
        raise NotImplementedError

    def delete_for_good(self, request, obj) -> None:
        raise NotImplementedError

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, object_id)
        if obj is not None:
            try:
                if request.method == "POST":
                    self.delete_for_good(request, obj)
                    messages.success(request, _("“%(name)s” was deleted.") % {"name": obj})
                    return redirect(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_changelist"))
                if self.blockers(obj):
                    self.delete_for_good(request, obj)  # raises with the reasons
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["team", "role", "started_on", "ended_on"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        # Moves go through the app's "Change team or role" page so history and audit stay whole.
        return False


@admin.register(User)
class UserAdmin(RefuseDeletingHistoryMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "email", "position", "status", "is_staff", "is_active"]
    list_filter = ["status", "is_staff", "is_active", "language"]
    search_fields = ["username", "display_name", "email", "phone"]
    ordering = ["display_name"]
    inlines = [MembershipInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (
            _("Profile"),
            {
                "fields": [
                    "display_name",
                    "email",
                    "phone",
                    "wechat",
                    "position",
                    "hired_on",
                    "status",
                    "left_on",
                    "language",
                ]
            },
        ),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [f for f in form.changed_data if f not in {"password", "password1", "password2"}]
        if change and changed:
            record(
                actor=request.user,
                action=AuditEntry.Action.UPDATED,
                target=obj,
                changes={f: [None, str(getattr(obj, f, ""))] for f in changed},
                note="django-admin",
            )

    def blockers(self, obj) -> list[str]:
        return retention.person_deletion_blockers(obj)

    def delete_for_good(self, request, obj) -> None:
        retention.delete_person(actor=request.user, person=obj)

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "display_name", "email", "password1", "password2"]})
    ]


@admin.register(Team)
class TeamAdmin(RefuseDeletingHistoryMixin, admin.ModelAdmin):
    # Structure changes go through the app's own pages (teams.services keeps paths and the audit
    # trail right); the Django admin shows the tree read-only.
    list_display = ["name", "kind", "parent", "depth", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["name", "kind", "parent", "path", "depth"]

    def has_add_permission(self, request):
        return False

    def blockers(self, obj) -> list[str]:
        return retention.team_deletion_blockers(obj)

    def delete_for_good(self, request, obj) -> None:
        retention.delete_team(actor=request.user, team=obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "started_on", "ended_on"]
    list_filter = ["role", "team"]
    search_fields = ["user__display_name", "user__username", "team__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
