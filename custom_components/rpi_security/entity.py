"""The base of every RPi Security entity, and how platforms add them."""

from collections.abc import Callable, Sequence

from homeassistant.core import callback
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .area_config import AreaConfig
from .config import PhoneConfig, SensorConfig
from .const import DOMAIN
from .engine.alarm import SensorKind
from .entity_parts import Part, PartKind
from .system import RpiSecurityConfigEntry, SecuritySystem

MANUFACTURER = "RPi Security"
# What a GPIO sensor's device is, by type.
SENSOR_MODELS = {
    SensorKind.DOOR: "Door contact",
    SensorKind.WINDOW: "Window contact",
    SensorKind.MOTION: "PIR motion sensor",
    SensorKind.TAMPER: "Tamper switch",
    SensorKind.ENVIRONMENTAL: "Environmental sensor",
}


def system_device_info(system: SecuritySystem) -> DeviceInfo:
    """The device that stands for the whole system (the Pi)."""
    return DeviceInfo(
        identifiers={(DOMAIN, system.entry.entry_id)},
        name=system.config.name,
        manufacturer=MANUFACTURER,
        model="Simulated Raspberry Pi" if system.config.simulation else "Raspberry Pi",
    )


def sensor_device_info(system: SecuritySystem, sensor: SensorConfig) -> DeviceInfo:
    """A device for a sensor wired to the Pi, shown under the system's device."""
    model = SENSOR_MODELS[sensor.kind]
    return DeviceInfo(
        identifiers={(DOMAIN, sensor.id)},
        name=sensor.name,
        manufacturer=MANUFACTURER,
        model=f"{model} on GPIO{sensor.pin}",
        via_device_id=system.device_id,
    )


def area_device_info(system: SecuritySystem, area: AreaConfig) -> DeviceInfo:
    """An area's device: its panel and countdown, under the system's device."""
    return DeviceInfo(
        identifiers={(DOMAIN, area.id)},
        name=area.name,
        manufacturer=MANUFACTURER,
        model="Alarm area",
        via_device_id=system.device_id,
    )


def phone_device_info(system: SecuritySystem, phone: PhoneConfig) -> DeviceInfo:
    """A phone's device: its tracker (joined by its MAC address) and controls."""
    return DeviceInfo(
        identifiers={(DOMAIN, phone.id)},
        connections={(dr.CONNECTION_NETWORK_MAC, phone.mac)},
        name=phone.name,
        model="Simulated phone" if system.config.simulation else "Phone",
        via_device_id=system.device_id,
    )


def add_entities_of_parts(
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    entities_of: Callable[[SecuritySystem, Part], Sequence[Entity]],
) -> None:
    """Add the platform's entities of every part, now and as parts come."""
    system = entry.runtime_data

    @callback
    def add(part: Part) -> None:
        entities = entities_of(system, part)
        if entities:
            system.parts.made(part, (entity.unique_id for entity in entities))
            async_add_entities(entities, config_subentry_id=part.subentry_id)

    entry.async_on_unload(system.parts.listen(add))


class RpiSecurityEntity(Entity):
    """Follows one part of the system and writes its state when it changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self,
        system: SecuritySystem,
        key: str,
        part: str | None = None,
        *,
        owner: str = PartKind.SYSTEM.value,
    ) -> None:
        """Follow ``key``: the panel, a sensor id, ...

        ``part`` names one of the system's own entities (unique within the
        system): it makes the unique id, and the entity sits on the system's
        device. The others (the panel, GPIO sensors, phones) set their own.
        ``owner`` is the key of the part (see :mod:`.entity_parts`) the
        entity comes and goes with.
        """
        self._system = system
        self._key = key
        self._owner = owner
        if part is not None:
            self._attr_unique_id = f"{system.entry.entry_id}_{part}"
            self._attr_device_info = system_device_info(system)

    async def async_added_to_hass(self) -> None:
        """Start following the system, and leave with the part."""
        await super().async_added_to_hass()
        self.async_on_remove(self._system.async_subscribe(self._key, self._updated))
        self.async_on_remove(self._system.parts.on_removed(self._owner, self._leave))

    @callback
    def _updated(self) -> None:
        self.async_write_ha_state()

    async def _leave(self) -> None:
        """The part went, or is replaced (the registry entry is the parts' care)."""
        await self.async_remove(force_remove=True)
