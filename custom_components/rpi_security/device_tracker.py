"""A device tracker per phone: home while it is seen on the network."""

from typing import Any

from homeassistant.components.device_tracker.entity import ScannerEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .config import PhoneConfig
from .engine.presence import Occupant, Presence
from .entity import RpiSecurityEntity, add_entities_of_parts, phone_device_info
from .entity_parts import Part, PartKind
from .system import RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0

DEVICE_TRACKER = Platform.DEVICE_TRACKER.value


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
    _phone_device(system, part.phone)
    return [PhoneTracker(system, part.phone)]


def _phone_device(system: SecuritySystem, phone: PhoneConfig) -> None:
    """The phone's device, with its MAC address, made before its tracker.

    Trackers bring no device of their own: Home Assistant puts a tracker on
    the device with its MAC address. A phone given a new MAC (a private
    address taken from its repair issue) keeps its device, and its tracker
    keeps its entity id, though the tracker's unique id is the MAC.
    """
    entry_id = system.entry.entry_id
    devices = dr.async_get(system.hass)
    mac = (dr.CONNECTION_NETWORK_MAC, phone.mac)
    device = devices.async_get_or_create(
        config_entry_id=entry_id,
        config_subentry_id=phone.id,
        **phone_device_info(system, phone),
    )
    if device.connections != {mac}:  # merged with the old address
        devices.async_update_device(device.id, new_connections={mac})
    entities = er.async_get(system.hass)
    for entry in er.async_entries_for_config_entry(entities, entry_id):
        if (
            entry.domain == DEVICE_TRACKER
            and entry.config_subentry_id == phone.id
            and entry.unique_id != phone.mac
        ):
            entities.async_update_entity(entry.entity_id, new_unique_id=phone.mac)


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
        """Unavailable only while the phone cannot be looked for at all."""
        return self._occupant.presence is not Presence.UNDETERMINED

    @property
    def is_connected(self) -> bool | None:
        """Home; None (state ``unknown``) until it is first heard or confirmed."""
        if self._occupant.presence is Presence.UNKNOWN:
            return None
        return self._occupant.presence is Presence.HOME

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
