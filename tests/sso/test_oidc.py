"""Signing in through a real OpenID Connect provider (django-oauth-toolkit on loopback).

The provider starts once per run (a couple of seconds: it migrates its own database and makes a
signing key); each sign-in then walks its login page, authorization, token and user-info
endpoints over HTTP, which can pass a second on a busy machine, twice in the tests that sign in
twice."""

import pytest
from django.contrib.auth import SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditEntry
from sso.models import Identity, SsoPolicy
from teams.models import User
from tests.sso.conftest import CALLBACK, OIDC_CLIENT, log_in_at_provider, sign_in_through_provider

pytestmark = pytest.mark.django_db


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value else None


def policy(**fields) -> SsoPolicy:
    policy, _ = SsoPolicy.objects.update_or_create(pk=1, defaults=fields)
    return policy


def test_a_member_signs_in_through_the_provider_linked_by_verified_email(client, oidc, team, rep):
    rep.email = "wang@example.com"
    rep.save()
    response = sign_in_through_provider(client, "wang", "wang-pass-2026", next_url="/reports/")
    assert response.status_code == 302
    assert response["Location"] == "/reports/"
    assert signed_in_as(client) == rep.pk
    identity = Identity.objects.get(user=rep)
    assert (identity.provider, identity.email, identity.name) == ("oidc", "wang@example.com", "王芳")
    assert AuditEntry.objects.filter(action=AuditEntry.Action.CREATED, target_id=identity.pk).exists()


def test_the_second_sign_in_follows_the_link_even_after_the_email_changed_here(client, oidc, rep):
    rep.email = "wang@example.com"
    rep.save()
    sign_in_through_provider(client, "wang", "wang-pass-2026")
    client.logout()
    User.objects.filter(pk=rep.pk).update(email="zhang@example.com")
    response = sign_in_through_provider(client, "wang", "wang-pass-2026")
    assert response.status_code == 302
    assert signed_in_as(client) == rep.pk
    assert Identity.objects.count() == 1


def test_an_identity_that_matches_nobody_gets_a_clear_page_and_no_account(client, oidc, rep):
    people = User.objects.count()
    response = sign_in_through_provider(client, "ghost", "ghost-pass-2026")
    assert response.status_code == 403
    assert "No member of this site matches your account" in response.content.decode()
    assert signed_in_as(client) is None
    assert User.objects.count() == people
    assert not Identity.objects.exists()
    assert AuditEntry.objects.filter(note__contains="matches nobody (ghost@example.com)").exists()


def test_an_email_the_provider_has_not_verified_links_nobody(client, oidc, rep):
    rep.email = "sly@example.com"
    rep.save()
    response = sign_in_through_provider(client, "sly", "sly-pass-2026")
    assert response.status_code == 403
    assert "has not verified the email address sly@example.com" in response.content.decode()
    assert signed_in_as(client) is None
    assert not Identity.objects.exists()
    assert AuditEntry.objects.filter(note__contains="unverified email sly@example.com").exists()


def test_with_creation_on_a_newcomer_is_created_without_a_team_and_so_without_access(client, oidc, team, rep):
    policy(is_jit_enabled=True)
    response = sign_in_through_provider(client, "ghost", "ghost-pass-2026")
    assert response.status_code == 302
    newcomer = User.objects.get(pk=signed_in_as(client))
    assert (newcomer.display_name, newcomer.email) == ("Ghost", "ghost@example.com")
    assert not newcomer.has_usable_password()
    assert not newcomer.memberships.exists()
    assert client.get(rep.get_absolute_url()).status_code == 404
    assert client.get(f"/teams/{team.pk}/").status_code == 404
    assert AuditEntry.objects.filter(target_id=newcomer.pk, note__contains="created at oidc sign-in").exists()


def test_a_member_already_linked_to_another_account_of_the_provider_is_refused(client, oidc, rep):
    rep.email = "wang@example.com"
    rep.save()
    Identity.objects.create(user=rep, provider="oidc", subject="someone-else")
    response = sign_in_through_provider(client, "wang", "wang-pass-2026")
    assert response.status_code == 403
    assert "already linked to another OpenID Connect account" in response.content.decode()
    assert signed_in_as(client) is None
    assert Identity.objects.get(user=rep).subject == "someone-else"
    assert AuditEntry.objects.filter(target_id=rep.pk, note__contains="linked to another account").exists()


def test_a_replayed_callback_is_refused_with_a_clear_message(client, oidc, rep):
    rep.email = "wang@example.com"
    rep.save()
    start = client.get("/accounts/sso/oidc/start/")
    back = log_in_at_provider(start["Location"], "wang", "wang-pass-2026").removeprefix("http://testserver")
    assert client.get(back).status_code == 302
    client.logout()
    replay = client.get(back)
    assert replay.status_code == 400
    assert "expired or was already used" in replay.content.decode()
    assert signed_in_as(client) is None


def test_a_callback_with_someone_elses_state_is_refused(client, oidc, rep):
    rep.email = "wang@example.com"
    rep.save()
    start = client.get("/accounts/sso/oidc/start/")
    back = log_in_at_provider(start["Location"], "wang", "wang-pass-2026").removeprefix("http://testserver")
    forged = back.replace("state=", "state=x")
    response = client.get(forged)
    assert response.status_code == 400
    assert signed_in_as(client) is None
    assert not Identity.objects.exists()


def test_an_id_token_with_the_wrong_nonce_is_refused_and_admins_hear_of_it(client, oidc, rep):
    rep.email = "wang@example.com"
    rep.save()
    start = client.get("/accounts/sso/oidc/start/")
    session = client.session
    key = next(k for k in session.keys() if k.startswith("_state_oidc_"))
    saved = session[key]
    saved["data"]["nonce"] = "not-the-nonce-sent"
    session[key] = saved
    session.save()
    back = log_in_at_provider(start["Location"], "wang", "wang-pass-2026")
    response = client.get(back.removeprefix("http://testserver"))
    assert response.status_code == 502
    assert signed_in_as(client) is None
    assert not Identity.objects.exists()
    assert AuditEntry.objects.filter(note__startswith="oidc failed: ID token refused").exists()


def test_a_provider_that_is_down_gets_a_clear_page_and_an_audit_entry(client, oidc, settings):
    settings.SSO_OIDC_ISSUER = "http://127.0.0.1:9/o"  # discard port: nothing listens
    response = client.get("/accounts/sso/oidc/start/")
    assert response.status_code == 502
    assert "did not answer as expected" in response.content.decode()
    assert AuditEntry.objects.filter(note__startswith="oidc failed").exists()


def test_a_provider_answering_garbage_gets_a_clear_page(client, oidc, settings):
    settings.SSO_OIDC_ISSUER = oidc.removesuffix("/o") + "/login"  # an HTML page, no discovery
    response = client.get("/accounts/sso/oidc/start/")
    assert response.status_code == 502
    assert "did not answer as expected" in response.content.decode()


def test_logging_out_offers_the_providers_logout(client, oidc, rep):
    rep.email = "wang@example.com"
    rep.save()
    sign_in_through_provider(client, "wang", "wang-pass-2026")
    response = client.post("/accounts/logout/")
    assert response.status_code == 200
    assert signed_in_as(client) is None
    page = response.content.decode()
    assert f"{oidc}/logout/?" in page
    assert "id_token_hint=" in page


def test_two_factor_is_asked_after_sso_unless_the_admins_trust_the_provider(client, oidc, rep):
    rep.email = "wang@example.com"
    rep.save()
    TOTPDevice.objects.create(user=rep, name="authenticator", confirmed=True)
    sign_in_through_provider(client, "wang", "wang-pass-2026")
    assert client.get("/").status_code == 302  # to the code page
    client.logout()
    policy(mfa_providers=["oidc"])
    sign_in_through_provider(client, "wang", "wang-pass-2026")
    assert client.get("/").status_code == 200


def test_the_callback_of_a_provider_that_is_not_configured_is_not_found(client, db):
    assert client.get(CALLBACK).status_code == 404


def test_an_admin_sets_up_the_provider_in_the_app_and_people_sign_in_with_it(client, oidc_provider, admin, rep):
    client.force_login(admin)
    form = {
        "match_by": "employee_id",
        "is_password_login_enabled": "on",
        "oidc_issuer": oidc_provider,
        "oidc_client_id": OIDC_CLIENT["client_id"],
        "oidc_client_secret": OIDC_CLIENT["client_secret"],
        "oidc_name": "Authing",
    }
    assert client.post("/settings/sso/", form).status_code == 302
    saved = SsoPolicy.objects.get()
    assert (saved.oidc_issuer, saved.oidc_client_secret) == (oidc_provider, OIDC_CLIENT["client_secret"])
    entry = AuditEntry.objects.get(target_id=saved.pk, changes__has_key="oidc_issuer")
    assert OIDC_CLIENT["client_secret"] not in str(entry.changes)
    client.logout()

    assert "Sign in with Authing" in client.get("/accounts/login/").content.decode()
    User.objects.filter(pk=rep.pk).update(username="wang")
    assert sign_in_through_provider(client, "wang", "wang-pass-2026").status_code == 302
    assert signed_in_as(client) == rep.pk


def test_an_issuer_that_answers_no_discovery_is_refused_next_to_the_field(client, oidc_provider, admin):
    client.force_login(admin)
    form = {
        "match_by": "email",
        "is_password_login_enabled": "on",
        "oidc_issuer": oidc_provider.removesuffix("/o") + "/login",
        "oidc_client_id": "x",
        "oidc_client_secret": "y",
    }
    response = client.post("/settings/sso/", form)
    assert response.status_code == 200
    assert "No OpenID Connect provider answers at this address" in response.content.decode()
    assert not SsoPolicy.objects.exists()
