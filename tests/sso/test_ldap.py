"""LDAP / Active Directory login against a real slapd on loopback (started once per run, well
under a second; the login against it is a search and a bind)."""

import pytest
from django.contrib.auth import SESSION_KEY

from audit.models import AuditEntry
from sso.models import Identity, SsoPolicy
from teams.models import User

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


def test_the_directory_group_makes_its_members_admins_here(client, ldap_directory, rep, admin):
    SsoPolicy.objects.create(pk=1, match_by=SsoPolicy.MatchBy.EMPLOYEE_ID)
    User.objects.filter(pk=admin.pk).update(is_staff=False)
    assert log_in(client, "chief", "ldap-pass-2").status_code == 302
    admin.refresh_from_db()
    assert admin.is_staff
    assert int(client.session[SESSION_KEY]) == admin.pk


def test_directory_login_still_works_when_passwords_of_this_site_are_off(client, ldap_directory, rep):
    SsoPolicy.objects.create(pk=1, is_password_login_enabled=False)
    assert 'name="password"' in client.get("/accounts/login/").content.decode()
    assert log_in(client, "rep", "pw-Secret-123").status_code == 200
    assert log_in(client, "zhangwei", "ldap-pass-1").status_code == 302


def test_a_directory_that_is_down_gets_a_clear_message(client, ldap_directory, rep, settings):
    settings.AUTH_LDAP_SERVER_URI = "ldap://127.0.0.1:9"
    response = log_in(client, "zhangwei", "ldap-pass-1")
    assert response.status_code == 200
    assert "company directory cannot be reached" in response.content.decode()
    assert AuditEntry.objects.filter(note__startswith="ldap failed").exists()
