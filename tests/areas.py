"""For the tests of areas: a system with a house and a garage, as the flows write it."""

from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN

from .conftest import sensor_subentries
from .helpers import BASE_OPTIONS, FRONT_DOOR_ID, HALLWAY_PIR_ID, PATIO_DOOR_ID

HOUSE_ID = "area_house"
GARAGE_ID = "area_garage"
HOUSE = "alarm_control_panel.house"
GARAGE = "alarm_control_panel.garage"
WHOLE_HOUSE = "alarm_control_panel.home_whole_house"
HOUSE_DELAY_END = "sensor.house_delay_ends"
GARAGE_DELAY_END = "sensor.garage_delay_ends"

GARAGE_DOOR_ID = "garage_door"
GARAGE_DOOR_PIN = 22  # normally closed, pull-up: high when it opens
GARAGE_DOOR = "binary_sensor.garage_door"

# The options of today's entries: the alarm's own settings are the areas'.
OPTIONS = {
    key: value
    for key, value in BASE_OPTIONS.items()
    if key
    not in {
        "exit_delay",
        "entry_delay",
        "trigger_time",
        "disarm_after_trigger",
        "arm_modes",
        "motion_uses_entry_delay",
        "pet_immune_minutes",
        "code_arm_required",
    }
}


def area(area_id: str, title: str, **data: Any) -> dict[str, Any]:
    """An area subentry as the area flow writes it (short delays)."""
    return {
        "subentry_id": area_id,
        "subentry_type": "area",
        "title": title,
        "unique_id": None,
        "data": {
            "arm_modes": ["away", "home", "night"],
            "exit_delay": 30,
            "entry_delay": 20,
            "trigger_time": 60,
            "disarm_after_trigger": False,
            "pet_immune_minutes": 0,
            "code_arm_required": False,
            "presence_controls": True,
            **data,
        },
    }


def sensor(
    subentry_id: str, subentry_type: str, title: str, pin: int, **data: Any
) -> dict[str, Any]:
    """A GPIO sensor subentry as the sensor flows write it."""
    wiring: dict[str, Any] = {"source": "gpio", "pin": pin, "debounce_ms": 0}
    if subentry_type != "motion":
        wiring |= {"contact_type": "nc", "pull_up": True}
    else:
        wiring["pull_up"] = False
    return {
        "subentry_id": subentry_id,
        "subentry_type": subentry_type,
        "title": title,
        "unique_id": f"gpio_{pin}",
        "data": {**wiring, **data},
    }


def in_area(subentries: list[dict[str, Any]], area_id: str) -> list[dict[str, Any]]:
    """The sensors, put in ``area_id``."""
    return [{**s, "data": {**s["data"], "areas": [area_id]}} for s in subentries]


def house_and_garage(*extra: dict[str, Any], **garage: Any) -> list[dict[str, Any]]:
    """The house (two doors and a PIR) and the garage (its door)."""
    return [
        area(HOUSE_ID, "House", system_panel=True),
        area(GARAGE_ID, "Garage", **garage),
        *in_area(sensor_subentries(), HOUSE_ID),
        sensor(
            GARAGE_DOOR_ID, "door", "Garage door", GARAGE_DOOR_PIN, areas=[GARAGE_ID]
        ),
        *extra,
    ]


def areas_entry(
    subentries: list[dict[str, Any]], options: dict[str, Any] | None = None
) -> MockConfigEntry:
    """An entry of this version (no migration): ``subentries`` as they are."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data={"name": "Home", "simulation": True},
        options={**OPTIONS, **(options or {})},
        subentries_data=subentries,
        version=1,
        minor_version=3,
    )


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Add ``entry`` (unless added already) and start it."""
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def call(hass: HomeAssistant, service: str, entity_id: str, **data: Any) -> None:
    """An alarm_control_panel action on one panel."""
    await hass.services.async_call(
        "alarm_control_panel",
        service,
        {"entity_id": entity_id, **data},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)


def state(hass: HomeAssistant, entity_id: str) -> str:
    """An entity's state now."""
    found = hass.states.get(entity_id)
    assert found is not None, f"{entity_id} does not exist"
    return found.state


__all__ = [
    "FRONT_DOOR_ID",
    "HALLWAY_PIR_ID",
    "PATIO_DOOR_ID",
]
