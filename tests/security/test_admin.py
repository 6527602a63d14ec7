"""The Django admin keeps history whole (issue 16, finding 5): nothing that holds history can be
deleted there, the few deletions it allows are recorded, and changes made there land in the
audit trail like changes made on the app's own pages."""

import pytest
from axes.models import AccessAttempt
from django.contrib import admin as django_admin
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from audit.models import AuditEntry
from customers.models import LogImport
from notifications.models import Notification
from reminders.models import Reminder
from teams.admin import RefuseDeletingHistoryMixin
from teams.models import Membership, User

ALLOWED = "allowed"  # holds no history
WITHOUT_HISTORY = "only without history"  # teams.retention decides, one object at a time, and says why
NEVER = "never"

# Every ModelAdmin on the site, and whether it may delete. A new registration without a line here
# fails the test below: decide whether the model holds history before it can be deleted.
DELETION = {
    "auth.Group": ALLOWED,  # roles come from memberships; groups hold nothing
    "axes.AccessAttempt": ALLOWED,  # deleting one unlocks a login early; recorded in the audit trail
    "axes.AccessLog": NEVER,
    "axes.AccessFailureLog": NEVER,
    "teams.User": WITHOUT_HISTORY,
    "teams.Team": WITHOUT_HISTORY,
    "teams.Membership": NEVER,
    "audit.AuditEntry": NEVER,
    "notifications.Notification": NEVER,
    "reminders.Reminder": NEVER,
    "customers.Customer": NEVER,
    "customers.Activity": NEVER,
    "customers.LogImport": NEVER,
    "security.TwoFactorPolicy": NEVER,
    "sso.Identity": NEVER,  # unlinking is audited, from the member's page
    "api.ApiToken": NEVER,  # revoked on the API tokens pages (audited), never deleted
    "integrations.Robot": NEVER,  # removed on its own page (audited)
    "integrations.Subscription": NEVER,  # removed on the webhooks page (audited)
    "integrations.Delivery": NEVER,  # the record of what was sent
    "pipeline.Stage": NEVER,  # opportunities and their history point at it: retired, not deleted
    "pipeline.LeadSource": NEVER,
    "pipeline.Opportunity": NEVER,  # stage history and audit entries
    "planning.Plan": NEVER,  # every version is kept
}


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_every_registered_model_admin_deletes_only_what_holds_no_history(admin):
    request = RequestFactory().get("/")
    request.user = admin
    registered = {model._meta.label: model_admin for model, model_admin in django_admin.site._registry.items()}
    assert set(registered) == set(DELETION), "a ModelAdmin was added or removed: decide whether it may delete"
    for label, model_admin in registered.items():
        policy = DELETION[label]
        may_delete = model_admin.has_delete_permission(request)
        bulk = "delete_selected" in model_admin.get_actions(request)
        if policy == NEVER:
            assert not may_delete and not bulk, label
        elif policy == WITHOUT_HISTORY:
            assert isinstance(model_admin, RefuseDeletingHistoryMixin) and not bulk, label
        else:
            assert may_delete, label


def test_two_factor_devices_are_not_in_the_admin_where_their_secrets_would_show(admin_client):
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    assert TOTPDevice not in django_admin.site._registry and StaticDevice not in django_admin.site._registry


def test_the_bulk_delete_action_cannot_remove_memberships(admin_client, rep, lead):
    memberships = list(Membership.objects.values_list("pk", flat=True))
    response = admin_client.post(
        reverse("admin:teams_membership_changelist"),
        {"action": "delete_selected", "_selected_action": memberships, "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert sorted(Membership.objects.values_list("pk", flat=True)) == sorted(memberships)
    membership = Membership.objects.get(user=rep)
    response = admin_client.post(reverse("admin:teams_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_notifications_reminders_and_imports_cannot_be_deleted_in_the_admin(admin_client, objects, rep, team):
    import datetime

    from django.utils import timezone

    reminder = Reminder.objects.create(
        recipient=rep, team=team, kind="overdue", period_start=datetime.date(2030, 1, 7), claimed_at=timezone.now()
    )
    for model, pk in [
        (Notification, Notification.objects.values_list("pk", flat=True).first()),
        (Reminder, reminder.pk),
        (LogImport, objects["log_import"]),
    ]:
        assert pk is not None, model
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[pk])
        assert admin_client.post(url, {"post": "yes"}).status_code == 403, model
        assert model.objects.filter(pk=pk).exists(), model


def entries_for(obj, action):
    return AuditEntry.objects.filter(
        target_type=ContentType.objects.get_for_model(obj), target_id=obj.pk, action=action
    )


def test_deactivating_a_team_in_the_admin_is_audited(admin_client, admin, team):
    url = reverse("admin:teams_team_change", args=[team.pk])
    response = admin_client.post(url, {"is_active": ""})
    assert response.status_code == 302
    team.refresh_from_db()
    assert not team.is_active
    entry = entries_for(team, AuditEntry.Action.UPDATED).get()
    assert entry.actor == admin and entry.changes == {"is_active": [True, False]} and entry.note == "django-admin"


def test_a_person_created_and_given_admin_rights_in_the_admin_is_audited(admin_client, admin, db):
    response = admin_client.post(
        reverse("admin:teams_user_add"),
        {
            "username": "newbie",
            "display_name": "新人",
            "email": "newbie@example.com",
            "usable_password": "false",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    newbie = User.objects.get(username="newbie")
    assert entries_for(newbie, AuditEntry.Action.CREATED).get().actor == admin
    change = admin_client.get(reverse("admin:teams_user_change", args=[newbie.pk])).context["adminform"].form
    data = {key: value for key, value in change.initial.items() if value is not None and key != "password"}
    data.update({"is_staff": "on", "is_superuser": "on", "is_active": "on", "last_login_0": "", "last_login_1": ""})
    data.update({"date_joined_0": newbie.date_joined.date().isoformat(), "date_joined_1": "00:00:00"})
    data.update({"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"})
    response = admin_client.post(reverse("admin:teams_user_change", args=[newbie.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    changes = entries_for(newbie, AuditEntry.Action.UPDATED).get().changes
    assert changes["is_staff"] == [False, True] and changes["is_superuser"] == [False, True]


def test_a_password_set_by_an_admin_is_audited(admin_client, admin, rep):
    new = "晚霞-Lantern-94"
    response = admin_client.post(
        reverse("admin:auth_user_password_change", args=[rep.pk]),
        {"password1": new, "password2": new, "usable_password": "true"},
    )
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password(new)
    entry = entries_for(rep, AuditEntry.Action.UPDATED).get()
    assert entry.actor == admin and entry.note == "password set in django-admin"


def test_unlocking_a_login_early_is_audited(admin_client, admin, client, rep, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        type(client)().post(reverse("login"), {"username": "rep", "password": "guess"})
    attempt = AccessAttempt.objects.get(username="rep")
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(note="login unlocked in django-admin")
    assert entry.actor == admin and entry.target_id == rep.pk and entry.changes["username"] == ["rep", None]
