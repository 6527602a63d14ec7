"""LDAP / Active Directory login against a real slapd on loopback (started once per run, well
under a second; the login against it is a search and a bind)."""

import socket
import time

import pytest
from django.contrib.auth import SESSION_KEY

from audit.models import AuditEntry
from sso.models import Identity, SsoPolicy
from teams.models import User

DIRECTORY_DOWN = "company directory cannot be reached"

pytestmark = pytest.mark.django_db


def log_in(client, username: str, password: str):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_a_member_logs_in_with_the_directory_password_linked_by_email(client, ldap_directory, rep):
    response = log_in(client, "zhangwei", "ldap-pass-1")
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == rep.pk
    identity = Identity.objects.get(user=rep)
    assert (identity.provider, identity.subject) == ("ldap", "uid=zhangwei,ou=people,dc=example,dc=com")
    rep.refresh_from_db()
    assert (rep.email, rep.is_staff) == ("rep@example.com", False)


def test_a_wrong_directory_password_logs_nobody_in(client, ldap_directory, rep):
    response = log_in(client, "zhangwei", "wrong")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert not Identity.objects.exists()


def test_someone_in_the_directory_but_not_here_gets_a_clear_message_and_no_account(client, ldap_directory, rep):
    people = User.objects.count()
    response = log_in(client, "stranger", "ldap-pass-3")
    assert response.status_code == 200
    assert "No member of this site matches your account" in response.content.decode()
    assert User.objects.count() == people
    assert AuditEntry.objects.filter(note__contains="ldap sign-in refused: matches nobody").exists()


def test_an_unknown_directory_user_is_told_the_usual_wrong_password_message(client, ldap_directory, rep):
    response = log_in(client, "nobody", "ldap-pass-1")
    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert "Please enter a correct" in response.content.decode()
    assert not Identity.objects.exists()


def test_a_username_with_filter_characters_finds_nobody(client, ldap_directory, rep):
    for username in ("zhang*", "*)(uid=*", "*"):
        assert log_in(client, username, "ldap-pass-1").status_code == 200
    assert SESSION_KEY not in client.session


def test_an_empty_password_does_not_pass_as_an_anonymous_bind(client, ldap_directory, rep):
    response = client.post("/accounts/login/", {"username": "zhangwei", "password": ""})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_directory_group_makes_its_members_admins_here_audited(client, ldap_directory, rep, admin):
    SsoPolicy.objects.create(pk=1, match_by=SsoPolicy.MatchBy.EMPLOYEE_ID)
    User.objects.filter(pk=admin.pk).update(is_staff=False)
    assert log_in(client, "chief", "ldap-pass-2").status_code == 302
    admin.refresh_from_db()
    assert admin.is_staff
    assert int(client.session[SESSION_KEY]) == admin.pk
    entry = AuditEntry.objects.get(target_id=admin.pk, changes__has_key="is_staff")
    assert entry.changes["is_staff"] == [False, True]
    assert entry.actor is None and "admins' group" in entry.note


def test_someone_outside_the_directory_group_stops_being_an_admin_audited(client, ldap_directory, rep):
    User.objects.filter(pk=rep.pk).update(is_staff=True)
    assert log_in(client, "zhangwei", "ldap-pass-1").status_code == 302
    rep.refresh_from_db()
    assert not rep.is_staff
    entry = AuditEntry.objects.get(target_id=rep.pk, changes__has_key="is_staff")
    assert entry.changes["is_staff"] == [True, False]


def test_an_unchanged_admin_flag_writes_no_audit_entry(client, ldap_directory, rep):
    assert log_in(client, "zhangwei", "ldap-pass-1").status_code == 302
    assert not AuditEntry.objects.filter(changes__has_key="is_staff").exists()


def test_without_an_admins_group_the_directory_leaves_the_admin_flag_alone(client, ldap_directory, rep, settings):
    settings.LDAP_ADMIN_GROUP = ""
    User.objects.filter(pk=rep.pk).update(is_staff=True)
    assert log_in(client, "zhangwei", "ldap-pass-1").status_code == 302
    rep.refresh_from_db()
    assert rep.is_staff


def test_a_misspelt_admins_group_takes_no_rights_away(client, ldap_directory, rep, settings):
    settings.LDAP_ADMIN_GROUP = "cn=no-such-group,ou=groups,dc=example,dc=com"
    User.objects.filter(pk=rep.pk).update(is_staff=True)
    response = log_in(client, "zhangwei", "ldap-pass-1")
    assert DIRECTORY_DOWN in response.content.decode()
    rep.refresh_from_db()
    assert rep.is_staff
    assert AuditEntry.objects.filter(note__contains="admins' group not readable").exists()


def test_an_anonymous_search_works_without_a_service_account(client, ldap_directory, rep, settings):
    settings.LDAP_BIND_DN = settings.LDAP_BIND_PASSWORD = ""
    assert log_in(client, "zhangwei", "ldap-pass-1").status_code == 302
    assert int(client.session[SESSION_KEY]) == rep.pk


def test_a_refused_service_account_is_reported_to_admins(client, ldap_directory, rep, settings):
    settings.LDAP_BIND_PASSWORD = "not-the-password"  # nosec B105
    response = log_in(client, "zhangwei", "ldap-pass-1")
    assert DIRECTORY_DOWN in response.content.decode()
    assert AuditEntry.objects.filter(note__startswith="ldap failed: service account bind refused").exists()


def test_directory_login_still_works_when_passwords_of_this_site_are_off(client, ldap_directory, rep):
    SsoPolicy.objects.create(pk=1, is_password_login_enabled=False)
    assert 'name="password"' in client.get("/accounts/login/").content.decode()
    assert log_in(client, "rep", "pw-Secret-123").status_code == 200
    assert log_in(client, "zhangwei", "ldap-pass-1").status_code == 302


def test_a_directory_that_is_down_gets_a_clear_message(client, ldap_directory, rep, settings):
    settings.LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    response = log_in(client, "zhangwei", "ldap-pass-1")
    assert response.status_code == 200
    assert DIRECTORY_DOWN in response.content.decode()
    assert 'value="zhangwei"' in response.content.decode()
    assert SESSION_KEY not in client.session
    assert AuditEntry.objects.filter(note__startswith="ldap failed").exists()
    assert not Identity.objects.exists()


def test_a_directory_that_never_answers_gives_up_after_the_timeout(client, ldap_directory, rep, settings):
    with socket.socket() as silent:  # accepts connections (the kernel does) and never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.LDAP_SERVER_URI = f"ldap://127.0.0.1:{silent.getsockname()[1]}"
        settings.LDAP_TIMEOUT = 1
        started = time.monotonic()
        response = log_in(client, "zhangwei", "ldap-pass-1")
    assert time.monotonic() - started < 10
    assert DIRECTORY_DOWN in response.content.decode()
    assert AuditEntry.objects.filter(note__startswith="ldap failed").exists()


def test_starttls_the_directory_does_not_offer_is_a_clear_message_not_a_plain_text_login(
    client, ldap_directory, rep, settings
):
    settings.LDAP_START_TLS = True  # the throwaway slapd has no certificate
    response = log_in(client, "zhangwei", "ldap-pass-1")
    assert DIRECTORY_DOWN in response.content.decode()
    assert SESSION_KEY not in client.session


def test_a_misconfigured_user_filter_is_a_clear_message_not_an_error_page(client, ldap_directory, rep, settings):
    for user_filter in ("(uid=%(username)s)", "(uid=%(user)s"):
        settings.LDAP_USER_FILTER = user_filter
        response = log_in(client, "zhangwei", "ldap-pass-1")
        assert response.status_code == 200
        assert DIRECTORY_DOWN in response.content.decode()
    assert AuditEntry.objects.filter(note__startswith="ldap failed: LDAP_USER_FILTER").exists()
