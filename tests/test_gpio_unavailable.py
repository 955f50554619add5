"""Unusable GPIO: the entry loads, its sensors go unavailable, a repair says why."""

import sys
from unittest.mock import patch

from gpiozero.pins.mock import MockFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN

from .helpers import FRONT_DOOR, HALLWAY, PANEL, PATIO_DOOR, with_options

GPIO_PROBLEM = "binary_sensor.home_gpio"


async def _setup_with_zigbee_door(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.states.async_set("binary_sensor.zigbee_back_door", "off")
    config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data={"source": "entity", "entity_id": "binary_sensor.zigbee_back_door"},
            subentry_type="door",
            title="Back door",
            unique_id="entity_binary_sensor.zigbee_back_door",
        ),
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize("simulation", [False])
@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=0)])
async def test_no_gpio_on_this_machine_raises_a_repair_and_the_rest_works(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    # Real-hardware mode on a machine that is not a Pi: gpiod finds no GPIO
    # chip, nor do gpiozero's own factories (nothing here is mocked).
    await _setup_with_zigbee_door(hass, config_entry)
    assert config_entry.state is ConfigEntryState.LOADED

    for entity_id in (FRONT_DOOR, PATIO_DOOR, HALLWAY):
        assert hass.states.get(entity_id).state == "unavailable"
    problem = hass.states.get(GPIO_PROBLEM)
    assert problem.state == "on"
    assert problem.attributes["problems"] == {
        "no_gpio_device": ["Front door", "Patio door", "Hallway"]
    }
    issue = issue_registry.async_get_issue(DOMAIN, "gpio_no_gpio_device")
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders["sensors"] == (
        "Front door (GPIO17), Patio door (GPIO27), Hallway (GPIO4)"
    )
    detail = issue.translation_placeholders["detail"]
    assert detail.startswith("no GPIO chip device (/dev/gpiochip*)")
    assert "lgpio" in detail  # the fallbacks were tried too

    # The panel and the Zigbee door still work.
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    hass.states.async_set("binary_sensor.zigbee_back_door", "on")
    await hass.async_block_till_done()
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


@pytest.mark.parametrize("simulation", [False])
async def test_without_gpiod_a_fallback_denied_access_says_so(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # gpiod cannot be loaded, and gpiozero's own factory may not open the chip:
    # what the user can fix is the permission.
    monkeypatch.setitem(sys.modules, "gpiod", None)
    denied = PermissionError(13, "Permission denied", "/dev/gpiochip0")
    with patch("gpiozero.Device._default_pin_factory", side_effect=denied):
        config_entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(config_entry.entry_id)
    issue = issue_registry.async_get_issue(DOMAIN, "gpio_permission_denied")
    assert issue is not None
    detail = issue.translation_placeholders["detail"]
    assert detail.startswith("the gpiod library cannot be loaded")
    assert "/dev/gpiochip0" in detail
    assert hass.states.get(FRONT_DOOR).state == "unavailable"


async def test_one_bad_pin_leaves_the_others_working(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    config_entry.add_to_hass(hass)
    # Written past the config flow's checks: BCM 40 does not exist on a Pi.
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data={"source": "gpio", "pin": 40, "pull_up": False, "debounce_ms": 0},
            subentry_type="motion",
            title="Garage",
            unique_id="gpio_40",
        ),
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.garage").state == "unavailable"
    assert hass.states.get(FRONT_DOOR).state == "off"
    issue = issue_registry.async_get_issue(DOMAIN, "gpio_pin_unavailable")
    assert issue.translation_placeholders["sensors"] == "Garage (GPIO40)"


@pytest.mark.parametrize("simulation", [False])
async def test_the_repair_goes_away_once_gpio_works(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, "gpio_no_gpio_device")
    await hass.config_entries.async_unload(config_entry.entry_id)

    # gpiod still finds no chip, but one of gpiozero's own factories works now
    # (mock pins stand in for it): the fallback is used.
    with patch("gpiozero.Device._default_pin_factory", return_value=MockFactory()):
        assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert issue_registry.async_get_issue(DOMAIN, "gpio_no_gpio_device") is None
    assert hass.states.get(GPIO_PROBLEM).state == "off"
    # Nothing is wired to the mock chip: the pulled-up NC line reads "open".
    assert hass.states.get(FRONT_DOOR).state == "on"
