"""Sensors of the alert outbox: alerts waiting, and the last one delivered."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

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

from .alerts import AlertManager
from .entity import RpiSecurityEntity, add_entities_of_parts
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
    """Add the outbox's sensors while the system has alert targets."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    if part.kind is not PartKind.ALERTS or system.alerts is None:
        return []
    return [AlertSensor(system, system.alerts, description) for description in SENSORS]


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
