"""The panel's states, the arm modes and what each mode does.

Pure Python. An area is armed in one :class:`ArmMode`; each mode has its own
exit delay, entry delay and trigger time, and its own set of watched sensors
(:class:`ModeSettings`). A value left ``None`` falls back on the area's
default (:class:`.alarm.AlarmSettings`), so a configuration written before
per-mode settings existed behaves exactly as it did.

Which sensors a mode watches, unless its ``sensors`` names them: the
perimeter (doors, windows) in every mode, the interior (motion) in away and
vacation only. Tamper and environmental sensors are watched always, in
every state, whatever a mode says (see :mod:`.sensors`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

from .cross_zone import CrossZoneGroup


class AlarmState(StrEnum):
    """The states of the panel (the same strings as Home Assistant's)."""

    DISARMED = "disarmed"
    ARMING = "arming"
    ARMED_AWAY = "armed_away"
    ARMED_HOME = "armed_home"
    ARMED_NIGHT = "armed_night"
    ARMED_VACATION = "armed_vacation"
    ARMED_CUSTOM_BYPASS = "armed_custom_bypass"
    PENDING = "pending"
    TRIGGERED = "triggered"


class ArmMode(StrEnum):
    """The ways an area can be armed."""

    AWAY = "away"
    HOME = "home"
    NIGHT = "night"
    VACATION = "vacation"
    # Home Assistant's "armed_custom_bypass": the sensors the user picks.
    CUSTOM_BYPASS = "custom_bypass"

    @property
    def armed_state(self) -> AlarmState:
        """The state the panel shows once armed in this mode."""
        return _ARMED_STATE[self]

    @property
    def watches_interior(self) -> bool:
        """Whether motion sensors count by default (nobody is meant to be in)."""
        return self in (ArmMode.AWAY, ArmMode.VACATION)

    @classmethod
    def standard(cls) -> tuple[ArmMode, ...]:
        """Every mode but custom bypass, which watches the sensors picked for it.

        What can be offered where the user cannot yet pick those sensors.
        """
        return tuple(mode for mode in cls if mode is not cls.CUSTOM_BYPASS)

    @classmethod
    def of_state(cls, state: AlarmState | str) -> ArmMode | None:
        """The mode an ``armed_*`` state is armed in, else ``None``."""
        value = str(state)
        if not value.startswith("armed_"):
            return None
        try:
            return cls(value.removeprefix("armed_"))
        except ValueError:
            return None


_ARMED_STATE = {mode: AlarmState(f"armed_{mode.value}") for mode in ArmMode}
ARMED_STATES = frozenset(_ARMED_STATE.values())
# States in which an area watches its sensors (and reports their faults).
GUARDING_STATES = ARMED_STATES | {
    AlarmState.ARMING,
    AlarmState.PENDING,
    AlarmState.TRIGGERED,
}


@dataclass(frozen=True, slots=True)
class ModeSettings:
    """One arm mode's own settings; ``None`` means the area's default."""

    exit_delay: float | None = None
    entry_delay: float | None = None
    trigger_time: float | None = None
    # The door, window and motion sensors this mode watches (ids); ``None``
    # watches them by type (see the module's docstring).
    sensors: frozenset[str] | None = None


class Delays(NamedTuple):
    """The delays in force for one mode, in seconds."""

    exit_delay: float
    entry_delay: float
    trigger_time: float


@dataclass(frozen=True, slots=True)
class AlarmSettings:
    """How an area behaves; delays in seconds."""

    exit_delay: float = 30.0
    entry_delay: float = 30.0
    trigger_time: float = 180.0
    disarm_after_trigger: bool = False
    # The default of motion sensors' ``use_entry_delay``.
    motion_uses_entry_delay: bool = False
    # Door-then-motion rule: motion trips the alarm only within this many seconds
    # after a door or window opened while armed. 0 turns the rule off.
    pet_immune_window: float = 0.0
    arm_modes: frozenset[ArmMode] = frozenset(
        (ArmMode.AWAY, ArmMode.HOME, ArmMode.NIGHT)
    )
    # Each mode's own delays and sensors; a mode not here uses the above.
    modes: Mapping[ArmMode, ModeSettings] = field(default_factory=dict)
    cross_zone_groups: tuple[CrossZoneGroup, ...] = ()

    def delays(self, mode: ArmMode | None) -> Delays:
        """The delays in force in ``mode`` (the defaults when disarmed)."""
        own = self.modes.get(mode) if mode is not None else None
        if own is None:
            return Delays(self.exit_delay, self.entry_delay, self.trigger_time)
        return Delays(
            self.exit_delay if own.exit_delay is None else own.exit_delay,
            self.entry_delay if own.entry_delay is None else own.entry_delay,
            self.trigger_time if own.trigger_time is None else own.trigger_time,
        )
