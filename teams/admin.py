from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdminMixin
from audit.models import AuditEntry
from audit.services import record
from teams import retention, services
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


class UniqueNameMixin:
    """The app's rule for names in the admin's forms: nobody's name may look like another's."""

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        try:
            services.check_name_free(name, exclude_pk=self.instance.pk)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["display_name"]) from exc
        return name


class UserAddForm(UniqueNameMixin, AdminUserCreationForm):
    pass


class UserEditForm(UniqueNameMixin, UserChangeForm):
    pass


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
class UserAdmin(AuditedAdminMixin, RefuseDeletingHistoryMixin, BaseUserAdmin):
    list_display = ["username", "display_name", "email", "position", "status", "is_staff", "is_active"]
    list_filter = ["status", "is_staff", "is_active", "language"]
    search_fields = ["username", "display_name", "email", "phone"]
    ordering = ["display_name"]
    inlines = [MembershipInline]
    form = UserEditForm
    add_form = UserAddForm
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

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                person = self.get_object(request, unquote(id))
                record(
                    actor=request.user,
                    action=AuditEntry.Action.UPDATED,
                    target=person,
                    note="password set in django-admin",
                )
        return response

    def blockers(self, obj) -> list[str]:
        return retention.person_deletion_blockers(obj)

    def delete_for_good(self, request, obj) -> None:
        retention.delete_person(actor=request.user, person=obj)

    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "display_name", "email", "password1", "password2"]})
    ]


@admin.register(Team)
class TeamAdmin(AuditedAdminMixin, RefuseDeletingHistoryMixin, admin.ModelAdmin):
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

    def has_delete_permission(self, request, obj=None):
        # Ended memberships are the person's history (who was in which team when).
        return False
