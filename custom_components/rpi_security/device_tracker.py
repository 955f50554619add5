"""A device tracker per phone: home while it is seen on the network."""

from typing import Any

from homeassistant.components.device_tracker.entity import ScannerEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .config import PhoneConfig
from .engine.presence import Occupant, Presence
from .entity import RpiSecurityEntity, add_entities_of_parts, phone_device_info
from .entity_parts import Part, PartKind
from .system import RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add a tracker for each phone, now and as phones are added."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    if part.kind is not PartKind.PHONE or part.phone is None:
        return []
    # The phone's device, with its MAC address: Home Assistant puts a
    # tracker with that address on it (trackers bring no device of their own).
    dr.async_get(system.hass).async_get_or_create(
        config_entry_id=system.entry.entry_id,
        config_subentry_id=part.phone.id,
        **phone_device_info(system, part.phone),
    )
    return [PhoneTracker(system, part.phone)]


class PhoneTracker(RpiSecurityEntity, ScannerEntity):
    """One phone: home or away, with how and when it was last seen."""

    _attr_translation_key = "phone"

    def __init__(self, system: SecuritySystem, phone: PhoneConfig) -> None:
        """Track ``phone``."""
        super().__init__(system, phone.id, owner=phone.id)
        self._phone = phone
        self._attr_name = None  # the phone's device: named as the user named it
        self._attr_mac_address = phone.mac
        # Named as the user named it: Home Assistant gives the phone's device
        # (found by its MAC address) the tracker's host name.
        self._attr_hostname = phone.name

    @property
    def suggested_object_id(self) -> str | None:
        """device_tracker.<phone>: trackers join their device only once added."""
        return self._phone.name

    @property
    def entity_registry_enabled_default(self) -> bool:
        """A phone the user added is tracked (unlike a router's every client)."""
        return True

    @property
    def _occupant(self) -> Occupant:
        presence = self._system.presence
        occupant = presence.tracker.occupants.get(self._phone.id) if presence else None
        # A phone being removed: unknown until its entity is gone.
        return occupant or Occupant(self._phone.id, on_network=True)

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
