"""Per-mode settings, custom bypass, refused arming and its choices, skipping delays."""

from dataclasses import replace

import pytest

from custom_components.rpi_security.engine.alarm import (
    AlarmMachine,
    AlarmSettings,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    ArmModeNotEnabledError,
    DisarmFirstError,
    EventType,
)
from custom_components.rpi_security.engine.events import SkipDelayRefusedError
from custom_components.rpi_security.engine.modes import ModeSettings
from custom_components.rpi_security.engine.sensors import SensorType

T0 = 1_700_000_000.0
ALL_MODES = frozenset(ArmMode)
SETTINGS = AlarmSettings(
    exit_delay=30, entry_delay=20, trigger_time=60, arm_modes=ALL_MODES
)
SENSORS = {
    "front": SensorType.DOOR,
    "patio": SensorType.DOOR,
    "kitchen": SensorType.WINDOW,
    "hall": SensorType.MOTION,
    "lounge": SensorType.MOTION,
}


def machine(**settings: object) -> AlarmMachine:
    return AlarmMachine(
        settings=replace(SETTINGS, **settings), sensors=dict(SENSORS), area="house"
    )


def states(events: list) -> list[AlarmState]:
    return [e.state for e in events if e.type is EventType.STATE_CHANGED]


# -- per-mode settings ----------------------------------------------------------


def test_each_mode_has_its_own_delays() -> None:
    alarm = machine(
        modes={
            ArmMode.NIGHT: ModeSettings(exit_delay=0, entry_delay=5, trigger_time=30),
            ArmMode.AWAY: ModeSettings(exit_delay=90),
        }
    )
    assert states(alarm.arm(ArmMode.NIGHT, T0)) == [AlarmState.ARMED_NIGHT]
    alarm.sensor_changed("front", True, T0 + 1)
    assert alarm.deadline == T0 + 6
    alarm.advance(T0 + 6)
    assert alarm.deadline == T0 + 36
    alarm.disarm(T0 + 10)
    alarm.sensor_changed("front", False, T0 + 11)
    alarm.arm(ArmMode.AWAY, T0 + 20)
    assert alarm.deadline == T0 + 110
    alarm.advance(T0 + 110)
    alarm.sensor_changed("front", True, T0 + 200)
    assert alarm.deadline == T0 + 220  # away keeps the area's entry delay


def test_a_mode_without_its_own_settings_uses_the_areas() -> None:
    settings = replace(SETTINGS, modes={ArmMode.HOME: ModeSettings(exit_delay=5)})
    assert settings.delays(ArmMode.HOME).exit_delay == 5
    assert settings.delays(ArmMode.HOME).entry_delay == 20
    assert settings.delays(ArmMode.AWAY).exit_delay == 30
    assert settings.delays(None).trigger_time == 60


def test_default_modes_watch_as_before() -> None:
    alarm = machine()
    for mode, motion in (
        (ArmMode.AWAY, True),
        (ArmMode.VACATION, True),
        (ArmMode.HOME, False),
        (ArmMode.NIGHT, False),
        (ArmMode.CUSTOM_BYPASS, False),
    ):
        assert alarm.watches("front", mode)
        assert alarm.watches("kitchen", mode)
        assert alarm.watches("hall", mode) is motion


def test_custom_bypass_watches_the_sensors_it_names() -> None:
    alarm = machine(
        modes={
            ArmMode.CUSTOM_BYPASS: ModeSettings(sensors=frozenset({"front", "hall"}))
        }
    )
    alarm.set_initial("patio", True)  # not watched: no refusal
    events = alarm.arm(ArmMode.CUSTOM_BYPASS, T0, skip_delay=True)
    assert states(events) == [AlarmState.ARMED_CUSTOM_BYPASS]
    assert alarm.state.value == "armed_custom_bypass"
    assert alarm.sensor_changed("kitchen", True, T0 + 1) == []
    assert alarm.sensor_changed("lounge", True, T0 + 2) == []
    assert states(alarm.sensor_changed("hall", True, T0 + 3)) == [AlarmState.TRIGGERED]


def test_a_mode_may_watch_motion_at_home() -> None:
    alarm = machine(
        modes={ArmMode.HOME: ModeSettings(sensors=frozenset({"front", "lounge"}))}
    )
    alarm.arm(ArmMode.HOME, T0, skip_delay=True)
    assert alarm.sensor_changed("hall", True, T0 + 1) == []
    assert states(alarm.sensor_changed("lounge", True, T0 + 2)) == [
        AlarmState.TRIGGERED
    ]


def test_a_mode_naming_sensors_never_unwatches_a_tamper_sensor() -> None:
    alarm = AlarmMachine(
        settings=replace(
            SETTINGS, modes={ArmMode.NIGHT: ModeSettings(sensors=frozenset())}
        ),
        sensors={"box": SensorType.TAMPER},
    )
    alarm.arm(ArmMode.NIGHT, T0, skip_delay=True)
    assert states(alarm.sensor_changed("box", True, T0)) == [AlarmState.TRIGGERED]


def test_standard_modes_are_all_but_custom_bypass() -> None:
    assert ArmMode.standard() == (
        ArmMode.AWAY,
        ArmMode.HOME,
        ArmMode.NIGHT,
        ArmMode.VACATION,
    )


def test_arm_mode_of_a_state() -> None:
    assert ArmMode.of_state("armed_custom_bypass") is ArmMode.CUSTOM_BYPASS
    assert ArmMode.of_state(AlarmState.ARMED_NIGHT) is ArmMode.NIGHT
    assert ArmMode.of_state("armed_sideways") is None
    assert ArmMode.of_state("disarmed") is None


# -- refused arming: what it carries, and "Arm anyway" ------------------------------


def test_a_refusal_names_the_sensors_the_mode_and_the_area() -> None:
    alarm = machine()
    alarm.set_initial("patio", True)
    alarm.set_initial("kitchen", True)
    alarm.set_initial("hall", True)  # allowed open at arming
    with pytest.raises(ArmingRefusedError) as err:
        alarm.arm(ArmMode.HOME, T0)
    assert err.value.open_sensors == ("kitchen", "patio")
    assert err.value.sensors == ("kitchen", "patio")
    assert err.value.open_doors == ("kitchen", "patio")  # the old name
    assert err.value.mode is ArmMode.HOME
    assert err.value.area == "house"
    assert alarm.state is AlarmState.DISARMED


def test_arm_anyway_bypasses_exactly_the_sensors_refused() -> None:
    alarm = machine()
    alarm.set_initial("patio", True)
    with pytest.raises(ArmingRefusedError) as err:
        alarm.arm(ArmMode.AWAY, T0)
    refused = err.value.sensors
    # Meanwhile the kitchen window was opened: it was not in the refusal.
    alarm.set_initial("kitchen", True)
    with pytest.raises(ArmingRefusedError) as again:
        alarm.arm(ArmMode.AWAY, T0 + 5, bypass=refused)
    # The new refusal names everything in the way: its own "Arm anyway".
    assert again.value.sensors == ("kitchen", "patio")
    assert alarm.state is AlarmState.DISARMED
    alarm.set_initial("kitchen", False)
    assert states(alarm.arm(ArmMode.AWAY, T0 + 6, bypass=refused)) == [
        AlarmState.ARMING
    ]
    assert alarm.bypassed == {"patio"}


def test_a_bypass_for_a_sensor_closed_since_bypasses_nothing() -> None:
    alarm = machine(exit_delay=0)
    alarm.arm(ArmMode.AWAY, T0, bypass=("patio",))
    assert alarm.bypassed == set()
    assert states(alarm.sensor_changed("patio", True, T0 + 1)) == [AlarmState.PENDING]


def test_a_bypassed_sensor_counts_again_once_it_closed_and_reopens() -> None:
    alarm = machine(exit_delay=0)
    alarm.set_initial("patio", True)
    alarm.arm(ArmMode.AWAY, T0, bypass=("patio",))
    alarm.sensor_changed("patio", False, T0 + 10)
    assert states(alarm.sensor_changed("patio", True, T0 + 20)) == [AlarmState.PENDING]


def test_disarming_ends_every_bypass() -> None:
    alarm = machine(exit_delay=0)
    alarm.set_initial("patio", True)
    alarm.arm(ArmMode.AWAY, T0, force=True)
    alarm.disarm(T0 + 1)
    assert alarm.bypassed == set()
    with pytest.raises(ArmingRefusedError):
        alarm.arm(ArmMode.AWAY, T0 + 2)


def test_check_arm_changes_nothing() -> None:
    alarm = machine()
    alarm.set_initial("patio", True)
    with pytest.raises(ArmingRefusedError):
        alarm.check_arm(ArmMode.AWAY)
    assert alarm.check_arm(ArmMode.AWAY, force=True) == ("patio",)
    assert alarm.state is AlarmState.DISARMED
    with pytest.raises(ArmModeNotEnabledError):
        machine(arm_modes=frozenset({ArmMode.AWAY})).check_arm(ArmMode.NIGHT)
    alarm.arm(ArmMode.AWAY, T0, force=True)
    assert alarm.check_arm(ArmMode.AWAY) is None  # already arming that way


# -- skipping a delay --------------------------------------------------------------


def test_skip_delay_ends_the_exit_delay_now() -> None:
    alarm = machine()
    alarm.arm(ArmMode.AWAY, T0, changed_by="Alice")
    events = alarm.skip_delay(T0 + 3)
    assert states(events) == [AlarmState.ARMED_AWAY]
    assert events[0].changed_by == "Alice"
    assert alarm.deadline is None


def test_skip_delay_still_finds_a_door_left_open() -> None:
    alarm = machine()
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 2)
    events = alarm.skip_delay(T0 + 3, changed_by="Bob")
    assert states(events) == [AlarmState.ARMED_AWAY, AlarmState.PENDING]
    assert alarm.deadline == T0 + 23


def test_the_entry_delay_cannot_be_skipped_either_way() -> None:
    """Skipping must neither silence an intrusion nor trigger at an owner."""
    alarm = machine(exit_delay=0)
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 10)
    with pytest.raises(SkipDelayRefusedError) as err:
        alarm.skip_delay(T0 + 12)
    assert err.value.state is AlarmState.PENDING
    assert alarm.state is AlarmState.PENDING
    assert alarm.deadline == T0 + 30


@pytest.mark.parametrize("state", ["disarmed", "armed", "triggered"])
def test_nothing_to_skip_is_refused(state: str) -> None:
    alarm = machine(exit_delay=0, entry_delay=0)
    if state != "disarmed":
        alarm.arm(ArmMode.AWAY, T0)
    if state == "triggered":
        alarm.sensor_changed("front", True, T0 + 1)
    before = (alarm.state, alarm.deadline)
    with pytest.raises(SkipDelayRefusedError):
        alarm.skip_delay(T0 + 2)
    assert (alarm.state, alarm.deadline) == before


def test_arming_may_skip_the_exit_delay() -> None:
    alarm = machine()
    assert states(alarm.arm(ArmMode.NIGHT, T0, skip_delay=True)) == [
        AlarmState.ARMED_NIGHT
    ]


def test_a_manual_trigger_during_the_exit_delay_gives_up_the_arming() -> None:
    alarm = machine()
    alarm.arm(ArmMode.AWAY, T0)
    events = alarm.trigger(T0 + 1, changed_by="Alice")
    assert events[0].alarm is not None
    assert events[0].alarm.value == "manual"
    assert states(alarm.advance(T0 + 61)) == [AlarmState.DISARMED]


def test_arming_while_triggered_by_a_tamper_is_refused() -> None:
    alarm = AlarmMachine(settings=SETTINGS, sensors={"box": SensorType.TAMPER})
    alarm.sensor_changed("box", True, T0)
    with pytest.raises(DisarmFirstError):
        alarm.arm(ArmMode.AWAY, T0 + 1)
