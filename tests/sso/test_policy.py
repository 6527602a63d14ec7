"""The admins' single sign-on policy, and linked identities on a member's page."""

import pytest
from django.contrib.auth import SESSION_KEY

from audit.models import AuditEntry
from sso.models import Identity, SsoPolicy

pytestmark = pytest.mark.django_db
PASSWORD = "pw-Secret-123"  # tests.factories.UserFactory's


@pytest.fixture
def dingtalk(settings):
    settings.SSO_DINGTALK_CLIENT_ID, settings.SSO_DINGTALK_CLIENT_SECRET = "ding-app", "ding-secret"


def policy_form(**changes) -> dict:
    return {"match_by": "email", "is_password_login_enabled": "on", **changes}


def log_in(client, user):
    return client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})


def test_an_admin_requires_sso_and_only_break_glass_admins_keep_their_password(client, dingtalk, admin, rep):
    client.force_login(admin)
    response = client.post("/settings/sso/", policy_form(is_sso_required="on", break_glass_admins=[admin.pk]))
    assert response.status_code == 302
    policy = SsoPolicy.objects.get()
    assert policy.is_sso_required
    assert list(policy.break_glass_admins.all()) == [admin]
    assert AuditEntry.objects.filter(target_id=policy.pk, changes__has_key="is_sso_required").exists()
    client.logout()

    refused = log_in(client, rep)
    assert refused.status_code == 200
    assert "signs in through single sign-on" in refused.content.decode()
    assert SESSION_KEY not in client.session
    assert log_in(client, admin).status_code == 302
    assert int(client.session[SESSION_KEY]) == admin.pk


def test_sso_cannot_be_required_while_no_provider_is_configured(client, admin):
    client.force_login(admin)
    response = client.post("/settings/sso/", policy_form(is_sso_required="on", break_glass_admins=[admin.pk]))
    assert response.status_code == 200
    assert "everyone would be locked out" in response.content.decode()
    assert not SsoPolicy.objects.exists()


def test_requiring_sso_names_a_break_glass_admin(client, dingtalk, admin):
    client.force_login(admin)
    response = client.post("/settings/sso/", policy_form(is_sso_required="on"))
    assert response.status_code == 200
    assert "Name at least one admin" in response.content.decode()
    assert not SsoPolicy.objects.exists()


def test_with_password_login_off_the_login_page_offers_only_the_providers(client, dingtalk, admin):
    SsoPolicy.objects.create(pk=1, is_password_login_enabled=False)
    page = client.get("/accounts/login/").content.decode()
    assert 'name="password"' not in page
    assert "Sign in with DingTalk" in page
    assert log_in(client, admin).status_code == 200
    assert SESSION_KEY not in client.session


def test_the_member_page_lists_linked_identities_and_an_admin_unlinks_one(client, admin, lead, rep):
    identity = Identity.objects.create(user=rep, provider="dingtalk", subject="union-zhang", name="张伟")
    client.force_login(lead)
    page = client.get(rep.get_absolute_url()).content.decode()
    assert "DingTalk: 张伟" in page
    assert "Unlink" not in page
    assert client.post(f"/identities/{identity.pk}/unlink/").status_code == 403

    client.force_login(admin)
    assert "Unlink" in client.get(rep.get_absolute_url()).content.decode()
    response = client.post(f"/identities/{identity.pk}/unlink/")
    assert response.status_code == 302
    assert response["Location"] == rep.get_absolute_url()
    assert not Identity.objects.exists()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.DELETED, target_id=identity.pk, note__contains="unlinked"
    ).exists()
