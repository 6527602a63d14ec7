"""CSRF: every URL the project defines refuses a POST that carries no CSRF token, and the same POST
with the token gets past the check (so it is the token that decides). Derived from the access
matrix, so a new page is covered as soon as it has its matrix entry."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import world
from tests.test_access_matrix import LOGIN, MATRIX

# The cast and one object of each kind, built once for the module (tests/world.py).
world.used_by(globals())

# Who may use each URL: the first role the matrix lets through.
PREFERENCE = ["admin", "lead", "rep", "director", "anonymous"]
REFUSED = (403, 404, LOGIN)
# URLs someone may use. Those the matrix refuses to everyone (the SSO start and callback with no
# provider configured: tests/sso checks their state and CSRF handling with real providers) have
# nothing for a forged form to reach.
USABLE = sorted(name for name, (_, _, expected) in MATRIX.items() if any(v not in REFUSED for v in expected.values()))


def allowed_role(expected: dict) -> str:
    return next(role for role in PREFERENCE if expected[role] not in REFUSED)


def signed_in_client(cast, role: str) -> Client:
    client = Client(enforce_csrf_checks=True)
    if role != "anonymous":
        cast.log_in(client, role)
    return client


def refused_for_csrf(response) -> bool:
    return response.status_code == 403 and "403_csrf.html" in {t.name for t in response.templates}


@pytest.mark.parametrize("name", USABLE)
def test_a_post_without_a_csrf_token_is_refused(objects, cast, name):
    method, arg_keys, expected = MATRIX[name]
    client = signed_in_client(cast, allowed_role(expected))
    url = reverse(name.split("@")[0], args=[objects[key] for key in arg_keys])
    response = client.post(url, {"name": "x", "summary": "x", "body": "x", "language": "en"})
    assert refused_for_csrf(response), f"POST {url} without a token answered {response.status_code}"


@pytest.mark.parametrize("name", USABLE)
def test_the_same_post_with_the_token_gets_past_the_check(objects, cast, name):
    method, arg_keys, expected = MATRIX[name]
    role = allowed_role(expected)
    client = signed_in_client(cast, role)
    client.get(reverse("teams:preferences") if role != "anonymous" else reverse("login"))
    token = client.cookies["csrftoken"].value
    url = reverse(name.split("@")[0], args=[objects[key] for key in arg_keys])
    response = client.post(url, {"csrfmiddlewaretoken": token})
    assert not refused_for_csrf(response)
    if method == "get":
        # Pages that only show something do not take a POST at all, or treat it as their form.
        assert response.status_code in (200, 302, 405), f"POST {url} answered {response.status_code}"


POSTS = sorted(name for name in USABLE if MATRIX[name][0] == "post")


@pytest.mark.parametrize("name", POSTS)
def test_state_changes_do_not_happen_on_get(objects, cast, name, client):
    method, arg_keys, expected = MATRIX[name]
    role = allowed_role(expected)
    if role != "anonymous":
        cast.log_in(client, role)
    response = client.get(reverse(name.split("@")[0], args=[objects[key] for key in arg_keys]))
    assert response.status_code == 405
