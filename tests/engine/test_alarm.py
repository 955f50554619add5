"""The alarm state machine, with time passed in."""

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
    SensorKind,
)

T0 = 1_700_000_000.0
SETTINGS = AlarmSettings(exit_delay=30, entry_delay=20, trigger_time=60)
SENSORS = {
    "front": SensorKind.DOOR,
    "patio": SensorKind.DOOR,
    "hall": SensorKind.MOTION,
}


def machine(**overrides: object) -> AlarmMachine:
    return AlarmMachine(settings=replace(SETTINGS, **overrides), sensors=dict(SENSORS))


def armed(mode: ArmMode = ArmMode.AWAY, **overrides: object) -> AlarmMachine:
    alarm = machine(exit_delay=0, **overrides)
    alarm.arm(mode, T0)
    assert alarm.state is mode.armed_state
    return alarm


def states(events: list) -> list[AlarmState]:
    return [e.state for e in events if e.type is EventType.STATE_CHANGED]


def test_arming_waits_for_the_exit_delay() -> None:
    alarm = machine()
    events = alarm.arm(ArmMode.AWAY, T0, changed_by="Alice")
    assert states(events) == [AlarmState.ARMING]
    assert events[0].previous_state is AlarmState.DISARMED
    assert events[0].changed_by == "Alice"
    assert alarm.next_state is AlarmState.ARMED_AWAY
    assert alarm.seconds_left(T0 + 10) == 20
    assert alarm.advance(T0 + 29.9) == []
    events = alarm.advance(T0 + 30)
    assert states(events) == [AlarmState.ARMED_AWAY]
    assert events[0].changed_by == "Alice"
    assert alarm.deadline is None


def test_no_exit_delay_arms_at_once() -> None:
    alarm = machine(exit_delay=0)
    assert states(alarm.arm(ArmMode.NIGHT, T0)) == [AlarmState.ARMED_NIGHT]


def test_arming_twice_the_same_way_changes_nothing() -> None:
    alarm = machine()
    alarm.arm(ArmMode.AWAY, T0)
    assert alarm.arm(ArmMode.AWAY, T0 + 5) == []
    assert alarm.deadline == T0 + 30


def test_switching_mode_while_armed_goes_through_the_exit_delay() -> None:
    alarm = armed(ArmMode.HOME)
    alarm.settings = replace(alarm.settings, exit_delay=10)
    assert states(alarm.arm(ArmMode.AWAY, T0)) == [AlarmState.ARMING]
    assert states(alarm.advance(T0 + 10)) == [AlarmState.ARMED_AWAY]


def test_door_starts_entry_delay_then_triggers_then_rearms() -> None:
    alarm = armed()
    events = alarm.sensor_changed("front", True, T0 + 100)
    assert [e.type for e in events] == [EventType.TRIGGER, EventType.STATE_CHANGED]
    assert events[0].cause == "front"
    assert states(events) == [AlarmState.PENDING]
    assert alarm.cause == "front"
    assert alarm.next_state is AlarmState.TRIGGERED
    assert alarm.advance(T0 + 119) == []
    assert states(alarm.advance(T0 + 120)) == [AlarmState.TRIGGERED]
    assert alarm.next_state is AlarmState.ARMED_AWAY
    assert alarm.deadline == T0 + 180
    assert states(alarm.advance(T0 + 180)) == [AlarmState.ARMED_AWAY]
    # The door stayed open: it does not trip again until it closes and reopens.
    assert alarm.sensor_changed("front", True, T0 + 181) == []
    alarm.sensor_changed("front", False, T0 + 182)
    assert states(alarm.sensor_changed("front", True, T0 + 183)) == [AlarmState.PENDING]


def test_disarm_after_trigger() -> None:
    alarm = armed(disarm_after_trigger=True, entry_delay=0)
    assert states(alarm.sensor_changed("front", True, T0)) == [AlarmState.TRIGGERED]
    assert alarm.next_state is AlarmState.DISARMED
    assert states(alarm.advance(T0 + 60)) == [AlarmState.DISARMED]
    assert alarm.armed_mode is None


def test_entry_delay_zero_triggers_at_once() -> None:
    alarm = armed(entry_delay=0)
    assert states(alarm.sensor_changed("front", True, T0)) == [AlarmState.TRIGGERED]


def test_motion_triggers_at_once_in_away_and_vacation() -> None:
    for mode in (ArmMode.AWAY, ArmMode.VACATION):
        alarm = armed(mode, arm_modes=frozenset(ArmMode))
        events = alarm.sensor_changed("hall", True, T0 + 5)
        assert states(events) == [AlarmState.TRIGGERED]
        assert events[0].cause == "hall"


def test_motion_can_use_the_entry_delay() -> None:
    alarm = armed(motion_uses_entry_delay=True)
    assert states(alarm.sensor_changed("hall", True, T0)) == [AlarmState.PENDING]


def test_home_and_night_watch_only_the_doors() -> None:
    for mode in (ArmMode.HOME, ArmMode.NIGHT):
        alarm = armed(mode)
        assert alarm.sensor_changed("hall", True, T0 + 1) == []
        assert alarm.state is mode.armed_state
        assert states(alarm.sensor_changed("front", True, T0 + 2)) == [
            AlarmState.PENDING
        ]


def test_disarmed_and_arming_ignore_sensors() -> None:
    alarm = machine()
    assert alarm.sensor_changed("front", True, T0) == []
    alarm.sensor_changed("front", False, T0 + 1)
    alarm.arm(ArmMode.AWAY, T0 + 2)
    assert alarm.sensor_changed("hall", True, T0 + 3) == []
    assert alarm.sensor_changed("patio", True, T0 + 4) == []
    assert alarm.state is AlarmState.ARMING


def test_door_left_open_when_the_exit_delay_ends_starts_the_entry_delay() -> None:
    alarm = machine()
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 10)  # leaving, and not closing it
    events = alarm.advance(T0 + 30)
    assert states(events) == [AlarmState.ARMED_AWAY, AlarmState.PENDING]
    assert alarm.cause == "front"
    assert alarm.deadline == T0 + 50


def test_sensors_while_pending_or_triggered_are_reported_but_keep_the_clock() -> None:
    alarm = armed()
    alarm.sensor_changed("front", True, T0)
    events = alarm.sensor_changed("hall", True, T0 + 5)
    assert [e.type for e in events] == [EventType.TRIGGER]
    assert events[0].cause == "hall"
    assert alarm.state is AlarmState.PENDING
    assert alarm.deadline == T0 + 20
    alarm.advance(T0 + 20)
    events = alarm.sensor_changed("patio", True, T0 + 21)
    assert [e.type for e in events] == [EventType.TRIGGER]
    assert alarm.deadline == T0 + 80


def test_pet_immune_motion_needs_a_recent_door() -> None:
    alarm = armed(pet_immune_window=600, entry_delay=0, trigger_time=10)
    # The cat walks by: nobody came in.
    assert alarm.sensor_changed("hall", True, T0 + 5) == []
    alarm.sensor_changed("hall", False, T0 + 6)
    # Someone opens the door: the alarm triggers and later re-arms.
    alarm.sensor_changed("front", True, T0 + 100)
    alarm.advance(T0 + 110)
    assert alarm.state is AlarmState.ARMED_AWAY
    # Motion within the window after the door: an intruder, not the cat.
    assert states(alarm.sensor_changed("hall", True, T0 + 200)) == [
        AlarmState.TRIGGERED
    ]
    alarm.advance(T0 + 210)
    alarm.sensor_changed("hall", False, T0 + 211)
    # After the window has passed, motion alone is the cat again.
    assert alarm.sensor_changed("hall", True, T0 + 100 + 601) == []


def test_pet_immune_ignores_doors_opened_while_leaving() -> None:
    alarm = machine(pet_immune_window=600)
    alarm.arm(ArmMode.AWAY, T0)
    alarm.sensor_changed("front", True, T0 + 5)
    alarm.sensor_changed("front", False, T0 + 8)
    alarm.advance(T0 + 30)
    assert alarm.sensor_changed("hall", True, T0 + 60) == []


def test_arming_with_an_open_door_is_refused_and_changes_nothing() -> None:
    alarm = machine()
    alarm.set_initial("patio", True)
    alarm.set_initial("hall", True)  # motion never refuses arming
    with pytest.raises(ArmingRefusedError) as err:
        alarm.arm(ArmMode.AWAY, T0)
    assert err.value.open_doors == ("patio",)
    assert alarm.state is AlarmState.DISARMED
    assert alarm.armed_mode is None


def test_forced_arming_bypasses_the_open_door_until_it_closes() -> None:
    alarm = machine(exit_delay=0)
    alarm.set_initial("patio", True)
    assert states(alarm.arm(ArmMode.AWAY, T0, force=True)) == [AlarmState.ARMED_AWAY]
    assert alarm.bypassed == {"patio"}
    assert alarm.sensor_changed("patio", False, T0 + 1) == []
    assert alarm.bypassed == set()
    assert states(alarm.sensor_changed("patio", True, T0 + 2)) == [AlarmState.PENDING]


def test_forced_door_is_not_the_door_left_open() -> None:
    alarm = machine()
    alarm.set_initial("patio", True)
    alarm.arm(ArmMode.AWAY, T0, force=True)
    assert states(alarm.advance(T0 + 30)) == [AlarmState.ARMED_AWAY]


def test_mode_not_enabled_is_refused() -> None:
    alarm = machine()
    with pytest.raises(ArmModeNotEnabledError):
        alarm.arm(ArmMode.VACATION, T0)
    assert alarm.state is AlarmState.DISARMED


def test_arming_while_pending_or_triggered_is_refused() -> None:
    alarm = armed()
    alarm.sensor_changed("front", True, T0)
    with pytest.raises(DisarmFirstError):
        alarm.arm(ArmMode.HOME, T0 + 1)
    assert alarm.state is AlarmState.PENDING


def test_disarm_from_every_state() -> None:
    alarm = machine()
    assert alarm.disarm(T0) == []
    alarm.arm(ArmMode.AWAY, T0)
    assert states(alarm.disarm(T0 + 1, changed_by="Bob")) == [AlarmState.DISARMED]
    assert alarm.changed_by == "Bob"
    assert alarm.deadline is None
    alarm = armed()
    alarm.sensor_changed("front", True, T0)
    assert states(alarm.disarm(T0 + 1)) == [AlarmState.DISARMED]
    alarm = armed(entry_delay=0)
    alarm.sensor_changed("front", True, T0)
    assert states(alarm.disarm(T0 + 1)) == [AlarmState.DISARMED]
    assert alarm.next_state is None


def test_manual_trigger_returns_to_where_it_was() -> None:
    alarm = machine()
    assert states(alarm.trigger(T0)) == [AlarmState.TRIGGERED]
    assert alarm.trigger(T0 + 1) == []
    assert states(alarm.advance(T0 + 60)) == [AlarmState.DISARMED]
    alarm = armed(ArmMode.NIGHT)
    alarm.trigger(T0)
    assert states(alarm.advance(T0 + 60)) == [AlarmState.ARMED_NIGHT]


def test_snapshot_and_restore_resume_a_delay_with_the_time_it_had_left() -> None:
    alarm = armed()
    alarm.sensor_changed("front", True, T0)
    snapshot = alarm.snapshot(T0 + 5)  # 15 s of the entry delay left
    fresh = machine(exit_delay=0)
    # Much later, after a restart: the delay resumes, it has not run out.
    assert fresh.restore(snapshot, T0 + 3600, {"front": True}) == []
    assert fresh.state is AlarmState.PENDING
    assert fresh.deadline == T0 + 3600 + 15
    assert fresh.cause == "front"
    assert states(fresh.advance(T0 + 3615)) == [AlarmState.TRIGGERED]


def test_restore_of_a_trigger_whose_time_ran_out_returns_to_armed() -> None:
    alarm = armed(entry_delay=0)
    alarm.sensor_changed("front", True, T0)
    snapshot = alarm.snapshot(T0 + 10)
    fresh = machine(exit_delay=0, entry_delay=0)
    assert fresh.restore(snapshot, T0 + 30, {}) == []
    assert fresh.state is AlarmState.TRIGGERED
    assert fresh.deadline == T0 + 60
    fresh = machine(exit_delay=0, entry_delay=0)
    assert states(fresh.restore(snapshot, T0 + 61, {})) == [AlarmState.ARMED_AWAY]


def test_restore_never_trips_on_the_sensors_levels() -> None:
    alarm = armed()
    snapshot = alarm.snapshot(T0)
    fresh = machine()
    assert fresh.restore(snapshot, T0 + 10, {"front": True, "hall": True}) == []
    assert fresh.state is AlarmState.ARMED_AWAY
    assert fresh.open_sensors == {"front", "hall"}


def test_restore_keeps_a_bypass_only_while_the_door_is_open() -> None:
    alarm = machine(exit_delay=0)
    alarm.set_initial("patio", True)
    alarm.arm(ArmMode.AWAY, T0, force=True)
    snapshot = alarm.snapshot(T0)
    still_open = machine()
    still_open.restore(snapshot, T0, {"patio": True})
    assert still_open.bypassed == {"patio"}
    closed = machine()
    closed.restore(snapshot, T0, {"patio": False})
    assert closed.bypassed == set()


@pytest.mark.parametrize(
    "snapshot",
    [
        {"state": "exploded"},
        {"state": "pending"},
        {"state": "triggered", "delay_left": None, "deadline": None},
        {"state": "arming", "delay_left": 5, "armed_mode": None},
        {"state": "armed_away", "armed_mode": "sideways"},
        {},
        # Wrong types inside: every one is refused, none crashes.
        {"state": ["armed_away"]},
        {"state": "armed_away", "armed_mode": {"away": True}},
        {"state": "triggered", "deadline": "soon"},
        {"state": "arming", "armed_mode": "away", "delay_left": True},
        {"state": "armed_away", "bypassed": "front"},
        {"state": "armed_away", "bypassed": [1]},
        {"state": "armed_away", "cause": 5},
        {"state": "armed_away", "cause_offline": "yes"},
        {"state": "armed_away", "alarm_kind": "fire"},
        {"state": "armed_away", "auto_bypassed": "front"},
        {"state": "armed_away", "faults": [1]},
        {"state": "armed_away", "cross_zone": ["front"]},
        {
            "state": "arming",
            "armed_mode": "away",
            "delay_left": 5,
            "exit_delay_full_left": "later",
        },
        {"state": "armed_away", "levels": {1: True}},
        {"state": "armed_away", "changed_by": ["Alice"]},
        {"state": "armed_away", "last_door_open": "today"},
        {"state": "armed_away", "levels": ["front"]},
        {"state": "armed_away", "levels": {"front": "open"}},
        ["armed_away"],
        "armed_away",
    ],
)
def test_unreadable_snapshot_is_refused_and_changes_nothing(snapshot: object) -> None:
    alarm = machine()
    with pytest.raises(ValueError):  # noqa: PT011 - each has its own message
        alarm.restore(snapshot, T0, {})  # type: ignore[arg-type]
    assert alarm.state is AlarmState.DISARMED


def _armed_with_doors_shut(**overrides: object) -> dict:
    alarm = armed(**overrides)
    for sensor_id in SENSORS:
        alarm.set_initial(sensor_id, False)
    return alarm.snapshot(T0 + 1)


def test_a_door_opened_while_the_system_was_down_starts_the_entry_delay() -> None:
    snapshot = _armed_with_doors_shut()
    fresh = machine(exit_delay=0)
    events = fresh.restore(snapshot, T0 + 600, {"front": True, "patio": False})
    assert [(e.type, e.state, e.cause, e.offline) for e in events] == [
        (EventType.TRIGGER, AlarmState.ARMED_AWAY, "front", True),
        (EventType.STATE_CHANGED, AlarmState.PENDING, "front", True),
    ]
    assert fresh.deadline == T0 + 600 + 20


def test_a_door_opened_while_down_triggers_at_once_without_an_entry_delay() -> None:
    snapshot = _armed_with_doors_shut(entry_delay=0)
    fresh = machine(exit_delay=0, entry_delay=0)
    events = fresh.restore(snapshot, T0 + 600, {"front": True})
    assert states(events) == [AlarmState.TRIGGERED]
    assert events[-1].offline


def test_a_door_open_at_the_stop_and_still_open_stays_quiet() -> None:
    alarm = machine(exit_delay=0)
    alarm.set_initial("patio", True)
    alarm.arm(ArmMode.AWAY, T0, force=True)
    alarm.set_initial("front", False)
    fresh = machine()
    assert fresh.restore(alarm.snapshot(T0), T0 + 60, {"patio": True}) == []
    assert fresh.state is AlarmState.ARMED_AWAY


def test_motion_seen_at_start_up_never_trips() -> None:
    snapshot = _armed_with_doors_shut()
    fresh = machine()
    assert fresh.restore(snapshot, T0 + 60, {"hall": True, "front": False}) == []
    assert fresh.sensor_seen("hall", True, T0 + 61) == []


def test_disarmed_at_the_stop_a_door_opened_meanwhile_is_only_recorded() -> None:
    alarm = machine()
    alarm.set_initial("front", False)
    fresh = machine()
    assert fresh.restore(alarm.snapshot(T0), T0 + 60, {"front": True}) == []
    assert fresh.open_sensors == {"front"}


def test_a_sensor_heard_from_late_is_compared_with_its_level_at_the_stop() -> None:
    """An entity sensor (Zigbee, say) that comes back after the start."""
    snapshot = _armed_with_doors_shut()
    fresh = machine()
    assert fresh.restore(snapshot, T0 + 60, {}) == []
    assert fresh.snapshot(T0 + 60)["levels"]["front"] is False  # still known
    assert fresh.sensor_seen("patio", False, T0 + 70) == []
    events = fresh.sensor_seen("front", True, T0 + 80)
    assert states(events) == [AlarmState.PENDING]
    assert events[-1].offline
    # Only its first level counts that way.
    fresh.sensor_changed("front", False, T0 + 81)
    assert fresh.sensor_seen("front", True, T0 + 82) == []


def test_disarming_closes_the_pet_immune_window() -> None:
    alarm = armed(pet_immune_window=600, entry_delay=20)
    alarm.sensor_changed("front", True, T0 + 10)  # the owner comes home
    alarm.disarm(T0 + 15)
    alarm.sensor_changed("front", False, T0 + 20)
    alarm.arm(ArmMode.AWAY, T0 + 60)  # and leaves again a minute later
    assert alarm.state is AlarmState.ARMED_AWAY
    # The cat: the door of a minute ago does not count any more.
    assert alarm.sensor_changed("hall", True, T0 + 70) == []
    assert alarm.state is AlarmState.ARMED_AWAY
