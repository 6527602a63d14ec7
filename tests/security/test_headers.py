"""What the browser is told: a Content-Security-Policy without inline scripts on every page,
no framing, no MIME sniffing; and in production secure, HttpOnly cookies, HSTS and HTTPS only."""

import json
import re

import pytest
from django.urls import reverse

from tests import world
from tests.project.test_settings import run_manage
from tests.test_access_matrix import MATRIX

# The cast and one object of each kind, built once for the module (tests/world.py).
world.used_by(globals())


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


PAGES = sorted(name for name, (method, _, expected) in MATRIX.items() if method == "get" and expected["admin"] == 200)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_sends_a_policy_that_forbids_inline_script_and_framing(client, objects, cast, name):
    method, arg_keys, expected = MATRIX[name]
    cast.log_in(client, "admin")
    response = client.get(reverse(name.split("@")[0], args=[objects[key] for key in arg_keys]))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        # Nothing on the page would need 'unsafe-inline': no inline script, handler or style.
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)[^>]*>", html), "inline <script> without nonce"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), "inline event handler"
        assert not re.search(r"<[^>]+\sstyle\s*=", html), "inline style attribute"
        assert "<style" not in html


@pytest.mark.parametrize(
    "url",
    [
        "admin:index",
        "admin:teams_team_changelist",
        "admin:teams_user_changelist",
        "admin:axes_accessattempt_changelist",
    ],
)
def test_the_django_admin_needs_no_inline_script_or_style_either(client, admin, team, url):
    client.force_login(admin)
    response = client.get(reverse(url))
    assert response.status_code == 200 and "Content-Security-Policy" in response
    html = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html)
    assert not re.search(r"<[^>]+\sstyle\s*=", html) and "<style" not in html


def test_an_inline_script_runs_only_with_the_nonce_of_its_own_response(rf, rep):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse
    from django.template import engines

    inline = engines["django"].from_string('<script nonce="{{ CSP_NONCE }}">1</script>')

    def page(request):
        return HttpResponse(inline.render({}, request))

    middleware = CSPMiddleware(page)
    first, second = middleware(rf.get("/")), middleware(rf.get("/"))
    nonces = [re.search(r'nonce="([^"]+)"', r.content.decode()).group(1) for r in (first, second)]
    assert len(nonces[0]) >= 16 and nonces[0] != nonces[1]
    assert f"'nonce-{nonces[0]}'" in directives(first)["script-src"]
    assert f"'nonce-{nonces[0]}'" not in directives(second)["script-src"]


def test_htmx_is_told_not_to_inject_styles_or_eval(client, rep):
    client.force_login(rep)
    html = client.get(reverse("home")).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html).group(1))
    assert config == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "attributesToSettle": ["class", "width", "height"],
    }


PRODUCTION_PROBE = """
import django, json
django.setup()
from django.conf import settings
# No collectstatic here: plain static storage, the rest exactly as production.
plain = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
settings.STORAGES = {**settings.STORAGES, "staticfiles": plain}
from django.test import Client
client = Client()
plain = client.get("/accounts/login/", HTTP_HOST="reports.example.com")
secure = client.get("/accounts/login/", HTTP_HOST="reports.example.com", secure=True)
csrf = secure.cookies["csrftoken"]
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "hsts": secure.get("Strict-Transport-Security"),
    "csrf_secure": bool(csrf["secure"]), "csrf_httponly": bool(csrf["httponly"]),
    "session_secure": settings.SESSION_COOKIE_SECURE, "session_httponly": settings.SESSION_COOKIE_HTTPONLY,
    "session_age": settings.SESSION_COOKIE_AGE, "debug": settings.DEBUG,
}))
"""


def test_production_serves_https_only_with_hsts_and_secure_httponly_cookies():
    # One subprocess (about a second): settings are read once per process.
    result = run_manage(
        "shell",
        "-c",
        PRODUCTION_PROBE,
        DJANGO_ENV="production",
        SECRET_KEY="x7!kq-" + "a9Zr2mP4vL8sT1wY6uE3" * 3,
        ALLOWED_HOSTS="reports.example.com",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["plain_status"] == 301 and seen["plain_location"].startswith("https://reports.example.com/")
    assert seen["hsts"] == "max-age=31536000; includeSubDomains; preload"
    assert seen["csrf_secure"] and seen["csrf_httponly"]
    assert seen["session_secure"] and seen["session_httponly"]
    assert seen["session_age"] == 14 * 24 * 3600 and seen["debug"] is False
