"""A device tracker per phone: home while it is seen on the network."""

from typing import Any

from homeassistant.components.device_tracker.entity import ScannerEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .config import PhoneConfig
from .engine.presence import Occupant, Presence, PresenceTracker
from .entity import RpiSecurityEntity
from .system import RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a tracker for each phone."""
    system = entry.runtime_data
    if system.presence is None:
        return
    tracker = system.presence.tracker
    for phone in system.config.phones:
        async_add_entities(
            [PhoneTracker(system, tracker, phone)], config_subentry_id=phone.id
        )


class PhoneTracker(RpiSecurityEntity, ScannerEntity):
    """One phone: home or away, with how and when it was last seen."""

    _attr_translation_key = "phone"

    def __init__(
        self, system: SecuritySystem, tracker: PresenceTracker, phone: PhoneConfig
    ) -> None:
        """Track ``phone``."""
        super().__init__(system, phone.id)
        self._tracker = tracker
        self._phone = phone
        self._attr_name = phone.name
        self._attr_mac_address = phone.mac

    @property
    def entity_registry_enabled_default(self) -> bool:
        """A phone the user added is tracked (unlike a router's every client)."""
        return True

    @property
    def _occupant(self) -> Occupant:
        return self._tracker.occupants[self._phone.id]

    @property
    def available(self) -> bool:
        """Unavailable while it is not known whether the phone is home."""
        return self._occupant.presence in (Presence.HOME, Presence.AWAY)

    @property
    def is_connected(self) -> bool:
        """Home."""
        return bool(self._occupant.presence is Presence.HOME)

    @property
    def ip_address(self) -> str | None:
        """The last address the phone was seen with."""
        return self._occupant.ip

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """When and how the phone was last seen."""
        occupant = self._occupant
        return {
            "last_seen": dt_util.utc_from_timestamp(occupant.last_seen).isoformat()
            if occupant.last_seen
            else None,
            "detected_by": occupant.detection.value if occupant.detection else None,
        }
