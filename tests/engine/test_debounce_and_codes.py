"""Debounce and alarm codes, with time passed in."""

from custom_components.rpi_security.engine.codes import (
    hash_code,
    is_numeric,
    verify_code,
)
from custom_components.rpi_security.engine.debounce import Debouncer


def test_a_level_counts_once_it_has_held() -> None:
    debouncer = Debouncer(hold=0.1, stable=False)
    assert debouncer.edge(True, 10.0) == 10.1
    assert debouncer.settle(10.05) == (None, 10.1)
    assert debouncer.settle(10.1) == (True, None)
    assert debouncer.stable is True


def test_chatter_never_settles_and_a_return_to_stable_cancels() -> None:
    debouncer = Debouncer(hold=0.1, stable=False)
    now = 0.0
    level = False
    for _ in range(400):  # an edge every 5 ms for 2 s
        level = not level
        debouncer.edge(level, now)
        assert debouncer.settle(now)[0] is None
        now += 0.005
    # It ended back at the stable level: nothing is pending any more.
    assert debouncer.settle(now + 1) == (None, None)
    assert debouncer.stable is False


def test_every_edge_restarts_the_hold() -> None:
    debouncer = Debouncer(hold=0.1, stable=False)
    debouncer.edge(True, 0.0)
    debouncer.edge(False, 0.05)
    debouncer.edge(True, 0.09)
    assert debouncer.settle(0.1) == (None, 0.19)
    assert debouncer.settle(0.19) == (True, None)


def test_zero_hold_commits_at_once() -> None:
    debouncer = Debouncer(hold=0.0, stable=False)
    assert debouncer.edge(True, 5.0) == 5.0
    assert debouncer.settle(5.0) == (True, None)


def test_a_repeated_level_is_not_an_edge() -> None:
    debouncer = Debouncer(hold=0.1, stable=False)
    debouncer.edge(True, 0.0)
    assert debouncer.edge(True, 0.08) is None
    assert debouncer.settle(0.1) == (True, None)


def test_code_hash_verifies_only_the_right_code() -> None:
    stored = hash_code("4321", iterations=1000)
    assert "4321" not in stored
    assert verify_code("4321", stored)
    assert not verify_code("1234", stored)
    assert not verify_code("", stored)
    assert hash_code("4321", iterations=1000) != stored  # salted


def test_unreadable_hash_never_verifies() -> None:
    for stored in ("", "plain", "md5$1$00$00", "pbkdf2_sha256$x$zz$00"):
        assert not verify_code("4321", stored)


def test_numeric_codes() -> None:
    assert is_numeric("0042")
    assert not is_numeric("abcd")
    assert not is_numeric("12a4")
