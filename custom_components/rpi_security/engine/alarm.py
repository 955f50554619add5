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
    changed_by: str | None = None
    # Where a triggered alarm returns to when its trigger time ends.
    return_state: AlarmState = AlarmState.DISARMED
    open_sensors: set[str] = field(default_factory=set)
    # Sensors that were open when arming was forced; they rejoin once closed.
    bypassed: set[str] = field(default_factory=set)
    last_door_open: float | None = None

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
        if is_open:
            self.open_sensors.add(sensor_id)
        else:
            self.open_sensors.discard(sensor_id)
            self.bypassed.discard(sensor_id)

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
        kind = self.sensors.get(sensor_id)
        if not is_open or was_open or kind is None:
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
        )
        if self.state not in ARMED_STATES:
            # Already pending or triggered: report the sensor, keep the clock.
            return [trip]
        return [trip, self._trip(sensor_id, kind, now)]

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
            "changed_by": self.changed_by,
            # Delays resume with the time they had left; the trigger time is
            # measured on the wall clock.
            "delay_left": self.seconds_left(now)
            if self.state in (AlarmState.ARMING, AlarmState.PENDING)
            else None,
            "deadline": self.deadline,
            "bypassed": sorted(self.bypassed),
            "last_door_open": self.last_door_open,
        }

    def restore(
        self,
        data: Mapping[str, Any],
        now: float,
        sensor_levels: Mapping[str, bool],
    ) -> list[AlarmEvent]:
        """Resume from a snapshot, taking the sensors' current levels as given.

        The levels are recorded without applying any rule: what the sensors
        read at start-up never trips the alarm. Raises ``ValueError`` when the
        snapshot cannot be read; the machine is then left untouched.
        """
        state = AlarmState(data["state"])
        previous = AlarmState(data.get("previous_state", AlarmState.DISARMED))
        mode = ArmMode(data["armed_mode"]) if data.get("armed_mode") else None
        return_state = AlarmState(data.get("return_state", AlarmState.DISARMED))
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

        self.state, self.previous_state = state, previous
        self.armed_mode, self.return_state, self.deadline = mode, return_state, deadline
        self.cause = data.get("cause")
        self.changed_by = data.get("changed_by")
        self.last_door_open = _optional_float(data.get("last_door_open"))
        self.open_sensors = {sid for sid, level in sensor_levels.items() if level}
        self.bypassed = set(data.get("bypassed", ())) & self.open_sensors
        return self.advance(now)

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

    def _trip(self, sensor_id: str, kind: SensorKind, now: float) -> AlarmEvent:
        """Leave an armed state because ``sensor_id`` tripped."""
        delayed = kind is SensorKind.DOOR or self.settings.motion_uses_entry_delay
        if delayed and self.settings.entry_delay > 0:
            return self._move(
                AlarmState.PENDING,
                now + self.settings.entry_delay,
                cause=sensor_id,
                changed_by=self.changed_by,
            )
        return self._move(
            AlarmState.TRIGGERED,
            now + self.settings.trigger_time,
            cause=sensor_id,
            changed_by=self.changed_by,
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
    ) -> AlarmEvent:
        previous = self.state
        self.previous_state = previous
        self.state = state
        self.deadline = deadline
        self.cause = cause
        self.changed_by = changed_by
        return AlarmEvent(
            EventType.STATE_CHANGED,
            state,
            previous,
            cause=cause,
            changed_by=changed_by,
        )


def _optional_float(value: Any) -> float | None:
    if value is None:
        return None
    return float(value)
