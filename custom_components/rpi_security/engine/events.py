"""What an area's alarm machine reports, and the requests it refuses.

Pure Python. Every method of :class:`.alarm.AlarmMachine` returns a list of
:class:`AlarmEvent`; a refused request raises an :class:`AlarmError` and
changes nothing.

For the glue: a ``STATE_CHANGED`` event changes the panel; ``TRIGGER``,
``TAMPER`` and ``ENVIRONMENTAL`` report the sensor that tripped (each has its
own alert text; ``alarm`` says which kind of alarm it is, also on the change
to pending or triggered); ``UNCONFIRMED`` is a cross-zone trip waiting for a
second sensor (worth a photo, not an alarm); ``FAULT`` and ``FAULT_CLEARED``
are a watched sensor that became unavailable and came back (supervision);
``DELAY_CHANGED`` says the deadline moved (reschedule, refresh the
countdown). ``area`` names the area, ``sensors`` every sensor behind a trip.
"""

from enum import StrEnum
from typing import NamedTuple

from .modes import AlarmState, ArmMode
from .sensors import AlarmKind


class EventType(StrEnum):
    """What an :class:`AlarmEvent` reports."""

    STATE_CHANGED = "state_changed"
    # A door, window or motion sensor tripped the alarm (also while it was
    # already pending or triggered).
    TRIGGER = "trigger"
    # A tamper sensor tripped; an environmental one (smoke, water, gas).
    TAMPER = "tamper"
    ENVIRONMENTAL = "environmental"
    # A sensor of a cross-zone group tripped alone: held for confirmation.
    UNCONFIRMED = "unconfirmed"
    # A watched sensor became unavailable; it reports again.
    FAULT = "fault"
    FAULT_CLEARED = "fault_cleared"
    # The current delay's deadline moved (a door armed after closing).
    DELAY_CHANGED = "delay_changed"


# The event that reports a trip, by the kind of alarm (intrusion: TRIGGER).
REPORT_OF_ALARM = {
    AlarmKind.INTRUSION: EventType.TRIGGER,
    AlarmKind.TAMPER: EventType.TAMPER,
    AlarmKind.ENVIRONMENTAL: EventType.ENVIRONMENTAL,
}


class AlarmEvent(NamedTuple):
    """Something the outside world should hear about.

    Immutable; a named tuple because every sensor edge makes one or two, and
    it is the quickest immutable record to build.
    """

    type: EventType
    state: AlarmState
    previous_state: AlarmState
    cause: str | None = None
    changed_by: str | None = None
    # The cause changed while the system was not running (found at start-up).
    offline: bool = False
    area: str | None = None
    # Every sensor behind a trip: the cause, and the sensor that confirmed it.
    sensors: tuple[str, ...] = ()
    # Why the alarm goes off (trips, and changes to pending or triggered).
    alarm: AlarmKind | None = None


class AlarmError(Exception):
    """A request the state machine refuses; nothing was changed."""


class ArmingRefusedError(AlarmError):
    """Arming was asked for while watched sensors are open or unavailable."""

    def __init__(
        self,
        open_sensors: tuple[str, ...],
        unavailable: tuple[str, ...] = (),
        *,
        mode: ArmMode | None = None,
        area: str | None = None,
    ) -> None:
        """Keep what refused the arming, and the arming asked for."""
        super().__init__(f"sensors open: {', '.join(open_sensors + unavailable)}")
        self.open_sensors = open_sensors
        self.unavailable = unavailable
        self.mode = mode
        self.area = area

    @property
    def sensors(self) -> tuple[str, ...]:
        """Every sensor in the way: what "Arm anyway" bypasses."""
        return self.open_sensors + self.unavailable

    @property
    def open_doors(self) -> tuple[str, ...]:
        """The old name of :attr:`sensors`."""
        return self.sensors


class ArmModeNotEnabledError(AlarmError):
    """Arming in a mode that the options do not enable."""

    def __init__(self, mode: ArmMode) -> None:
        """Keep the mode that was asked for."""
        super().__init__(f"arm mode {mode} is not enabled")
        self.mode = mode


class DisarmFirstError(AlarmError):
    """Arming was asked for while the alarm is pending or triggered."""


class SkipDelayRefusedError(AlarmError):
    """No delay that may be skipped runs (``state`` says which state it is in)."""

    def __init__(self, state: AlarmState) -> None:
        """Keep the state, which decides what the user is told."""
        super().__init__(f"no delay to skip while {state}")
        self.state = state
