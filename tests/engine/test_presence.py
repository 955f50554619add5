"""Presence tracking and the automatic arming policy, with time passed in."""

import math

from custom_components.rpi_security.engine.alarm import AlarmState, ArmMode
from custom_components.rpi_security.engine.backoff import Backoff
from custom_components.rpi_security.engine.presence import (
    ArmDecision,
    AutoArm,
    Detection,
    DisarmDecision,
    DisarmPolicy,
    Presence,
    PresenceTracker,
)

T0 = 1_700_000_000.0
TIMEOUT = 600.0


def tracker(*phones: str, entities: tuple[str, ...] = ()) -> PresenceTracker:
    return PresenceTracker.for_occupants(TIMEOUT, phones, entities, arrival_poll=60)


def test_a_phone_is_home_as_soon_as_it_is_seen() -> None:
    people = tracker("alice")
    change = people.seen("alice", T0, Detection.PROBE_REQUEST)
    assert change is not None
    assert change.presence is Presence.HOME
    assert change.previous is Presence.UNKNOWN
    assert not change.arrived  # first seen, not back from away
    assert people.anyone_home
    assert people.seen("alice", T0 + 1, Detection.FRAME) is None  # no change


def test_unknown_phones_are_confirmed_at_once() -> None:
    people = tracker("alice", "bob")
    assert people.next_deadline() == -math.inf
    assert people.candidates(T0) == ["alice", "bob"]


def test_a_silent_phone_becomes_a_candidate_after_the_timeout() -> None:
    people = tracker("alice")
    people.seen("alice", T0, Detection.FRAME)
    assert people.next_deadline() == T0 + TIMEOUT
    assert people.candidates(T0 + TIMEOUT - 1) == []
    assert people.candidates(T0 + TIMEOUT) == ["alice"]
    people.start_confirming(["alice"])
    assert people.candidates(T0 + TIMEOUT) == []  # already being confirmed
    assert people.next_deadline() is None


def test_away_only_when_arp_went_unanswered() -> None:
    people = tracker("alice")
    people.seen("alice", T0, Detection.FRAME, ip="192.0.2.10")
    people.start_confirming(["alice"])
    change = people.confirmed("alice", False, T0 + TIMEOUT + 3)
    assert change is not None
    assert change.presence is Presence.AWAY
    assert people.everyone_away
    assert people.occupants["alice"].ip == "192.0.2.10"  # remembered for next time


def test_a_phone_that_answers_arp_stays_home() -> None:
    people = tracker("alice")
    people.seen("alice", T0, Detection.FRAME)
    people.start_confirming(["alice"])
    assert people.confirmed("alice", True, T0 + TIMEOUT + 1, ip="192.0.2.11") is None
    occupant = people.occupants["alice"]
    assert occupant.presence is Presence.HOME
    assert occupant.detection is Detection.ARP
    assert occupant.ip == "192.0.2.11"
    assert people.next_deadline() == T0 + TIMEOUT + 1 + TIMEOUT


def test_no_confirmation_possible_leaves_the_phone_out_not_away() -> None:
    people = tracker("alice", entities=("bob_person",))
    people.seen("alice", T0, Detection.FRAME)
    people.set_presence("bob_person", False, T0)
    people.start_confirming(["alice"])
    change = people.confirmed("alice", None, T0 + TIMEOUT)
    assert change is not None
    assert change.presence is Presence.UNDETERMINED
    # Bob's person entity decides alone: nobody is home.
    assert people.everyone_away
    # It is tried again after another timeout.
    assert people.candidates(T0 + 2 * TIMEOUT) == ["alice"]


def test_a_packet_during_confirmation_wins() -> None:
    people = tracker("alice")
    people.seen("alice", T0, Detection.FRAME)
    people.start_confirming(["alice"])
    people.seen("alice", T0 + TIMEOUT + 1, Detection.PROBE_REQUEST)
    assert people.confirmed("alice", False, T0 + TIMEOUT + 3) is None
    assert people.occupants["alice"].presence is Presence.HOME


def test_away_phones_are_polled_for_their_return() -> None:
    people = tracker("alice")
    people.start_confirming(["alice"])
    people.confirmed("alice", False, T0)
    assert people.away_phones() == ["alice"]
    assert people.next_deadline() == T0 + 60
    assert people.candidates(T0 + 60) == ["alice"]
    people.start_confirming(["alice"])
    change = people.confirmed("alice", True, T0 + 61)
    assert change is not None
    assert change.arrived


def test_everyone_away_waits_for_every_phone_to_be_known() -> None:
    people = tracker("alice", "bob")
    people.start_confirming(["alice", "bob"])
    people.confirmed("alice", False, T0)
    assert not people.everyone_away  # Bob is not known yet
    people.confirmed("bob", False, T0)
    assert people.everyone_away
    people.seen("bob", T0 + 5, Detection.FRAME)
    assert not people.everyone_away


def test_presence_entities_report_directly() -> None:
    people = tracker(entities=("carol",))
    assert people.set_presence("carol", True, T0).presence is Presence.HOME
    change = people.set_presence("carol", False, T0 + 10)
    assert change.presence is Presence.AWAY
    assert people.everyone_away
    assert people.candidates(T0 + 10_000) == []  # entities are never ARP'd
    assert people.set_presence("nobody", True, T0) is None


def test_snapshot_and_restore() -> None:
    people = tracker("alice", "bob")
    people.seen("alice", T0, Detection.PROBE_REQUEST, ip="192.0.2.10")
    people.start_confirming(["bob"])
    people.confirmed("bob", None, T0)  # undetermined
    restored = tracker("alice", "bob", "carol")
    restored.restore(
        {
            **people.snapshot(),
            "gone": {"presence": "home"},
            "carol": {"presence": "sideways", "last_seen": "never"},
        }
    )
    alice = restored.occupants["alice"]
    assert alice.presence is Presence.HOME
    assert alice.last_seen == T0
    assert alice.detection is Detection.PROBE_REQUEST
    assert alice.ip == "192.0.2.10"
    # Undetermined gets a new chance; unreadable data is ignored.
    assert restored.occupants["bob"].presence is Presence.UNKNOWN
    assert restored.occupants["carol"].presence is Presence.UNKNOWN
    assert "gone" not in restored.occupants


def everyone_left() -> tuple[PresenceTracker, list]:
    people = tracker("alice")
    people.seen("alice", T0, Detection.FRAME)
    people.start_confirming(["alice"])
    return people, [people.confirmed("alice", False, T0 + TIMEOUT)]


def test_auto_arm_arms_when_everyone_has_just_left() -> None:
    policy = AutoArm(departure_mode=ArmMode.VACATION)
    people, changes = everyone_left()
    assert policy.decide(people, changes, AlarmState.DISARMED) == ArmDecision(
        ArmMode.VACATION
    )
    policy.armed(by_presence=True)
    # Still everyone away, nothing new: no second decision.
    assert policy.decide(people, [], AlarmState.DISARMED) is None


def test_a_remote_disarm_while_everyone_is_away_stays() -> None:
    policy = AutoArm()
    people, changes = everyone_left()
    policy.decide(people, changes, AlarmState.DISARMED)
    policy.armed(by_presence=True)
    policy.disarmed()  # the owner let the cleaner in from the app
    people.set_presence("alice", None, T0 + 700)  # unrelated presence noise
    assert policy.decide(people, [], AlarmState.DISARMED) is None


def test_refused_arming_is_retried() -> None:
    policy = AutoArm()
    people, changes = everyone_left()
    assert isinstance(policy.decide(people, changes, AlarmState.DISARMED), ArmDecision)
    policy.refused()
    assert policy.decide(people, [], AlarmState.DISARMED) == ArmDecision(ArmMode.AWAY)
    policy.armed(by_presence=True)
    assert not policy.retry_arm


def test_arrival_disarms_by_policy() -> None:
    people, _ = everyone_left()
    people.start_confirming(["alice"])
    arrival = people.confirmed("alice", True, T0 + TIMEOUT + 60)
    assert arrival is not None
    assert arrival.arrived

    always = AutoArm()
    assert always.decide(people, [arrival], AlarmState.ARMED_AWAY) == DisarmDecision(
        "alice"
    )
    assert always.decide(people, [arrival], AlarmState.DISARMED) is None

    cautious = AutoArm(disarm_policy=DisarmPolicy.IF_ARMED_BY_PRESENCE)
    assert cautious.decide(people, [arrival], AlarmState.ARMED_AWAY) is None
    cautious.armed(by_presence=True)
    assert cautious.decide(people, [arrival], AlarmState.PENDING) == DisarmDecision(
        "alice"
    )


def test_switched_off_decides_nothing_and_on_arms_if_all_away() -> None:
    policy = AutoArm()
    people, changes = everyone_left()
    policy.switched(False)
    assert policy.decide(people, changes, AlarmState.DISARMED) is None
    policy.switched(True)
    assert policy.decide(people, [], AlarmState.DISARMED) == ArmDecision(ArmMode.AWAY)


def test_a_restart_while_everyone_is_away_does_not_arm() -> None:
    policy = AutoArm()
    people, _ = everyone_left()
    policy.observe(people)
    assert policy.decide(people, [], AlarmState.DISARMED) is None


def test_backoff_doubles_up_to_the_maximum_and_resets() -> None:
    backoff = Backoff(first=1, maximum=5)
    assert [backoff.next_delay() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.next_delay() == 1
