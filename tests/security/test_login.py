"""Login hardening beyond the basics in tests/teams/test_login.py: the lockout's cool-off and an
admin's early unlock, password rules, and sessions that end."""

import datetime

import time_machine
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory

PASSWORD = "pw-Secret-123"


def lock_out(client, username, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": username, "password": "guess"})
    return client.post(reverse("login"), {"username": username, "password": PASSWORD})


def test_a_lockout_ends_by_itself_after_the_cool_off(client, rep, settings):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert lock_out(client, "rep", settings).status_code == 429
    almost = start + settings.AXES_COOLOFF_TIME - datetime.timedelta(minutes=1)
    with time_machine.travel(almost, tick=False):
        assert client.post(reverse("login"), {"username": "rep", "password": PASSWORD}).status_code == 429
    # Trying while locked out does not extend the lock (tests/security/test_lockout.py).
    with time_machine.travel(start + settings.AXES_COOLOFF_TIME + datetime.timedelta(minutes=1), tick=False):
        response = client.post(reverse("login"), {"username": "rep", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(rep.pk)


def test_an_admin_unlocks_a_locked_out_person_early_in_the_django_admin(client, rep, admin, settings):
    from axes.models import AccessAttempt

    assert lock_out(client, "rep", settings).status_code == 429
    attempt = AccessAttempt.objects.get(username="rep")
    admin_client = type(client)()
    admin_client.force_login(admin)
    changelist = admin_client.get(reverse("admin:axes_accessattempt_changelist"))
    assert "rep" in changelist.content.decode()
    response = admin_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert client.post(reverse("login"), {"username": "rep", "password": PASSWORD}).status_code == 302


def test_weak_passwords_are_refused_when_changing_it(client, rep):
    client.force_login(rep)
    for weak in ["12345678", "password1", "rep@example.com", "short"]:
        response = client.post(
            reverse("password_change"),
            {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
        )
        assert response.status_code == 200 and response.context["form"].errors["new_password2"], weak
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)
    strong = "晚霞-Lantern-94"
    response = client.post(
        reverse("password_change"), {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong}
    )
    assert response.status_code == 302


def test_a_session_ends_after_its_age_and_the_person_logs_in_again(client, db, settings):
    UserFactory(username="wang")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client.post(reverse("login"), {"username": "wang", "password": PASSWORD})
        assert client.get(reverse("home")).status_code == 200
        assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
    with time_machine.travel(start + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60), tick=False):
        response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_logging_out_ends_the_session_on_the_server(client, rep):
    client.post(reverse("login"), {"username": "rep", "password": PASSWORD})
    stolen = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    thief = type(client)()
    thief.cookies["sessionid"] = stolen
    response = thief.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
