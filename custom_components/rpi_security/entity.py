"""The base of every RPi Security entity."""

from homeassistant.core import callback
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity

from .config import SensorConfig
from .const import DOMAIN
from .engine.alarm import SensorKind
from .system import SecuritySystem

MANUFACTURER = "RPi Security"


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
    model = "Door contact" if sensor.kind is SensorKind.DOOR else "PIR motion sensor"
    return DeviceInfo(
        identifiers={(DOMAIN, sensor.id)},
        name=sensor.name,
        manufacturer=MANUFACTURER,
        model=f"{model} on GPIO{sensor.pin}",
        via_device_id=system.device_id,
    )


class RpiSecurityEntity(Entity):
    """Follows one part of the system and writes its state when it changes."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, system: SecuritySystem, key: str, part: str | None = None
    ) -> None:
        """Follow ``key``: the panel or a sensor id.

        ``part`` names one of the system's own entities (unique within the
        system): it makes the unique id, and the entity sits on the system's
        device. The others (the panel, GPIO sensors, phones) set their own.
        """
        self._system = system
        self._key = key
        if part is not None:
            self._attr_unique_id = f"{system.entry.entry_id}_{part}"
            self._attr_device_info = system_device_info(system)

    async def async_added_to_hass(self) -> None:
        """Start following the system."""
        await super().async_added_to_hass()
        self.async_on_remove(self._system.async_subscribe(self._key, self._updated))

    @callback
    def _updated(self) -> None:
        self.async_write_ha_state()
