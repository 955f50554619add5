"""Cross-zoning: two different sensors of a group within its window."""

import pytest

from custom_components.rpi_security.engine.alarm import (
    AlarmMachine,
    AlarmSettings,
    AlarmState,
    ArmMode,
    EventType,
)
from custom_components.rpi_security.engine.cross_zone import (
    CrossZone,
    CrossZoneGroup,
    check_groups,
)
from custom_components.rpi_security.engine.sensors import SensorType

T0 = 1_700_000_000.0
LOUNGE = CrossZoneGroup("lounge", frozenset({"pir_a", "pir_b", "window", "box"}), 60)


def machine(*, entry_delay: float = 0) -> AlarmMachine:
    alarm = AlarmMachine(
        settings=AlarmSettings(
            exit_delay=0,
            entry_delay=entry_delay,
            trigger_time=120,
            cross_zone_groups=(LOUNGE,),
        ),
        sensors={
            "pir_a": SensorType.MOTION,
            "pir_b": SensorType.MOTION,
            "window": SensorType.WINDOW,
            "box": SensorType.TAMPER,
            "front": SensorType.DOOR,
        },
        area="house",
    )
    alarm.arm(ArmMode.AWAY, T0)
    return alarm


def states(events: list) -> list[AlarmState]:
    return [e.state for e in events if e.type is EventType.STATE_CHANGED]


def blink(alarm: AlarmMachine, sensor_id: str, at: float) -> list:
    events = alarm.sensor_changed(sensor_id, True, at)
    alarm.sensor_changed(sensor_id, False, at + 1)
    return events


def test_one_noisy_pir_never_raises_the_alarm_alone() -> None:
    alarm = machine()
    for minute in range(10):
        events = blink(alarm, "pir_a", T0 + 10 + minute * 20)
        assert [(e.type, e.cause) for e in events] == [(EventType.UNCONFIRMED, "pir_a")]
    assert alarm.state is AlarmState.ARMED_AWAY


def test_a_second_sensor_within_the_window_confirms() -> None:
    alarm = machine()
    blink(alarm, "pir_a", T0 + 10)
    events = blink(alarm, "window", T0 + 50)
    assert [e.type for e in events] == [EventType.TRIGGER, EventType.STATE_CHANGED]
    assert events[0].sensors == ("pir_a", "window")
    assert events[1].sensors == ("pir_a", "window")
    assert events[1].state is AlarmState.TRIGGERED
    assert alarm.cause == "pir_a"


def test_a_second_sensor_after_the_window_is_alone_again() -> None:
    alarm = machine()
    blink(alarm, "pir_a", T0 + 10)
    events = blink(alarm, "pir_b", T0 + 71)
    assert [e.type for e in events] == [EventType.UNCONFIRMED]
    # ...and held in its turn: pir_a again within its window confirms.
    assert states(blink(alarm, "pir_a", T0 + 100)) == [AlarmState.TRIGGERED]


def test_the_same_sensor_again_renews_only_its_own_time() -> None:
    alarm = machine()
    blink(alarm, "pir_a", T0 + 10)
    blink(alarm, "pir_a", T0 + 65)
    assert states(blink(alarm, "pir_b", T0 + 120)) == [AlarmState.TRIGGERED]


def test_the_entry_delay_follows_the_sensor_that_tripped_first() -> None:
    alarm = AlarmMachine(
        settings=AlarmSettings(
            exit_delay=0,
            entry_delay=30,
            cross_zone_groups=(
                CrossZoneGroup("entry", frozenset({"front", "hall"}), 60),
            ),
        ),
        sensors={"front": SensorType.DOOR, "hall": SensorType.MOTION},
    )
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 1)  # someone comes in
    assert states(alarm.sensor_changed("hall", True, T0 + 5)) == [AlarmState.PENDING]
    assert alarm.deadline == T0 + 35


def test_a_tamper_sensor_in_a_group_is_never_held() -> None:
    alarm = machine()
    assert states(alarm.sensor_changed("box", True, T0 + 1)) == [AlarmState.TRIGGERED]


def test_sensors_outside_the_groups_trip_alone() -> None:
    alarm = machine(entry_delay=20)
    assert states(alarm.sensor_changed("front", True, T0 + 1)) == [AlarmState.PENDING]


def test_disarming_and_arming_forget_held_trips() -> None:
    alarm = machine()
    blink(alarm, "pir_a", T0 + 10)
    alarm.disarm(T0 + 11)
    alarm.arm(ArmMode.AWAY, T0 + 12)
    assert [e.type for e in blink(alarm, "pir_b", T0 + 13)] == [EventType.UNCONFIRMED]


def test_held_trips_survive_a_restart_within_the_window() -> None:
    alarm = machine()
    blink(alarm, "pir_a", T0 + 10)
    snapshot = alarm.snapshot(T0 + 12)
    assert snapshot["cross_zone"] == {"lounge": {"pir_a": T0 + 10}}
    fresh = machine()
    fresh.restore(snapshot, T0 + 20, {"pir_a": False, "pir_b": False})
    assert states(blink(fresh, "pir_b", T0 + 30)) == [AlarmState.TRIGGERED]


@pytest.mark.parametrize(
    "cross_zone",
    [
        [],
        {"lounge": []},
        {"lounge": {"pir_a": "now"}},
        {"lounge": {"pir_a": True}},
    ],
)
def test_unreadable_held_trips_are_refused(cross_zone: object) -> None:
    snapshot = machine().snapshot(T0)
    snapshot["cross_zone"] = cross_zone
    fresh = AlarmMachine(
        settings=AlarmSettings(cross_zone_groups=(LOUNGE,)),
        sensors={"pir_a": SensorType.MOTION},
    )
    with pytest.raises(ValueError):  # noqa: PT011 - each has its own message
        fresh.restore(snapshot, T0, {})
    assert fresh.state is AlarmState.DISARMED


def test_held_trips_of_groups_that_are_gone_are_dropped() -> None:
    groups = CrossZone((LOUNGE,))
    with pytest.raises(ValueError, match="not a mapping"):
        groups.restore(["lounge"])
    groups.restore({"lounge": {"pir_a": T0, "gone": T0}, "old": {"pir_b": T0}})
    assert groups.snapshot() == {"lounge": {"pir_a": T0}}


def test_a_sensor_in_two_groups_or_a_group_that_cannot_confirm_is_refused() -> None:
    other = CrossZoneGroup("other", frozenset({"pir_a", "x"}))
    with pytest.raises(ValueError, match="two cross-zone groups"):
        CrossZone((LOUNGE, other))
    with pytest.raises(ValueError, match="needs two sensors"):
        check_groups([CrossZoneGroup("g", frozenset({"pir_a", "gone"}))], ["pir_a"])
    with pytest.raises(ValueError, match="needs a window"):
        check_groups([CrossZoneGroup("g", frozenset({"a", "b"}), 0)], ["a", "b"])
    check_groups([LOUNGE], ["pir_a", "pir_b"])
