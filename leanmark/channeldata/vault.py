"""Credentials at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from the
``cryptography`` package) under a key derived from Django's SECRET_KEY with HKDF-SHA256.

A database dump alone does not reveal a connection's token or key; the server's SECRET_KEY
does, so keep it out of backups of the database. Changing SECRET_KEY makes the saved
credentials unreadable: each connection then says so and asks to be connected again.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

INFO = b"leanmark channeldata connection credentials v1"


class Unreadable(Exception):
    """The sealed credential was not made with this server's SECRET_KEY (or was altered)."""


def _fernet() -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(
        settings.SECRET_KEY.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: bytes) -> str:
    return _fernet().encrypt(secret).decode("ascii")


def unseal(token: str) -> bytes:
    try:
        return _fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, ValueError):
        raise Unreadable from None
