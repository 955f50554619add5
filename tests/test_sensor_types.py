"""Sensor types and options, end to end: pins driven, panels and alerts watched."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.rpi_security.const import DOMAIN

from .areas import HOUSE_ID, area, areas_entry, call, sensor, set_up, state
from .helpers import FRONT_DOOR_PIN, HALLWAY_PIN, advance, drive
from .live import shown_values
from .outlets import SEND_MESSAGE, Outlets, telegram_target

PANEL = "alarm_control_panel.house"
WINDOW_PIN, TAMPER_PIN, SMOKE_PIN = 5, 6, 13
SHED_DOOR = "binary_sensor.shed_door"
ATTIC_WINDOW = "binary_sensor.attic_window"
ARMED_AWAY = AlarmControlPanelState.ARMED_AWAY
TRIGGERED = AlarmControlPanelState.TRIGGERED
DISARMED = AlarmControlPanelState.DISARMED


def entity_sensor(
    subentry_id: str, title: str, entity_id: str, sensor_type: str, **data: Any
) -> dict[str, Any]:
    """An existing binary_sensor, as the existing-sensor flow writes it."""
    return {
        "subentry_id": subentry_id,
        "subentry_type": "existing_sensor",
        "title": title,
        "unique_id": f"entity_{entity_id}",
        "data": {
            "source": "entity",
            "entity_id": entity_id,
            "sensor_type": sensor_type,
            "areas": [HOUSE_ID],
            **data,
        },
    }


def household(**front_door: Any) -> list[dict[str, Any]]:
    """A house with a sensor of every type (the front door's options given)."""
    here = {"areas": [HOUSE_ID]}
    return [
        area(HOUSE_ID, "House", system_panel=True),
        sensor(
            "front_door", "door", "Front door", FRONT_DOOR_PIN, **here, **front_door
        ),
        sensor("kitchen_window", "window", "Kitchen window", WINDOW_PIN, **here),
        sensor("hallway", "motion", "Hallway", HALLWAY_PIN, **here),
        sensor("siren_box", "tamper", "Siren box", TAMPER_PIN, **here),
        sensor("boiler_room", "environmental", "Boiler room", SMOKE_PIN, **here),
        entity_sensor("shed_door", "Shed door", SHED_DOOR, "door"),
        entity_sensor(
            "attic_window",
            "Attic window",
            ATTIC_WINDOW,
            "window",
            trigger_when_unavailable=True,
        ),
        telegram_target(),
    ]


@pytest.fixture
def outlets(hass: HomeAssistant) -> Outlets:
    outlets = Outlets()
    outlets.register(hass)
    return outlets


async def start(
    hass: HomeAssistant, subentries: list[dict[str, Any]]
) -> MockConfigEntry:
    hass.states.async_set(SHED_DOOR, "off")
    hass.states.async_set(ATTIC_WINDOW, "off")
    return await set_up(hass, areas_entry(subentries))


@pytest.fixture
async def entry(hass: HomeAssistant, outlets: Outlets) -> MockConfigEntry:
    return await start(hass, household())


async def armed_away(hass: HomeAssistant, freezer: FrozenDateTimeFactory) -> None:
    await call(hass, "alarm_arm_away", PANEL)
    await advance(hass, freezer, 30)
    assert state(hass, PANEL) == ARMED_AWAY


async def test_a_window_sets_the_alarm_off_at_once(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await armed_away(hass, freezer)
    await drive(hass, entry, WINDOW_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == TRIGGERED  # no entry delay
    assert state(hass, "binary_sensor.kitchen_window") == "on"
    assert (
        hass.states.get("binary_sensor.kitchen_window").attributes["device_class"]
        == "window"
    )


async def test_a_tamper_switch_goes_off_disarmed_too(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    await drive(hass, entry, TAMPER_PIN, high=True)
    await advance(hass, freezer, 0.1)
    panel = hass.states.get(PANEL)
    assert panel.state == TRIGGERED
    assert panel.attributes["alarm"] == "tamper"
    assert outlets.messages(SEND_MESSAGE)[-1].startswith("Tamper alarm! Siren box at ")
    # After the trigger time it returns to where it was: disarmed.
    await advance(hass, freezer, 60)
    assert state(hass, PANEL) == DISARMED
    # Open at arming, it refuses like a door.
    with pytest.raises(ServiceValidationError, match="Siren box"):
        await call(hass, "alarm_arm_away", PANEL)


async def test_an_environmental_sensor_has_its_own_alert_and_never_refuses(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    await drive(hass, entry, SMOKE_PIN, high=True)
    await advance(hass, freezer, 0.1)
    panel = hass.states.get(PANEL)
    assert panel.state == TRIGGERED
    assert panel.attributes["alarm"] == "environmental"
    assert outlets.messages(SEND_MESSAGE)[-1].startswith(
        "Alarm! Boiler room detects smoke, water or gas, at "
    )
    assert (
        hass.states.get("binary_sensor.boiler_room").attributes["device_class"]
        == "safety"
    )
    await advance(hass, freezer, 60)
    # Still wet: arming is not refused (its alarm does not depend on arming).
    await armed_away(hass, freezer)


@pytest.mark.parametrize("closing", [5])
async def test_arm_after_closing_arms_seconds_after_the_door_shuts(
    hass: HomeAssistant, outlets: Outlets, freezer: FrozenDateTimeFactory, closing: int
) -> None:
    entry = await start(hass, household(arm_after_closing_s=closing))
    await call(hass, "alarm_arm_away", PANEL)
    await drive(hass, entry, FRONT_DOOR_PIN, high=True)  # out through the door
    await advance(hass, freezer, 2)
    await drive(hass, entry, FRONT_DOOR_PIN, high=False)  # and shut
    await advance(hass, freezer, 1)
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING
    assert hass.states.get(PANEL).attributes["seconds_left"] == 4
    await advance(hass, freezer, 4)
    assert state(hass, PANEL) == ARMED_AWAY  # 7 s after arming, not 30


async def test_a_pir_on_at_arming_neither_refuses_nor_trips(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await drive(hass, entry, HALLWAY_PIN, high=True)
    await advance(hass, freezer, 0.1)
    await armed_away(hass, freezer)
    # It counts once it has cleared and sees motion again.
    await drive(hass, entry, HALLWAY_PIN, high=False)
    await advance(hass, freezer, 5)
    await drive(hass, entry, HALLWAY_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == TRIGGERED


async def test_a_window_bypassed_at_night_only(
    hass: HomeAssistant, outlets: Outlets, freezer: FrozenDateTimeFactory
) -> None:
    subentries = household()
    subentries[2]["data"]["auto_bypass_modes"] = ["night"]
    entry = await start(hass, subentries)
    await drive(hass, entry, WINDOW_PIN, high=True)
    await advance(hass, freezer, 0.1)
    with pytest.raises(ServiceValidationError, match="Kitchen window"):
        await call(hass, "alarm_arm_away", PANEL)
    await call(hass, "alarm_arm_night", PANEL)
    await advance(hass, freezer, 30)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMED_NIGHT
    assert panel.attributes["bypassed_sensors"] == ["Kitchen window"]
    # The front door still guards.
    await drive(hass, entry, FRONT_DOOR_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == AlarmControlPanelState.PENDING


async def test_a_pir_not_on_the_way_out_trips_during_the_exit_delay(
    hass: HomeAssistant, outlets: Outlets, freezer: FrozenDateTimeFactory
) -> None:
    subentries = household()
    subentries[3]["data"]["use_exit_delay"] = False
    entry = await start(hass, subentries)
    await call(hass, "alarm_arm_away", PANEL)
    await advance(hass, freezer, 5)
    await drive(hass, entry, HALLWAY_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == TRIGGERED


async def test_a_sensor_that_stops_reporting_is_a_fault_until_it_returns(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await armed_away(hass, freezer)
    hass.states.async_set(SHED_DOOR, "unavailable")
    await advance(hass, freezer, 0.1)
    panel = hass.states.get(PANEL)
    assert panel.state == ARMED_AWAY  # a fault, not an intrusion
    assert panel.attributes["faulty_sensors"] == ["Shed door"]
    assert [e.data["cause"] for e in events if e.data["type"] == "fault"] == [
        "Shed door"
    ]
    assert outlets.messages(SEND_MESSAGE)[-1] == (
        "Problem: Shed door stopped reporting while it guards."
    )
    hass.states.async_set(SHED_DOOR, "off")
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PANEL).attributes["faulty_sensors"] == []
    assert [e.data["type"] for e in events][-1] == "fault_cleared"
    assert outlets.messages(SEND_MESSAGE)[-1] == "Fixed: Shed door reports again."


async def test_a_sensor_that_triggers_when_unavailable(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await armed_away(hass, freezer)
    hass.states.async_set(ATTIC_WINDOW, "unavailable")
    await advance(hass, freezer, 0.1)
    panel = hass.states.get(PANEL)
    assert panel.state == TRIGGERED
    assert panel.attributes["cause"] == "Attic window"


async def test_every_sensor_s_level_is_stored_as_it_changes(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await drive(hass, entry, HALLWAY_PIN, high=True)
    await drive(hass, entry, WINDOW_PIN, high=True)
    await advance(hass, freezer, 1)
    stored = hass_storage[f"{DOMAIN}.{entry.entry_id}"]["data"]
    levels = stored["areas"][HOUSE_ID]["levels"]
    assert levels["hallway"] is True
    assert levels["kitchen_window"] is True
    # What a version from before areas reads, should it be rolled back.
    assert stored["alarm"] == stored["areas"][HOUSE_ID]


async def test_an_existing_sensor_gets_its_type_from_its_device_class(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    smoke = {"device_class": "smoke", "friendly_name": "Kitchen smoke"}
    hass.states.async_set("binary_sensor.kitchen_smoke", "off", smoke)
    hass.states.async_set("binary_sensor.mystery", "off")
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "existing_sensor"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.mystery"}
    )
    assert result["errors"] == {"sensor_type": "choose_sensor_type"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "binary_sensor.kitchen_smoke"}
    )
    # Environmental: only its areas and whether unavailable means alarm.
    assert result["step_id"] == "behaviour"
    assert set(shown_values(result)) == {"areas", "trigger_when_unavailable"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], shown_values(result)
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["sensor_type"] == "environmental"
    await hass.async_block_till_done(wait_background_tasks=True)
    hass.states.async_set("binary_sensor.kitchen_smoke", "on", smoke)
    await advance(hass, freezer, 0.1)
    panel = hass.states.get(PANEL)
    assert panel.state == TRIGGERED  # disarmed, and at once
    assert panel.attributes["cause"] == "Kitchen smoke"
