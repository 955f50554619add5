"""The parts of the system that have entities, as they come and go.

The system says which parts it has (a sensor, a phone, presence, the
camera...); each platform listens and adds the entities of every part it has
entities for, when it is set up and whenever a part is added later. An entity
leaves with its part. A part that only changed (a sensor renamed or moved to
another pin) is replaced: its entities leave and come back with their
registry entries (entity ids, the names a user gave them) kept. A part that is
gone takes its registry entries along. Platforms are set up the first time a
part needs them, so a system without a camera never loads the camera platform.
"""

import asyncio
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
import logging
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .config import PhoneConfig, SensorConfig
from .const import DOMAIN
from .siren_config import OutputConfig

if TYPE_CHECKING:
    from .system import SecuritySystem

_LOGGER = logging.getLogger(__name__)


class PartKind(StrEnum):
    """What a part is; each kind has its own entities."""

    SYSTEM = "system"  # what belongs to the whole system
    AREA = "area"  # an area: its panel and its countdown
    HOUSE = "house"  # the whole-house panel, with two areas or more
    SENSOR = "sensor"  # a sensor (entities only when on GPIO)
    GPIO = "gpio"  # GPIO's health, while any sensor is wired
    PHONE = "phone"
    PRESENCE = "presence"  # occupancy and automatic arming
    PRESENCE_NETWORK = "presence_network"  # capture and ARP's health, with phones
    CAMERA = "camera"
    ALERTS = "alerts"  # the outbox, with alert targets
    OUTPUT = "output"  # a siren on GPIO (one on an entity has that entity)


@dataclass(frozen=True, slots=True)
class Part:
    """One part of the system; a change of its settings replaces its entities."""

    kind: PartKind
    key: str  # unique within the system: the subentry id, or the kind
    subentry_id: str | None = None
    sensor: SensorConfig | None = None
    phone: PhoneConfig | None = None
    output: OutputConfig | None = None


def system_part(kind: PartKind) -> Part:
    """A part the system has at most one of."""
    return Part(kind, kind.value)


def area_part(area_id: str) -> Part:
    """An area's part (its settings change its entities' state, not them)."""
    return Part(PartKind.AREA, area_id, area_id)


def sensor_part(sensor: SensorConfig) -> Part:
    """A door or motion sensor's part."""
    return Part(PartKind.SENSOR, sensor.id, sensor.id, sensor=sensor)


def phone_part(phone: PhoneConfig) -> Part:
    """A phone's part."""
    return Part(PartKind.PHONE, phone.id, phone.id, phone=phone)


def output_part(output: OutputConfig) -> Part:
    """A siren's part."""
    return Part(PartKind.OUTPUT, output.id, output.id, output=output)


def wanted_parts(system: SecuritySystem) -> list[Part]:
    """The parts the system has now, with entities to show them."""
    config = system.config
    parts = [system_part(PartKind.SYSTEM)]
    parts += [area_part(area.id) for area in config.areas]
    if config.house_panel and len(config.areas) > 1:
        parts.append(system_part(PartKind.HOUSE))
    parts += [sensor_part(sensor) for sensor in config.sensors]
    if any(sensor.on_gpio for sensor in config.sensors):
        parts.append(system_part(PartKind.GPIO))
    if system.presence is not None:
        parts.append(system_part(PartKind.PRESENCE))
        parts += [phone_part(phone) for phone in config.phones]
        if config.phones:
            parts.append(system_part(PartKind.PRESENCE_NETWORK))
    if system.camera_glue is not None:
        parts.append(system_part(PartKind.CAMERA))
    if system.alerts is not None:
        parts.append(system_part(PartKind.ALERTS))
    parts += [output_part(o) for o in config.outputs.outputs if o.on_gpio]
    return parts


def platforms_of(part: Part, simulation: bool) -> set[Platform]:
    """The platforms a part's entities belong to."""
    # In simulation mode a switch moves each wired sensor and each phone.
    controls = {Platform.SWITCH} if simulation else set()
    match part.kind:
        case PartKind.SYSTEM:
            return {Platform.BUTTON}
        case PartKind.AREA:
            return {Platform.ALARM_CONTROL_PANEL, Platform.SENSOR}
        case PartKind.HOUSE:
            return {Platform.ALARM_CONTROL_PANEL}
        case PartKind.SENSOR:
            if part.sensor is None or not part.sensor.on_gpio:
                return set()
            return {Platform.BINARY_SENSOR, *controls}
        case PartKind.PHONE:
            return {Platform.DEVICE_TRACKER, *controls}
        case PartKind.PRESENCE:
            return {Platform.BINARY_SENSOR, Platform.SWITCH}
        case PartKind.CAMERA:
            return {Platform.BINARY_SENSOR, Platform.BUTTON, Platform.CAMERA}
        case PartKind.ALERTS:
            return {Platform.SENSOR}
        case PartKind.OUTPUT:
            return {Platform.SWITCH}
        case _:  # GPIO and the network's health
            return {Platform.BINARY_SENSOR}


type Leave = Callable[[], Awaitable[None]]


class EntityParts:
    """The parts present now, the platforms listening, the entities they made."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, simulation: bool
    ) -> None:
        """Start with no part and no platform set up."""
        self._hass = hass
        self._entry = entry
        self._simulation = simulation
        self._present: dict[str, Part] = {}
        self._adders: list[Callable[[Part], None]] = []
        self._leaving: dict[str, list[Leave]] = {}
        self.platforms: set[Platform] = set()
        # The unique ids of the entities made, by part (to forget them).
        self._unique_ids: dict[str, set[str]] = {}

    @property
    def present(self) -> Mapping[str, Part]:
        """The parts the system has now, by key."""
        return self._present

    # -- platforms -------------------------------------------------------------

    @callback
    def listen(self, add: Callable[[Part], None]) -> CALLBACK_TYPE:
        """Call ``add`` for every part present now and every part added later."""
        self._adders.append(add)
        for part in list(self._present.values()):
            add(part)
        return lambda: self._adders.remove(add)

    @callback
    def made(self, part: Part, unique_ids: Iterable[str | None]) -> None:
        """A platform made entities of ``part`` with these unique ids."""
        made = self._unique_ids.setdefault(part.key, set())
        made.update(uid for uid in unique_ids if uid is not None)

    def needed_platforms(self) -> set[Platform]:
        """The platforms the present parts need."""
        needed: set[Platform] = set()
        for part in self._present.values():
            needed |= platforms_of(part, self._simulation)
        return needed

    async def async_set_up_platforms(self) -> None:
        """Set up the platforms the present parts need and that are not yet."""
        missing = self.needed_platforms() - self.platforms
        if missing:
            self.platforms |= missing
            await self._hass.config_entries.async_forward_entry_setups(
                self._entry, sorted(missing)
            )

    # -- entities ----------------------------------------------------------------

    @callback
    def on_removed(self, key: str, leave: Leave) -> CALLBACK_TYPE:
        """Call ``leave()`` when the part ``key`` goes or is replaced."""
        leaving = self._leaving.setdefault(key, [])
        leaving.append(leave)

        @callback
        def stop() -> None:
            if leave in leaving:
                leaving.remove(leave)

        return stop

    # -- parts -------------------------------------------------------------------

    @callback
    def add_now(self, part: Part) -> None:
        """Add a part whose platforms are being set up (at start)."""
        self._present[part.key] = part
        for add in list(self._adders):
            add(part)

    async def async_sync(self, wanted: Iterable[Part]) -> None:
        """Make the present parts ``wanted``: add, replace and remove as needed."""
        wanted_by_key = {part.key: part for part in wanted}
        for key in [k for k in self._present if k not in wanted_by_key]:
            await self._async_remove(key, forget=True)
        for key, part in wanted_by_key.items():
            present = self._present.get(key)
            if present == part:
                continue
            if present is not None:
                await self._async_remove(key, forget=False)
            listening = list(self._adders)
            self._present[key] = part
            await self.async_set_up_platforms()  # new platforms add it themselves
            for add in listening:
                add(part)

    async def _async_remove(self, key: str, *, forget: bool) -> None:
        """Take a part's entities away (and their registry entries, to forget)."""
        del self._present[key]
        leaving = self._leaving.pop(key, [])
        if leaving:
            await asyncio.gather(*(leave() for leave in leaving))
        if forget:  # disabled entities too, which were never added
            self._forget(self._unique_ids.pop(key, set()))

    @callback
    def prune_registry(self) -> None:
        """Forget registry entries no part made (a mode or a part gone meanwhile)."""
        made = {uid for ids in self._unique_ids.values() for uid in ids}
        self._forget(None, keep=made)

    @callback
    def _forget(self, unique_ids: set[str] | None, keep: Collection[str] = ()) -> None:
        """Remove our registry entries with ``unique_ids`` (None: all but ``keep``)."""
        registry = er.async_get(self._hass)
        for entry in er.async_entries_for_config_entry(registry, self._entry.entry_id):
            if entry.platform != DOMAIN or entry.unique_id in keep:
                continue
            if unique_ids is None or entry.unique_id in unique_ids:
                _LOGGER.debug("Removing %s: nothing provides it now", entry.entity_id)
                registry.async_remove(entry.entity_id)
