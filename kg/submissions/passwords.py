"""Editors' passwords as salted scrypt hashes (memory-hard, from the standard library), checked in constant time.

A stored hash reads ``scrypt$n$r$p$salt$hash`` (hex), so its cost can be raised later without breaking old ones.

>>> stored = hash_password("correct horse battery staple")
>>> verify_password("correct horse battery staple", stored), verify_password("wrong", stored)
(True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from kg.errors import KgError

N, R, P = 2**15, 8, 1
"""scrypt's cost: 32 MiB of memory and about 0.1 s per check, so guessing is slow and cannot be parallelised cheaply."""
MIN_LENGTH = 12


class WeakPassword(KgError):
    """A password too short to protect an editor's account."""


def hash_password(password: str) -> str:
    """A salted scrypt hash of ``password`` (refused when shorter than MIN_LENGTH characters)."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"an editor's password needs at least {MIN_LENGTH} characters")
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=N, r=R, p=P, maxmem=128 * 1024 * 1024, dklen=32)
    return f"scrypt${N}${R}${P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (False for a malformed hash)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                                   maxmem=128 * 1024 * 1024, dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)
