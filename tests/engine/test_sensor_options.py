"""Per-sensor options, each with a test, and supervision of unavailable sensors."""

from dataclasses import replace

import pytest

from custom_components.rpi_security.engine.alarm import (
    AlarmMachine,
    AlarmSettings,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    EventType,
)
from custom_components.rpi_security.engine.areas import area_machine
from custom_components.rpi_security.engine.sensors import (
    Sensor,
    SensorType,
    default_options,
)

T0 = 1_700_000_000.0
SETTINGS = AlarmSettings(exit_delay=30, entry_delay=20, trigger_time=60)


def machine(*sensors: Sensor, **settings: object) -> AlarmMachine:
    return area_machine("house", replace(SETTINGS, **settings), sensors)


def door(sensor_id: str = "front", **options: object) -> Sensor:
    return Sensor.of(sensor_id, SensorType.DOOR, **options)


def motion(sensor_id: str = "hall", **options: object) -> Sensor:
    return Sensor.of(sensor_id, SensorType.MOTION, **options)


def window(sensor_id: str = "bedroom", **options: object) -> Sensor:
    return Sensor.of(sensor_id, SensorType.WINDOW, **options)


def states(events: list) -> list[AlarmState]:
    return [e.state for e in events if e.type is EventType.STATE_CHANGED]


def types(events: list) -> list[EventType]:
    return [e.type for e in events]


# -- use the entry delay ------------------------------------------------------


def test_a_door_without_the_entry_delay_triggers_at_once() -> None:
    alarm = machine(door(use_entry_delay=False))
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    assert states(alarm.sensor_changed("front", True, T0 + 1)) == [AlarmState.TRIGGERED]


def test_motion_with_the_entry_delay_starts_it() -> None:
    alarm = machine(motion(use_entry_delay=True))
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    assert states(alarm.sensor_changed("hall", True, T0 + 1)) == [AlarmState.PENDING]
    assert alarm.deadline == T0 + 21


# -- may be open during the exit delay ------------------------------------------


def test_a_hallway_pir_may_see_the_user_leave() -> None:
    alarm = machine(door(), motion(use_exit_delay=True))
    alarm.arm(ArmMode.AWAY, T0)
    assert alarm.sensor_changed("hall", True, T0 + 5) == []
    alarm.sensor_changed("hall", False, T0 + 8)
    assert states(alarm.advance(T0 + 30)) == [AlarmState.ARMED_AWAY]


def test_a_pir_not_on_the_way_out_trips_during_the_exit_delay() -> None:
    alarm = machine(door(), motion("lounge", use_exit_delay=False))
    alarm.arm(ArmMode.AWAY, T0)
    events = alarm.sensor_changed("lounge", True, T0 + 5)
    assert states(events) == [AlarmState.TRIGGERED]
    assert alarm.cause == "lounge"
    # After the trigger time it is armed as asked.
    assert states(alarm.advance(T0 + 65)) == [AlarmState.ARMED_AWAY]


def test_a_window_opened_during_the_exit_delay_trips() -> None:
    alarm = machine(door(), window())
    alarm.arm(ArmMode.AWAY, T0)
    assert states(alarm.sensor_changed("bedroom", True, T0 + 5)) == [
        AlarmState.TRIGGERED
    ]


def test_a_door_not_on_the_way_out_starts_the_entry_delay_if_opened_leaving() -> None:
    alarm = machine(door(), door("patio", use_exit_delay=False))
    alarm.arm(ArmMode.AWAY, T0)
    assert alarm.sensor_changed("front", True, T0 + 2) == []
    assert states(alarm.sensor_changed("patio", True, T0 + 5)) == [AlarmState.PENDING]


def test_the_exit_delay_is_mode_specific_watching() -> None:
    """A PIR the mode does not watch may move during its exit delay."""
    alarm = machine(door(), motion("lounge", use_exit_delay=False))
    alarm.arm(ArmMode.HOME, T0)
    assert alarm.sensor_changed("lounge", True, T0 + 5) == []


# -- arm after closing ------------------------------------------------------------


def test_closing_the_front_door_ends_the_exit_delay_seconds_later() -> None:
    alarm = machine(door(arm_after_closing=True), motion())
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("hall", True, T0 + 2)  # walking to the door
    assert alarm.sensor_changed("front", True, T0 + 4) == []
    events = alarm.sensor_changed("front", False, T0 + 6)
    assert types(events) == [EventType.DELAY_CHANGED]
    assert alarm.deadline == T0 + 11
    assert alarm.advance(T0 + 10.9) == []
    # The PIR still on is the user who just left.
    assert states(alarm.advance(T0 + 11)) == [AlarmState.ARMED_AWAY]


def test_arm_after_closing_seconds_are_configurable() -> None:
    alarm = machine(door(arm_after_closing=True, arm_after_closing_delay=2))
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 4)
    alarm.sensor_changed("front", False, T0 + 6)
    assert alarm.deadline == T0 + 8


def test_reopening_before_arming_brings_the_full_exit_delay_back() -> None:
    alarm = machine(door(arm_after_closing=True))
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 4)
    alarm.sensor_changed("front", False, T0 + 6)
    events = alarm.sensor_changed("front", True, T0 + 8)  # forgot the keys
    assert types(events) == [EventType.DELAY_CHANGED]
    assert alarm.deadline == T0 + 30
    alarm.sensor_changed("front", False, T0 + 20)
    assert alarm.deadline == T0 + 25


def test_arm_after_closing_never_lengthens_the_exit_delay() -> None:
    alarm = machine(door(arm_after_closing=True))
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 20)
    assert alarm.sensor_changed("front", False, T0 + 28) == []
    assert alarm.deadline == T0 + 30


def test_a_door_without_arm_after_closing_keeps_the_exit_delay() -> None:
    alarm = machine(door())
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 4)
    assert alarm.sensor_changed("front", False, T0 + 6) == []
    assert alarm.deadline == T0 + 30


def test_a_shortened_exit_delay_survives_a_restart() -> None:
    alarm = machine(door(arm_after_closing=True))
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 4)
    alarm.sensor_changed("front", False, T0 + 6)
    snapshot = alarm.snapshot(T0 + 7)
    fresh = machine(door(arm_after_closing=True))
    fresh.restore(snapshot, T0 + 100, {"front": False})
    assert fresh.deadline == T0 + 104
    fresh.sensor_changed("front", True, T0 + 101)
    assert fresh.deadline == T0 + 100 + 23  # the full delay's 23 s left


# -- allowed open at arming ------------------------------------------------------


def test_a_door_allowed_open_counts_only_after_closing_and_opening() -> None:
    alarm = machine(door("garage", allow_open_at_arming=True))
    alarm.set_initial("garage", True)
    assert states(alarm.arm(ArmMode.AWAY, T0)) == [AlarmState.ARMING]
    assert alarm.bypassed == set()
    assert states(alarm.advance(T0 + 30)) == [AlarmState.ARMED_AWAY]
    alarm.sensor_changed("garage", False, T0 + 40)
    assert states(alarm.sensor_changed("garage", True, T0 + 50)) == [AlarmState.PENDING]


def test_a_pir_still_on_when_arming_ends_is_allowed_by_default() -> None:
    alarm = machine(motion())
    alarm.set_initial("hall", True)
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    assert alarm.state is AlarmState.ARMED_AWAY
    alarm.sensor_changed("hall", False, T0 + 1)
    assert states(alarm.sensor_changed("hall", True, T0 + 2)) == [AlarmState.TRIGGERED]


def test_a_pir_not_allowed_open_refuses_arming() -> None:
    alarm = machine(motion(allow_open_at_arming=False))
    alarm.set_initial("hall", True)
    with pytest.raises(ArmingRefusedError) as err:
        alarm.arm(ArmMode.AWAY, T0)
    assert err.value.open_sensors == ("hall",)


# -- bypassed automatically in chosen modes ----------------------------------------


def test_a_bedroom_window_open_at_night_is_bypassed_until_disarmed() -> None:
    alarm = machine(door(), window(auto_bypass_modes=frozenset({ArmMode.NIGHT})))
    alarm.set_initial("bedroom", True)
    assert states(alarm.arm(ArmMode.NIGHT, T0, skip_delay=True)) == [
        AlarmState.ARMED_NIGHT
    ]
    assert alarm.auto_bypassed == {"bedroom"}
    assert alarm.bypassed == set()
    # Closed and opened again in the night: still bypassed.
    alarm.sensor_changed("bedroom", False, T0 + 100)
    assert alarm.sensor_changed("bedroom", True, T0 + 200) == []
    assert alarm.state is AlarmState.ARMED_NIGHT
    alarm.disarm(T0 + 300)
    assert alarm.auto_bypassed == set()


def test_a_bedroom_window_closed_at_night_is_watched() -> None:
    alarm = machine(window(auto_bypass_modes=frozenset({ArmMode.NIGHT})))
    alarm.arm(ArmMode.NIGHT, T0, skip_delay=True)
    assert alarm.auto_bypassed == set()
    assert states(alarm.sensor_changed("bedroom", True, T0 + 1)) == [
        AlarmState.TRIGGERED
    ]


def test_automatic_bypass_only_in_its_modes() -> None:
    alarm = machine(window(auto_bypass_modes=frozenset({ArmMode.NIGHT})))
    alarm.set_initial("bedroom", True)
    with pytest.raises(ArmingRefusedError):
        alarm.arm(ArmMode.AWAY, T0)


def test_a_window_opened_during_a_night_exit_delay_is_bypassed_at_its_end() -> None:
    alarm = machine(
        window(use_exit_delay=True, auto_bypass_modes=frozenset({ArmMode.NIGHT}))
    )
    alarm.arm(ArmMode.NIGHT, T0)
    alarm.sensor_changed("bedroom", True, T0 + 5)
    assert states(alarm.advance(T0 + 30)) == [AlarmState.ARMED_NIGHT]
    assert alarm.auto_bypassed == {"bedroom"}


# -- trigger when unavailable, and supervision ---------------------------------


def test_a_sensor_triggering_when_unavailable_trips_when_it_goes() -> None:
    alarm = machine(door("zigbee", trigger_when_unavailable=True))
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    events = alarm.sensor_changed("zigbee", None, T0 + 5)
    assert types(events) == [
        EventType.FAULT,
        EventType.TRIGGER,
        EventType.STATE_CHANGED,
    ]
    assert alarm.state is AlarmState.PENDING
    assert alarm.cause == "zigbee"
    # Coming back open is no second opening; it clears the fault.
    events = alarm.sensor_changed("zigbee", True, T0 + 6)
    assert types(events) == [EventType.FAULT_CLEARED]


def test_every_sensor_unavailable_while_armed_is_a_fault_until_it_is_back() -> None:
    alarm = machine(door("zigbee"))
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    events = alarm.sensor_changed("zigbee", None, T0 + 5)
    assert [(e.type, e.cause, e.area) for e in events] == [
        (EventType.FAULT, "zigbee", "house")
    ]
    assert alarm.state is AlarmState.ARMED_AWAY
    assert alarm.faults == {"zigbee"}
    assert alarm.sensor_changed("zigbee", None, T0 + 6) == []  # said once
    events = alarm.sensor_changed("zigbee", False, T0 + 10)
    assert types(events) == [EventType.FAULT_CLEARED]
    assert alarm.faults == set()


def test_a_sensor_back_open_after_being_shut_is_an_opening() -> None:
    alarm = machine(door("zigbee"))
    alarm.set_initial("zigbee", False)
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    alarm.sensor_changed("zigbee", None, T0 + 5)
    events = alarm.sensor_changed("zigbee", True, T0 + 10)
    assert types(events) == [
        EventType.FAULT_CLEARED,
        EventType.TRIGGER,
        EventType.STATE_CHANGED,
    ]


def test_unavailable_while_disarmed_is_no_fault_except_for_24_hour_sensors() -> None:
    alarm = machine(door("zigbee"), Sensor("smoke", SensorType.ENVIRONMENTAL))
    assert alarm.sensor_changed("zigbee", None, T0) == []
    assert types(alarm.sensor_changed("smoke", None, T0)) == [EventType.FAULT]


def test_a_mode_not_watching_a_sensor_reports_no_fault() -> None:
    alarm = machine(door(), motion())
    alarm.arm(ArmMode.HOME, T0, skip_delay=True)
    assert alarm.sensor_changed("hall", None, T0 + 1) == []


def test_arming_with_an_unavailable_sensor_reports_it_and_arms() -> None:
    alarm = machine(door(), door("zigbee"))
    alarm.sensor_changed("zigbee", None, T0)
    events = alarm.arm(ArmMode.AWAY, T0 + 1)
    assert [(e.type, e.state, e.cause) for e in events] == [
        (EventType.STATE_CHANGED, AlarmState.ARMING, None),
        (EventType.FAULT, AlarmState.ARMING, "zigbee"),
    ]


def test_an_unavailable_sensor_that_triggers_refuses_arming_until_forced() -> None:
    alarm = machine(door(), door("zigbee", trigger_when_unavailable=True))
    alarm.sensor_changed("zigbee", None, T0)
    with pytest.raises(ArmingRefusedError) as err:
        alarm.arm(ArmMode.AWAY, T0 + 1)
    assert err.value.open_sensors == ()
    assert err.value.unavailable == ("zigbee",)
    events = alarm.arm(ArmMode.AWAY, T0 + 1, force=True, skip_delay=True)
    assert types(events) == [EventType.STATE_CHANGED, EventType.FAULT]
    assert alarm.bypassed == {"zigbee"}
    # Back and shut, it is watched again.
    alarm.sensor_changed("zigbee", False, T0 + 5)
    assert alarm.bypassed == set()
    assert states(alarm.sensor_changed("zigbee", True, T0 + 6)) == [AlarmState.PENDING]


def test_faults_survive_a_restart_and_clear_when_the_sensor_is_back() -> None:
    alarm = machine(door("zigbee"))
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    alarm.sensor_changed("zigbee", None, T0 + 1)
    snapshot = alarm.snapshot(T0 + 2)
    fresh = machine(door("zigbee"))
    assert fresh.restore(snapshot, T0 + 10, {}) == []
    assert fresh.faults == {"zigbee"}
    assert types(fresh.sensor_seen("zigbee", False, T0 + 20)) == [
        EventType.FAULT_CLEARED
    ]


def test_the_options_a_machine_uses() -> None:
    alarm = machine(door(), Sensor("hall", SensorType.MOTION))
    assert alarm.sensor_options("hall") == default_options(SensorType.MOTION)
    alarm.settings = replace(alarm.settings, motion_uses_entry_delay=True)
    assert alarm.sensor_options("hall").use_entry_delay


def test_the_edges_of_unavailability() -> None:
    alarm = machine(door(), motion())
    assert alarm.sensor_changed("unknown", None, T0) == []
    # A first level after a start may be "unavailable" too.
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    assert types(alarm.sensor_seen("front", None, T0 + 1)) == [EventType.FAULT]
    # Arming in a mode that does not watch an unavailable sensor: no fault.
    alarm.disarm(T0 + 2)
    alarm.sensor_changed("hall", None, T0 + 3)
    assert types(alarm.arm(ArmMode.HOME, T0 + 4, force=True)) == [
        EventType.STATE_CHANGED,
        EventType.FAULT,  # the front door, not the hall's PIR
    ]


def test_a_fault_of_a_sensor_never_heard_before_the_stop_clears_on_restore() -> None:
    alarm = machine(door("zigbee"))
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    alarm.sensor_changed("zigbee", None, T0 + 1)
    snapshot = alarm.snapshot(T0 + 2)
    assert "zigbee" not in snapshot["levels"]
    fresh = machine(door("zigbee"))
    events = fresh.restore(snapshot, T0 + 10, {"zigbee": False})
    assert types(events) == [EventType.FAULT_CLEARED]


def test_what_a_disarmed_area_watches() -> None:
    alarm = machine(door(), Sensor("box", SensorType.TAMPER))
    assert alarm.next_state is None
    assert alarm.seconds_left(T0) is None
    assert alarm.sensor_changed("unknown", True, T0) == []
    assert not alarm.watches("front")
    assert alarm.watches("box")
    assert not alarm.watches("unknown", ArmMode.AWAY)


def test_sensors_change_by_assignment_never_in_place() -> None:
    """The rules are compiled from the sensors: a change must reach them."""
    alarm = machine(door())
    with pytest.raises(TypeError):
        alarm.sensors["patio"] = SensorType.DOOR  # type: ignore[index]
    with pytest.raises(TypeError):
        alarm.options["front"] = default_options(SensorType.WINDOW)  # type: ignore[index]
    alarm.sensors = {**alarm.sensors, "patio": SensorType.DOOR}
    alarm.options = {"front": default_options(SensorType.WINDOW)}
    alarm.arm(ArmMode.AWAY, T0, skip_delay=True)
    assert states(alarm.sensor_changed("patio", True, T0 + 1)) == [AlarmState.PENDING]
    alarm.disarm(T0 + 2)
    alarm.arm(ArmMode.AWAY, T0 + 3, force=True, skip_delay=True)
    # The front door now has a window's options: no entry delay.
    assert states(alarm.sensor_changed("front", True, T0 + 4)) == [AlarmState.TRIGGERED]
