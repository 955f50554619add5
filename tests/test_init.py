"""Setting up, unloading and removing the system."""

from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.system import SecuritySystem

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
    assert issue_registry.async_get_issue(DOMAIN, "gpio_no_gpio_device")
    # And one from damaged storage, and a lock-out on disk.
    ir.async_create_issue(
        hass,
        DOMAIN,
        "storage_damaged",
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        translation_key="storage_damaged",
    )
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert f"{DOMAIN}.{loaded_entry.entry_id}.access" in hass_storage
    await hass.config_entries.async_remove(loaded_entry.entry_id)
    await hass.async_block_till_done()
    assert f"{DOMAIN}.{loaded_entry.entry_id}" not in hass_storage
    assert f"{DOMAIN}.{loaded_entry.entry_id}.access" not in hass_storage
    assert issue_registry.async_get_issue(DOMAIN, "gpio_no_gpio_device") is None
    assert issue_registry.async_get_issue(DOMAIN, "storage_damaged") is None
    assert hass.states.get(PANEL) is None


async def test_a_sensor_added_while_the_system_starts_is_not_missed(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    # Adding sensors right after creating the system (scripts/develop does,
    # through the HTTP API) can land while the entry is still starting.
    start = SecuritySystem.async_start

    async def start_and_meanwhile_add_a_door(system: SecuritySystem) -> None:
        if "Garage door" not in [s.title for s in config_entry.subentries.values()]:
            hass.config_entries.async_add_subentry(
                config_entry,
                ConfigSubentry(
                    data={
                        "source": "gpio",
                        "pin": 22,
                        "contact_type": "nc",
                        "pull_up": True,
                        "debounce_ms": 100,
                    },
                    subentry_type="door",
                    title="Garage door",
                    unique_id="gpio_22",
                ),
            )
        await start(system)

    config_entry.add_to_hass(hass)
    with patch.object(SecuritySystem, "async_start", start_and_meanwhile_add_a_door):
        # Not asserting the result: the reload that picks up the new door may
        # already be under way when the first setup returns.
        await hass.config_entries.async_setup(config_entry.entry_id)
        await hass.async_block_till_done()
    assert config_entry.state is ConfigEntryState.LOADED
    assert hass.states.get("binary_sensor.garage_door").state == "off"
