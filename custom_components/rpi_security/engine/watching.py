"""Which sensors an area watches in each mode, and which may be open to arm.

Pure Python. :class:`SensorRules` compiles an area's settings, its sensors'
types and their options into one profile per sensor (a sensor edge then
costs one lookup), and is compiled again whenever the machine is given new
settings, sensors or options (assign new ones; a dictionary changed in place
is not seen):

* a tamper or environmental sensor is watched always, in every state;
* a mode that names its sensors (:attr:`.modes.ModeSettings.sensors`)
  watches exactly those of the other types;
* otherwise doors and windows are watched in every mode, motion sensors in
  away and vacation only.

When arming starts or the exit delay ends, a watched sensor that is open is
bypassed if its options bypass it in that mode, let be if it may be open at
arming, and otherwise refuses the arming (at the start) or trips (at the
end). An environmental sensor never refuses an arming: its alarm does not
depend on the area being armed.
"""

from collections.abc import Mapping, Set
from typing import NamedTuple

from .modes import AlarmSettings, ArmMode, Delays
from .sensors import SensorOptions, SensorType, default_options


class SensorProfile(NamedTuple):
    """One sensor as the rules see it."""

    type: SensorType
    options: SensorOptions
    always_armed: bool
    perimeter: bool
    # The modes that watch it (every mode for a 24-hour sensor).
    watched_in: frozenset[ArmMode]


class SensorRules:
    """An area's sensors as its arm modes see them."""

    __slots__ = ("delays", "options", "profiles", "settings", "types")

    def __init__(
        self,
        settings: AlarmSettings,
        types: Mapping[str, SensorType],
        options: Mapping[str, SensorOptions],
    ) -> None:
        """Compile the profiles and each mode's delays."""
        self.settings, self.types, self.options = settings, types, options
        self.profiles = {
            sensor_id: self._profile(sensor_id, kind)
            for sensor_id, kind in types.items()
        }
        # By mode; ``None``: disarmed (a 24-hour sensor, a manual trigger).
        self.delays: dict[ArmMode | None, Delays] = {
            mode: settings.delays(mode) for mode in (None, *ArmMode)
        }

    def reads(
        self,
        settings: AlarmSettings,
        types: Mapping[str, SensorType],
        options: Mapping[str, SensorOptions],
    ) -> bool:
        """Whether these rules were compiled from these very objects."""
        return (
            self.settings is settings
            and self.types is types
            and self.options is options
        )

    def _profile(self, sensor_id: str, kind: SensorType) -> SensorProfile:
        options = self.options.get(sensor_id) or default_options(
            kind, motion_uses_entry_delay=self.settings.motion_uses_entry_delay
        )
        watched_in = frozenset(
            mode for mode in ArmMode if self._mode_watches(sensor_id, kind, mode)
        )
        return SensorProfile(
            kind, options, kind.always_armed, kind.perimeter, watched_in
        )

    def _mode_watches(self, sensor_id: str, kind: SensorType, mode: ArmMode) -> bool:
        if kind.always_armed:
            return True
        own = self.settings.modes.get(mode)
        if own is not None and own.sensors is not None:
            return sensor_id in own.sensors
        return kind.perimeter or mode.watches_interior

    def options_of(self, sensor_id: str) -> SensorOptions:
        """A sensor's options (its type's defaults unless set)."""
        profile = self.profiles.get(sensor_id)
        if profile is not None:
            return profile.options
        return default_options(SensorType.DOOR)

    def watches(self, sensor_id: str, mode: ArmMode | None) -> bool:
        """Whether a sensor counts when armed in ``mode`` (``None``: disarmed)."""
        profile = self.profiles.get(sensor_id)
        if profile is None:
            return False
        return profile.always_armed or mode in profile.watched_in

    def auto_bypassed_in(self, sensor_id: str, mode: ArmMode) -> bool:
        """Whether the sensor, open at arming in ``mode``, is bypassed."""
        profile = self.profiles.get(sensor_id)
        return (
            profile is not None
            and not profile.always_armed
            and mode in profile.options.auto_bypass_modes
        )

    def open_allowed(self, sensor_id: str, mode: ArmMode) -> bool:
        """Whether the sensor may be open when arming in ``mode`` starts or ends."""
        profile = self.profiles.get(sensor_id)
        return (
            profile is not None
            and not profile.always_armed
            and (
                mode in profile.options.auto_bypass_modes
                or profile.options.allow_open_at_arming
            )
        )

    def blocking(
        self, mode: ArmMode, open_sensors: Set[str], unavailable: Set[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The open and the unavailable sensors that refuse arming in ``mode``.

        ``open_sensors`` includes unavailable sensors that trigger when
        unavailable; any other unavailable sensor refuses nothing.
        """
        open_now: list[str] = []
        faulty: list[str] = []
        for sensor_id in sorted(open_sensors):
            if (
                self.types.get(sensor_id) in (None, SensorType.ENVIRONMENTAL)
                or not self.watches(sensor_id, mode)
                or self.open_allowed(sensor_id, mode)
            ):
                continue
            (faulty if sensor_id in unavailable else open_now).append(sensor_id)
        return tuple(open_now), tuple(faulty)

    def auto_bypassed(self, mode: ArmMode, open_sensors: Set[str]) -> set[str]:
        """The open sensors that arming in ``mode`` bypasses by their options."""
        return {
            sensor_id
            for sensor_id in open_sensors
            if self.watches(sensor_id, mode) and self.auto_bypassed_in(sensor_id, mode)
        }

    def left_open(
        self, mode: ArmMode, open_sensors: Set[str], bypassed: Set[str]
    ) -> tuple[set[str], list[str]]:
        """When the exit delay ends: the sensors bypassed now, and those that trip.

        Tamper and environmental sensors are left out: each tripped when it
        opened, if it could.
        """
        now_bypassed: set[str] = set()
        tripping: list[str] = []
        for sensor_id in sorted(open_sensors - bypassed):
            profile = self.profiles.get(sensor_id)
            if (
                profile is None
                or profile.always_armed
                or mode not in profile.watched_in
            ):
                continue
            if self.auto_bypassed_in(sensor_id, mode):
                now_bypassed.add(sensor_id)
            elif not self.open_allowed(sensor_id, mode):
                tripping.append(sensor_id)
        return now_bypassed, tripping
