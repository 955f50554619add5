"""Who may do what, and the lock-out that keeps codes from being guessed.

Pure Python, time passed in. A code arriving from anywhere (the panel, an
action, Telegram) first *reserves* an attempt: the reservation counts as a
wrong code at once, before the slow hash check starts, so codes sent in
parallel cannot all be checked before the first failure counts. Settling the
attempt with the right code takes the count back. Lock-outs grow longer when
they follow each other, and everything the lock-out knows can be stored.
A user may be limited to some areas (:attr:`User.areas`); the lock-out is
one for the whole system, whatever area a code was meant for.
"""

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .alarm import ArmMode
from .codes import verify_code


class Action(StrEnum):
    """What a user asks to do."""

    ARM = "arm"
    DISARM = "disarm"


@dataclass(frozen=True, slots=True)
class User:
    """A person who may use the alarm, and what they may do with it."""

    id: str
    name: str
    code_hash: str | None = None
    # A second code that disarms like the first and raises a silent alarm.
    duress_hash: str | None = None
    # Whether the codes are digits only (a keypad is enough).
    numeric: bool = True
    can_arm: bool = True
    can_disarm: bool = True
    # The modes this user may arm in; empty means every mode.
    arm_modes: frozenset[ArmMode] = frozenset()
    # Telegram /disarm and the app's Disarm button work without a code.
    disarm_without_code: bool = False
    ha_user_id: str | None = None
    telegram_ids: frozenset[int] = frozenset()
    enabled: bool = True
    # The areas (ids) this user may arm and disarm; empty means every area.
    areas: frozenset[str] = frozenset()

    @property
    def has_code(self) -> bool:
        """Whether the user has a code of their own."""
        return self.code_hash is not None

    def may(
        self, action: Action, mode: ArmMode | None = None, area: str | None = None
    ) -> bool:
        """Whether the user may do ``action`` (arm in ``mode``) in ``area``.

        ``area`` ``None`` asks about the whole house: a user limited to some
        areas may not command it (the glue asks area by area instead).
        """
        if not self.enabled:
            return False
        if self.areas and (area is None or area not in self.areas):
            return False
        if action is Action.DISARM:
            return self.can_disarm
        if not self.can_arm:
            return False
        return not self.arm_modes or mode is None or mode in self.arm_modes


@dataclass(frozen=True, slots=True)
class CodeMatch:
    """The user a code belongs to, and whether it was their duress code."""

    user: User
    duress: bool


def match_code(code: str, users: Iterable[User]) -> CodeMatch | None:
    """The enabled user whose code (or duress code) ``code`` is; blocking."""
    for user in users:
        if not user.enabled:
            continue
        if user.code_hash is not None and verify_code(code, user.code_hash):
            return CodeMatch(user, duress=False)
        if user.duress_hash is not None and verify_code(code, user.duress_hash):
            return CodeMatch(user, duress=True)
    return None


def code_in_use(code: str, hashes: Iterable[str]) -> bool:
    """Whether ``code`` matches any of ``hashes`` (codes must be unique); blocking."""
    return any(verify_code(code, stored) for stored in hashes)


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """How many wrong codes lock codes out, and for how long."""

    max_failures: int = 5
    # Wrong codes further apart than this do not add up.
    window: float = 300.0
    first_lockout: float = 300.0
    # Each lock-out that follows another within ``forget_after`` lasts twice
    # as long as the one before, up to ``max_lockout``.
    max_lockout: float = 3600.0
    forget_after: float = 86400.0


class LockedOutError(Exception):
    """Codes are refused until ``until`` (seconds since the epoch)."""

    def __init__(self, until: float) -> None:
        """Keep when the lock-out ends."""
        super().__init__(f"locked out until {until}")
        self.until = until


@dataclass(frozen=True, slots=True)
class Attempt:
    """A reserved code check, to be settled once the code has been checked."""

    id: int
    at: float
    # Whether counting this attempt started a lock-out.
    locks: bool = False


@dataclass(slots=True)
class _Failure:
    attempt: int
    at: float
    settled: bool = False


@dataclass(slots=True)
class Lockout:
    """Counts wrong codes from every source; refuses codes while locked out."""

    policy: LockoutPolicy = field(default_factory=LockoutPolicy)
    _failures: deque[_Failure] = field(default_factory=deque)
    # The failures that started the lock-out in force (the count restarts).
    _locking: list[_Failure] = field(default_factory=list)
    _locked_until: float | None = None
    _locked_by: int | None = None
    # Lock-outs in a row (none forgotten in between): the next lasts longer.
    _lockouts: int = 0
    _last_lockout: float | None = None
    _next_id: int = 1

    def locked_until(self, now: float) -> float | None:
        """When the lock-out in force at ``now`` ends, or ``None``."""
        if self._locked_until is not None and now < self._locked_until:
            return self._locked_until
        return None

    @property
    def failures(self) -> int:
        """Wrong codes counted now (attempts being checked included)."""
        return len(self._failures)

    def reserve(self, now: float) -> Attempt:
        """Count an attempt as wrong until settled; raises ``LockedOutError``."""
        if (until := self.locked_until(now)) is not None:
            raise LockedOutError(until)
        self._forget(now)
        attempt_id = self._next_id
        self._next_id += 1
        self._failures.append(_Failure(attempt_id, now))
        locks = len(self._failures) >= self.policy.max_failures
        if locks:
            self._lock(now, attempt_id)
        return Attempt(attempt_id, now, locks)

    def settle(self, attempt: Attempt, *, correct: bool) -> int:
        """The code of ``attempt`` was checked; returns the wrong codes counted."""
        if not correct:
            for failure in (*self._failures, *self._locking):
                if failure.attempt == attempt.id:
                    failure.settled = True
            return len(self._failures)
        if self._locked_by == attempt.id:
            # It started the lock-out itself: lift it, counting again the
            # checks that were running with it.
            self._failures.extend(self._locking)
            self._locking = []
            self._locked_until = self._locked_by = None
        # The right code forgives the wrong ones already known (not those of
        # checks still running).
        self._failures = deque(
            f for f in self._failures if not f.settled and f.attempt != attempt.id
        )
        if self.locked_until(attempt.at) is None:
            self._lockouts = 0
        return len(self._failures)

    def _lock(self, now: float, attempt: int) -> None:
        policy = self.policy
        if (
            self._last_lockout is not None
            and now - self._last_lockout > policy.forget_after
        ):
            self._lockouts = 0
        duration = min(
            policy.max_lockout, policy.first_lockout * 2 ** min(self._lockouts, 32)
        )
        self._locked_until = now + duration
        self._locked_by = attempt
        self._lockouts += 1
        self._last_lockout = now
        self._locking = list(self._failures)
        self._failures.clear()

    def _forget(self, now: float) -> None:
        while self._failures and now - self._failures[0].at > self.policy.window:
            self._failures.popleft()

    # -- persistence ---------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What must survive a restart; checks still running count as wrong."""
        return {
            "failures": [failure.at for failure in self._failures],
            "locked_until": self._locked_until,
            "lockouts": self._lockouts,
            "last_lockout": self._last_lockout,
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take back a snapshot; ``ValueError`` (changing nothing) if unreadable."""
        failures = data.get("failures", [])
        if not isinstance(failures, list):
            raise ValueError("failures is not a list")
        times = [_number(at, "failure") for at in failures]
        locked_until = _optional_number(data.get("locked_until"), "locked_until")
        last_lockout = _optional_number(data.get("last_lockout"), "last_lockout")
        lockouts = data.get("lockouts", 0)
        if not isinstance(lockouts, int) or isinstance(lockouts, bool) or lockouts < 0:
            raise ValueError("lockouts is not a count")
        self._failures = deque(_Failure(0, at, settled=True) for at in sorted(times))
        self._locking = []
        self._locked_until, self._locked_by = locked_until, None
        self._lockouts, self._last_lockout = lockouts, last_lockout


def _number(value: Any, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} is not a number")
    return float(value)


def _optional_number(value: Any, name: str) -> float | None:
    return None if value is None else _number(value, name)
