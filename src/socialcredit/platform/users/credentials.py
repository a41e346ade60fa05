"""Password hashing (argon2id) and API key tokens (random, stored as SHA-256)."""

from __future__ import annotations

import hashlib
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

KEY_PREFIX = "sck_"


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher().verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A generated password: 20 URL-safe characters."""
    return secrets.token_urlsafe(15)


def new_key() -> str:
    """A new API key token (shown once; only its hash is kept)."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


def key_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
