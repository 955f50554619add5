"""A typed reading of the config entry: the one place that knows its keys."""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_ENTITY_ID, CONF_NAME

from .const import (
    CONF_ARM_MODES,
    CONF_CODE_ARM_REQUIRED,
    CONF_CODE_FORMAT,
    CONF_CODE_HASH,
    CONF_CONTACT_TYPE,
    CONF_DEBOUNCE_MS,
    CONF_DISARM_AFTER_TRIGGER,
    CONF_ENTRY_DELAY,
    CONF_EXIT_DELAY,
    CONF_MOTION_USES_ENTRY_DELAY,
    CONF_PET_IMMUNE_MINUTES,
    CONF_PIN,
    CONF_PULL_UP,
    CONF_SIMULATION,
    CONF_SOURCE,
    CONF_TRIGGER_TIME,
    CONTACT_NO,
    DEFAULT_DEBOUNCE_MS,
    DEFAULT_ENTRY_DELAY,
    DEFAULT_EXIT_DELAY,
    DEFAULT_NAME,
    DEFAULT_TRIGGER_TIME,
    SOURCE_ENTITY,
    SUBENTRY_DOOR,
    SUBENTRY_MOTION,
)
from .engine.alarm import AlarmSettings, ArmMode, SensorKind

DEFAULT_ARM_MODES = (ArmMode.AWAY, ArmMode.HOME, ArmMode.NIGHT)

DEFAULT_OPTIONS: dict[str, Any] = {
    CONF_EXIT_DELAY: DEFAULT_EXIT_DELAY,
    CONF_ENTRY_DELAY: DEFAULT_ENTRY_DELAY,
    CONF_TRIGGER_TIME: DEFAULT_TRIGGER_TIME,
    CONF_DISARM_AFTER_TRIGGER: False,
    CONF_ARM_MODES: [mode.value for mode in DEFAULT_ARM_MODES],
    CONF_MOTION_USES_ENTRY_DELAY: False,
    CONF_PET_IMMUNE_MINUTES: 0,
    CONF_CODE_ARM_REQUIRED: False,
}

SENSOR_KIND_OF_SUBENTRY: dict[str, SensorKind] = {
    SUBENTRY_DOOR: SensorKind.DOOR,
    SUBENTRY_MOTION: SensorKind.MOTION,
}


class CodeFormat(StrEnum):
    """What the alarm code is made of (decides the keypad shown)."""

    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class SensorConfig:
    """One door contact or motion sensor, on a GPIO pin or an existing entity."""

    id: str  # the subentry id
    name: str
    kind: SensorKind
    pin: int | None = None
    pull_up: bool = True
    normally_closed: bool = True
    debounce: float = DEFAULT_DEBOUNCE_MS / 1000
    entity_id: str | None = None

    @property
    def on_gpio(self) -> bool:
        """Whether the sensor is wired to a GPIO pin of this machine."""
        return self.pin is not None

    def is_open(self, active: bool) -> bool:
        """Translate the line's level into "open" (door) or "motion" (PIR).

        A door contact closes the circuit while the door is shut (normally
        closed) or while it is open (normally open); a PIR drives its output
        to the active level on motion.
        """
        if self.kind is SensorKind.DOOR and self.normally_closed:
            return not active
        return active

    def active_for(self, is_open: bool) -> bool:
        """The line level that means ``is_open`` (the inverse of :meth:`is_open`)."""
        if self.kind is SensorKind.DOOR and self.normally_closed:
            return not is_open
        return is_open

    @classmethod
    def from_subentry(cls, subentry: ConfigSubentry) -> SensorConfig:
        """Read a door or motion subentry."""
        data = subentry.data
        kind = SENSOR_KIND_OF_SUBENTRY[subentry.subentry_type]
        if data.get(CONF_SOURCE) == SOURCE_ENTITY:
            return cls(
                id=subentry.subentry_id,
                name=subentry.title,
                kind=kind,
                entity_id=data[CONF_ENTITY_ID],
            )
        return cls(
            id=subentry.subentry_id,
            name=subentry.title,
            kind=kind,
            pin=int(data[CONF_PIN]),
            pull_up=bool(data.get(CONF_PULL_UP, kind is SensorKind.DOOR)),
            normally_closed=data.get(CONF_CONTACT_TYPE) != CONTACT_NO,
            debounce=float(data.get(CONF_DEBOUNCE_MS, DEFAULT_DEBOUNCE_MS)) / 1000,
        )


@dataclass(frozen=True, slots=True)
class SystemConfig:
    """Everything the system needs to know about its configuration."""

    name: str
    simulation: bool
    alarm: AlarmSettings
    sensors: tuple[SensorConfig, ...]
    code_hash: str | None = None
    code_format: CodeFormat | None = None
    code_arm_required: bool = False

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> SystemConfig:
        """Read the config entry, its options and its subentries."""
        options: Mapping[str, Any] = {**DEFAULT_OPTIONS, **entry.options}
        code_hash = options.get(CONF_CODE_HASH)
        return cls(
            name=entry.data.get(CONF_NAME, entry.title) or DEFAULT_NAME,
            simulation=bool(entry.data.get(CONF_SIMULATION, False)),
            alarm=alarm_settings(options),
            sensors=tuple(
                SensorConfig.from_subentry(subentry)
                for subentry in entry.subentries.values()
                if subentry.subentry_type in SENSOR_KIND_OF_SUBENTRY
            ),
            code_hash=code_hash,
            code_format=CodeFormat(options.get(CONF_CODE_FORMAT, CodeFormat.NUMBER))
            if code_hash
            else None,
            code_arm_required=bool(code_hash and options[CONF_CODE_ARM_REQUIRED]),
        )


def alarm_settings(options: Mapping[str, Any]) -> AlarmSettings:
    """The engine's settings from the entry's options."""
    return AlarmSettings(
        exit_delay=float(options[CONF_EXIT_DELAY]),
        entry_delay=float(options[CONF_ENTRY_DELAY]),
        trigger_time=float(options[CONF_TRIGGER_TIME]),
        disarm_after_trigger=bool(options[CONF_DISARM_AFTER_TRIGGER]),
        motion_uses_entry_delay=bool(options[CONF_MOTION_USES_ENTRY_DELAY]),
        pet_immune_window=float(options[CONF_PET_IMMUNE_MINUTES]) * 60,
        arm_modes=frozenset(ArmMode(mode) for mode in options[CONF_ARM_MODES]),
    )
