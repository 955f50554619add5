"""Binary sensors: the GPIO sensors, and the health of GPIO, presence, camera."""

from typing import Any

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .auto_arming import OCCUPANCY_KEY
from .camera_glue import CAMERA_KEY
from .config import SensorConfig
from .engine.alarm import SensorKind
from .engine.presence import Presence
from .entity import RpiSecurityEntity, add_entities_of_parts, sensor_device_info
from .entity_parts import Part, PartKind
from .inputs import SensorInput
from .system import HEALTH_KEY, RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0

# What a GPIO sensor shows itself as, by type.
DEVICE_CLASS_OF_TYPE = {
    SensorKind.DOOR: BinarySensorDeviceClass.DOOR,
    SensorKind.WINDOW: BinarySensorDeviceClass.WINDOW,
    SensorKind.MOTION: BinarySensorDeviceClass.MOTION,
    SensorKind.TAMPER: BinarySensorDeviceClass.TAMPER,
    # Smoke, water or gas on a pin: "on" means something is wrong.
    SensorKind.ENVIRONMENTAL: BinarySensorDeviceClass.SAFETY,
}


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the binary sensors of each part, now and as parts come."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    """The GPIO sensors, the health sensors, occupancy and camera motion."""
    match part.kind:
        case PartKind.SENSOR if part.sensor is not None and part.sensor.on_gpio:
            return [GpioSensorEntity(system, part.sensor)]
        case PartKind.GPIO:
            return [GpioProblemEntity(system)]
        case PartKind.PRESENCE:
            return [OccupancyEntity(system)]
        case PartKind.PRESENCE_NETWORK:
            return [PresenceProblemEntity(system)]
        case PartKind.CAMERA:
            entities: list[Entity] = [CameraProblemEntity(system)]
            if system.config.camera.motion_detection:
                entities.append(CameraMotionEntity(system))
            return entities
    return []


class GpioSensorEntity(RpiSecurityEntity, BinarySensorEntity):
    """A sensor on a GPIO pin: on = open, motion, tampered or alarm."""

    _attr_name = None

    def __init__(self, system: SecuritySystem, sensor: SensorConfig) -> None:
        """Describe the sensor; it is the main entity of its own device."""
        super().__init__(system, sensor.id, owner=sensor.id)
        self._sensor = sensor
        self._attr_unique_id = f"{system.entry.entry_id}_{sensor.id}"
        self._attr_device_info = sensor_device_info(system, sensor)
        self._attr_device_class = DEVICE_CLASS_OF_TYPE[sensor.kind]

    async def async_added_to_hass(self) -> None:
        """Let the system name this entity in its events."""
        await super().async_added_to_hass()
        self._system.sensor_entity_ids[self._sensor.id] = self.entity_id

    @property
    def _input(self) -> SensorInput | None:
        # None for a moment when the sensor is being removed.
        return self._system.inputs.get(self._sensor.id)

    @property
    def available(self) -> bool:
        """Unavailable while the pin cannot be read."""
        return self._input is not None and self._input.available

    @property
    def is_on(self) -> bool | None:
        """Open, or motion."""
        return self._input.is_open if self._input is not None else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Where the sensor is wired."""
        return {"gpio_pin": self._sensor.pin}


class GpioProblemEntity(RpiSecurityEntity, BinarySensorEntity):
    """On while any GPIO sensor cannot be read."""

    _attr_translation_key = "gpio_problem"
    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the health sensor of the system's GPIO."""
        super().__init__(system, HEALTH_KEY, "gpio_problem", owner=PartKind.GPIO)

    @property
    def is_on(self) -> bool:
        """Whether some GPIO sensor is unavailable."""
        return bool(self._system.gpio_problems)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Which sensors are affected and why."""
        return {
            "problems": {
                problem.value: [i.config.name for i in inputs]
                for problem, inputs in self._system.gpio_problems.items()
            }
        }


class OccupancyEntity(RpiSecurityEntity, BinarySensorEntity):
    """On while anyone is home (a phone, or a person or tracker entity)."""

    _attr_translation_key = "occupancy"
    _attr_device_class = BinarySensorDeviceClass.OCCUPANCY

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the occupancy sensor."""
        super().__init__(system, OCCUPANCY_KEY, "occupancy", owner=PartKind.PRESENCE)

    @property
    def is_on(self) -> bool:
        """Whether anyone is home."""
        presence = self._system.presence
        return presence is not None and presence.tracker.anyone_home

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Who is home, who is away, and who is not known yet (nothing arms)."""
        presence = self._system.presence
        occupants = presence.tracker.occupants.values() if presence else ()
        return {
            state.value: sorted(
                self._system.presence_name(o.id)
                for o in occupants
                if o.presence is state
            )
            for state in (Presence.HOME, Presence.AWAY, Presence.UNKNOWN)
        }


class PresenceProblemEntity(RpiSecurityEntity, BinarySensorEntity):
    """On while part of presence detection (capture, ARP) does not work."""

    _attr_translation_key = "presence_problem"
    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the health sensor of presence detection."""
        super().__init__(
            system, HEALTH_KEY, "presence_problem", owner=PartKind.PRESENCE_NETWORK
        )

    @property
    def is_on(self) -> bool:
        """Whether some part of presence detection fails."""
        presence = self._system.presence
        return bool(presence and presence.problems)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What fails, and why."""
        presence = self._system.presence
        problems = presence.problems if presence else {}
        return {
            "problems": {
                part.value: err.problem.value for part, err in problems.items()
            }
        }


class CameraMotionEntity(RpiSecurityEntity, BinarySensorEntity):
    """On while the camera sees something move."""

    _attr_translation_key = "camera_motion"
    _attr_device_class = BinarySensorDeviceClass.MOTION

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the camera's motion sensor."""
        super().__init__(system, CAMERA_KEY, "camera_motion", owner=PartKind.CAMERA)

    async def async_added_to_hass(self) -> None:
        """The camera looks for motion while this sensor is there (enabled)."""
        await super().async_added_to_hass()
        if self._system.camera is not None:
            self.async_on_remove(self._system.camera.watch_motion())

    @property
    def available(self) -> bool:
        """Only while the camera works."""
        return self._system.camera is not None and self._system.camera.is_open

    @property
    def is_on(self) -> bool:
        """Whether the camera sees motion."""
        return self._system.camera is not None and self._system.camera.motion


class CameraProblemEntity(RpiSecurityEntity, BinarySensorEntity):
    """On while the camera cannot be used or captures cannot be stored."""

    _attr_translation_key = "camera_problem"
    _attr_device_class = BinarySensorDeviceClass.PROBLEM
    _attr_entity_category = EntityCategory.DIAGNOSTIC

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the camera's health sensor."""
        super().__init__(system, HEALTH_KEY, "camera_problem", owner=PartKind.CAMERA)

    @property
    def is_on(self) -> bool:
        """Whether the camera or its storage has a problem."""
        return bool(self._system.camera and self._system.camera.problems)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """What fails, and the last capture that failed."""
        camera = self._system.camera
        failed = (
            next((c for c in reversed(camera.captures) if not c.ok), None)
            if camera
            else None
        )
        return {
            "problems": {part.value: detail for part, detail in camera.problems.items()}
            if camera
            else {},
            "last_failed_capture": f"{failed.kind.value} ({failed.error})"
            if failed
            else None,
        }
