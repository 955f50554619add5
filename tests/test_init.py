"""Setting up, unloading and removing the system."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN

from .helpers import PANEL


async def test_unload_releases_the_pins_and_keeps_the_state(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_home", {"entity_id": PANEL}, blocking=True
    )
    factory = loaded_entry.runtime_data.pin_factory
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert loaded_entry.state is ConfigEntryState.NOT_LOADED
    assert factory.pins == {}  # every pin was released
    stored = hass_storage[f"{DOMAIN}.{loaded_entry.entry_id}"]["data"]
    assert stored["alarm"]["state"] == "arming"
    assert stored["alarm"]["delay_left"] == 30  # time stood still


@pytest.mark.parametrize("simulation", [False])
async def test_removing_the_system_forgets_its_state_and_issues(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    issue_registry: ir.IssueRegistry,
) -> None:
    # Real-hardware mode on this machine: there is a GPIO repair issue.
    assert issue_registry.async_get_issue(DOMAIN, "gpio_no_pin_factory")
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert f"{DOMAIN}.{loaded_entry.entry_id}" not in hass_storage
    assert issue_registry.async_get_issue(DOMAIN, "gpio_no_pin_factory") is None
    assert hass.states.get(PANEL) is None
