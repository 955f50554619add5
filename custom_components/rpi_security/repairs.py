"""Fixing repair issues from Home Assistant's repairs dashboard.

A phone found at a new private Wi-Fi address (a new MAC with its DHCP host
name) is fixed by taking that address as the phone's MAC. The address is
shown for the user to compare with the phone's Wi-Fi settings; it is read
from the running system, never stored in the issue.
"""

from homeassistant.components.repairs import RepairsFlow, RepairsFlowResult
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import probatio

from .const import CONF_MAC, SUBENTRY_PHONE
from .system import RpiSecurityConfigEntry


class NewAddressFlow(RepairsFlow):
    """Take a phone's new private address as its MAC."""

    def __init__(self, entry_id: str, phone_id: str) -> None:
        """For the phone ``phone_id`` of the entry ``entry_id``."""
        self._entry_id = entry_id
        self._phone_id = phone_id

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Show the new address and ask to use it."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Use the new address, once the user confirms."""
        entry: RpiSecurityConfigEntry | None = self.hass.config_entries.async_get_entry(
            self._entry_id
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        subentry = entry.subentries.get(self._phone_id)
        presence = entry.runtime_data.presence
        if (
            subentry is None
            or subentry.subentry_type != SUBENTRY_PHONE
            or presence is None
            or self._phone_id not in presence.phones
        ):
            return self.async_abort(reason="phone_gone")
        new_mac = presence.occupant(self._phone_id).new_address
        if new_mac is None:
            return self.async_abort(reason="phone_gone")
        if any(
            other.subentry_type == SUBENTRY_PHONE
            and other.data.get(CONF_MAC) == new_mac
            for other in entry.subentries.values()
        ):
            return self.async_abort(reason="mac_in_use")
        if user_input is not None:
            # The entry's update listener reloads it with the new address.
            self.hass.config_entries.async_update_subentry(
                entry,
                subentry,
                data={**subentry.data, CONF_MAC: new_mac},
                unique_id=new_mac,
            )
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=probatio.Schema({}),
            description_placeholders={"phone": subentry.title, "mac": new_mac},
        )


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """The flow that fixes ``issue_id`` (only new addresses can be fixed here)."""
    del hass, issue_id
    data = data or {}
    return NewAddressFlow(str(data.get("entry_id")), str(data.get("phone_id")))
