"""Sensor types, their options and the defaults each type brings.

Pure Python. A sensor is an id, a :class:`SensorType` and its
:class:`SensorOptions`; :func:`default_options` gives the options a type
starts with, which reproduce how doors and motion sensors behaved before
options existed. :func:`type_for_device_class` picks a type for an existing
Home Assistant ``binary_sensor`` from its device class (a plain string).

What each option does (the alarm machine, :mod:`.alarm`, applies them):

``use_entry_delay``
    Opening it while armed starts the entry delay; otherwise the alarm
    triggers at once.
``use_exit_delay``
    It may open (and close) during the exit delay without consequence: it is
    on the way out (the front door, a hallway PIR). Without it, opening
    during the exit delay trips the alarm as if armed.
``allow_open_at_arming``
    Open when arming starts or when the exit delay ends, it neither refuses
    the arming nor trips: it counts once it has closed and opens again (a
    PIR that stays on for minutes).
``arm_after_closing``
    Closing it during the exit delay ends the exit delay
    ``arm_after_closing_delay`` seconds later (a door's contact bounces as
    it is pulled shut); opening it again before then brings the full exit
    delay back. The exit delay is never made longer.
``auto_bypass_modes``
    Open when arming in one of these modes starts (or when the exit delay
    ends), it is bypassed until the area is disarmed instead of refusing
    the arming (a bedroom window at night). Closed, it is watched as usual.
``trigger_when_unavailable``
    Becoming unavailable while watched counts as opening (a wireless sensor
    whose battery is pulled). Whatever this option says, a watched sensor
    that becomes unavailable is reported as a fault, and the fault is
    cleared when it reports again.

Tamper and environmental sensors are watched in every state, disarmed
included, and trigger at once: the delay and arming options do not apply to
them (``trigger_when_unavailable`` does). An environmental sensor never
refuses an arming; a tamper sensor open at arming does, like a door.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import cache

from .modes import ArmMode


class SensorType(StrEnum):
    """What a sensor is, which decides its defaults and how it trips."""

    DOOR = "door"
    WINDOW = "window"
    MOTION = "motion"
    # A PIR's tamper loop, a box switch: triggers in every state, at once.
    TAMPER = "tamper"
    # Smoke, water, gas, heat: always on, triggers at once, its own alert.
    ENVIRONMENTAL = "environmental"

    @property
    def always_armed(self) -> bool:
        """Watched in every state, disarmed included (a 24-hour sensor)."""
        return self in (SensorType.TAMPER, SensorType.ENVIRONMENTAL)

    @property
    def perimeter(self) -> bool:
        """A way in: watched by every mode by default, and opens the pet window."""
        return self in (SensorType.DOOR, SensorType.WINDOW)

    @property
    def alarm_kind(self) -> AlarmKind:
        """The kind of alarm this type of sensor raises."""
        if self is SensorType.TAMPER:
            return AlarmKind.TAMPER
        if self is SensorType.ENVIRONMENTAL:
            return AlarmKind.ENVIRONMENTAL
        return AlarmKind.INTRUSION


# The old name, from when there were doors and motion sensors only.
SensorKind = SensorType


class AlarmKind(StrEnum):
    """Why the alarm goes off: each has its own alert text and sirens."""

    INTRUSION = "intrusion"
    TAMPER = "tamper"
    ENVIRONMENTAL = "environmental"
    # The trigger action, a panic button, an automation.
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class SensorOptions:
    """How one sensor behaves (see the module's docstring for each option)."""

    use_entry_delay: bool = True
    use_exit_delay: bool = True
    allow_open_at_arming: bool = False
    arm_after_closing: bool = False
    arm_after_closing_delay: float = 5.0
    auto_bypass_modes: frozenset[ArmMode] = frozenset()
    trigger_when_unavailable: bool = False


@cache
def default_options(
    sensor_type: SensorType, *, motion_uses_entry_delay: bool = False
) -> SensorOptions:
    """The options a sensor of ``sensor_type`` has until the user changes them.

    ``motion_uses_entry_delay`` is the area-wide setting from before sensor
    options existed; it stays the default of motion sensors.
    """
    if sensor_type is SensorType.DOOR:
        return SensorOptions()
    if sensor_type is SensorType.MOTION:
        # Standing in front of the panel while arming is no reason to refuse
        # it, and a PIR still on when the exit delay ends is the user leaving.
        return SensorOptions(
            use_entry_delay=motion_uses_entry_delay, allow_open_at_arming=True
        )
    # Windows (and the 24-hour types, which ignore these): nobody comes in
    # or goes out through them.
    return SensorOptions(use_entry_delay=False, use_exit_delay=False)


@dataclass(frozen=True, slots=True)
class Sensor:
    """A sensor of an area: its id, its type and its options."""

    id: str
    type: SensorType
    # ``None``: the type's defaults (see :func:`default_options`).
    options: SensorOptions | None = field(default=None)

    @classmethod
    def of(cls, sensor_id: str, sensor_type: SensorType, **changes: object) -> Sensor:
        """A sensor with its type's defaults, changed by ``changes``."""
        options = replace(default_options(sensor_type), **changes)  # type: ignore[arg-type]
        return cls(sensor_id, sensor_type, options)


# Home Assistant binary_sensor device classes that name a security sensor.
DEVICE_CLASS_TYPES: Mapping[str, SensorType] = {
    "door": SensorType.DOOR,
    "garage_door": SensorType.DOOR,
    "opening": SensorType.DOOR,
    # "on" means unlocked: a door left unlocked.
    "lock": SensorType.DOOR,
    "window": SensorType.WINDOW,
    # Glass-break and vibration detectors guard the perimeter and trip at
    # once, like a window; as tamper sensors they would also trip while
    # disarmed, each time a door is shut.
    "vibration": SensorType.WINDOW,
    "sound": SensorType.WINDOW,
    "motion": SensorType.MOTION,
    "moving": SensorType.MOTION,
    "occupancy": SensorType.MOTION,
    "presence": SensorType.MOTION,
    "tamper": SensorType.TAMPER,
    "smoke": SensorType.ENVIRONMENTAL,
    "gas": SensorType.ENVIRONMENTAL,
    "carbon_monoxide": SensorType.ENVIRONMENTAL,
    "moisture": SensorType.ENVIRONMENTAL,
    "heat": SensorType.ENVIRONMENTAL,
    "safety": SensorType.ENVIRONMENTAL,
}


def type_for_device_class(device_class: str | None) -> SensorType | None:
    """The sensor type for a device class; ``None`` when the user must choose.

    ``problem``, ``connectivity``, ``battery`` and the like say nothing about
    a break-in or a fire, and neither does a sensor without a device class.
    """
    if device_class is None:
        return None
    return DEVICE_CLASS_TYPES.get(device_class.strip().lower())
