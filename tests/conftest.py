"""Fixtures: a simulated RPi Security system in a real Home Assistant."""

import time
from typing import Any

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

# The loader finds custom_components only once the package has been imported.
import custom_components.rpi_security  # noqa: F401
from custom_components.rpi_security.const import DOMAIN

from .helpers import (
    ALICE_ID,
    BASE_OPTIONS,
    BOB_ID,
    FRONT_DOOR_ID,
    HALLWAY_PIR_ID,
    PATIO_DOOR_ID,
)


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant load custom_components/rpi_security."""


def sensor_subentries() -> list[dict[str, Any]]:
    """Two doors and a PIR, as the quick start and scripts/develop set up."""
    return [
        {
            "subentry_id": FRONT_DOOR_ID,
            "subentry_type": "door",
            "title": "Front door",
            "unique_id": "gpio_17",
            "data": {
                "source": "gpio",
                "pin": 17,
                "contact_type": "nc",
                "pull_up": True,
                "debounce_ms": 100,
            },
        },
        {
            "subentry_id": PATIO_DOOR_ID,
            "subentry_type": "door",
            "title": "Patio door",
            "unique_id": "gpio_27",
            "data": {
                "source": "gpio",
                "pin": 27,
                "contact_type": "no",
                "pull_up": True,
                "debounce_ms": 100,
            },
        },
        {
            "subentry_id": HALLWAY_PIR_ID,
            "subentry_type": "motion",
            "title": "Hallway",
            "unique_id": "gpio_4",
            "data": {"source": "gpio", "pin": 4, "pull_up": False, "debounce_ms": 0},
        },
    ]


@pytest.fixture
def options() -> dict[str, Any]:
    """The entry's options; tests parametrize it with ``with_options``."""
    return dict(BASE_OPTIONS)


@pytest.fixture
def simulation() -> bool:
    """Whether the entry runs in simulation mode."""
    return True


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    """More subentries (phones, presence entities); tests parametrize it."""
    return []


@pytest.fixture
def config_entry(
    options: dict[str, Any], simulation: bool, extra_subentries: list[dict[str, Any]]
) -> MockConfigEntry:
    """A system with two doors and a PIR (and whatever a test adds)."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data={"name": "Home", "simulation": simulation},
        options=options,
        subentries_data=[*sensor_subentries(), *extra_subentries],
    )


@pytest.fixture
async def loaded_entry(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The system set up and running."""
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


@pytest.fixture
def both_home(hass_storage: dict[str, Any], config_entry: MockConfigEntry) -> None:
    """Alice and Bob were seen a moment before Home Assistant started."""
    seen = {"presence": "home", "last_seen": time.time(), "detection": "frame"}
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{config_entry.entry_id}",
        "data": {"presence": {ALICE_ID: seen, BOB_ID: seen}},
    }
