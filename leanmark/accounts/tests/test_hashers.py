"""Passwords are hashed with Argon2id at OWASP's cost; older hashes are upgraded at sign-in."""

from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

from leanmark.accounts.models import User
from leanmark.testing.personas import make_user

REAL_HASHERS = list(django_settings.PASSWORD_HASHERS)  # before the tests' fast hashing


def test_new_passwords_are_argon2id_with_owasp_parameters(db, settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    assert make_password("a-long-enough-password").startswith(
        "argon2$argon2id$v=19$m=19456,t=2,p=1$"
    )


def test_an_older_pbkdf2_hash_still_signs_in_and_is_upgraded(db, settings, client):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = make_user("dana@example.com", "Dana")
    user.password = PBKDF2PasswordHasher().encode("a-long-enough-password", "saltsaltsalt12")
    user.save(update_fields=["password"])
    response = client.post(
        "/login/", {"username": "dana@example.com", "password": "a-long-enough-password"}
    )
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).password.startswith("argon2$argon2id$")
