"""Switches: automatic arming, sirens on GPIO, in simulation sensors and phones.

In simulation mode each wired sensor's device has a switch that moves its
simulated pin ("Open" for a door, "Motion" for a PIR), through the same
debounce a real contact goes through, and each phone's device a switch that
puts it on the simulated network ("At home") or takes it off: the phone is
then found away only as a real one would be, after minutes of silence.
"""

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .auto_arming import AUTO_ARM_KEY
from .config import PhoneConfig, SensorConfig
from .engine.alarm import SensorKind
from .entity import (
    RpiSecurityEntity,
    add_entities_of_parts,
    phone_device_info,
    sensor_device_info,
)
from .entity_parts import Part, PartKind
from .inputs import GpioSensorInput
from .presence_network import SimulatedPhones
from .siren_switch import SirenSwitch
from .system import RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switches of each part, now and as parts come."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    simulation = system.config.simulation
    match part.kind:
        case PartKind.PRESENCE:
            return [AutomaticArmingSwitch(system)]
        case PartKind.SENSOR if (
            simulation and part.sensor is not None and part.sensor.on_gpio
        ):
            return [SimulatedSensorSwitch(system, part.sensor)]
        case PartKind.PHONE if simulation and part.phone is not None:
            return [SimulatedPhoneSwitch(system, part.phone)]
        case PartKind.OUTPUT if part.output is not None:
            return [SirenSwitch(system, part.output)]
    return []


class AutomaticArmingSwitch(RpiSecurityEntity, SwitchEntity):
    """On: the alarm arms when everyone has left and disarms when someone returns."""

    _attr_translation_key = "automatic_arming"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the switch."""
        super().__init__(
            system, AUTO_ARM_KEY, "automatic_arming", owner=PartKind.PRESENCE
        )

    @property
    def is_on(self) -> bool:
        """Whether presence arms and disarms the alarm."""
        return self._system.auto_arm.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let presence arm and disarm (arming at once if everyone is away)."""
        await self._system.async_set_auto_arm(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Leave arming and disarming to people."""
        await self._system.async_set_auto_arm(False)


class SimulatedSensorSwitch(RpiSecurityEntity, SwitchEntity):
    """Simulation: open and close a door, or start and stop a PIR's motion."""

    def __init__(self, system: SecuritySystem, sensor: SensorConfig) -> None:
        """A control on the sensor's own device."""
        super().__init__(system, sensor.id, owner=sensor.id)
        self._sensor = sensor
        self._attr_unique_id = f"{system.entry.entry_id}_{sensor.id}_simulated"
        self._attr_device_info = sensor_device_info(system, sensor)
        self._attr_translation_key = (
            "simulated_motion" if sensor.kind is SensorKind.MOTION else "simulated_open"
        )

    @property
    def _input(self) -> GpioSensorInput | None:
        sensor_input = self._system.inputs.get(self._sensor.id)
        return sensor_input if isinstance(sensor_input, GpioSensorInput) else None

    @property
    def available(self) -> bool:
        """Only while the simulated pin is open."""
        return self._input is not None and self._input.error is None

    @property
    def is_on(self) -> bool:
        """Whether the simulated door stands open (or the PIR sees motion)."""
        return self._input is not None and self._input.simulated_open

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Open the door, or move in front of the PIR."""
        self._system.simulate(self._sensor.id, True)
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Close the door, or stand still."""
        self._system.simulate(self._sensor.id, False)
        self.async_write_ha_state()


class SimulatedPhoneSwitch(RpiSecurityEntity, SwitchEntity):
    """Simulation: the phone is on the home network (it answers), or gone."""

    _attr_translation_key = "simulated_home"

    def __init__(self, system: SecuritySystem, phone: PhoneConfig) -> None:
        """A control on the phone's own device."""
        super().__init__(system, phone.id, owner=phone.id)
        self._phone = phone
        self._attr_unique_id = f"{system.entry.entry_id}_{phone.id}_at_home"
        self._attr_device_info = phone_device_info(system, phone)

    @property
    def _network(self) -> SimulatedPhones | None:
        presence = self._system.presence
        network = presence.network if presence is not None else None
        return network if isinstance(network, SimulatedPhones) else None

    @property
    def available(self) -> bool:
        """While the simulated network runs."""
        return self._network is not None

    @property
    def is_on(self) -> bool:
        """Whether the phone is on the simulated network."""
        network = self._network
        return network is not None and network.network.is_present(self._phone.mac)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """The phone comes home: it joins the network and is heard at once."""
        self._set(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """The phone leaves: silent from now on, away once presence is sure."""
        self._set(False)

    def _set(self, present: bool) -> None:
        if (presence := self._system.presence) is not None:
            presence.simulate(self._phone.id, present)
        self.async_write_ha_state()
