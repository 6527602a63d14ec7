import pytest
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "pw-Secret-123"


@pytest.fixture
def person(db):
    return UserFactory(username="wang.fang", email="wang.fang@example.com", display_name="王芳")


@pytest.mark.parametrize("login", ["wang.fang", "WANG.FANG@example.com"])
def test_log_in_with_username_or_email(client, person, login):
    response = client.post(reverse("login"), {"username": login, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).context["user"] == person


def test_wrong_password_and_unknown_user_get_the_same_message(client, person):
    wrong = client.post(reverse("login"), {"username": "wang.fang", "password": "nope"})
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].non_field_errors() == unknown.context["form"].non_field_errors()
    assert 'value="wang.fang"' in wrong.content.decode()


def test_repeated_failures_lock_the_login_even_with_the_right_password(client, person, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "wang.fang", "password": "guess"})
    response = client.post(reverse("login"), {"username": "wang.fang", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_people_who_left_cannot_log_in(client, person):
    person.is_active = False
    person.save()
    response = client.post(reverse("login"), {"username": "wang.fang", "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_pages_need_login(client, db):
    response = client.get(reverse("teams:preferences"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_chinese_is_the_default_and_the_switch_is_remembered_on_the_account(client, person):
    person.language = "zh-hans"
    person.save()
    client.force_login(person)
    assert '<html lang="zh-hans">' in client.get(reverse("home")).content.decode()
    response = client.post(reverse("teams:set_language"), {"language": "en", "next": reverse("teams:preferences")})
    assert response.status_code == 302 and response.url == reverse("teams:preferences")
    person.refresh_from_db()
    assert person.language == "en"
    assert '<html lang="en">' in client.get(reverse("home")).content.decode()


def test_language_switch_refuses_foreign_redirects(client, person):
    client.force_login(person)
    response = client.post(reverse("teams:set_language"), {"language": "en", "next": "https://evil.example/"})
    assert response.url == reverse("home")


def test_anonymous_language_choice_lives_in_a_cookie(client, db):
    client.post(reverse("teams:set_language"), {"language": "en", "next": reverse("login")})
    assert '<html lang="en">' in client.get(reverse("login")).content.decode()
