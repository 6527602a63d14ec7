"""Password reset (issue 16, finding 11): asking for a link is throttled per address and per
client address, and the email leaves through the outbox and a worker, never inside the request,
so the request does the same for known and unknown addresses."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from security.models import PasswordResetRequest
from tests.factories import UserFactory

PROXY = "10.0.0.2"


@pytest.fixture
def liuyang(db):
    return UserFactory(username="liuyang", email="liuyang@example.com", display_name="刘洋", language="zh-hans")


def ask(client, email, **headers):
    return client.post(reverse("password_reset"), {"email": email}, **headers)


def test_the_request_sends_nothing_itself_and_treats_known_and_unknown_addresses_alike(
    client, liuyang, mailoutbox, django_capture_on_commit_callbacks
):
    answers, queries = [], []
    for email in ("liuyang@example.com", "nobody@example.com"):
        with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks() as callbacks:
            answers.append(ask(client, email))
        queries.append(len(captured))
        assert len(callbacks) == 1  # the worker's task, queued after commit
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].url == answers[1].url == reverse("password_reset_done")
    assert queries[0] == queries[1]
    assert mailoutbox == []
    assert PasswordResetRequest.objects.filter(status=PasswordResetRequest.Status.PENDING).count() == 2


def test_the_worker_sends_the_link_in_the_persons_language_and_it_works(
    client, liuyang, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "https://reports.example.com"
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, "LiuYang@Example.com ")
        ask(client, "nobody@example.com")
    assert [m.to for m in mailoutbox] == [["liuyang@example.com"]]
    body = mailoutbox[0].body
    assert "刘洋，您好" in body  # the person's language, not the worker's
    link = next(line for line in body.splitlines() if line.startswith("https://reports.example.com/"))
    statuses = dict(PasswordResetRequest.objects.values_list("email", "status"))
    assert statuses == {
        "liuyang@example.com": PasswordResetRequest.Status.SENT,
        "nobody@example.com": PasswordResetRequest.Status.NO_ACCOUNT,
    }
    response = client.get(link.removeprefix("https://reports.example.com"), follow=True)
    new = "晚霞-Lantern-94"
    response = client.post(response.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert response.status_code == 302
    liuyang.refresh_from_db()
    assert liuyang.check_password(new)


def test_an_address_gets_a_few_links_an_hour_however_it_is_spelled(client, liuyang, settings):
    limit = settings.PASSWORD_RESET_PER_ADDRESS
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for n in range(limit):
            assert ask(client, "liuyang@example.com" if n % 2 else "LIUYANG@EXAMPLE.COM").status_code == 302
        response = ask(client, "LiuYang@example.com")
    assert response.status_code == 429
    assert "重置链接过多" in str(response.context["form"].errors["email"])
    assert 'value="LiuYang@example.com"' in response.content.decode()
    assert PasswordResetRequest.objects.count() == limit
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=1), tick=False):
        assert ask(client, "liuyang@example.com").status_code == 302


def test_one_client_address_cannot_ask_for_links_to_many_addresses(client, db, settings):
    settings.BEHIND_TLS_PROXY = True
    settings.PASSWORD_RESET_PER_IP = 4
    for n in range(4):
        assert (
            ask(client, f"person{n}@example.com", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code
            == 302
        )
    response = ask(client, "person9@example.com", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert response.status_code == 429 and response.context["form"].non_field_errors()
    # Someone else behind the same proxy is not affected.
    assert ask(client, "person9@example.com", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7").status_code == 302


def test_a_reset_whose_task_never_reached_a_worker_is_sent_by_the_sweep(client, liuyang, mailoutbox):
    from security import tasks

    ask(client, "liuyang@example.com")  # its on-commit task never runs here: the broker was down
    assert mailoutbox == []
    tasks.retry_pending_password_resets()
    tasks.retry_pending_password_resets()
    assert len(mailoutbox) == 1


def test_a_bad_address_keeps_what_was_typed(client, db):
    response = ask(client, "not-an-address")
    assert response.status_code == 200 and response.context["form"].errors["email"]
    assert 'value="not-an-address"' in response.content.decode()
    assert not PasswordResetRequest.objects.exists()
