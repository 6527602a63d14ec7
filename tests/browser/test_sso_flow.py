"""A salesperson signs in through the company's OpenID Connect provider in a real browser: our
login button, the provider's own login page, and back to this week's report. Starts the test
provider and seeds the demo, so it takes a few seconds."""

import re

import pytest
from playwright.sync_api import expect

from teams.models import User
from tests import demo_data
from tests.sso.conftest import oidc, oidc_provider  # noqa: F401  (the provider's fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_salesperson_signs_in_through_the_provider_and_lands_on_this_week(live_server, oidc, page, screenshot):  # noqa: F811
    demo_data.seed()
    User.objects.filter(username="zhangwei").update(email="wang@example.com")
    # The provider accepts any port on 127.0.0.1 as the callback's (RFC 8252), not on "localhost".
    site = live_server.url.replace("localhost", "127.0.0.1")

    page.goto(site + "/accounts/login/?next=/reports/this-week/")
    page.click("#sso-providers a")
    expect(page.locator("h1")).to_have_text("Test identity provider")
    page.fill("#provider-username", "wang")
    page.fill("#provider-password", "wang-pass-2026")
    page.click("button[type=submit]")

    expect(page).to_have_url(re.compile(r"/reports/\d+/edit/$"))
    assert page.url.startswith(site)
    expect(page.locator("nav")).to_contain_text("张伟")
    screenshot("sso-1-this-week")
