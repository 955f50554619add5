"""An area's alarm state as stored: read with suspicion, every value checked.

Pure Python. :func:`parse` turns a snapshot (JSON-friendly data written by
:meth:`.alarm.AlarmMachine.snapshot`) into a :class:`ParsedSnapshot`, or
raises ``ValueError`` naming what is wrong; nothing is guessed. Keys added
after the first version are optional, so a snapshot written by an older
version (one area, doors and motion sensors) reads without loss.

The keys (all but ``state`` optional)::

    state, previous_state, return_state   AlarmState strings
    armed_mode                            ArmMode string or null
    cause, changed_by                     text or null
    cause_offline                         bool
    delay_left      seconds left of an exit or entry delay (arming, pending)
    deadline        epoch seconds the trigger time ends (triggered)
    bypassed        [sensor id]: forced past at arming, until they close
    last_door_open  epoch seconds or null (the pet-immune window)
    levels          {sensor id: bool}: what each sensor read at the stop
    -- since areas:
    area            the area's id, or null
    alarm_kind      AlarmKind string or null (why pending/triggered)
    auto_bypassed   [sensor id]: bypassed by their mode until disarmed
    faults          [sensor id]: unavailable and reported as faulty
    cross_zone      {group id: {sensor id: epoch seconds}}: held trips
    exit_delay_full_left   seconds of the full exit delay, when closing an
                           arm-after-closing door shortened it
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .modes import AlarmState, ArmMode
from .sensors import AlarmKind

if TYPE_CHECKING:
    from .alarm import AlarmMachine


@dataclass(frozen=True, slots=True)
class ParsedSnapshot:
    """A snapshot whose every value has the right type."""

    state: AlarmState
    previous_state: AlarmState
    armed_mode: ArmMode | None
    return_state: AlarmState
    deadline: float | None
    cause: str | None
    cause_offline: bool
    changed_by: str | None
    last_door_open: float | None
    bypassed: tuple[str, ...]
    levels: Mapping[str, bool]
    alarm_kind: AlarmKind | None
    auto_bypassed: tuple[str, ...]
    faults: tuple[str, ...]
    cross_zone: Mapping[str, Any]
    exit_deadline: float | None


def write(machine: AlarmMachine, now: float) -> dict[str, Any]:
    """A machine's snapshot, as JSON-friendly data."""
    delay = machine.state in (AlarmState.ARMING, AlarmState.PENDING)
    exit_deadline = machine.exit_deadline
    return {
        "area": machine.area,
        "state": machine.state.value,
        "previous_state": machine.previous_state.value,
        "armed_mode": machine.armed_mode.value if machine.armed_mode else None,
        "return_state": machine.return_state.value,
        "cause": machine.cause,
        "cause_offline": machine.cause_offline,
        "changed_by": machine.changed_by,
        "alarm_kind": machine.alarm_kind.value if machine.alarm_kind else None,
        # Delays resume with the time they had left; the trigger time is
        # measured on the wall clock.
        "delay_left": machine.seconds_left(now) if delay else None,
        "exit_delay_full_left": max(0.0, exit_deadline - now)
        if delay and exit_deadline is not None
        else None,
        "deadline": machine.deadline,
        "bypassed": sorted(machine.bypassed),
        "auto_bypassed": sorted(machine.auto_bypassed),
        "faults": sorted(machine.faults),
        "cross_zone": machine.cross_zone.snapshot(),
        "last_door_open": machine.last_door_open,
        # What each sensor read when we stopped: one found open at the next
        # start that was shut then opened while nobody watched.
        "levels": {**machine.levels_at_stop, **machine.levels},
    }


def load(
    machine: AlarmMachine, data: Any, now: float, levels: Mapping[str, bool]
) -> None:
    """Put a snapshot into ``machine``, with the sensors' ``levels`` now.

    ``ValueError`` (the machine untouched) when the snapshot is unreadable.
    Bypasses hold only for sensors still open; what belongs to sensors the
    machine no longer has is dropped.
    """
    parsed = parse(data, now)
    # Checked in full before it changes anything: the first to change.
    machine.cross_zone.restore(parsed.cross_zone)
    known = set(machine.sensors)
    machine.state, machine.previous_state = parsed.state, parsed.previous_state
    machine.armed_mode, machine.return_state = parsed.armed_mode, parsed.return_state
    machine.deadline, machine.exit_deadline = parsed.deadline, parsed.exit_deadline
    machine.cause, machine.changed_by = parsed.cause, parsed.changed_by
    machine.cause_offline, machine.alarm_kind = parsed.cause_offline, parsed.alarm_kind
    machine.last_door_open = parsed.last_door_open
    machine.open_sensors = {sid for sid, level in levels.items() if level}
    machine.levels = dict(levels)
    machine.bypassed = set(parsed.bypassed) & machine.open_sensors
    machine.auto_bypassed = set(parsed.auto_bypassed) & known
    machine.faults = set(parsed.faults) & known
    machine.levels_at_stop = {
        sid: level for sid, level in parsed.levels.items() if sid in known
    }


def parse(data: Any, now: float) -> ParsedSnapshot:
    """Check a snapshot; delays resume at ``now`` with the time they had left."""
    if not isinstance(data, Mapping):
        raise ValueError("the alarm state is not a mapping")
    try:
        state = AlarmState(data["state"])
        previous = AlarmState(data.get("previous_state", AlarmState.DISARMED))
        mode = ArmMode(data["armed_mode"]) if data.get("armed_mode") else None
        return_state = AlarmState(data.get("return_state", AlarmState.DISARMED))
        kind = AlarmKind(data["alarm_kind"]) if data.get("alarm_kind") else None
    except (KeyError, TypeError) as err:
        raise ValueError(f"unreadable state: {err}") from err
    deadline = _optional_float(data.get("deadline"))
    delay_left = _optional_float(data.get("delay_left"))
    full_left = _optional_float(data.get("exit_delay_full_left"))
    exit_deadline = None
    if state in (AlarmState.ARMING, AlarmState.PENDING):
        if delay_left is None:
            raise ValueError(f"{state} without the time it had left")
        deadline = now + delay_left
        if state is AlarmState.ARMING and full_left is not None:
            exit_deadline = now + full_left
    elif state is AlarmState.TRIGGERED:
        if deadline is None:
            raise ValueError("triggered without a deadline")
    else:
        deadline = None
    if state is AlarmState.ARMING and mode is None:
        raise ValueError("arming without a mode")
    cross_zone = data.get("cross_zone", {})
    if not isinstance(cross_zone, Mapping):
        raise ValueError("cross_zone is not a mapping")
    return ParsedSnapshot(
        state=state,
        previous_state=previous,
        armed_mode=mode,
        return_state=return_state,
        deadline=deadline,
        cause=_optional_str(data.get("cause"), "cause"),
        cause_offline=_bool(data.get("cause_offline", False), "cause_offline"),
        changed_by=_optional_str(data.get("changed_by"), "changed_by"),
        last_door_open=_optional_float(data.get("last_door_open")),
        bypassed=_sensor_list(data.get("bypassed", []), "bypassed"),
        levels=_sensor_levels(data.get("levels", {})),
        alarm_kind=kind,
        auto_bypassed=_sensor_list(data.get("auto_bypassed", []), "auto_bypassed"),
        faults=_sensor_list(data.get("faults", []), "faults"),
        cross_zone=cross_zone,
        exit_deadline=exit_deadline,
    )


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"not a number: {value!r}")
    return float(value)


def _bool(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} is not true or false")
    return value


def _sensor_list(value: Any, name: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValueError(f"{name} is not a list of sensors")
    return tuple(value)


def _sensor_levels(value: Any) -> Mapping[str, bool]:
    if not isinstance(value, Mapping) or not all(
        isinstance(sensor, str) and isinstance(level, bool)
        for sensor, level in value.items()
    ):
        raise ValueError("levels is not a mapping of sensors to levels")
    return value


def _optional_str(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value
