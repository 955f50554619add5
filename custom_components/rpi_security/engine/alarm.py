"""The alarm state machine.

Pure Python: no Home Assistant, no I/O. Every method that depends on time takes
``now`` (seconds since the epoch, UTC) so that delays survive restarts and tests
can move time freely. Methods return the events that happened; the caller turns
them into entity states, bus events and timers.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class AlarmState(StrEnum):
    """The states of the panel (the same strings as Home Assistant's)."""

    DISARMED = "disarmed"
    ARMING = "arming"
    ARMED_AWAY = "armed_away"
    ARMED_HOME = "armed_home"
    ARMED_NIGHT = "armed_night"
    ARMED_VACATION = "armed_vacation"
    PENDING = "pending"
    TRIGGERED = "triggered"


class ArmMode(StrEnum):
    """The ways the system can be armed."""

    AWAY = "away"
    HOME = "home"
    NIGHT = "night"
    VACATION = "vacation"

    @property
    def armed_state(self) -> AlarmState:
        """The state the panel shows once armed in this mode."""
        return AlarmState(f"armed_{self.value}")

    @property
    def watches_interior(self) -> bool:
        """Whether motion sensors count in this mode (nobody is meant to be in)."""
        return self in (ArmMode.AWAY, ArmMode.VACATION)


ARMED_STATES = frozenset(mode.armed_state for mode in ArmMode)


class SensorKind(StrEnum):
    """What a sensor guards: the perimeter (doors) or the interior (motion)."""

    DOOR = "door"
    MOTION = "motion"


class EventType(StrEnum):
    """What an :class:`AlarmEvent` reports."""

    STATE_CHANGED = "state_changed"
    # A sensor tripped the alarm (also while it was already pending or triggered).
    TRIGGER = "trigger"


@dataclass(frozen=True, slots=True)
class AlarmSettings:
    """How the system behaves; delays in seconds."""

    exit_delay: float = 30.0
    entry_delay: float = 30.0
    trigger_time: float = 180.0
    disarm_after_trigger: bool = False
    motion_uses_entry_delay: bool = False
    # Door-then-motion rule: motion trips the alarm only within this many seconds
    # after a door opened while armed. 0 turns the rule off.
    pet_immune_window: float = 0.0
    arm_modes: frozenset[ArmMode] = frozenset(
        (ArmMode.AWAY, ArmMode.HOME, ArmMode.NIGHT)
    )


@dataclass(frozen=True, slots=True)
class AlarmEvent:
    """Something the outside world should hear about."""

    type: EventType
    state: AlarmState
    previous_state: AlarmState
    cause: str | None = None
    changed_by: str | None = None
    # The cause changed while the system was not running (found at start-up).
    offline: bool = False


class AlarmError(Exception):
    """A request the state machine refuses; nothing was changed."""


class ArmingRefusedError(AlarmError):
    """Arming was asked for while doors are open."""

    def __init__(self, open_doors: tuple[str, ...]) -> None:
        """Keep the ids of the doors that stand open."""
        super().__init__(f"doors open: {', '.join(open_doors)}")
        self.open_doors = open_doors


class ArmModeNotEnabledError(AlarmError):
    """Arming in a mode that the options do not enable."""

    def __init__(self, mode: ArmMode) -> None:
        """Keep the mode that was asked for."""
        super().__init__(f"arm mode {mode} is not enabled")
        self.mode = mode


class DisarmFirstError(AlarmError):
    """Arming was asked for while the alarm is pending or triggered."""


@dataclass(slots=True)
class AlarmMachine:
    """The panel's state, its delays and the rules for what trips it."""

    settings: AlarmSettings
    sensors: dict[str, SensorKind]
    state: AlarmState = AlarmState.DISARMED
    previous_state: AlarmState = AlarmState.DISARMED
    # The mode armed or being armed; kept through pending and triggered.
    armed_mode: ArmMode | None = None
    # When the current delay (arming, pending, triggered) ends.
    deadline: float | None = None
    cause: str | None = None
    # The cause changed while the system was not running.
    cause_offline: bool = False
    changed_by: str | None = None
    # Where a triggered alarm returns to when its trigger time ends.
    return_state: AlarmState = AlarmState.DISARMED
    open_sensors: set[str] = field(default_factory=set)
    # Sensors that were open when arming was forced; they rejoin once closed.
    bypassed: set[str] = field(default_factory=set)
    last_door_open: float | None = None
    # Every sensor's last known level (open or not), kept in the snapshot.
    levels: dict[str, bool] = field(default_factory=dict)
    # What sensors not heard from since the restart read when the system
    # stopped: their first level is compared with it.
    levels_at_stop: dict[str, bool] = field(default_factory=dict)

    # -- queries -------------------------------------------------------------

    @property
    def next_state(self) -> AlarmState | None:
        """The state the current delay leads to, if any."""
        if self.state is AlarmState.ARMING and self.armed_mode is not None:
            return self.armed_mode.armed_state
        if self.state is AlarmState.PENDING:
            return AlarmState.TRIGGERED
        if self.state is AlarmState.TRIGGERED:
            return self._after_trigger()
        return None

    def seconds_left(self, now: float) -> float | None:
        """Seconds until the current delay ends, if one is running."""
        if self.deadline is None:
            return None
        return max(0.0, self.deadline - now)

    def open_doors(self) -> tuple[str, ...]:
        """The doors that stand open, in a stable order."""
        return tuple(
            sorted(
                sensor_id
                for sensor_id in self.open_sensors
                if self.sensors.get(sensor_id) is SensorKind.DOOR
            )
        )

    # -- commands ------------------------------------------------------------

    def set_initial(self, sensor_id: str, is_open: bool) -> None:
        """Record a sensor's level without applying any rule (start-up, restore)."""
        self.levels[sensor_id] = is_open
        if is_open:
            self.open_sensors.add(sensor_id)
        else:
            self.open_sensors.discard(sensor_id)
            self.bypassed.discard(sensor_id)

    def add_sensor(self, sensor_id: str, kind: SensorKind) -> None:
        """A sensor added while running; its first level is recorded as it is."""
        self.sensors[sensor_id] = kind

    def remove_sensor(self, sensor_id: str) -> None:
        """A sensor removed: it no longer counts, open or bypassed."""
        self.sensors.pop(sensor_id, None)
        self.set_initial(sensor_id, False)
        self.levels.pop(sensor_id, None)
        self.levels_at_stop.pop(sensor_id, None)

    def sensor_rewired(self, sensor_id: str) -> None:
        """A sensor's input is replaced (its settings changed).

        Its first level from the new input is compared with its last one: a
        door that opened meanwhile is an opening, as after a restart.
        """
        if sensor_id in self.levels:
            self.levels_at_stop[sensor_id] = self.levels.pop(sensor_id)

    def arm(
        self,
        mode: ArmMode,
        now: float,
        *,
        force: bool = False,
        changed_by: str | None = None,
    ) -> list[AlarmEvent]:
        """Start arming in ``mode``; open doors refuse it unless ``force``."""
        if mode not in self.settings.arm_modes:
            raise ArmModeNotEnabledError(mode)
        if self.state in (AlarmState.PENDING, AlarmState.TRIGGERED):
            raise DisarmFirstError(self.state)
        if self.armed_mode is mode and self.state in (
            AlarmState.ARMING,
            mode.armed_state,
        ):
            return []  # already armed, or arming, this way
        open_doors = self.open_doors()
        if open_doors and not force:
            raise ArmingRefusedError(open_doors)
        self.bypassed = set(open_doors)
        self.armed_mode = mode
        self.return_state = mode.armed_state
        if self.settings.exit_delay > 0:
            return [
                self._move(
                    AlarmState.ARMING,
                    now + self.settings.exit_delay,
                    cause=None,
                    changed_by=changed_by,
                )
            ]
        return [self._move(mode.armed_state, None, cause=None, changed_by=changed_by)]

    def disarm(self, now: float, *, changed_by: str | None = None) -> list[AlarmEvent]:
        """Disarm from any state."""
        del now  # disarming does not depend on time; kept for a uniform API
        # A door opened before disarming opens no pet-immune window later.
        self.last_door_open = None
        if self.state is AlarmState.DISARMED:
            return []
        self.armed_mode = None
        self.bypassed.clear()
        self.return_state = AlarmState.DISARMED
        return [
            self._move(AlarmState.DISARMED, None, cause=None, changed_by=changed_by)
        ]

    def trigger(self, now: float, *, changed_by: str | None = None) -> list[AlarmEvent]:
        """Trigger at once (a panic button or an automation)."""
        if self.state is AlarmState.TRIGGERED:
            return []
        if self.state not in ARMED_STATES and self.state is not AlarmState.PENDING:
            self.return_state = AlarmState.DISARMED
            self.armed_mode = None
        return [
            self._move(
                AlarmState.TRIGGERED,
                now + self.settings.trigger_time,
                cause=None,
                changed_by=changed_by,
            )
        ]

    def sensor_changed(
        self, sensor_id: str, is_open: bool, now: float
    ) -> list[AlarmEvent]:
        """Apply the trigger rules to a sensor that opened or closed."""
        was_open = sensor_id in self.open_sensors
        self.set_initial(sensor_id, is_open)
        if not is_open or was_open:
            return []
        return self._opened(sensor_id, now, offline=False)

    def sensor_seen(
        self, sensor_id: str, is_open: bool, now: float
    ) -> list[AlarmEvent]:
        """A sensor's first level since the system started.

        A door that was shut when the system stopped and is open now opened
        while nobody watched: that is an opening like any other. Anything
        else (motion, a door open then and now) only records the level.
        """
        at_stop = self.levels_at_stop.pop(sensor_id, None)
        self.set_initial(sensor_id, is_open)
        if (
            is_open
            and at_stop is False
            and self.sensors.get(sensor_id) is SensorKind.DOOR
        ):
            return self._opened(sensor_id, now, offline=True)
        return []

    def _opened(self, sensor_id: str, now: float, *, offline: bool) -> list[AlarmEvent]:
        kind = self.sensors.get(sensor_id)
        if kind is None:
            return []
        guarding = self.state in ARMED_STATES or self.state in (
            AlarmState.PENDING,
            AlarmState.TRIGGERED,
        )
        if not guarding or sensor_id in self.bypassed:
            return []
        if kind is SensorKind.DOOR:
            self.last_door_open = now
        if not self._trips(kind, now):
            return []
        trip = AlarmEvent(
            EventType.TRIGGER,
            self.state,
            self.state,
            cause=sensor_id,
            changed_by=self.changed_by,
            offline=offline,
        )
        if self.state not in ARMED_STATES:
            # Already pending or triggered: report the sensor, keep the clock.
            return [trip]
        return [trip, self._trip(sensor_id, kind, now, offline=offline)]

    def advance(self, now: float) -> list[AlarmEvent]:
        """Carry out every delay that has ended by ``now``."""
        events: list[AlarmEvent] = []
        while self.deadline is not None and now >= self.deadline:
            at = self.deadline
            if self.state is AlarmState.ARMING and self.armed_mode is not None:
                events.append(
                    self._move(
                        self.armed_mode.armed_state,
                        None,
                        cause=None,
                        changed_by=self.changed_by,
                    )
                )
                events.extend(self._doors_left_open(at))
            elif self.state is AlarmState.PENDING:
                events.append(
                    self._move(
                        AlarmState.TRIGGERED,
                        at + self.settings.trigger_time,
                        cause=self.cause,
                        changed_by=self.changed_by,
                        offline=self.cause_offline,
                    )
                )
            else:  # TRIGGERED: the trigger time is over
                events.append(self._end_trigger())
        return events

    # -- persistence ---------------------------------------------------------

    def snapshot(self, now: float) -> dict[str, Any]:
        """What must survive a restart, as JSON-friendly data."""
        return {
            "state": self.state.value,
            "previous_state": self.previous_state.value,
            "armed_mode": self.armed_mode.value if self.armed_mode else None,
            "return_state": self.return_state.value,
            "cause": self.cause,
            "cause_offline": self.cause_offline,
            "changed_by": self.changed_by,
            # Delays resume with the time they had left; the trigger time is
            # measured on the wall clock.
            "delay_left": self.seconds_left(now)
            if self.state in (AlarmState.ARMING, AlarmState.PENDING)
            else None,
            "deadline": self.deadline,
            "bypassed": sorted(self.bypassed),
            "last_door_open": self.last_door_open,
            # What each sensor read when we stopped: a door found open at the
            # next start that was shut then opened while nobody watched.
            "levels": {**self.levels_at_stop, **self.levels},
        }

    def restore(
        self,
        data: Mapping[str, Any],
        now: float,
        sensor_levels: Mapping[str, bool],
    ) -> list[AlarmEvent]:
        """Resume from a snapshot, given the sensors' levels now.

        Raises ``ValueError`` when the snapshot cannot be read (a value of
        the wrong type included); the machine is then left untouched. A door
        that was shut at the snapshot and is open now trips the alarm as if
        it had just opened; every other level is taken as it is (motion seen
        at start-up never trips the alarm).
        """
        if not isinstance(data, Mapping):
            raise ValueError("the alarm state is not a mapping")
        try:
            state = AlarmState(data["state"])
            previous = AlarmState(data.get("previous_state", AlarmState.DISARMED))
            mode = ArmMode(data["armed_mode"]) if data.get("armed_mode") else None
            return_state = AlarmState(data.get("return_state", AlarmState.DISARMED))
        except (KeyError, TypeError) as err:
            raise ValueError(f"unreadable state: {err}") from err
        deadline = _optional_float(data.get("deadline"))
        delay_left = _optional_float(data.get("delay_left"))
        if state in (AlarmState.ARMING, AlarmState.PENDING):
            if delay_left is None:
                raise ValueError(f"{state} without the time it had left")
            deadline = now + delay_left
        elif state is AlarmState.TRIGGERED:
            if deadline is None:
                raise ValueError("triggered without a deadline")
        else:
            deadline = None
        if state is AlarmState.ARMING and mode is None:
            raise ValueError("arming without a mode")
        cause = _optional_str(data.get("cause"), "cause")
        cause_offline = _bool(data.get("cause_offline", False), "cause_offline")
        changed_by = _optional_str(data.get("changed_by"), "changed_by")
        last_door_open = _optional_float(data.get("last_door_open"))
        bypassed = _sensor_list(data.get("bypassed", []))
        at_stop = _sensor_levels(data.get("levels", {}))

        self.state, self.previous_state = state, previous
        self.armed_mode, self.return_state, self.deadline = mode, return_state, deadline
        self.cause, self.changed_by = cause, changed_by
        self.cause_offline = cause_offline
        self.last_door_open = last_door_open
        self.open_sensors = {sid for sid, level in sensor_levels.items() if level}
        self.levels = dict(sensor_levels)
        self.bypassed = set(bypassed) & self.open_sensors
        self.levels_at_stop = {
            sid: level for sid, level in at_stop.items() if sid in self.sensors
        }
        events = self.advance(now)
        for sensor_id in sorted(sensor_levels):
            if sensor_id in self.levels_at_stop:
                events += self.sensor_seen(sensor_id, sensor_levels[sensor_id], now)
        return events

    # -- internals -----------------------------------------------------------

    def _trips(self, kind: SensorKind, now: float) -> bool:
        """Whether a sensor of ``kind`` opening now trips the armed alarm."""
        if kind is SensorKind.DOOR:
            return True
        if self.armed_mode is None or not self.armed_mode.watches_interior:
            return False
        window = self.settings.pet_immune_window
        if window <= 0:
            return True
        return self.last_door_open is not None and now - self.last_door_open <= window

    def _trip(
        self, sensor_id: str, kind: SensorKind, now: float, *, offline: bool = False
    ) -> AlarmEvent:
        """Leave an armed state because ``sensor_id`` tripped."""
        delayed = kind is SensorKind.DOOR or self.settings.motion_uses_entry_delay
        if delayed and self.settings.entry_delay > 0:
            return self._move(
                AlarmState.PENDING,
                now + self.settings.entry_delay,
                cause=sensor_id,
                changed_by=self.changed_by,
                offline=offline,
            )
        return self._move(
            AlarmState.TRIGGERED,
            now + self.settings.trigger_time,
            cause=sensor_id,
            changed_by=self.changed_by,
            offline=offline,
        )

    def _doors_left_open(self, now: float) -> list[AlarmEvent]:
        """At the end of the exit delay a door still open starts the entry delay."""
        for sensor_id in self.open_doors():
            if sensor_id not in self.bypassed:
                self.last_door_open = now
                trip = AlarmEvent(
                    EventType.TRIGGER,
                    self.state,
                    self.state,
                    cause=sensor_id,
                    changed_by=self.changed_by,
                )
                return [trip, self._trip(sensor_id, SensorKind.DOOR, now)]
        return []

    def _after_trigger(self) -> AlarmState:
        if self.settings.disarm_after_trigger:
            return AlarmState.DISARMED
        return self.return_state

    def _end_trigger(self) -> AlarmEvent:
        target = self._after_trigger()
        if target is AlarmState.DISARMED:
            self.armed_mode = None
            self.bypassed.clear()
        # Whatever is still open stays quiet until it closes and opens again.
        return self._move(target, None, cause=self.cause, changed_by=self.changed_by)

    def _move(
        self,
        state: AlarmState,
        deadline: float | None,
        *,
        cause: str | None,
        changed_by: str | None,
        offline: bool = False,
    ) -> AlarmEvent:
        previous = self.state
        self.previous_state = previous
        self.state = state
        self.deadline = deadline
        self.cause = cause
        self.cause_offline = offline
        self.changed_by = changed_by
        return AlarmEvent(
            EventType.STATE_CHANGED,
            state,
            previous,
            cause=cause,
            changed_by=changed_by,
            offline=offline,
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


def _sensor_list(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ValueError("bypassed is not a list of sensors")
    return value


def _sensor_levels(value: Any) -> Mapping[str, bool]:
    if not isinstance(value, Mapping) or not all(
        isinstance(level, bool) for level in value.values()
    ):
        raise ValueError("levels is not a mapping of sensors to levels")
    return value


def _optional_str(value: Any, name: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{name} is not text")
    return value
