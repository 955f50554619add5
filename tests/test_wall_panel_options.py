"""The wall panel's options: off by default, checked, and clear when MQTT is missing.

No broker here (see test_wall_panel_mqtt for the panel at work): these are
the answers a person gets in the options flow, and the repair issue of a
wall panel left on after MQTT was removed.
"""

from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.engine.codes import hash_code

from .helpers import with_options

DEFAULTS = {
    "mqtt_enabled": False,
    "mqtt_state_topic": "rpi_security/state",
    "mqtt_event_topic": "rpi_security/event",
    "mqtt_command_topic": "rpi_security/command",
    "mqtt_require_code": True,
}


async def wall_panel_form(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Open Configure > Wall panel (MQTT); the flow's id."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "wall_panel"}
    )
    assert result["step_id"] == "wall_panel"
    shown = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
    }
    assert shown == DEFAULTS  # off, on the usual topics
    return str(result["flow_id"])


async def submit(hass: HomeAssistant, flow_id: str, **changes: Any) -> dict[str, Any]:
    return await hass.config_entries.options.async_configure(
        flow_id, {**DEFAULTS, **changes}
    )


async def test_turning_it_on_without_mqtt_says_to_set_mqtt_up(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    flow_id = await wall_panel_form(hass, loaded_entry)
    result = await submit(hass, flow_id, mqtt_enabled=True, mqtt_require_code=False)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "mqtt_not_set_up"}
    assert not loaded_entry.options.get("mqtt_enabled")


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        (
            {"mqtt_command_topic": "alarm/+/set"},
            {"mqtt_command_topic": "invalid_topic"},
        ),
        ({"mqtt_state_topic": "alarm/#"}, {"mqtt_state_topic": "invalid_topic"}),
        ({"mqtt_event_topic": "$SYS/alarm"}, {"mqtt_event_topic": "invalid_topic"}),
        ({"mqtt_event_topic": ""}, {"mqtt_event_topic": "invalid_topic"}),
        ({"mqtt_command_topic": "a" * 201}, {"mqtt_command_topic": "invalid_topic"}),
        (
            {"mqtt_command_topic": "rpi_security/event"},
            {"mqtt_command_topic": "topics_clash"},
        ),
        (
            # The area "Home"'s state topic: the panel would read its own states.
            {"mqtt_command_topic": "rpi_security/home/state"},
            {"mqtt_command_topic": "topics_clash"},
        ),
    ],
)
async def test_topics_are_checked(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    flow_id = await wall_panel_form(hass, loaded_entry)
    result = await submit(hass, flow_id, **changes)
    assert result["errors"] == errors


async def test_require_code_needs_a_user_with_a_code(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    # MQTT is set up (as an entry; no broker is needed to ask the question).
    mqtt_entry = MockConfigEntry(domain="mqtt", data={"broker": "127.0.0.1"})
    mqtt_entry.add_to_hass(hass)
    mqtt_entry.mock_state(hass, ConfigEntryState.LOADED)
    flow_id = await wall_panel_form(hass, loaded_entry)
    result = await submit(hass, flow_id, mqtt_enabled=True)
    assert result["errors"] == {"mqtt_require_code": "mqtt_code_without_users"}


async def test_topics_are_saved_while_it_stays_off(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    flow_id = await wall_panel_form(hass, loaded_entry)
    result = await submit(hass, flow_id, mqtt_state_topic=" house/alarm ")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["mqtt_state_topic"] == "house/alarm"
    assert loaded_entry.options["mqtt_enabled"] is False


@pytest.mark.parametrize("options", [with_options(mqtt_enabled=True)])
@pytest.mark.parametrize(
    "extra_subentries",
    [
        [
            {
                "subentry_type": "user",
                "title": "Alice",
                "unique_id": None,
                "data": {"code_hash": hash_code("1234", iterations=1000)},
            }
        ]
    ],
)
async def test_left_on_without_mqtt_it_is_a_repair_issue_until_turned_off(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(DOMAIN, "wall_panel_no_mqtt")
    assert issue is not None
    # The rest of the system works all the same.
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_arm_away",
        {"entity_id": "alarm_control_panel.home"},
        blocking=True,
    )
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "wall_panel"}
    )
    result = await submit(hass, result["flow_id"], mqtt_enabled=False)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert ir.async_get(hass).async_get_issue(DOMAIN, "wall_panel_no_mqtt") is None
