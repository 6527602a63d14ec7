"""The login lockout (issue 16, finding 1): it counts failures per account and client address,
whatever spelling of the username or email was typed; behind the TLS proxy the client address is
the one the proxy saw; and a lock lasts its cool-off from the failure that caused it, so nobody
can keep someone else locked out by trying again and again."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "pw-Secret-123"
PROXY = "10.0.0.2"


@pytest.fixture
def liuyang(db):
    return UserFactory(username="liuyang", email="liuyang@example.com", display_name="刘洋")


def attempt(client, login, password="guess", **headers):
    return client.post(reverse("login"), {"username": login, "password": password}, **headers)


def test_every_spelling_of_the_username_and_email_counts_towards_one_lock(client, liuyang, settings):
    spellings = ["liuyang", "LIUYANG", "LiuYang", "liuyang@example.com", "LIUYANG@EXAMPLE.COM", " liuyang "]
    for login in spellings[: settings.AXES_FAILURE_LIMIT]:
        attempt(client, login)
    for login in spellings:
        response = attempt(client, login, PASSWORD)
        assert response.status_code == 429, login
    assert "_auth_user_id" not in client.session


def test_unknown_names_are_counted_whatever_their_case(client, db, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "nobody")
    assert attempt(client, "NOBODY").status_code == 429


def test_behind_the_proxy_an_attacker_locks_only_their_own_address(client, liuyang, settings):
    settings.BEHIND_TLS_PROXY = True
    attacker = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    victim = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "liuyang", **attacker)
    assert attempt(client, "liuyang", PASSWORD, **attacker).status_code == 429
    response = attempt(type(client)(), "liuyang", PASSWORD, **victim)
    assert response.status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_lock(client, liuyang, settings):
    # The proxy appends the address it saw; what the client wrote before it proves nothing.
    settings.BEHIND_TLS_PROXY = True
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "liuyang", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9")
    response = attempt(client, "liuyang", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.9")
    assert response.status_code == 429


def test_without_the_proxy_setting_the_forwarded_header_is_ignored(client, liuyang, settings):
    settings.BEHIND_TLS_PROXY = False
    for n in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, "liuyang", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert attempt(client, "liuyang", PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


def test_failures_during_a_lock_do_not_extend_it(client, liuyang, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            attempt(client, "liuyang")
    # Someone keeps guessing right up to the end of the cool-off ...
    for minutes in (1, 7, 14):
        with time_machine.travel(start + datetime.timedelta(minutes=minutes), tick=False):
            assert attempt(client, "LIUYANG").status_code == 429
    # ... and the lock still ends when the cool-off from the fifth failure is over.
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=30), tick=False):
        response = attempt(client, "liuyang", PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(liuyang.pk)
