"""Personal access tokens: made on the Preferences page and shown once, kept only as a hash,
refused when unknown, revoked or expired, read-only for reading, limited per token."""

import datetime
import re

import time_machine
from django.urls import reverse
from django.utils import timezone

from api import services
from api.models import ApiToken


def test_rep_creates_a_token_on_the_preferences_page_and_sees_it_once(client, rep):
    client.force_login(rep)
    page = client.get(reverse("teams:preferences"))
    assert page.status_code == 200
    assert "API" in page.content.decode()

    response = client.post(reverse("api:tokens"), {"name": "CRM 同步", "days": "90", "can_write": "write"})

    assert response.status_code == 200
    token = ApiToken.objects.get(user=rep)
    secret = response.context["new"].secret
    assert secret in response.content.decode()
    assert token.key_hash == services.hash_token(secret) and secret not in (token.key_hash, token.prefix)
    assert token.can_write and token.name == "CRM 同步"
    assert client.get(reverse("teams:preferences")).content.decode().count(secret) == 0  # never again
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).json()["username"] == "rep"


def test_a_token_without_a_name_is_refused_next_to_the_field(client, rep):
    client.force_login(rep)
    response = client.post(reverse("api:tokens"), {"name": "  ", "days": "30", "can_write": "read"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_no_token_or_a_wrong_one_answers_401(client, rep):
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer swr_nonsense"}).status_code == 401
    client.force_login(rep)  # a browser session is no token
    assert client.get("/api/v1/me").status_code == 401


def test_revoked_and_expired_tokens_answer_401(client, rep, api_as):
    new = services.create_token(user=rep, name="x", days=7, can_write=False)
    headers = {"Authorization": f"Bearer {new.secret}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        assert client.get("/api/v1/me", headers=headers).status_code == 401
    services.revoke_token(token=new.token, by=rep)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_a_deactivated_persons_token_answers_401(client, rep):
    new = services.create_token(user=rep, name="x", days=7, can_write=True)
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {new.secret}"}).status_code == 401


def test_a_read_only_token_reads_but_does_not_write(rep, api_as):
    api = api_as(rep, write=False)
    assert api.get("/reports").status_code == 200
    response = api.post("/reports", {})
    assert response.status_code == 403
    assert not rep.reports.exists()


def test_last_use_is_written_at_most_once_a_minute(client, rep):
    new = services.create_token(user=rep, name="x", days=7, can_write=False)
    headers = {"Authorization": f"Bearer {new.secret}"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.get("/api/v1/me", headers=headers)
        first = ApiToken.objects.get().last_used_at
        assert first == start
    with time_machine.travel(start + datetime.timedelta(seconds=30), tick=False):
        client.get("/api/v1/me", headers=headers)
        assert ApiToken.objects.get().last_used_at == first
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        client.get("/api/v1/me", headers=headers)
        assert ApiToken.objects.get().last_used_at == start + datetime.timedelta(seconds=61)


def test_too_many_requests_with_one_token_answer_429_with_retry_after(settings, client, rep, lead):
    settings.API_RATE_LIMIT = "3/min"
    mine = {"Authorization": f"Bearer {services.create_token(user=rep, name='x', days=7, can_write=False).secret}"}
    theirs = {"Authorization": f"Bearer {services.create_token(user=lead, name='y', days=7, can_write=False).secret}"}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert [client.get("/api/v1/me", headers=mine).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get("/api/v1/me", headers=mine)
        assert refused.status_code == 429
        assert refused["Retry-After"] == "60"
        assert client.get("/api/v1/me", headers=theirs).status_code == 200  # per token
    with time_machine.travel(start + datetime.timedelta(seconds=61), tick=False):
        assert client.get("/api/v1/me", headers=mine).status_code == 200


def test_admins_see_and_revoke_everyones_tokens(client, rep, admin):
    new = services.create_token(user=rep, name="BI", days=30, can_write=False)
    client.force_login(admin)
    page = client.get(reverse("api:all_tokens"))
    assert page.status_code == 200 and new.token.prefix in page.content.decode()
    assert client.post(reverse("api:revoke", args=[new.token.pk])).status_code == 302
    new.token.refresh_from_db()
    assert new.token.revoked_by == admin and new.token.is_revoked


def test_nobody_else_revokes_a_persons_token(client, rep, lead):
    new = services.create_token(user=rep, name="BI", days=30, can_write=False)
    client.force_login(lead)
    assert client.post(reverse("api:revoke", args=[new.token.pk])).status_code == 404
    assert client.get(reverse("api:all_tokens")).status_code == 403
    new.token.refresh_from_db()
    assert not new.token.is_revoked


def test_the_docs_list_every_endpoint_and_load_nothing_from_a_cdn(client, rep):
    from api.api import api

    assert client.get("/api/v1/docs").status_code == 302  # behind the login, like every page
    client.force_login(rep)
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    # Every script, style and link is this site's own (a random CSP nonce may spell "cdn").
    addresses = re.findall(r'(?:src|href)="([^"]*)"', docs)
    assert addresses and not [a for a in addresses if a.startswith(("http:", "https:", "//"))]
    assert "https://" not in docs and "cdn.jsdelivr" not in docs
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["paths"]) == set(api.get_openapi_schema()["paths"])
    assert {"/api/v1/me", "/api/v1/reports", "/api/v1/activities", "/api/v1/teams/{team_id}/numbers"} <= set(
        schema["paths"]
    )
