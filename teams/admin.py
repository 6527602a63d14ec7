from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEntry
from audit.services import record
from teams.models import Membership, Team, User


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
class UserAdmin(BaseUserAdmin):
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

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "display_name", "email", "password1", "password2"]})
    ]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    # Structure changes go through the app's own pages (teams.services keeps paths and the audit
    # trail right); the Django admin shows the tree read-only.
    list_display = ["name", "kind", "parent", "depth", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]
    readonly_fields = ["name", "kind", "parent", "path", "depth"]

    def has_add_permission(self, request):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "started_on", "ended_on"]
    list_filter = ["role", "team"]
    search_fields = ["user__display_name", "user__username", "team__name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
