"""Trying the simulated system from its devices' pages: doors, PIRs, phones, camera."""

from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN

from .helpers import (
    ALICE,
    ALICE_ID,
    FRONT_DOOR,
    FRONT_DOOR_ID,
    HALLWAY,
    HALLWAY_PIR_ID,
    OCCUPANCY,
    PANEL,
    PATIO_DOOR,
    advance,
    phone_subentries,
    with_options,
)

FRONT_DOOR_OPEN = "switch.front_door_open"
PATIO_DOOR_OPEN = "switch.patio_door_open"
HALLWAY_MOTION = "switch.hallway_motion"
ALICE_AT_HOME = "switch.alice_s_phone_at_home"
WALK_PAST = "button.home_walk_past_the_camera"
CAMERA_MOTION = "binary_sensor.home_camera_motion"
ADD_DASHBOARD = "button.home_add_security_dashboard"

SIMULATION_OPTIONS = with_options(
    exit_delay=10, entry_delay=10, away_timeout=10, camera_source="picamera2"
)


@pytest.fixture(autouse=True)
def daytime(freezer: FrozenDateTimeFactory) -> None:
    """Midday (the night's stricter presence rules do not apply)."""
    freezer.move_to("2026-06-10 19:00:00+00:00")


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(SIMULATION_OPTIONS)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return phone_subentries()


@pytest.fixture
async def simulated(
    hass: HomeAssistant, tmp_path: Path, config_entry: MockConfigEntry
) -> MockConfigEntry:
    """The simulated system, its camera open."""
    hass.config.media_dirs = {"local": str(tmp_path)}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return config_entry


async def switch(hass: HomeAssistant, entity_id: str, on: bool) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": entity_id},
        blocking=True,
    )
    await hass.async_block_till_done()


def device_of(hass: HomeAssistant, entity_id: str) -> dr.DeviceEntry:
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None
    assert entry.device_id is not None
    device = dr.async_get(hass).async_get(entry.device_id)
    assert device is not None
    return device


async def test_every_control_sits_on_its_own_device(
    hass: HomeAssistant, simulated: MockConfigEntry
) -> None:
    assert device_of(hass, FRONT_DOOR_OPEN) == device_of(hass, FRONT_DOOR)
    assert device_of(hass, FRONT_DOOR).identifiers == {(DOMAIN, FRONT_DOOR_ID)}
    assert device_of(hass, HALLWAY_MOTION).identifiers == {(DOMAIN, HALLWAY_PIR_ID)}
    phone = device_of(hass, ALICE_AT_HOME)
    assert phone == device_of(hass, ALICE)
    assert phone.name == "Alice's phone"
    assert phone.model == "Simulated phone"
    assert phone.config_subentry_id == ALICE_ID
    assert device_of(hass, WALK_PAST).identifiers == {(DOMAIN, simulated.entry_id)}
    registry = er.async_get(hass)
    # The controls are the devices' own controls; the dashboard is set up once.
    assert registry.async_get(FRONT_DOOR_OPEN).entity_category is None
    assert registry.async_get(ADD_DASHBOARD).entity_category is EntityCategory.CONFIG
    state = hass.states.get(FRONT_DOOR_OPEN)
    assert state.attributes["friendly_name"] == "Front door Open"
    assert hass.states.get(HALLWAY_MOTION).attributes["friendly_name"] == (
        "Hallway Motion"
    )
    assert hass.states.get(ALICE_AT_HOME).attributes["friendly_name"] == (
        "Alice's phone At home"
    )


async def test_opening_a_door_from_its_device_trips_the_armed_alarm(
    hass: HomeAssistant, simulated: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await advance(hass, freezer, 10)
    await switch(hass, FRONT_DOOR_OPEN, True)
    assert hass.states.get(FRONT_DOOR_OPEN).state == "on"
    # Through the contact's 100 ms debounce, as a real door.
    assert hass.states.get(FRONT_DOOR).state == "off"
    await advance(hass, freezer, 0.1)
    assert hass.states.get(FRONT_DOOR).state == "on"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    await advance(hass, freezer, 10)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.TRIGGERED
    assert panel.attributes["cause"] == "Front door"
    await switch(hass, FRONT_DOOR_OPEN, False)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(FRONT_DOOR).state == "off"
    assert hass.states.get(FRONT_DOOR_OPEN).state == "off"


async def test_a_normally_open_door_and_a_pir_move_the_same_way(
    hass: HomeAssistant, simulated: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await switch(hass, PATIO_DOOR_OPEN, True)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PATIO_DOOR).state == "on"
    await switch(hass, HALLWAY_MOTION, True)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(HALLWAY).state == "on"
    await switch(hass, HALLWAY_MOTION, False)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(HALLWAY).state == "off"


async def test_a_phone_comes_home_and_leaves_from_its_device(
    hass: HomeAssistant, simulated: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    assert hass.states.get(ALICE_AT_HOME).state == "off"
    await switch(hass, ALICE_AT_HOME, True)
    await advance(hass, freezer, 1)
    assert hass.states.get(ALICE_AT_HOME).state == "on"
    assert hass.states.get(ALICE).state == "home"
    assert hass.states.get(OCCUPANCY).state == "on"
    await switch(hass, ALICE_AT_HOME, False)
    assert hass.states.get(ALICE_AT_HOME).state == "off"
    # Silent from now on: away only once presence is sure, minutes later.
    await advance(hass, freezer, 60)
    assert hass.states.get(ALICE).state == "home"
    for _ in range(60):
        await advance(hass, freezer, 60)
    assert hass.states.get(ALICE).state == "not_home"


async def test_someone_walks_past_the_camera_for_a_moment(
    hass: HomeAssistant, simulated: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await advance(hass, freezer, 1)
    assert hass.states.get(CAMERA_MOTION).state == "off"
    await hass.services.async_call(
        "button", "press", {"entity_id": WALK_PAST}, blocking=True
    )
    for _ in range(4):
        await advance(hass, freezer, 0.25)
    assert hass.states.get(CAMERA_MOTION).state == "on"
    # They are gone after a few seconds; the motion sensor holds a little longer.
    for _ in range(80):
        await advance(hass, freezer, 0.25)
    assert hass.states.get(CAMERA_MOTION).state == "off"


# Without phones: real phones would be looked for on the real network.
@pytest.mark.parametrize("extra_subentries", [[]])
@pytest.mark.parametrize("simulation", [False])
async def test_real_hardware_has_no_simulation_controls(
    hass: HomeAssistant, simulated: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    ours = er.async_entries_for_config_entry(registry, simulated.entry_id)
    assert [e.entity_id for e in ours if e.domain == "switch"] == []
    assert registry.async_get(WALK_PAST) is None
    assert registry.async_get(ADD_DASHBOARD) is not None


@pytest.mark.parametrize("extra_subentries", [[]])
async def test_switching_simulation_off_removes_its_controls(
    hass: HomeAssistant, simulated: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    assert registry.async_get(FRONT_DOOR_OPEN) is not None
    hass.config_entries.async_update_entry(
        simulated, data={**simulated.data, "simulation": False}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    for entity_id in (FRONT_DOOR_OPEN, HALLWAY_MOTION, WALK_PAST):
        assert registry.async_get(entity_id) is None, entity_id
        assert hass.states.get(entity_id) is None, entity_id
    # What real hardware has stays, with its entity ids.
    assert registry.async_get(FRONT_DOOR) is not None
    assert registry.async_get(CAMERA_MOTION) is not None
