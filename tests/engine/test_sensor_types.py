"""Sensor types: their defaults, tamper and environmental sensors, device classes."""

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
    AlarmKind,
    Sensor,
    SensorOptions,
    SensorType,
    default_options,
    type_for_device_class,
)

T0 = 1_700_000_000.0
SETTINGS = AlarmSettings(exit_delay=30, entry_delay=20, trigger_time=60)


def house(**sensors: SensorType) -> AlarmMachine:
    return AlarmMachine(settings=SETTINGS, sensors=dict(sensors), area="house")


def states(events: list) -> list[AlarmState]:
    return [e.state for e in events if e.type is EventType.STATE_CHANGED]


def armed(alarm: AlarmMachine, mode: ArmMode = ArmMode.AWAY) -> AlarmMachine:
    alarm.arm(mode, T0, skip_delay=True)
    assert alarm.state is mode.armed_state
    return alarm


@pytest.mark.parametrize(
    ("device_class", "expected"),
    [
        ("door", SensorType.DOOR),
        ("garage_door", SensorType.DOOR),
        ("opening", SensorType.DOOR),
        ("lock", SensorType.DOOR),
        ("window", SensorType.WINDOW),
        ("vibration", SensorType.WINDOW),
        ("sound", SensorType.WINDOW),
        ("motion", SensorType.MOTION),
        ("moving", SensorType.MOTION),
        ("occupancy", SensorType.MOTION),
        ("presence", SensorType.MOTION),
        ("tamper", SensorType.TAMPER),
        ("smoke", SensorType.ENVIRONMENTAL),
        ("gas", SensorType.ENVIRONMENTAL),
        ("carbon_monoxide", SensorType.ENVIRONMENTAL),
        ("moisture", SensorType.ENVIRONMENTAL),
        ("heat", SensorType.ENVIRONMENTAL),
        ("safety", SensorType.ENVIRONMENTAL),
        (" Smoke ", SensorType.ENVIRONMENTAL),
        ("problem", None),
        ("connectivity", None),
        ("battery", None),
        ("light", None),
        ("", None),
        (None, None),
    ],
)
def test_device_class_picks_a_type(
    device_class: str | None, expected: SensorType | None
) -> None:
    assert type_for_device_class(device_class) is expected


def test_defaults_reproduce_doors_and_motion_as_they_were() -> None:
    door = default_options(SensorType.DOOR)
    assert door.use_entry_delay
    assert door.use_exit_delay
    assert not door.allow_open_at_arming
    motion = default_options(SensorType.MOTION)
    assert not motion.use_entry_delay
    assert motion.use_exit_delay
    assert motion.allow_open_at_arming
    assert default_options(SensorType.MOTION, motion_uses_entry_delay=True) == (
        SensorOptions(use_entry_delay=True, allow_open_at_arming=True)
    )
    window = default_options(SensorType.WINDOW)
    assert not window.use_entry_delay
    assert not window.use_exit_delay
    for options in (door, motion, window):
        assert not options.arm_after_closing
        assert not options.trigger_when_unavailable
        assert options.auto_bypass_modes == frozenset()


def test_the_kind_of_alarm_each_type_raises() -> None:
    assert {t: t.alarm_kind for t in SensorType} == {
        SensorType.DOOR: AlarmKind.INTRUSION,
        SensorType.WINDOW: AlarmKind.INTRUSION,
        SensorType.MOTION: AlarmKind.INTRUSION,
        SensorType.TAMPER: AlarmKind.TAMPER,
        SensorType.ENVIRONMENTAL: AlarmKind.ENVIRONMENTAL,
    }


def test_sensor_of_changes_the_types_defaults() -> None:
    sensor = Sensor.of("hall", SensorType.MOTION, use_entry_delay=True)
    assert sensor.options == SensorOptions(
        use_entry_delay=True, allow_open_at_arming=True
    )
    machine = area_machine("house", SETTINGS, [sensor])
    assert machine.sensor_options("hall").use_entry_delay
    assert machine.area == "house"


def test_a_window_triggers_at_once_in_every_mode() -> None:
    for mode in (ArmMode.AWAY, ArmMode.HOME, ArmMode.NIGHT):
        alarm = armed(house(kitchen=SensorType.WINDOW), mode)
        events = alarm.sensor_changed("kitchen", True, T0 + 1)
        assert states(events) == [AlarmState.TRIGGERED]
        assert events[0].alarm is AlarmKind.INTRUSION


def test_an_open_window_refuses_arming() -> None:
    alarm = house(kitchen=SensorType.WINDOW)
    alarm.set_initial("kitchen", True)
    with pytest.raises(ArmingRefusedError) as err:
        alarm.arm(ArmMode.HOME, T0)
    assert err.value.sensors == ("kitchen",)


def test_tamper_triggers_at_once_even_disarmed_and_returns_to_disarmed() -> None:
    alarm = house(pir_box=SensorType.TAMPER)
    events = alarm.sensor_changed("pir_box", True, T0)
    assert [(e.type, e.state) for e in events] == [
        (EventType.TAMPER, AlarmState.DISARMED),
        (EventType.STATE_CHANGED, AlarmState.TRIGGERED),
    ]
    assert events[1].alarm is AlarmKind.TAMPER
    assert alarm.alarm_kind is AlarmKind.TAMPER
    assert alarm.cause == "pir_box"
    assert states(alarm.advance(T0 + 60)) == [AlarmState.DISARMED]
    assert alarm.alarm_kind is None


def test_tamper_during_the_exit_delay_returns_to_the_mode_armed() -> None:
    alarm = house(front=SensorType.DOOR, pir_box=SensorType.TAMPER)
    alarm.arm(ArmMode.AWAY, T0)
    assert states(alarm.sensor_changed("pir_box", True, T0 + 5)) == [
        AlarmState.TRIGGERED
    ]
    assert states(alarm.advance(T0 + 65)) == [AlarmState.ARMED_AWAY]


def test_tamper_cuts_the_entry_delay_short() -> None:
    alarm = armed(house(front=SensorType.DOOR, pir_box=SensorType.TAMPER))
    assert states(alarm.sensor_changed("front", True, T0 + 1)) == [AlarmState.PENDING]
    events = alarm.sensor_changed("pir_box", True, T0 + 2)
    assert states(events) == [AlarmState.TRIGGERED]
    assert alarm.deadline == T0 + 2 + 60
    assert alarm.cause == "pir_box"


def test_tamper_while_triggered_is_reported_and_keeps_the_clock() -> None:
    alarm = armed(house(kitchen=SensorType.WINDOW, pir_box=SensorType.TAMPER))
    alarm.sensor_changed("kitchen", True, T0 + 1)
    events = alarm.sensor_changed("pir_box", True, T0 + 10)
    assert [e.type for e in events] == [EventType.TAMPER]
    assert alarm.deadline == T0 + 61


def test_an_open_tamper_refuses_arming_and_a_forced_one_stays_quiet() -> None:
    alarm = house(pir_box=SensorType.TAMPER)
    alarm.set_initial("pir_box", True)
    with pytest.raises(ArmingRefusedError):
        alarm.arm(ArmMode.AWAY, T0)
    alarm.arm(ArmMode.AWAY, T0, force=True)
    assert alarm.bypassed == {"pir_box"}
    alarm.sensor_changed("pir_box", False, T0 + 1)
    assert states(alarm.sensor_changed("pir_box", True, T0 + 2)) == [
        AlarmState.TRIGGERED
    ]


def test_environmental_always_on_with_its_own_event() -> None:
    alarm = house(smoke=SensorType.ENVIRONMENTAL)
    events = alarm.sensor_changed("smoke", True, T0)
    assert [e.type for e in events] == [
        EventType.ENVIRONMENTAL,
        EventType.STATE_CHANGED,
    ]
    assert events[1].state is AlarmState.TRIGGERED
    assert events[1].alarm is AlarmKind.ENVIRONMENTAL
    assert events[1].area == "house"


def test_environmental_never_refuses_arming_nor_trips_when_the_exit_delay_ends() -> (
    None
):
    alarm = house(front=SensorType.DOOR, smoke=SensorType.ENVIRONMENTAL)
    alarm.set_initial("smoke", True)
    assert states(alarm.arm(ArmMode.AWAY, T0)) == [AlarmState.ARMING]
    assert states(alarm.advance(T0 + 30)) == [AlarmState.ARMED_AWAY]


def test_environmental_ignores_every_mode_and_the_entry_delay() -> None:
    alarm = armed(house(water=SensorType.ENVIRONMENTAL), ArmMode.HOME)
    alarm.settings = AlarmSettings(entry_delay=300, trigger_time=60)
    assert states(alarm.sensor_changed("water", True, T0)) == [AlarmState.TRIGGERED]
    assert states(alarm.advance(T0 + 60)) == [AlarmState.ARMED_HOME]


def test_a_smoke_detector_found_active_after_a_stop_triggers() -> None:
    alarm = house(smoke=SensorType.ENVIRONMENTAL)
    alarm.set_initial("smoke", False)
    snapshot = alarm.snapshot(T0)
    fresh = house(smoke=SensorType.ENVIRONMENTAL)
    events = fresh.restore(snapshot, T0 + 60, {"smoke": True})
    assert states(events) == [AlarmState.TRIGGERED]
    assert events[-1].offline
