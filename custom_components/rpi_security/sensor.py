"""Sensors: each area's countdown, and the alert outbox's figures."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .alarm_areas import Area, area_key
from .alerts import AlertManager
from .entity import RpiSecurityEntity, add_entities_of_parts, area_device_info
from .entity_parts import Part, PartKind
from .system import ALERTS_KEY, RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class AlertSensorDescription(SensorEntityDescription):
    """A sensor reading the alert manager."""

    value: Callable[[AlertManager], int | datetime | None]


SENSORS = (
    AlertSensorDescription(
        key="pending_alerts",
        translation_key="pending_alerts",
        state_class=SensorStateClass.MEASUREMENT,
        entity_category=EntityCategory.DIAGNOSTIC,
        value=lambda alerts: len(alerts.outbox),
    ),
    AlertSensorDescription(
        key="last_alert_delivered",
        translation_key="last_alert_delivered",
        device_class=SensorDeviceClass.TIMESTAMP,
        entity_category=EntityCategory.DIAGNOSTIC,
        # Changes with every alert; "Pending alerts" is the one to watch.
        entity_registry_enabled_default=False,
        value=lambda alerts: alerts.last_delivered,
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each area's countdown, and the outbox's sensors with alert targets."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    if part.kind is PartKind.AREA and (area := system.areas.get(part.key)):
        return [DelayEndSensor(system, area)]
    if part.kind is not PartKind.ALERTS or system.alerts is None:
        return []
    return [AlertSensor(system, system.alerts, description) for description in SENSORS]


class DelayEndSensor(RpiSecurityEntity, SensorEntity):
    """When the area's exit or entry delay ends: any dashboard shows the time left.

    Unknown while no such delay runs (disarmed, armed, triggered).
    """

    _attr_translation_key = "delay_end"
    _attr_device_class = SensorDeviceClass.TIMESTAMP

    def __init__(self, system: SecuritySystem, area: Area) -> None:
        """The countdown of ``area``, on the area's device."""
        super().__init__(system, area_key(area.id), owner=area.id)
        self._area_id = area.id
        entry_id = system.entry.entry_id
        self._attr_unique_id = f"{entry_id}_{area.id}_delay_end"
        self._attr_device_info = area_device_info(system, area.config)

    @property
    def native_value(self) -> datetime | None:
        """The end of the exit or entry delay running now."""
        area = self._system.areas.get(self._area_id)
        end = area.delay_end if area is not None else None
        return datetime.fromtimestamp(end, UTC) if end is not None else None


class AlertSensor(RpiSecurityEntity, SensorEntity):
    """One figure of the outbox."""

    entity_description: AlertSensorDescription

    def __init__(
        self,
        system: SecuritySystem,
        alerts: AlertManager,
        description: AlertSensorDescription,
    ) -> None:
        """Describe the sensor."""
        super().__init__(system, ALERTS_KEY, description.key, owner=PartKind.ALERTS)
        self._alerts = alerts
        self.entity_description = description

    @property
    def native_value(self) -> int | datetime | None:
        """The figure."""
        return self.entity_description.value(self._alerts)
