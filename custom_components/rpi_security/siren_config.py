"""Sirens and strobes as configured: siren subentries and the chirp options.

The one place that knows their keys (as :mod:`.config` is for the rest):
a siren subentry is a GPIO pin (a relay or a buzzer, active high or low) or
a Home Assistant ``siren``/``switch``/``light`` entity, with the kinds of
alarm it sounds for and whether it chirps; the entry's options hold how long
the chirps on arming and disarming last (0: none).
"""

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_ENTITY_ID

from .area_config import area_subentries
from .const import CONF_PIN, CONF_SOURCE, SOURCE_ENTITY
from .engine.sensors import AlarmKind
from .engine.sirens import EVERY_ALARM, Output, SirenSettings

SUBENTRY_SIREN: Final = "siren"
CONF_ACTIVE_LEVEL: Final = "active_level"
ACTIVE_HIGH: Final = "high"
ACTIVE_LOW: Final = "low"
CONF_ALARMS: Final = "alarms"
CONF_CHIRPS: Final = "chirps"
# Area ids (empty: every area); the form asks once there are two areas.
CONF_AREAS: Final = "areas"

# Options: the chirps' lengths, in seconds.
CONF_ARM_CHIRP: Final = "arm_chirp_s"
CONF_DISARM_CHIRP: Final = "disarm_chirp_s"
MAX_CHIRP: Final = 5.0

SIREN_DEFAULT_OPTIONS: Final[dict[str, Any]] = {
    CONF_ARM_CHIRP: 0,
    CONF_DISARM_CHIRP: 0,
}

# The domains whose entities can be used as a siren (turn_on / turn_off).
OUTPUT_DOMAINS: Final = ("siren", "switch", "light")


@dataclass(frozen=True, slots=True)
class OutputConfig:
    """A siren, buzzer or strobe: on a GPIO pin, or an entity."""

    id: str  # the subentry id
    name: str
    pin: int | None = None
    active_high: bool = True
    entity_id: str | None = None
    areas: frozenset[str] = frozenset()
    alarms: frozenset[AlarmKind] = EVERY_ALARM
    chirps: bool = True

    @property
    def on_gpio(self) -> bool:
        """Whether the output is a pin of this machine."""
        return self.pin is not None

    @property
    def engine_output(self) -> Output:
        """The output as the engine's siren policy knows it."""
        return Output(self.id, self.areas, self.alarms, self.chirps)

    @classmethod
    def from_subentry(
        cls, subentry: ConfigSubentry, area_ids: Collection[str]
    ) -> OutputConfig:
        """Read a siren subentry; ``area_ids`` are the areas there are now.

        Areas removed since are forgotten; a siren left with none of its
        areas serves every area (a siren that never sounds guards nothing).
        """
        data = subentry.data
        alarms = frozenset(AlarmKind(kind) for kind in data.get(CONF_ALARMS) or ())
        areas = frozenset(a for a in data.get(CONF_AREAS) or () if a in area_ids)
        common: dict[str, Any] = {
            "id": subentry.subentry_id,
            "name": subentry.title,
            "areas": areas,
            "alarms": alarms or EVERY_ALARM,
            "chirps": bool(data.get(CONF_CHIRPS, True)),
        }
        if data.get(CONF_SOURCE) == SOURCE_ENTITY:
            return cls(entity_id=data[CONF_ENTITY_ID], **common)
        return cls(
            pin=int(data[CONF_PIN]),
            active_high=data.get(CONF_ACTIVE_LEVEL, ACTIVE_HIGH) != ACTIVE_LOW,
            **common,
        )


@dataclass(frozen=True, slots=True)
class OutputsConfig:
    """Every output, and the chirps' lengths."""

    outputs: tuple[OutputConfig, ...] = ()
    arm_chirp: float = 0.0
    disarm_chirp: float = 0.0

    @property
    def siren_settings(self) -> SirenSettings:
        """The engine's settings."""
        return SirenSettings(
            outputs=tuple(output.engine_output for output in self.outputs),
            arm_chirp=self.arm_chirp,
            disarm_chirp=self.disarm_chirp,
        )

    @classmethod
    def from_entry(
        cls, entry: ConfigEntry, options: Mapping[str, Any]
    ) -> OutputsConfig:
        """Read the siren subentries and the chirp options."""
        area_ids = {s.subentry_id for s in area_subentries(entry)}
        return cls(
            outputs=tuple(
                OutputConfig.from_subentry(subentry, area_ids)
                for subentry in entry.subentries.values()
                if subentry.subentry_type == SUBENTRY_SIREN
            ),
            arm_chirp=float(options.get(CONF_ARM_CHIRP) or 0),
            disarm_chirp=float(options.get(CONF_DISARM_CHIRP) or 0),
        )
