"""The Security dashboard, added in one step from the system's device."""

from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from .helpers import ALICE, phone_subentries, with_options
from .live import add_gpio_door

ADD_DASHBOARD = "button.home_add_security_dashboard"
DASHBOARD = "rpi-security"


@pytest.fixture
def options() -> dict[str, Any]:
    return with_options(camera_source="picamera2", arm_modes=["away", "night"])


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return phone_subentries()


@pytest.fixture
async def system(
    hass: HomeAssistant, tmp_path: Path, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The simulated system, in a Home Assistant with its dashboards."""
    hass.config.media_dirs = {"local": str(tmp_path)}
    assert await async_setup_component(hass, "lovelace", {})
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return config_entry


async def press(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "button", "press", {"entity_id": ADD_DASHBOARD}, blocking=True
    )


async def dashboards(ws: Any) -> list[dict[str, Any]]:
    await ws.send_json_auto_id({"type": "lovelace/dashboards/list"})
    answer = await ws.receive_json()
    assert answer["success"]
    result: list[dict[str, Any]] = answer["result"]
    return result


async def test_one_press_adds_a_ready_security_dashboard(
    hass: HomeAssistant,
    system: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    ws = await hass_ws_client(hass)
    assert [d["url_path"] for d in await dashboards(ws)] == []
    await press(hass)
    [dashboard] = await dashboards(ws)
    assert dashboard["url_path"] == DASHBOARD
    assert dashboard["title"] == "Security"
    assert dashboard["show_in_sidebar"] is True
    await ws.send_json_auto_id({"type": "lovelace/config", "url_path": DASHBOARD})
    answer = await ws.receive_json()
    assert answer["success"]
    [view] = answer["result"]["views"]
    assert view["path"] == "security"
    cards = {card.get("title", card["type"]): card for card in view["cards"]}
    assert cards["alarm-panel"] == {
        "type": "alarm-panel",
        "entity": "alarm_control_panel.home",
        "states": ["arm_away", "arm_night"],
    }
    assert cards["picture-entity"]["entity"] == "camera.home_camera"
    assert cards["Sensors"]["entities"] == [
        "binary_sensor.front_door",
        "binary_sensor.patio_door",
        "binary_sensor.hallway",
        # The system's own entities without the system's name before theirs.
        {"entity": "binary_sensor.home_camera_motion", "name": "Camera motion"},
    ]
    assert cards["Who is home"]["entities"] == [
        {"entity": "binary_sensor.home_occupancy", "name": "Occupancy"},
        {"entity": "switch.home_automatic_arming", "name": "Automatic arming"},
        ALICE,
        "device_tracker.bob_s_phone",
    ]
    assert cards["Try it (simulation)"]["entities"] == [
        "switch.front_door_open",
        "switch.patio_door_open",
        "switch.hallway_motion",
        "switch.alice_s_phone_at_home",
        "switch.bob_s_phone_at_home",
        {"entity": "button.home_walk_past_the_camera", "name": "Walk past the camera"},
    ]
    # Every entity on it exists.
    for card in view["cards"]:
        for row in card.get("entities", [card.get("entity")]):
            entity_id = row["entity"] if isinstance(row, dict) else row
            assert hass.states.get(entity_id) is not None, entity_id


async def sensors_on_it(ws: Any) -> list[Any]:
    await ws.send_json_auto_id({"type": "lovelace/config", "url_path": DASHBOARD})
    answer = await ws.receive_json()
    assert answer["success"]
    [view] = answer["result"]["views"]
    [card] = [c for c in view["cards"] if c.get("title") == "Sensors"]
    return list(card["entities"])


async def test_pressing_again_brings_an_untouched_dashboard_up_to_date(
    hass: HomeAssistant,
    system: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    ws = await hass_ws_client(hass)
    await press(hass)
    assert "binary_sensor.garage_door" not in await sensors_on_it(ws)
    await add_gpio_door(hass, system, "Garage door", 22)
    await press(hass)
    assert "binary_sensor.garage_door" in await sensors_on_it(ws)
    assert len(await dashboards(ws)) == 1


async def test_the_dashboard_is_added_once_and_never_overwritten(
    hass: HomeAssistant, system: MockConfigEntry, hass_ws_client: WebSocketGenerator
) -> None:
    ws = await hass_ws_client(hass)
    await press(hass)
    edited = {"title": "Mine", "views": [{"title": "Mine", "cards": []}]}
    await ws.send_json_auto_id(
        {"type": "lovelace/config/save", "url_path": DASHBOARD, "config": edited}
    )
    assert (await ws.receive_json())["success"]
    with pytest.raises(HomeAssistantError) as err:
        await press(hass)
    assert err.value.translation_key == "dashboard_exists"
    assert len(await dashboards(ws)) == 1
    await ws.send_json_auto_id({"type": "lovelace/config", "url_path": DASHBOARD})
    assert (await ws.receive_json())["result"] == edited


async def test_without_dashboards_the_button_says_why(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(HomeAssistantError) as err:
        await press(hass)
    assert err.value.translation_key == "dashboards_unavailable"
