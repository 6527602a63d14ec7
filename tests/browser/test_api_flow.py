"""A salesperson makes an API token on the Preferences page, copies it once, and reads the API's
documentation: Swagger UI lists every endpoint, from our own static files, inside our CSP."""

import pytest
from playwright.sync_api import expect

from api.api import api
from api.models import ApiToken
from api.services import hash_token

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_rep_creates_a_token_and_reads_the_docs(live_server, page, rep):
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "rep")
    page.fill("#id_password", "pw-Secret-123")
    page.click("main form button[type=submit]")
    page.goto(live_server.url + "/account/preferences/")

    page.fill("#api-tokens input[name=name]", "CRM sync")
    page.check("#api-tokens input[value=write]")
    page.click("#api-tokens button[type=submit]:text('Create token')")
    secret = page.locator("#new-token").inner_text().strip()
    assert ApiToken.objects.get(user=rep).key_hash == hash_token(secret)
    answer = page.request.get(live_server.url + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert answer.status == 200 and answer.json()["username"] == "rep"

    page.goto(live_server.url + "/api/v1/docs")
    operations = sum(len(methods) for methods in api.get_openapi_schema()["paths"].values())
    expect(page.locator(".opblock")).to_have_count(operations)
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/teams/{team_id}/numbers")).to_be_visible()
