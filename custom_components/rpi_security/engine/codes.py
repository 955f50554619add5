"""Alarm codes: salted hashes, and the lock-out after repeated wrong codes.

Hashing is deliberately slow (PBKDF2); callers on an event loop run
:func:`hash_code` and :func:`verify_code` in an executor.
"""

from collections import deque
from dataclasses import dataclass, field
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


@dataclass(slots=True)
class CodeLockout:
    """Refuses codes for a while after too many wrong ones in a short time."""

    max_failures: int = 5
    window: float = 300.0
    duration: float = 300.0
    _failures: deque[float] = field(default_factory=deque)
    _locked_until: float | None = None

    def locked_until(self, now: float) -> float | None:
        """When the lock-out in force at ``now`` ends, or ``None``."""
        if self._locked_until is not None and now < self._locked_until:
            return self._locked_until
        return None

    def record_failure(self, now: float) -> int:
        """Count a wrong code; returns the failures within the window."""
        self._failures.append(now)
        while self._failures and now - self._failures[0] > self.window:
            self._failures.popleft()
        if len(self._failures) >= self.max_failures:
            self._locked_until = now + self.duration
            self._failures.clear()
            return self.max_failures
        return len(self._failures)

    def record_success(self) -> None:
        """A right code clears the count."""
        self._failures.clear()
