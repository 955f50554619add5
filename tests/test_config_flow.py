"""The config flow: the system, its sensors (subentries) and its options."""

import json
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant import config_entries
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN

from .helpers import FRONT_DOOR_ID, PANEL, with_options

TRANSLATIONS = (
    Path(__file__).parent.parent
    / "custom_components"
    / "rpi_security"
    / "translations"
    / "en.json"
)


async def test_user_step_creates_the_system(hass: HomeAssistant) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    # No /dev/gpiochip0 here: simulation mode is suggested.
    schema = result["data_schema"].schema
    suggested = {str(k): k.description["suggested_value"] for k in schema}
    assert suggested == {"name": "RPi Security", "simulation": True}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "  ", "simulation": True}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "name_required"}

    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": " Home ", "simulation": True}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Home"
    assert result["data"] == {"name": "Home", "simulation": True}
    assert "exit_delay" not in result["options"]  # the area's, below
    await hass.async_block_till_done()
    # One area to start with, named after the system: its panel is the system's.
    entry = result["result"]
    [area] = [s for s in entry.subentries.values() if s.subentry_type == "area"]
    assert area.title == "Home"
    assert area.data["exit_delay"] == 30
    assert area.data["arm_modes"] == ["away", "home", "night"]
    assert area.data["system_panel"] is True
    assert hass.states.get(PANEL).state == "disarmed"
    assert er.async_get(hass).async_get(PANEL).unique_id == entry.entry_id


async def test_only_one_system(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "single_instance_allowed"


async def test_reconfigure_renames_and_switches_mode(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "", "simulation": False}
    )
    assert result["errors"] == {"name": "name_required"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Cottage", "simulation": False}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_entry.title == "Cottage"
    assert loaded_entry.data == {"name": "Cottage", "simulation": False}
    # Reloaded in real-hardware mode: no GPIO on this machine.
    assert hass.states.get("binary_sensor.front_door").state == "unavailable"


async def _start_subentry(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_type: str, source: str
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, subentry_type), context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["gpio", "entity"]
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": source}
    )


def suggested(result: dict[str, Any]) -> dict[str, Any]:
    """What a form shows filled in."""
    return {
        str(key): key.description.get("suggested_value")
        for key in result["data_schema"].schema
        if key.description
    }


def the_area(entry: MockConfigEntry) -> str:
    """The id of the entry's only area (the one migrated from the options)."""
    [area] = [s for s in entry.subentries.values() if s.subentry_type == "area"]
    return area.subentry_id


async def test_add_a_gpio_door(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _start_subentry(hass, loaded_entry, "door", "gpio")
    assert result["step_id"] == "gpio"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Garage door",
            "pin": 22,
            "contact_type": "no",
            "pull_up": True,
            "debounce_ms": 250,
        },
    )
    # Then where it guards and how: a door's usual options are offered.
    assert result["step_id"] == "behaviour"
    area = the_area(loaded_entry)
    assert suggested(result) == {
        "areas": [area],
        "use_entry_delay": True,
        "use_exit_delay": True,
        "arm_after_closing_s": 0,
        "allow_open_at_arming": False,
        "auto_bypass_modes": [],
        "trigger_when_unavailable": False,
    }
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**suggested(result), "arm_after_closing_s": 5}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Garage door"
    assert result["data"] == {
        "source": "gpio",
        "pin": 22,
        "contact_type": "no",
        "pull_up": True,
        "debounce_ms": 250,
        "areas": [area],
        "use_entry_delay": True,
        "use_exit_delay": True,
        "arm_after_closing_s": 5,
        "allow_open_at_arming": False,
        "auto_bypass_modes": [],
        "trigger_when_unavailable": False,
    }
    await hass.async_block_till_done()
    # The entry reloaded with the new door.
    state = hass.states.get("binary_sensor.garage_door")
    assert state.state == "off"
    assert state.attributes["device_class"] == "door"
    assert state.attributes["gpio_pin"] == 22


async def test_the_pin_of_a_new_sensor_is_not_filled_in(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """An optional field: the frontend fills a required number with its minimum (0)."""
    result = await _start_subentry(hass, loaded_entry, "door", "gpio")
    pin = next(k for k in result["data_schema"].schema if str(k) == "pin")
    assert not isinstance(pin, probatio.Required)
    assert "suggested_value" not in (pin.description or {})
    assert pin.default is probatio.UNDEFINED
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Garage", "contact_type": "nc", "pull_up": True, "debounce_ms": 100},
    )
    assert result["errors"] == {"pin": "pin_required"}
    # Changing a sensor shows its pin.
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, FRONT_DOOR_ID)
    pin = next(k for k in result["data_schema"].schema if str(k) == "pin")
    assert pin.description == {"suggested_value": 17}


@pytest.mark.parametrize(
    "subentry_type", ["door", "window", "motion", "tamper", "environmental", "siren"]
)
async def test_no_gpio_form_fills_in_a_pin_and_each_says_it_is_needed(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, subentry_type: str
) -> None:
    """Every form with a pin: empty at first, and a translated error when left so."""
    result = await _start_subentry(hass, loaded_entry, subentry_type, "gpio")
    pin = next(k for k in result["data_schema"].schema if str(k) == "pin")
    assert not isinstance(pin, probatio.Required)
    assert pin.default is probatio.UNDEFINED
    answer: dict[str, Any] = {"name": "Garage"}
    if subentry_type == "siren":
        answer["alarms"] = ["intrusion"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer
    )
    assert result["errors"] == {"pin": "pin_required"}
    strings = json.loads(TRANSLATIONS.read_text())
    assert strings["config_subentries"][subentry_type]["error"]["pin_required"]


async def test_add_a_gpio_pir(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _start_subentry(hass, loaded_entry, "motion", "gpio")
    schema_keys = [str(k) for k in result["data_schema"].schema]
    assert "contact_type" not in schema_keys
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Landing", "pin": 5, "pull_up": False, "debounce_ms": 0},
    )
    # A PIR's usual options: at once, and it may be on when arming.
    shown = suggested(result)
    assert shown["use_entry_delay"] is False
    assert shown["allow_open_at_arming"] is True
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], shown
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.landing").attributes["device_class"] == (
        "motion"
    )


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"name": "", "pin": 22}, {"name": "name_required"}),
        ({"name": "front DOOR", "pin": 22}, {"name": "name_in_use"}),
        ({"name": "Garage", "pin": 28}, {"pin": "pin_out_of_range"}),
        ({"name": "Garage", "pin": -1}, {"pin": "pin_out_of_range"}),
        ({"name": "Garage", "pin": 2.5}, {"pin": "pin_out_of_range"}),
        # The HAT EEPROM pins (ID_SD, ID_SC).
        ({"name": "Garage", "pin": 0}, {"pin": "pin_reserved"}),
        ({"name": "Garage", "pin": 1}, {"pin": "pin_reserved"}),
        ({"name": "Garage", "pin": 17}, {"pin": "pin_in_use"}),
        (
            {"name": "Garage", "pin": 22, "debounce_ms": 5001},
            {"debounce_ms": "debounce_out_of_range"},
        ),
        (
            {"name": "Hallway", "pin": 4, "debounce_ms": -5},
            {
                "name": "name_in_use",
                "pin": "pin_in_use",
                "debounce_ms": "debounce_out_of_range",
            },
        ),
    ],
)
async def test_gpio_sensor_errors_change_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    before = dict(loaded_entry.subentries)
    result = await _start_subentry(hass, loaded_entry, "door", "gpio")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"contact_type": "nc", "pull_up": True, "debounce_ms": 100, **user_input},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(loaded_entry.subentries) == before


async def test_add_an_existing_entity_as_motion(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.states.async_set(
        "binary_sensor.kitchen_motion", "off", {"friendly_name": "Kitchen motion"}
    )
    result = await _start_subentry(hass, loaded_entry, "motion", "entity")
    assert result["step_id"] == "entity"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.kitchen_motion"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], suggested(result)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Kitchen motion"  # the entity's own name
    assert result["data"]["source"] == "entity"
    assert result["data"]["entity_id"] == "binary_sensor.kitchen_motion"


async def test_entity_sensor_errors(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.states.async_set("binary_sensor.back_door", "off")
    result = await _start_subentry(hass, loaded_entry, "door", "entity")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.nowhere", "name": "Nowhere"}
    )
    assert result["errors"] == {"entity_id": "entity_not_found"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.back_door", "name": "Hallway"}
    )
    assert result["errors"] == {"name": "name_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.back_door", "name": "Back"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], suggested(result)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    result = await _start_subentry(hass, loaded_entry, "motion", "entity")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.back_door", "name": "Again"}
    )
    assert result["errors"] == {"entity_id": "entity_in_use"}


async def test_reconfigure_a_gpio_door(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, FRONT_DOOR_ID)
    assert result["step_id"] == "gpio"
    assert suggested(result)["name"] == "Front door"
    assert suggested(result)["pin"] == 17
    # Keeping its own pin and name is not a clash.
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Front door",
            "pin": 17,
            "contact_type": "nc",
            "pull_up": True,
            "debounce_ms": 300,
        },
    )
    # Its behaviour as it was (a door from before options: a door's defaults).
    assert suggested(result)["use_entry_delay"] is True
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], suggested(result)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_entry.subentries[FRONT_DOOR_ID].data["debounce_ms"] == 300
    system = loaded_entry.runtime_data
    assert system.sensor_config(FRONT_DOOR_ID).debounce == 0.3


async def test_reconfigure_moves_a_door_to_a_free_pin_only(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, FRONT_DOOR_ID)
    base = {"name": "Front door", "contact_type": "nc", "pull_up": True}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**base, "pin": 27, "debounce_ms": 100}
    )
    assert result["errors"] == {"pin": "pin_in_use"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**base, "pin": 23, "debounce_ms": 100}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], suggested(result)
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()  # the reload
    assert loaded_entry.subentries[FRONT_DOOR_ID].unique_id == "gpio_23"


async def test_reconfigure_an_entity_sensor(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.states.async_set("binary_sensor.back_door", "off")
    hass.states.async_set("binary_sensor.back_door_2", "off")
    config_entry.add_to_hass(hass)
    subentry = ConfigSubentry(
        data={"source": "entity", "entity_id": "binary_sensor.back_door"},
        subentry_type="door",
        title="Back door",
        unique_id="entity_binary_sensor.back_door",
    )
    hass.config_entries.async_add_subentry(config_entry, subentry)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    result = await config_entry.start_subentry_reconfigure_flow(
        hass, subentry.subentry_id
    )
    assert result["step_id"] == "entity"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.back_door_2", "name": "Back"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], suggested(result)
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()  # the reload
    updated = config_entry.subentries[subentry.subentry_id]
    assert updated.title == "Back"
    assert updated.data["entity_id"] == "binary_sensor.back_door_2"


async def test_removing_a_sensor_removes_its_entity_and_device(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    from homeassistant.helpers import (  # noqa: PLC0415
        device_registry as dr,
        entity_registry as er,
    )

    devices = dr.async_get(hass)
    door_device = (DOMAIN, FRONT_DOOR_ID)
    assert er.async_get(hass).async_get("binary_sensor.front_door")
    assert devices.async_get_device_by_identifier(door_device, loaded_entry.entry_id)
    hass.config_entries.async_remove_subentry(loaded_entry, FRONT_DOOR_ID)
    await hass.async_block_till_done()
    assert er.async_get(hass).async_get("binary_sensor.front_door") is None
    assert (
        devices.async_get_device_by_identifier(door_device, loaded_entry.entry_id)
        is None
    )
    assert hass.states.get("binary_sensor.front_door") is None
    assert "Front door" not in [
        s.config.name for s in loaded_entry.runtime_data.inputs.values()
    ]


async def _options_step(
    hass: HomeAssistant, entry: MockConfigEntry, step: str
) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == [
        "house",
        "presence",
        "camera",
        "captures",
        "alerts",
        "sirens",
        "wall_panel",
    ]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def test_user_step_suggests_hardware_on_a_pi(hass: HomeAssistant) -> None:
    with patch(
        "custom_components.rpi_security.config_flow._gpio_chip_present",
        return_value=True,
    ):
        result = await hass.config_entries.flow.async_init(
            DOMAIN, context={"source": config_entries.SOURCE_USER}
        )
    schema = result["data_schema"].schema
    suggested = {str(k): k.description["suggested_value"] for k in schema}
    assert suggested["simulation"] is False


async def _start_phone(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, "phone"), context={"source": config_entries.SOURCE_USER}
    )


async def test_add_a_phone(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> None:
    result = await _start_phone(hass, loaded_entry)
    assert result["step_id"] == "user"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Alice's phone", "mac": "3C-22-FB-12-34-56", "ip": "192.168.1.23"},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"] == {"mac": "3c:22:fb:12:34:56", "ip": "192.168.1.23"}
    # Reloaded; the new phone is asked by ARP at once (it does not answer):
    # never heard, it is unknown, and unknown never arms the house.
    await hass.async_block_till_done(wait_background_tasks=True)
    state = hass.states.get("device_tracker.alice_s_phone")
    assert state.state == "unknown"
    assert hass.states.get("switch.home_automatic_arming").state == "on"
    assert hass.states.get("binary_sensor.home_occupancy").state == "off"
    assert hass.states.get("alarm_control_panel.home").state == "disarmed"


async def test_a_phone_can_be_confirmed_by_a_person(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _start_phone(hass, loaded_entry)
    fields = {str(key) for key in result["data_schema"].schema}
    assert "corroborated_by" in fields
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Alice's phone",
            "mac": "3c:22:fb:12:34:56",
            "corroborated_by": "person.alice",
        },
    )
    assert result["errors"] == {"corroborated_by": "entity_not_found"}
    hass.states.async_set("person.alice", "home")
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Alice's phone",
            "mac": "3c:22:fb:12:34:56",
            "corroborated_by": "person.alice",
        },
    )
    assert result["data"] == {
        "mac": "3c:22:fb:12:34:56",
        "ip": None,
        "corroborated_by": "person.alice",
    }
    await hass.async_block_till_done(wait_background_tasks=True)
    # The person is home, so the phone is: nobody is armed around.
    assert hass.states.get("device_tracker.alice_s_phone").state == "home"
    assert hass.states.get("binary_sensor.home_occupancy").state == "on"


@pytest.mark.parametrize(
    ("user_input", "errors"),
    [
        ({"name": "", "mac": "3c:22:fb:12:34:56"}, {"name": "name_required"}),
        ({"name": "Phone", "mac": "3c:22:fb:12:34"}, {"mac": "invalid_mac"}),
        ({"name": "Phone", "mac": "ff:ff:ff:ff:ff:ff"}, {"mac": "invalid_mac"}),
        ({"name": "Phone", "mac": "00:00:00:00:00:00"}, {"mac": "invalid_mac"}),
        ({"name": "Phone", "mac": "00-00-00-00-00-00"}, {"mac": "invalid_mac"}),
        (
            {"name": "Phone", "mac": "3c:22:fb:12:34:56", "ip": "192.168.1.300"},
            {"ip": "invalid_ip"},
        ),
        (
            {"name": "Phone", "mac": "3c:22:fb:12:34:56", "ip": "fe80::1"},
            {"ip": "invalid_ip"},
        ),
    ],
)
async def test_phone_errors_change_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    user_input: dict[str, Any],
    errors: dict[str, str],
) -> None:
    before = dict(loaded_entry.subentries)
    result = await _start_phone(hass, loaded_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], user_input
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(loaded_entry.subentries) == before


async def test_a_mac_or_name_used_twice_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _start_phone(hass, loaded_entry)
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Alice's phone", "mac": "3c:22:fb:12:34:56"}
    )
    await hass.async_block_till_done()
    result = await _start_phone(hass, loaded_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "alice's PHONE", "mac": "3C:22:FB:12:34:56"}
    )
    assert result["errors"] == {"name": "name_in_use", "mac": "mac_in_use"}


async def test_reconfigure_a_phone(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _start_phone(hass, loaded_entry)
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Alice's phone", "mac": "3c:22:fb:12:34:56"}
    )
    await hass.async_block_till_done()
    phone = next(
        s for s in loaded_entry.subentries.values() if s.subentry_type == "phone"
    )
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, phone.subentry_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {"name": "Alice's phone", "mac": "3c:22:fb:12:34:57", "ip": "10.0.0.5"},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)  # the reload
    updated = loaded_entry.subentries[phone.subentry_id]
    assert updated.data == {"mac": "3c:22:fb:12:34:57", "ip": "10.0.0.5"}
    assert updated.unique_id == "3c:22:fb:12:34:57"


async def test_add_a_person_as_presence_source(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.states.async_set("person.alice", "home", {"friendly_name": "Alice"})
    flow = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "presence_entity"),
        context={"source": config_entries.SOURCE_USER},
    )
    result = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"entity_id": "person.nobody"}
    )
    assert result["errors"] == {"entity_id": "entity_not_found"}
    result = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"entity_id": "person.alice"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Alice"
    await hass.async_block_till_done()
    assert hass.states.get("binary_sensor.home_occupancy").state == "on"
    flow = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "presence_entity"),
        context={"source": config_entries.SOURCE_USER},
    )
    result = await hass.config_entries.subentries.async_configure(
        flow["flow_id"], {"entity_id": "person.alice", "name": "Again"}
    )
    assert result["errors"] == {"entity_id": "entity_in_use"}


PRESENCE_OPTIONS = {
    "lan_interface": "lo",
    "away_timeout": 15,
    "confirm_rounds": 4,
    "round_spacing": 3,
    "arp_tries": 4,
    "departure_mode": "night",
    "disarm_policy": "if_armed_by_presence",
}


async def test_presence_options(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _options_step(hass, loaded_entry, "presence")
    assert result["step_id"] == "presence"
    lan_field = next(
        k for k in result["data_schema"].schema if str(k) == "lan_interface"
    )
    interfaces = result["data_schema"].schema[lan_field].config["options"]
    assert "lo" in interfaces  # this machine's own interfaces are offered
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], PRESENCE_OPTIONS
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    presence = loaded_entry.runtime_data.config.presence
    assert presence.lan_interface == "lo"
    assert presence.monitor_interface is None
    assert presence.away_timeout == 900
    assert presence.confirm_rounds == 4
    assert presence.round_spacing == 180
    assert presence.arp_tries == 4
    assert presence.departure_mode == "night"


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"lan_interface": "wlan9"}, {"lan_interface": "interface_not_found"}),
        ({"monitor_interface": "mon0"}, {"monitor_interface": "interface_not_found"}),
        ({"away_timeout": 0}, {"away_timeout": "away_timeout_out_of_range"}),
        ({"away_timeout": 121}, {"away_timeout": "away_timeout_out_of_range"}),
        ({"arp_tries": 11}, {"arp_tries": "arp_tries_out_of_range"}),
        ({"confirm_rounds": 0}, {"confirm_rounds": "confirm_rounds_out_of_range"}),
        ({"round_spacing": 16}, {"round_spacing": "round_spacing_out_of_range"}),
        (
            {"departure_mode": "vacation"},
            {"departure_mode": "departure_mode_not_enabled"},
        ),
    ],
)
async def test_presence_option_errors_change_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    before = dict(loaded_entry.options)
    result = await _options_step(hass, loaded_entry, "presence")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**PRESENCE_OPTIONS, **changes}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(loaded_entry.options) == before


CAMERA_SETTINGS = {
    "resolution": "1280x720",
    "rotation": "180",
    "hflip": True,
    "vflip": False,
    "frame_rate": 10,
    "camera_motion": True,
    "camera_motion_alarm": True,
}
CAPTURES_STEP = {
    "burst_photos": 5,
    "gif_seconds": 4,
    "record_clip": True,
    "clip_seconds": 15,
    "capture_interval": 60,
    "retention_gb": 0.5,
    "retention_days": 7,
    "min_free_mb": 1000,
}


def _fields(result: dict[str, Any]) -> list[str]:
    return [str(key) for key in result["data_schema"].schema]


def _choices(result: dict[str, Any], field: str) -> list[str]:
    key = next(k for k in result["data_schema"].schema if str(k) == field)
    return list(result["data_schema"].schema[key].config["options"])


def _suggested(result: dict[str, Any], field: str) -> Any:
    key = next(k for k in result["data_schema"].schema if str(k) == field)
    return (key.description or {}).get("suggested_value")


async def _camera_source(
    hass: HomeAssistant, entry: MockConfigEntry, source: str
) -> dict[str, Any]:
    """The camera step's first form, answered with ``source``."""
    result = await _options_step(hass, entry, "camera")
    assert result["step_id"] == "camera"
    assert _fields(result) == ["camera_source"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"camera_source": source}
    )


async def test_simulation_offers_the_simulated_camera_and_its_own_fields(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _options_step(hass, loaded_entry, "camera")
    # No Pi camera or webcam to use in simulation mode: they are not offered.
    assert _choices(result, "camera_source") == ["none", "simulated", "entity"]
    assert _suggested(result, "camera_source") == "none"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"camera_source": "simulated"}
    )
    assert result["step_id"] == "camera_picture"
    assert "camera_device" not in _fields(result)
    assert "camera_entity" not in _fields(result)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], CAMERA_SETTINGS
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["camera_source"] == "simulated"
    await hass.async_block_till_done(wait_background_tasks=True)
    camera = loaded_entry.runtime_data.config.camera
    assert camera.source == "simulated"
    assert (camera.picture.width, camera.picture.height) == (1280, 720)
    assert camera.picture.rotation == 180
    assert camera.motion_alarm
    assert hass.states.get("camera.home_camera").state == "idle"


@pytest.mark.parametrize("options", [with_options(camera_source="picamera2")])
async def test_an_earlier_simulated_pi_camera_is_the_simulated_camera(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Entries of earlier versions chose the Pi camera in simulation mode."""
    assert loaded_entry.runtime_data.config.camera.source == "simulated"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("camera.home_camera").state == "idle"
    result = await _options_step(hass, loaded_entry, "camera")
    assert _suggested(result, "camera_source") == "simulated"


@pytest.mark.parametrize("simulation", [False])
async def test_real_hardware_offers_the_real_cameras(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)  # not started: no GPIO or camera here
    result = await _options_step(hass, config_entry, "camera")
    assert _choices(result, "camera_source") == ["none", "picamera2", "usb", "entity"]
    result = await _camera_source(hass, config_entry, "usb")
    assert result["step_id"] == "camera_picture"
    assert _fields(result)[0] == "camera_device"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"camera_device": " /dev/video2 ", **CAMERA_SETTINGS}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert config_entry.options["camera_source"] == "usb"
    assert config_entry.options["camera_device"] == "/dev/video2"
    # The Pi camera has no device to ask for.
    result = await _camera_source(hass, config_entry, "picamera2")
    assert "camera_device" not in _fields(result)


async def test_a_camera_entity_asks_only_for_the_entity_and_motion(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.states.async_set("camera.porch", "idle")
    result = await _camera_source(hass, loaded_entry, "entity")
    assert result["step_id"] == "camera_entity"
    assert _fields(result) == [
        "camera_entity",
        "frame_rate",
        "camera_motion",
        "camera_motion_alarm",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "camera_entity": "camera.porch",
            "frame_rate": 2,
            "camera_motion": False,
            "camera_motion_alarm": False,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["camera_source"] == "entity"
    assert loaded_entry.options["camera_entity"] == "camera.porch"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert loaded_entry.runtime_data.config.camera.entity_id == "camera.porch"
    # (camera.porch is only a state here: the camera retries until unloaded.)
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)


@pytest.mark.parametrize("options", [with_options(camera_source="picamera2")])
async def test_no_camera_is_one_step(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _camera_source(hass, loaded_entry, "none")
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options["camera_source"] == "none"
    await hass.async_block_till_done()
    assert loaded_entry.runtime_data.camera is None


async def test_capture_options(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await _options_step(hass, loaded_entry, "captures")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], CAPTURES_STEP
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    camera = loaded_entry.runtime_data.config.camera
    assert camera.burst == 5
    assert camera.captures.clip
    assert camera.retention.max_bytes == 512 * 1024**2
    assert camera.retention.max_age == 7 * 86400


@pytest.mark.parametrize(
    ("step", "changes", "errors"),
    [
        ("camera", {"frame_rate": 31}, {"frame_rate": "frame_rate_out_of_range"}),
        ("camera", {"frame_rate": 0}, {"frame_rate": "frame_rate_out_of_range"}),
        ("captures", {"burst_photos": 0}, {"burst_photos": "capture_out_of_range"}),
        ("captures", {"gif_seconds": 11}, {"gif_seconds": "capture_out_of_range"}),
        (
            "captures",
            {"retention_gb": 0.05},
            {"retention_gb": "retention_out_of_range"},
        ),
        (
            "captures",
            {"retention_days": 400},
            {"retention_days": "capture_out_of_range"},
        ),
    ],
)
async def test_camera_option_errors_change_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    step: str,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    before = dict(loaded_entry.options)
    base = CAMERA_SETTINGS if step == "camera" else CAPTURES_STEP
    if step == "camera":
        result = await _camera_source(hass, loaded_entry, "simulated")
    else:
        result = await _options_step(hass, loaded_entry, step)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**base, **changes}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(loaded_entry.options) == before
