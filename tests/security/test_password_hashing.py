"""Passwords are hashed with Argon2; people whose password was hashed before still log in, and their
hash is upgraded to Argon2 as they do. Argon2 at its real cost (100 MB, two passes) is the point
here, so each login takes a few hundred milliseconds, more on a busy machine."""

import pytest
from django.contrib.auth.hashers import get_hasher
from django.urls import reverse

from salesreports import settings as project_settings
from tests.factories import UserFactory

PASSWORD = "pw-Secret-123"


@pytest.fixture(autouse=True)
def _project_hashers(settings):
    # The suite's conftest uses MD5 for speed; these tests are about the project's own list.
    settings.PASSWORD_HASHERS = project_settings.PASSWORD_HASHERS


def old_hash(algorithm: str) -> str:
    # Few iterations keep the test fast; a stored hash carries its own iteration count.
    hasher = get_hasher(algorithm)
    return hasher.encode(PASSWORD, hasher.salt(), iterations=1000)


def veteran(password_hash: str):
    """Someone whose password was hashed before Argon2 (the hash as stored then)."""
    user = UserFactory(username="veteran")
    user.password = password_hash
    user.save(update_fields=["password"])
    return user


def test_a_new_password_is_stored_as_argon2(rep):
    rep.set_password(PASSWORD)
    rep.save()
    rep.refresh_from_db()
    assert rep.password.startswith("argon2$argon2id$")
    assert rep.check_password(PASSWORD)


@pytest.mark.parametrize("old_hasher", ["pbkdf2_sha256", "pbkdf2_sha1"])
def test_an_older_hash_still_logs_in_and_is_upgraded_to_argon2(client, db, old_hasher):
    user = veteran(old_hash(old_hasher))
    response = client.post(reverse("login"), {"username": "veteran", "password": PASSWORD})
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(user.pk)
    user.refresh_from_db()
    assert user.password.startswith("argon2$")


def test_a_wrong_password_against_an_older_hash_is_refused_and_leaves_it_alone(client, db):
    old = old_hash("pbkdf2_sha256")
    user = veteran(old)
    response = client.post(reverse("login"), {"username": "veteran", "password": "guess"})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    user.refresh_from_db()
    assert user.password == old
