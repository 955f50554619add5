"""The blueprints in blueprints/, run by Home Assistant's automation engine."""

import asyncio
from datetime import timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_mock_service,
)

from .helpers import (
    PANEL,
    advance,
    open_front_door,
    with_options,
)

BLUEPRINTS = Path(__file__).parent.parent / "blueprints" / "automation"


@pytest.fixture
def blueprint_folder(hass: HomeAssistant, tmp_path: Path) -> None:
    """Home Assistant's config folder with the blueprints installed as HACS would."""
    hass.config.config_dir = str(tmp_path)
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints" / "automation" / "rpi_security")


async def use_blueprint(hass: HomeAssistant, name: str, inputs: dict[str, Any]) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "use_blueprint": {"path": f"rpi_security/{name}", "input": inputs}
            }
        },
    )
    await hass.async_block_till_done()


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let time pass; the flashing automation runs on, so it is not waited for."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    for _ in range(20):  # the callbacks and the steps of the script that follow
        await asyncio.sleep(0)


async def call_panel(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        "alarm_control_panel", service, {"entity_id": PANEL}, blocking=True
    )
    await hass.async_block_till_done()


@pytest.mark.usefixtures("blueprint_folder")
@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=0)])
async def test_lights_flash_and_the_siren_sounds_while_triggered(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    toggles = async_mock_service(hass, "light", "toggle")
    lights_off = async_mock_service(hass, "light", "turn_off")
    siren_on = async_mock_service(hass, "siren", "turn_on")
    siren_off = async_mock_service(hass, "siren", "turn_off")
    await use_blueprint(
        hass,
        "alarm_lights_and_siren.yaml",
        {
            "alarm": PANEL,
            "lights": {"entity_id": ["light.hall", "light.porch"]},
            "siren": {"entity_id": "siren.attic"},
            "flash_seconds": 1,
        },
    )
    await call_panel(hass, "alarm_arm_away")
    assert toggles == []

    await open_front_door(hass, loaded_entry)
    await tick(hass, freezer, 0.11)  # the door's debounce
    assert [c.data["entity_id"] for c in siren_on] == [["siren.attic"]]
    for _ in range(3):
        await tick(hass, freezer, 1.01)
    assert len(toggles) == 4
    assert toggles[0].data["entity_id"] == ["light.hall", "light.porch"]

    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
    )
    await tick(hass, freezer, 1.01)
    assert len(toggles) == 4
    assert len(siren_off) == 1
    assert len(lights_off) == 1


@pytest.mark.usefixtures("blueprint_folder")
@pytest.mark.parametrize("options", [with_options(exit_delay=30, entry_delay=20)])
async def test_arming_and_disarming_are_announced_with_the_time_left(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    spoken = async_mock_service(hass, "tts", "speak")
    await use_blueprint(
        hass,
        "announce_alarm_state.yaml",
        {
            "alarm": PANEL,
            "tts_engine": "tts.piper",
            "speaker": "media_player.kitchen",
        },
    )
    await call_panel(hass, "alarm_arm_away")
    await advance(hass, freezer, 30)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    await call_panel(hass, "alarm_disarm")

    assert [c.data["message"] for c in spoken] == [
        "The alarm is arming. You have 30 seconds to leave.",
        "The alarm is armed.",
        "Welcome home. Disarm the alarm within 20 seconds.",
        "The alarm is disarmed.",
    ]
    assert spoken[0].data["entity_id"] == ["tts.piper"]
    assert spoken[0].data["media_player_entity_id"] == "media_player.kitchen"
