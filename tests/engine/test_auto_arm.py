"""Automatic arming and the learned habits of a phone, with time passed in."""

import math

from custom_components.rpi_security.engine.alarm import AlarmState, ArmMode
from custom_components.rpi_security.engine.auto_arm import (
    ArmDecision,
    AutoArm,
    DisarmDecision,
    DisarmPolicy,
)
from custom_components.rpi_security.engine.backoff import Backoff
from custom_components.rpi_security.engine.phone_habits import PhoneHabits
from custom_components.rpi_security.engine.presence import (
    ConfirmationRules,
    Detection,
    PresenceChange,
    PresenceTracker,
)

T0 = 1_700_000_000.0
RULES = ConfirmationRules(away_timeout=600, rounds=3, round_spacing=120)


def tracker(*phones: str) -> PresenceTracker:
    people = PresenceTracker.for_occupants(RULES, phones)
    people.restore({}, T0 - 3600)
    return people


def leave(people: PresenceTracker, phone: str, since: float) -> list[PresenceChange]:
    """The phone misses every round until it is away."""
    now = max(people.due_at(phone), since)
    while True:
        people.start_confirming([phone])
        if (change := people.confirmed(phone, False, now)) is not None:
            return [change]
        now = max(people.due_at(phone), now + 1)
        assert now < since + 3 * 3600


def everyone_left() -> tuple[PresenceTracker, list[PresenceChange]]:
    people = tracker("alice")
    people.heard("alice", T0, Detection.MULTICAST)
    return people, leave(people, "alice", T0)


def test_auto_arm_arms_when_everyone_has_just_left() -> None:
    policy = AutoArm(departure_mode=ArmMode.VACATION)
    people, changes = everyone_left()
    assert policy.decide(people, changes, AlarmState.DISARMED) == ArmDecision(
        ArmMode.VACATION
    )
    policy.armed(by_presence=True)
    # Still everyone away, nothing new: no second decision.
    assert policy.decide(people, [], AlarmState.DISARMED) is None


def test_an_unknown_phone_never_lets_it_arm() -> None:
    policy = AutoArm()
    people = tracker("alice", "new_phone")
    people.heard("alice", T0, Detection.MULTICAST)
    changes = leave(people, "alice", T0)
    assert not people.everyone_away
    assert policy.decide(people, changes, AlarmState.DISARMED) is None
    policy.switched(True)  # not even when the switch is turned on
    assert policy.decide(people, [], AlarmState.DISARMED) is None


def test_a_remote_disarm_while_everyone_is_away_stays() -> None:
    policy = AutoArm()
    people, changes = everyone_left()
    policy.decide(people, changes, AlarmState.DISARMED)
    policy.armed(by_presence=True)
    policy.disarmed()  # the owner let the cleaner in from the app
    assert policy.decide(people, [], AlarmState.DISARMED) is None


def test_refused_arming_is_retried() -> None:
    policy = AutoArm()
    people, changes = everyone_left()
    assert isinstance(policy.decide(people, changes, AlarmState.DISARMED), ArmDecision)
    policy.refused()
    assert policy.decide(people, [], AlarmState.DISARMED) == ArmDecision(ArmMode.AWAY)
    policy.armed(by_presence=True)
    assert not policy.retry_arm


def test_only_a_trusted_arrival_disarms_and_as_the_policy_allows() -> None:
    people, _ = everyone_left()
    away_since = people.occupants["alice"].away_since or math.inf
    doubtful = people.heard("alice", away_since + 60, Detection.ARP)
    assert doubtful is not None
    assert not doubtful.arrived
    assert AutoArm().decide(people, [doubtful], AlarmState.ARMED_AWAY) is None

    leave(people, "alice", away_since)
    arrival = people.heard("alice", away_since + 3600, Detection.DHCP)
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


def test_phones_confirmed_away_after_a_restart_are_not_a_new_departure() -> None:
    policy = AutoArm()
    people, changes = everyone_left()
    policy.decide(people, changes, AlarmState.DISARMED)
    policy.armed(by_presence=True)
    policy.disarmed()  # disarmed from the app, then Home Assistant restarts
    restarted = PresenceTracker.for_occupants(RULES, ["alice"])
    restarted.restore(people.snapshot(), T0 + 3600)
    again = AutoArm()
    again.restore(policy.snapshot())
    assert again.decide(restarted, [], AlarmState.DISARMED) is None  # unknown
    confirmed = leave(restarted, "alice", T0 + 3600)
    assert again.decide(restarted, confirmed, AlarmState.DISARMED) is None


def test_a_snapshot_from_before_reads_the_restored_states() -> None:
    people, _ = everyone_left()
    policy = AutoArm()
    policy.restore({"enabled": False, "armed_by_presence": True}, people.snapshot())
    assert not policy.enabled
    assert policy.armed_by_presence
    assert policy.everyone_was_away


def test_habits_learn_the_miss_rate_and_deaf_spells_within_bounds() -> None:
    habits = PhoneHabits()
    assert habits.miss_rate == 0.1  # the prior
    assert habits.rounds_needed(3) == 4
    assert habits.deafness_needed(240, 3000) == 900  # unknown yet: 15 min
    for _ in range(10):
        habits.deaf_at_home(300)
        habits.first_round_at_home(missed=False)
    habits.deaf_at_home(5 * 3600)  # an absence whose return looked like nothing
    assert habits.longest_deaf_spell() == 300
    assert habits.deafness_needed(240, 3000) == 375
    assert habits.deafness_needed(600, 3000) == 600
    for _ in range(200):
        habits.first_round_at_home(missed=True)
    assert habits.rounds_needed(3) == 10  # at most
    habits.deaf_at_home(7200)
    assert habits.deafness_needed(240, 3000) == 3000  # capped


def test_habits_survive_a_snapshot_and_bad_data_starts_afresh() -> None:
    habits = PhoneHabits()
    habits.deaf_at_home(321)
    habits.first_round_at_home(missed=True)
    assert PhoneHabits.restore(habits.snapshot()) == habits
    assert PhoneHabits.restore("nonsense") == PhoneHabits()
    assert PhoneHabits.restore({"deaf_spells": ["x"]}) == PhoneHabits()
    assert PhoneHabits.restore({"rounds_asked": 1, "rounds_missed": 5}).miss_rate == 0.1


def test_backoff_doubles_up_to_the_maximum_and_resets() -> None:
    backoff = Backoff(first=1, maximum=5)
    assert [backoff.next_delay() for _ in range(5)] == [1, 2, 4, 5, 5]
    backoff.reset()
    assert backoff.next_delay() == 1
