"""Users' rights, code matching and the lock-out, with time passed in."""

import pytest

from custom_components.rpi_security.engine.access import (
    Action,
    LockedOutError,
    Lockout,
    LockoutPolicy,
    User,
    code_in_use,
    match_code,
)
from custom_components.rpi_security.engine.alarm import ArmMode
from custom_components.rpi_security.engine.codes import hash_code


def _hash(code: str) -> str:
    return hash_code(code, iterations=1000)


def test_five_wrong_codes_within_five_minutes_lock_codes_out() -> None:
    lockout = Lockout()
    for second in range(1, 5):
        attempt = lockout.reserve(float(second))
        assert lockout.settle(attempt, correct=False) == second
        assert lockout.locked_until(float(second)) is None
    lockout.settle(lockout.reserve(5.0), correct=False)
    assert lockout.locked_until(5.0) == 305.0
    assert lockout.locked_until(304.9) == 305.0
    assert lockout.locked_until(305.0) is None
    with pytest.raises(LockedOutError) as refused:
        lockout.reserve(100.0)
    assert refused.value.until == 305.0


def test_attempts_count_before_they_are_checked() -> None:
    """Codes that arrive together: the sixth is refused before any is checked."""
    lockout = Lockout()
    attempts = [lockout.reserve(10.0) for _ in range(5)]
    with pytest.raises(LockedOutError):
        lockout.reserve(10.0)
    # Even the right code among the first five does not lift a lock-out that
    # a wrong one started.
    lockout.settle(attempts[1], correct=True)
    for attempt in attempts[2:]:
        lockout.settle(attempt, correct=False)
    assert lockout.locked_until(10.0) == 310.0


def test_the_right_code_that_completed_the_count_lifts_its_own_lock_out() -> None:
    lockout = Lockout()
    for _ in range(4):
        lockout.settle(lockout.reserve(1.0), correct=False)
    owner = lockout.reserve(2.0)
    assert lockout.locked_until(2.0) is not None  # counted before it is checked
    lockout.settle(owner, correct=True)
    assert lockout.locked_until(2.0) is None
    assert lockout.failures == 0


def test_wrong_codes_spread_out_do_not_lock_out() -> None:
    lockout = Lockout()
    for minute in range(10):
        lockout.settle(lockout.reserve(minute * 400.0), correct=False)
    assert lockout.locked_until(4000.0) is None


def test_a_right_code_forgives_the_wrong_ones_already_checked() -> None:
    lockout = Lockout()
    for _ in range(3):
        lockout.settle(lockout.reserve(1.0), correct=False)
    running = lockout.reserve(2.0)  # someone else's check, not settled yet
    lockout.settle(lockout.reserve(2.0), correct=True)
    assert lockout.locked_until(2.0) is None
    assert lockout.failures == 1
    lockout.settle(running, correct=False)
    assert lockout.failures == 1


def test_lock_outs_in_a_row_last_longer_up_to_an_hour() -> None:
    lockout = Lockout()
    now = 0.0
    lengths = []
    for _ in range(6):
        for _ in range(5):
            lockout.settle(lockout.reserve(now), correct=False)
        until = lockout.locked_until(now)
        assert until is not None
        lengths.append(until - now)
        now = until
    assert lengths == [300.0, 600.0, 1200.0, 2400.0, 3600.0, 3600.0]


def test_lock_outs_are_forgotten_after_a_quiet_day() -> None:
    lockout = Lockout()
    for _ in range(5):
        lockout.settle(lockout.reserve(0.0), correct=False)
    later = 2 * 86400.0
    for _ in range(5):
        lockout.settle(lockout.reserve(later), correct=False)
    assert lockout.locked_until(later) == later + 300.0


def test_the_right_code_after_a_lock_out_resets_the_lengthening() -> None:
    lockout = Lockout()
    for _ in range(5):
        lockout.settle(lockout.reserve(0.0), correct=False)
    lockout.settle(lockout.reserve(400.0), correct=True)
    for _ in range(5):
        lockout.settle(lockout.reserve(500.0), correct=False)
    assert lockout.locked_until(500.0) == 800.0


def test_snapshot_keeps_the_count_the_lock_out_and_checks_in_progress() -> None:
    lockout = Lockout(LockoutPolicy(max_failures=3))
    lockout.settle(lockout.reserve(1.0), correct=False)
    lockout.reserve(2.0)  # still being checked when Home Assistant stops
    restored = Lockout(LockoutPolicy(max_failures=3))
    restored.restore(lockout.snapshot())
    assert restored.failures == 2
    restored.reserve(3.0)
    assert restored.locked_until(3.0) == 303.0
    again = Lockout(LockoutPolicy(max_failures=3))
    again.restore(restored.snapshot())
    assert again.locked_until(100.0) == 303.0
    with pytest.raises(LockedOutError):
        again.reserve(100.0)


@pytest.mark.parametrize(
    "data",
    [
        {"failures": "many"},
        {"failures": ["yesterday"]},
        {"failures": [True]},
        {"locked_until": "soon"},
        {"lockouts": -1},
        {"lockouts": 1.5},
    ],
)
def test_an_unreadable_snapshot_changes_nothing(data: dict[str, object]) -> None:
    lockout = Lockout()
    lockout.settle(lockout.reserve(1.0), correct=False)
    with pytest.raises(ValueError, match="not a"):
        lockout.restore(data)
    assert lockout.failures == 1


def test_rights_by_action_and_mode() -> None:
    night_only = User("n", "Nanny", arm_modes=frozenset({ArmMode.NIGHT}))
    assert night_only.may(Action.ARM, ArmMode.NIGHT)
    assert not night_only.may(Action.ARM, ArmMode.AWAY)
    assert night_only.may(Action.DISARM)
    assert not User("c", "Cleaner", can_disarm=False).may(Action.DISARM)
    assert not User("g", "Guest", can_arm=False).may(Action.ARM, ArmMode.AWAY)
    assert not User("x", "Ex", enabled=False).may(Action.DISARM)


def test_rights_by_area() -> None:
    everywhere = User("a", "Alice")
    assert everywhere.may(Action.ARM, ArmMode.AWAY, area="garage")
    assert everywhere.may(Action.DISARM)  # the whole house
    gardener = User("g", "Gardener", areas=frozenset({"garage", "shed"}))
    assert gardener.may(Action.DISARM, area="shed")
    assert gardener.may(Action.ARM, ArmMode.AWAY, area="garage")
    assert not gardener.may(Action.DISARM, area="house")
    # The whole house is more than the garage and the shed.
    assert not gardener.may(Action.DISARM)
    assert not User("x", "Ex", areas=frozenset({"shed"}), enabled=False).may(
        Action.DISARM, area="shed"
    )


def test_a_code_names_its_user_and_a_duress_code_says_so() -> None:
    alice = User("a", "Alice", code_hash=_hash("1111"), duress_hash=_hash("9111"))
    bob = User("b", "Bob", code_hash=_hash("2222"))
    gone = User("c", "Carol", code_hash=_hash("3333"), enabled=False)
    users = [alice, bob, gone]
    match = match_code("2222", users)
    assert match is not None
    assert (match.user, match.duress) == (bob, False)
    duress = match_code("9111", users)
    assert duress is not None
    assert (duress.user, duress.duress) == (alice, True)
    assert match_code("3333", users) is None  # a disabled user's code is wrong
    assert match_code("0000", users) is None
    assert code_in_use("3333", [gone.code_hash or ""])
    assert not code_in_use("4444", [alice.code_hash or "", bob.code_hash or ""])
