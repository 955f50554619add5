"""Alarm codes: salted hashes (the lock-out is in :mod:`.access`).

Hashing is deliberately slow (PBKDF2); callers on an event loop run
:func:`hash_code` and :func:`verify_code` in an executor.
"""

import hashlib
import hmac
import secrets

_ALGORITHM = "pbkdf2_sha256"
_ITERATIONS = 120_000

MIN_CODE_LENGTH = 4


def hash_code(code: str, *, iterations: int = _ITERATIONS) -> str:
    """Return a salted hash of ``code`` that can be stored."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", code.encode(), salt, iterations)
    return f"{_ALGORITHM}${iterations}${salt.hex()}${digest.hex()}"


def verify_code(code: str, stored: str) -> bool:
    """Whether ``code`` matches the stored hash (in constant time)."""
    try:
        algorithm, iterations, salt, expected = stored.split("$")
        if algorithm != _ALGORITHM:
            return False
        digest = hashlib.pbkdf2_hmac(
            "sha256", code.encode(), bytes.fromhex(salt), int(iterations)
        )
    except ValueError:
        return False
    return hmac.compare_digest(digest.hex(), expected)


def is_numeric(code: str) -> bool:
    """Whether a keypad with digits only is enough to enter ``code``."""
    return code.isdigit()
