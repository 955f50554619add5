"""A typed reading of the areas and of each sensor's part in them.

An area is a subentry of its own (its name, arm modes, delays, each mode's
settings, cross-zone groups, whether arming needs a code and whether presence
arms and disarms it). A sensor's subentry says which areas it guards and how
it behaves there (its options, :mod:`.engine.sensors`); keys it does not have
take its type's defaults, so sensors from before options existed behave as
they did. The wiring of a sensor (its pin or entity) is :class:`.config.SensorConfig`;
what it does for the alarm is its :class:`SensorRole` here, so changing an
option neither reopens the pin nor replaces the sensor's entities.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .const import (
    CONF_ALLOW_OPEN_AT_ARMING,
    CONF_AREAS,
    CONF_ARM_AFTER_CLOSING,
    CONF_ARM_MODES,
    CONF_AUTO_BYPASS_MODES,
    CONF_CODE_ARM_REQUIRED,
    CONF_CROSS_ZONE_GROUPS,
    CONF_DISARM_AFTER_TRIGGER,
    CONF_ENTRY_DELAY,
    CONF_EXIT_DELAY,
    CONF_MODES,
    CONF_PET_IMMUNE_MINUTES,
    CONF_PRESENCE_CONTROLS,
    CONF_SENSORS,
    CONF_SYSTEM_PANEL,
    CONF_TRIGGER_TIME,
    CONF_TRIGGER_WHEN_UNAVAILABLE,
    CONF_USE_ENTRY_DELAY,
    CONF_USE_EXIT_DELAY,
    CONF_WINDOW,
    DEFAULT_CROSS_ZONE_WINDOW,
    DEFAULT_ENTRY_DELAY,
    DEFAULT_EXIT_DELAY,
    DEFAULT_TRIGGER_TIME,
    SUBENTRY_AREA,
)
from .engine.cross_zone import CrossZoneGroup
from .engine.modes import AlarmSettings, ArmMode, ModeSettings
from .engine.sensors import SensorOptions, SensorType, default_options
from .engine.wall_panel import area_slug

DEFAULT_ARM_MODES = (ArmMode.AWAY, ArmMode.HOME, ArmMode.NIGHT)

# What a new area starts with (and what the options of earlier versions,
# which held these for the one alarm, default to).
AREA_DEFAULTS: dict[str, Any] = {
    CONF_ARM_MODES: [mode.value for mode in DEFAULT_ARM_MODES],
    CONF_EXIT_DELAY: DEFAULT_EXIT_DELAY,
    CONF_ENTRY_DELAY: DEFAULT_ENTRY_DELAY,
    CONF_TRIGGER_TIME: DEFAULT_TRIGGER_TIME,
    CONF_DISARM_AFTER_TRIGGER: False,
    CONF_PET_IMMUNE_MINUTES: 0,
    CONF_CODE_ARM_REQUIRED: False,
    CONF_PRESENCE_CONTROLS: True,
}
# The per-mode delays a mode may set (empty: the area's own).
MODE_DELAYS = (CONF_EXIT_DELAY, CONF_ENTRY_DELAY, CONF_TRIGGER_TIME)
# The options a user may set per sensor, and the types they apply to.
SENSOR_OPTION_KEYS = (
    CONF_USE_ENTRY_DELAY,
    CONF_USE_EXIT_DELAY,
    CONF_ARM_AFTER_CLOSING,
    CONF_ALLOW_OPEN_AT_ARMING,
    CONF_AUTO_BYPASS_MODES,
    CONF_TRIGGER_WHEN_UNAVAILABLE,
)


@dataclass(frozen=True, slots=True)
class AreaConfig:
    """One area: its name, its alarm settings and its rules."""

    id: str  # the subentry id
    name: str
    settings: AlarmSettings = field(default_factory=AlarmSettings)
    # As configured; arming needs a code only when some user has one.
    code_arm_required: bool = False
    # Whether presence arms it when everyone has left, and disarms it.
    presence_controls: bool = True
    # Its panel is the system's first panel (kept from before areas).
    system_panel: bool = False

    @property
    def key(self) -> str:
        """What a person types for it (Telegram): its name, slugged."""
        return area_slug(self.name)


@dataclass(frozen=True, slots=True)
class SensorRole:
    """What a sensor does for the alarm: its type, areas and options."""

    id: str  # the sensor's subentry id
    type: SensorType
    areas: tuple[str, ...]
    options: SensorOptions


def sensor_options(sensor_type: SensorType, data: Mapping[str, Any]) -> SensorOptions:
    """A sensor's options: what its subentry says over its type's defaults."""
    options = default_options(sensor_type)
    changes: dict[str, Any] = {}
    if CONF_USE_ENTRY_DELAY in data:
        changes["use_entry_delay"] = bool(data[CONF_USE_ENTRY_DELAY])
    if CONF_USE_EXIT_DELAY in data:
        changes["use_exit_delay"] = bool(data[CONF_USE_EXIT_DELAY])
    if CONF_ALLOW_OPEN_AT_ARMING in data:
        changes["allow_open_at_arming"] = bool(data[CONF_ALLOW_OPEN_AT_ARMING])
    if CONF_ARM_AFTER_CLOSING in data:
        seconds = float(data[CONF_ARM_AFTER_CLOSING] or 0)
        changes["arm_after_closing"] = seconds > 0
        if seconds > 0:
            changes["arm_after_closing_delay"] = seconds
    if CONF_AUTO_BYPASS_MODES in data:
        changes["auto_bypass_modes"] = frozenset(
            ArmMode(mode) for mode in data[CONF_AUTO_BYPASS_MODES] or ()
        )
    if CONF_TRIGGER_WHEN_UNAVAILABLE in data:
        changes["trigger_when_unavailable"] = bool(data[CONF_TRIGGER_WHEN_UNAVAILABLE])
    return replace(options, **changes) if changes else options


def option_values(options: SensorOptions) -> dict[str, Any]:
    """A sensor's options as its subentry keeps them (and the form shows them)."""
    return {
        CONF_USE_ENTRY_DELAY: options.use_entry_delay,
        CONF_USE_EXIT_DELAY: options.use_exit_delay,
        CONF_ARM_AFTER_CLOSING: round(options.arm_after_closing_delay)
        if options.arm_after_closing
        else 0,
        CONF_ALLOW_OPEN_AT_ARMING: options.allow_open_at_arming,
        CONF_AUTO_BYPASS_MODES: sorted(m.value for m in options.auto_bypass_modes),
        CONF_TRIGGER_WHEN_UNAVAILABLE: options.trigger_when_unavailable,
    }


def area_subentries(entry: ConfigEntry) -> list[ConfigSubentry]:
    """The entry's areas, in the order they were added (the first is primary)."""
    return [s for s in entry.subentries.values() if s.subentry_type == SUBENTRY_AREA]


def read_area(subentry: ConfigSubentry, sensors_in_area: Iterable[str]) -> AreaConfig:
    """An area subentry; ``sensors_in_area`` bound its cross-zone groups."""
    data = {**AREA_DEFAULTS, **subentry.data}
    return AreaConfig(
        id=subentry.subentry_id,
        name=subentry.title,
        settings=AlarmSettings(
            exit_delay=float(data[CONF_EXIT_DELAY]),
            entry_delay=float(data[CONF_ENTRY_DELAY]),
            trigger_time=float(data[CONF_TRIGGER_TIME]),
            disarm_after_trigger=bool(data[CONF_DISARM_AFTER_TRIGGER]),
            pet_immune_window=float(data[CONF_PET_IMMUNE_MINUTES]) * 60,
            arm_modes=frozenset(ArmMode(mode) for mode in data[CONF_ARM_MODES]),
            modes=_mode_settings(data.get(CONF_MODES) or {}),
            cross_zone_groups=cross_zone_groups(
                data.get(CONF_CROSS_ZONE_GROUPS) or (), set(sensors_in_area)
            ),
        ),
        code_arm_required=bool(data[CONF_CODE_ARM_REQUIRED]),
        presence_controls=bool(data[CONF_PRESENCE_CONTROLS]),
        system_panel=bool(data.get(CONF_SYSTEM_PANEL, False)),
    )


def _mode_settings(modes: Mapping[str, Any]) -> dict[ArmMode, ModeSettings]:
    settings: dict[ArmMode, ModeSettings] = {}
    for mode, own in modes.items():
        if not isinstance(own, Mapping):
            continue
        delays = {
            key: float(own[key]) for key in MODE_DELAYS if own.get(key) is not None
        }
        sensors = own.get(CONF_SENSORS)
        settings[ArmMode(mode)] = ModeSettings(
            **delays, sensors=frozenset(sensors) if sensors else None
        )
    return settings


def cross_zone_groups(
    groups: Iterable[Mapping[str, Any]], sensors_in_area: set[str]
) -> tuple[CrossZoneGroup, ...]:
    """The groups as the area sees them: only its sensors, two at least.

    A group whose other sensors were removed or moved away could never
    confirm anything: it is left out, and its last sensor trips alone again.
    """
    found: list[CrossZoneGroup] = []
    seen: set[str] = set()
    for number, group in enumerate(groups, start=1):
        members = frozenset(group.get(CONF_SENSORS) or ()) & sensors_in_area - seen
        if len(members) < 2:
            continue
        seen |= members
        found.append(
            CrossZoneGroup(
                id=str(group.get("name") or f"group_{number}"),
                sensors=members,
                window=float(group.get(CONF_WINDOW) or DEFAULT_CROSS_ZONE_WINDOW),
            )
        )
    return tuple(found)


def sensor_areas(data: Mapping[str, Any], area_ids: list[str]) -> tuple[str, ...]:
    """The areas a sensor guards: those it names that exist, or the first area.

    A sensor whose areas were all removed guards the first one: removing an
    area never leaves a door unwatched.
    """
    named = tuple(a for a in data.get(CONF_AREAS) or () if a in area_ids)
    if named:
        return named
    return tuple(area_ids[:1])
