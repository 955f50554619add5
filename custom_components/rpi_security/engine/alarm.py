"""The alarm state machine of one area.

Pure Python: no Home Assistant, no I/O. Every method that depends on time takes
``now`` (seconds since the epoch, UTC) so that delays survive restarts and tests
can move time freely. Methods return the events that happened; the caller turns
them into entity states, bus events and timers. How the glue uses the
engine: :mod:`custom_components.rpi_security.engine`.

The rules in short (sensor types and options: :mod:`.sensors`; what each
mode watches and what may be open to arm: :mod:`.watching`):

* arming refuses the watched sensors in the way unless told to bypass them
  (:meth:`AlarmMachine.check_arm`); an unavailable sensor is reported as a
  fault and refuses nothing, unless it triggers when unavailable;
* during the exit delay, sensors that use it are ignored and any other
  watched sensor trips as if armed; when it ends, a watched sensor still
  open trips unless it may be open at arming;
* armed, a watched sensor opening starts the entry delay (if it uses it) or
  triggers at once; motion counts only within the pet-immune window after a
  door or window opened, when that window is set; a sensor of a cross-zone
  group waits for a second one (:mod:`.cross_zone`); pending or triggered,
  they are reported and keep the clock (as a panel's interior zones do);
* tamper and environmental sensors trigger at once in every state;
* after the trigger time the area returns to where it was, or disarms with
  ``disarm_after_trigger``.
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .alarm_snapshot import load, write
from .cross_zone import CrossZone
from .events import (
    REPORT_OF_ALARM,
    AlarmEvent,
    ArmingRefusedError,
    ArmModeNotEnabledError,
    DisarmFirstError,
    EventType,
    SkipDelayRefusedError,
)
from .modes import (
    ARMED_STATES,
    GUARDING_STATES,
    AlarmSettings,
    AlarmState,
    ArmMode,
    Delays,
)
from .sensors import AlarmKind, SensorKind, SensorOptions, SensorType
from .watching import SensorProfile, SensorRules

__all__ = [
    "ARMED_STATES",
    "AlarmEvent",
    "AlarmMachine",
    "AlarmSettings",
    "AlarmState",
    "ArmMode",
    "ArmModeNotEnabledError",
    "ArmingRefusedError",
    "DisarmFirstError",
    "EventType",
    "SensorKind",
]


@dataclass(slots=True)
class AlarmMachine:
    """An area's state, its delays and the rules for what trips it."""

    settings: AlarmSettings
    # Read-only once given: assign new mappings (or settings) to change them.
    sensors: Mapping[str, SensorType]
    # Options by sensor; a sensor not here has its type's defaults.
    options: Mapping[str, SensorOptions] = field(default_factory=dict)
    area: str | None = None
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
    # Why the area is pending or triggered.
    alarm_kind: AlarmKind | None = None
    # Where a triggered alarm returns to when its trigger time ends.
    return_state: AlarmState = AlarmState.DISARMED
    open_sensors: set[str] = field(default_factory=set)
    # Forced past at arming; each rejoins once it closes (so all are open,
    # and none of them can open: they need no check when one does).
    bypassed: set[str] = field(default_factory=set)
    # Open at arming in a mode that bypasses them; until disarmed.
    auto_bypassed: set[str] = field(default_factory=set)
    unavailable: set[str] = field(default_factory=set)
    # Unavailable sensors reported as faults, until they report again.
    faults: set[str] = field(default_factory=set)
    last_door_open: float | None = None
    # The full exit delay's end, while a door armed after closing shortens it.
    exit_deadline: float | None = None
    # Every sensor's last known level (open or not), kept in the snapshot.
    levels: dict[str, bool] = field(default_factory=dict)
    # At the stop, of sensors not heard from since: their next level is compared.
    levels_at_stop: dict[str, bool] = field(default_factory=dict)
    _cross_zone: CrossZone | None = field(default=None, init=False, repr=False)
    _rules: SensorRules | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        """Keep read-only copies: a change in place would not reach the rules."""
        self.sensors = MappingProxyType(dict(self.sensors))
        self.options = MappingProxyType(dict(self.options))

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

    def sensor_options(self, sensor_id: str) -> SensorOptions:
        """A sensor's options (its type's defaults unless set)."""
        return self.rules.options_of(sensor_id)

    def watches(self, sensor_id: str, mode: ArmMode | None = None) -> bool:
        """Whether a sensor counts when armed in ``mode`` (default: the mode armed)."""
        return self.rules.watches(sensor_id, mode or self.armed_mode)

    def blocking(self, mode: ArmMode) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The open and the unavailable sensors that refuse arming in ``mode``."""
        return self.rules.blocking(mode, self.open_sensors, self.unavailable)

    @property
    def rules(self) -> SensorRules:
        """The sensors as the modes see them, rebuilt when the settings change."""
        rules = self._rules
        if rules is None or not rules.reads(self.settings, self.sensors, self.options):
            rules = self._rules = SensorRules(self.settings, self.sensors, self.options)
        return rules

    @property
    def cross_zone(self) -> CrossZone:
        """The trips cross-zone groups hold, reset when the settings change."""
        groups = self._cross_zone
        if groups is None or groups.groups is not self.settings.cross_zone_groups:
            groups = self._cross_zone = CrossZone(self.settings.cross_zone_groups)
        return groups

    # -- commands ------------------------------------------------------------

    def set_initial(self, sensor_id: str, is_open: bool) -> None:
        """Record a sensor's level without applying any rule (start-up, restore)."""
        self.levels[sensor_id] = is_open
        if is_open:
            self.open_sensors.add(sensor_id)
        else:
            self.open_sensors.discard(sensor_id)
            self.bypassed.discard(sensor_id)

    def add_sensor(
        self, sensor_id: str, kind: SensorType, options: SensorOptions | None = None
    ) -> None:
        """A sensor added while running; its first level is recorded as it is."""
        self.sensors = MappingProxyType({**self.sensors, sensor_id: kind})
        if options is not None:
            self.options = MappingProxyType({**self.options, sensor_id: options})

    def remove_sensor(self, sensor_id: str) -> None:
        """A sensor removed: it no longer counts, open, bypassed or faulty."""
        self.sensors = MappingProxyType(
            {key: kind for key, kind in self.sensors.items() if key != sensor_id}
        )
        self.options = MappingProxyType(
            {key: value for key, value in self.options.items() if key != sensor_id}
        )
        self.set_initial(sensor_id, False)
        self.levels.pop(sensor_id, None)
        self.levels_at_stop.pop(sensor_id, None)
        self.auto_bypassed.discard(sensor_id)
        self.unavailable.discard(sensor_id)
        self.faults.discard(sensor_id)

    def sensor_rewired(self, sensor_id: str) -> None:
        """A sensor's input is replaced (its settings changed).

        Its first level from the new input is compared with its last one: a
        door that opened meanwhile is an opening, as after a restart.
        """
        if sensor_id in self.levels:
            self.levels_at_stop[sensor_id] = self.levels.pop(sensor_id)

    def check_arm(
        self, mode: ArmMode, *, force: bool = False, bypass: Collection[str] = ()
    ) -> tuple[str, ...] | None:
        """Raise the error :meth:`arm` would raise, changing nothing.

        The sensors in the way (:meth:`blocking`) refuse the arming, named by
        :class:`ArmingRefusedError`, unless ``force`` bypasses them all or
        ``bypass`` names them all (the "Arm anyway" of a refusal). A bypassed
        sensor counts again once it has closed and opens again, or once the
        area is disarmed. Unavailable sensors that do not trigger when
        unavailable never refuse: the house is never left less guarded
        because a sensor failed. Returns the sensors arming would bypass, or
        ``None`` when the area is already armed (or arming) in ``mode``.
        """
        if mode not in self.settings.arm_modes:
            raise ArmModeNotEnabledError(mode)
        if self.state in (AlarmState.PENDING, AlarmState.TRIGGERED):
            raise DisarmFirstError(self.state)
        if self.armed_mode is mode and self.state in (
            AlarmState.ARMING,
            mode.armed_state,
        ):
            return None
        open_now, unavailable = self.blocking(mode)
        in_the_way = open_now + unavailable
        if in_the_way and not force and not set(in_the_way) <= set(bypass):
            raise ArmingRefusedError(open_now, unavailable, mode=mode, area=self.area)
        return in_the_way

    def arm(
        self,
        mode: ArmMode,
        now: float,
        *,
        force: bool = False,
        bypass: Collection[str] = (),
        skip_delay: bool = False,
        changed_by: str | None = None,
    ) -> list[AlarmEvent]:
        """Start arming in ``mode`` (refusals: :meth:`check_arm`)."""
        in_the_way = self.check_arm(mode, force=force, bypass=bypass)
        if in_the_way is None:
            return []  # already armed, or arming, this way
        self.bypassed = set(in_the_way)
        self.auto_bypassed = self.rules.auto_bypassed(mode, self.open_sensors)
        self.armed_mode = mode
        self.return_state = mode.armed_state
        self.exit_deadline = None
        self.cross_zone.clear()
        exit_delay = 0.0 if skip_delay else self.settings.delays(mode).exit_delay
        if exit_delay > 0:
            moved = self._move(
                AlarmState.ARMING, now + exit_delay, cause=None, changed_by=changed_by
            )
            return [moved, *self._faults_at_arming(mode)]
        return self._armed(now, changed_by, faults=True)

    def disarm(self, now: float, *, changed_by: str | None = None) -> list[AlarmEvent]:
        """Disarm from any state."""
        del now  # disarming does not depend on time; kept for a uniform API
        # A door opened before disarming opens no pet-immune window later.
        self.last_door_open = None
        if self.state is AlarmState.DISARMED:
            return []
        self._unarm()
        return [
            self._move(AlarmState.DISARMED, None, cause=None, changed_by=changed_by)
        ]

    def trigger(self, now: float, *, changed_by: str | None = None) -> list[AlarmEvent]:
        """Trigger at once (a panic button or an automation).

        From the exit delay, the arming is given up: whoever pressed it is in.
        """
        if self.state is AlarmState.TRIGGERED:
            return []
        if self.state not in ARMED_STATES and self.state is not AlarmState.PENDING:
            self.return_state = AlarmState.DISARMED
            self.armed_mode = None
        return [
            self._move(
                AlarmState.TRIGGERED,
                now + self._delays().trigger_time,
                cause=None,
                changed_by=changed_by,
                alarm=AlarmKind.MANUAL,
            )
        ]

    def skip_delay(
        self, now: float, *, changed_by: str | None = None
    ) -> list[AlarmEvent]:
        """End the exit delay now; any other state refuses, changing nothing.

        The entry delay cannot be skipped: that must neither silence an
        intrusion nor sound the siren at an owner about to disarm; only
        disarming ends it.
        """
        if self.state is not AlarmState.ARMING:
            raise SkipDelayRefusedError(self.state)
        return self._armed(now, changed_by or self.changed_by, faults=False)

    def sensor_changed(
        self, sensor_id: str, is_open: bool | None, now: float
    ) -> list[AlarmEvent]:
        """Apply the rules to a sensor that opened, closed or became unavailable."""
        if is_open is None:
            return self._went_unavailable(sensor_id, now)
        events = (
            self._available(sensor_id)
            if sensor_id in self.unavailable or sensor_id in self.faults
            else []
        )
        was_open = sensor_id in self.open_sensors
        self.set_initial(sensor_id, is_open)
        if not is_open:
            return events + self._closed(sensor_id, now) if was_open else events
        if was_open:
            return events
        return events + self._opened(sensor_id, now, offline=False)

    def sensor_seen(
        self, sensor_id: str, is_open: bool | None, now: float
    ) -> list[AlarmEvent]:
        """A sensor's first level since the system started.

        A sensor (motion aside) that was shut when the system stopped and is
        open now opened while nobody watched: that is an opening like any
        other. Anything else only records the level.
        """
        if is_open is None:
            return self.sensor_changed(sensor_id, None, now)
        at_stop = self.levels_at_stop.pop(sensor_id, None)
        events = self._available(sensor_id)
        self.set_initial(sensor_id, is_open)
        kind = self.sensors.get(sensor_id)
        if is_open and at_stop is False and kind not in (None, SensorType.MOTION):
            return events + self._opened(sensor_id, now, offline=True)
        return events

    def advance(self, now: float) -> list[AlarmEvent]:
        """Carry out every delay that has ended by ``now``."""
        events: list[AlarmEvent] = []
        while self.deadline is not None and now >= self.deadline:
            at = self.deadline
            if self.state is AlarmState.ARMING:
                events += self._armed(at, self.changed_by, faults=False)
            elif self.state is AlarmState.PENDING:
                events.append(
                    self._move(
                        AlarmState.TRIGGERED,
                        at + self._delays().trigger_time,
                        cause=self.cause,
                        changed_by=self.changed_by,
                        offline=self.cause_offline,
                        alarm=self.alarm_kind,
                    )
                )
            else:  # TRIGGERED: the trigger time is over
                events.append(self._end_trigger())
        return events

    # -- persistence ---------------------------------------------------------

    def snapshot(self, now: float) -> dict[str, Any]:
        """What must survive a restart, as JSON-friendly data."""
        return write(self, now)

    def restore(
        self,
        data: Mapping[str, Any],
        now: float,
        sensor_levels: Mapping[str, bool],
    ) -> list[AlarmEvent]:
        """Resume from a snapshot, given the sensors' levels now.

        Raises ``ValueError`` when the snapshot cannot be read (a value of
        the wrong type included); the machine is then left untouched. A
        sensor (motion aside) that was shut at the snapshot and is open now
        trips as if it had just opened; every other level is taken as it is.
        """
        load(self, data, now, sensor_levels)
        events = self.advance(now)
        for sensor_id in sorted(sensor_levels):
            if sensor_id in self.levels_at_stop or sensor_id in self.faults:
                events += self.sensor_seen(sensor_id, sensor_levels[sensor_id], now)
        return events

    # -- internals -----------------------------------------------------------

    def _unarm(self) -> None:
        """Forget the arming: its mode, its bypasses, its held trips."""
        self.armed_mode, self.return_state = None, AlarmState.DISARMED
        self.bypassed.clear()
        self.auto_bypassed.clear()
        self.cross_zone.clear()

    def _delays(self) -> Delays:
        return self.rules.delays[self.armed_mode]

    def _faults_at_arming(self, mode: ArmMode) -> list[AlarmEvent]:
        """Arming with unavailable sensors: each is reported again."""
        events = []
        for sensor_id in sorted(self.unavailable):
            if self.watches(sensor_id, mode):
                self.faults.add(sensor_id)
                events.append(self._event(EventType.FAULT, cause=sensor_id))
        return events

    def _armed(
        self, now: float, changed_by: str | None, *, faults: bool
    ) -> list[AlarmEvent]:
        """The exit delay is over (or there was none): armed, then what is open."""
        mode = self.armed_mode
        assert mode is not None  # noqa: S101 - arm() sets it before any delay
        events = [self._move(mode.armed_state, None, cause=None, changed_by=changed_by)]
        if faults:
            events += self._faults_at_arming(mode)
        bypassed, tripping = self.rules.left_open(
            mode, self.open_sensors, self.bypassed | self.auto_bypassed
        )
        self.auto_bypassed |= bypassed
        profiles = self.rules.profiles
        for sensor_id in tripping:
            events += self._intrusion(
                sensor_id, profiles[sensor_id], now, offline=False
            )
        return events

    def _went_unavailable(self, sensor_id: str, now: float) -> list[AlarmEvent]:
        if sensor_id in self.unavailable:
            return []
        self.unavailable.add(sensor_id)
        kind = self.sensors.get(sensor_id)
        if kind is None:
            return []
        events = []
        if kind.always_armed or (
            self.state in GUARDING_STATES and self.watches(sensor_id)
        ):
            self.faults.add(sensor_id)
            events.append(self._event(EventType.FAULT, cause=sensor_id))
        options = self.sensor_options(sensor_id)
        if options.trigger_when_unavailable and sensor_id not in self.open_sensors:
            self.open_sensors.add(sensor_id)
            events += self._opened(sensor_id, now, offline=False)
        return events

    def _available(self, sensor_id: str) -> list[AlarmEvent]:
        self.unavailable.discard(sensor_id)
        if sensor_id not in self.faults:
            return []
        self.faults.discard(sensor_id)
        return [self._event(EventType.FAULT_CLEARED, cause=sensor_id)]

    def _closed(self, sensor_id: str, now: float) -> list[AlarmEvent]:
        """Arm after closing: the exit delay ends a few seconds from now."""
        if self.state is not AlarmState.ARMING or self.deadline is None:
            return []
        options = self.sensor_options(sensor_id)
        if not options.arm_after_closing or not self.watches(sensor_id):
            return []
        full = self.deadline if self.exit_deadline is None else self.exit_deadline
        end = now + options.arm_after_closing_delay
        if end >= full:
            return []
        self.exit_deadline, self.deadline = full, end
        return [self._event(EventType.DELAY_CHANGED, cause=sensor_id)]

    def _opened(self, sensor_id: str, now: float, *, offline: bool) -> list[AlarmEvent]:
        profile = self.rules.profiles.get(sensor_id)
        if profile is None:
            return []
        if profile.always_armed:
            return self._always_armed(sensor_id, profile.type, now, offline=offline)
        events = []
        if (
            self.state is AlarmState.ARMING
            and self.exit_deadline is not None
            and profile.options.arm_after_closing
        ):
            # Opened again before the shortened delay ran out: the door is
            # still in use, the full exit delay is back.
            self.deadline, self.exit_deadline = self.exit_deadline, None
            events.append(self._event(EventType.DELAY_CHANGED, cause=sensor_id))
        return events + self._intrusion(sensor_id, profile, now, offline=offline)

    def _intrusion(
        self, sensor_id: str, profile: SensorProfile, now: float, *, offline: bool
    ) -> list[AlarmEvent]:
        """A door, window or motion sensor opened: it may trip the alarm."""
        if (
            self.state not in GUARDING_STATES
            or self.armed_mode not in profile.watched_in
            or sensor_id in self.auto_bypassed
        ):
            return []
        if self.state is AlarmState.ARMING and profile.options.use_exit_delay:
            return []  # on the way out
        if profile.perimeter:
            self.last_door_open = now
        elif not self._pet_window_open(now):
            return []
        alarm = AlarmKind.INTRUSION
        if self.state in (AlarmState.PENDING, AlarmState.TRIGGERED):
            # Report the sensor, keep the clock.
            return [self._event(EventType.TRIGGER, cause=sensor_id, alarm=alarm)]
        sensors: tuple[str, ...] = (sensor_id,)
        if (
            self.settings.cross_zone_groups
            and self.cross_zone.group_of(sensor_id) is not None
        ):
            confirmation = self.cross_zone.trip(sensor_id, now)
            if confirmation is None:
                held = EventType.UNCONFIRMED
                return [
                    self._event(held, cause=sensor_id, offline=offline, alarm=alarm)
                ]
            sensors = confirmation.sensors
        first = profile if len(sensors) == 1 else self.rules.profiles[sensors[0]]
        delayed = first.options.use_entry_delay
        return self._trip(sensors, alarm, now, offline=offline, delayed=delayed)

    def _always_armed(
        self, sensor_id: str, kind: SensorType, now: float, *, offline: bool
    ) -> list[AlarmEvent]:
        """A tamper or environmental sensor: at once, in every state.

        Disarmed, the area returns to disarmed after the trigger time;
        arming, armed or pending, to the mode armed (``return_state``).
        """
        alarm = kind.alarm_kind
        if self.state is AlarmState.TRIGGERED:
            report = REPORT_OF_ALARM[alarm]
            return [self._event(report, cause=sensor_id, offline=offline, alarm=alarm)]
        return self._trip((sensor_id,), alarm, now, offline=offline, delayed=False)

    def _trip(
        self,
        sensors: tuple[str, ...],
        alarm: AlarmKind,
        now: float,
        *,
        offline: bool,
        delayed: bool,
    ) -> list[AlarmEvent]:
        """Report the trip and go off: the entry delay if ``delayed``, or at once."""
        cause = sensors[0]
        report = self._event(REPORT_OF_ALARM[alarm], cause, offline, sensors, alarm)
        delays = self._delays()
        pending = delayed and delays.entry_delay > 0
        moved = self._move(
            AlarmState.PENDING if pending else AlarmState.TRIGGERED,
            now + (delays.entry_delay if pending else delays.trigger_time),
            cause=cause,
            changed_by=self.changed_by,
            offline=offline,
            sensors=sensors,
            alarm=alarm,
        )
        return [report, moved]

    def _pet_window_open(self, now: float) -> bool:
        """Motion counts: no pet-immune rule, or a door opened recently."""
        window = self.settings.pet_immune_window
        if window <= 0:
            return True
        return self.last_door_open is not None and now - self.last_door_open <= window

    def _after_trigger(self) -> AlarmState:
        if self.settings.disarm_after_trigger:
            return AlarmState.DISARMED
        return self.return_state

    def _end_trigger(self) -> AlarmEvent:
        target = self._after_trigger()
        if target is AlarmState.DISARMED:
            self._unarm()
        self.cross_zone.clear()
        # Whatever is still open stays quiet until it closes and opens again.
        return self._move(target, None, cause=self.cause, changed_by=self.changed_by)

    def _event(
        self,
        event_type: EventType,
        cause: str | None = None,
        offline: bool = False,
        sensors: tuple[str, ...] = (),
        alarm: AlarmKind | None = None,
        *,
        previous: AlarmState | None = None,
    ) -> AlarmEvent:
        """An event about the current state (after ``previous``, if it changed)."""
        return AlarmEvent(  # by position: one is built for every trip
            event_type,
            self.state,
            self.state if previous is None else previous,
            cause,
            self.changed_by,
            offline,
            self.area,
            sensors or ((cause,) if cause else ()),
            alarm,
        )

    def _move(
        self,
        state: AlarmState,
        deadline: float | None,
        *,
        cause: str | None,
        changed_by: str | None,
        offline: bool = False,
        sensors: tuple[str, ...] = (),
        alarm: AlarmKind | None = None,
    ) -> AlarmEvent:
        previous = self.previous_state = self.state
        self.state, self.deadline, self.cause = state, deadline, cause
        self.cause_offline, self.changed_by = offline, changed_by
        self.alarm_kind = alarm
        if state is not AlarmState.ARMING:
            self.exit_deadline = None
        return self._event(
            EventType.STATE_CHANGED, cause, offline, sensors, alarm, previous=previous
        )
