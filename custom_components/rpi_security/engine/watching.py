"""Which sensors an area watches in each mode, and which may be open to arm.

Pure Python. :class:`SensorRules` reads an area's settings, its sensors'
types and their options (the machine's own dictionaries, by reference, so a
sensor added to them counts at once):

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
from dataclasses import dataclass

from .modes import AlarmSettings, ArmMode
from .sensors import SensorOptions, SensorType, default_options


@dataclass(frozen=True, slots=True)
class SensorRules:
    """An area's sensors as its arm modes see them."""

    settings: AlarmSettings
    types: Mapping[str, SensorType]
    options: Mapping[str, SensorOptions]

    @classmethod
    def of(
        cls,
        current: SensorRules | None,
        settings: AlarmSettings,
        types: Mapping[str, SensorType],
        options: Mapping[str, SensorOptions],
    ) -> SensorRules:
        """``current`` if it reads these very objects, else new rules for them."""
        if (
            current is not None
            and current.settings is settings
            and current.types is types
            and current.options is options
        ):
            return current
        return cls(settings, types, options)

    def options_of(self, sensor_id: str) -> SensorOptions:
        """A sensor's options (its type's defaults unless set)."""
        options = self.options.get(sensor_id)
        if options is not None:
            return options
        return default_options(
            self.types.get(sensor_id, SensorType.DOOR),
            motion_uses_entry_delay=self.settings.motion_uses_entry_delay,
        )

    def watches(self, sensor_id: str, mode: ArmMode | None) -> bool:
        """Whether a sensor counts when armed in ``mode`` (``None``: disarmed)."""
        kind = self.types.get(sensor_id)
        if kind is None:
            return False
        if kind.always_armed:
            return True
        if mode is None:
            return False
        own = self.settings.modes.get(mode)
        if own is not None and own.sensors is not None:
            return sensor_id in own.sensors
        return kind.perimeter or mode.watches_interior

    def auto_bypassed_in(self, sensor_id: str, mode: ArmMode) -> bool:
        """Whether the sensor, open at arming in ``mode``, is bypassed."""
        kind = self.types.get(sensor_id)
        return (
            kind is not None
            and not kind.always_armed
            and mode in self.options_of(sensor_id).auto_bypass_modes
        )

    def open_allowed(self, sensor_id: str, mode: ArmMode) -> bool:
        """Whether the sensor may be open when arming in ``mode`` starts or ends."""
        if self.auto_bypassed_in(sensor_id, mode):
            return True
        kind = self.types.get(sensor_id)
        return (
            kind is not None
            and not kind.always_armed
            and self.options_of(sensor_id).allow_open_at_arming
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
            kind = self.types.get(sensor_id)
            if kind is None or kind.always_armed or not self.watches(sensor_id, mode):
                continue
            if self.auto_bypassed_in(sensor_id, mode):
                now_bypassed.add(sensor_id)
            elif not self.open_allowed(sensor_id, mode):
                tripping.append(sensor_id)
        return now_bypassed, tripping
