"""Debounce at the pins: chatter never opens a door, a clean opening does."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from .helpers import FRONT_DOOR, FRONT_DOOR_PIN, PANEL, advance, drive, with_options


@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=0)])
async def test_chattering_contact_never_triggers_but_a_clean_opening_does(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    changes = async_capture_events(hass, "state_changed")

    # Vibration or an induced current: an edge every 5 ms for 2 s.
    high = False
    for _ in range(400):
        high = not high
        await drive(hass, loaded_entry, FRONT_DOOR_PIN, high=high)
        await advance(hass, freezer, 0.005)
    assert not high  # it ends where it started: shut
    await advance(hass, freezer, 1)

    door_changes = [e for e in changes if e.data["entity_id"] == FRONT_DOOR]
    assert door_changes == []
    assert hass.states.get(FRONT_DOOR).state == "off"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY

    # A real opening holds: it counts once it has held for the debounce time.
    await drive(hass, loaded_entry, FRONT_DOOR_PIN, high=True)
    await advance(hass, freezer, 0.05)
    assert hass.states.get(FRONT_DOOR).state == "off"
    await advance(hass, freezer, 0.05)
    assert hass.states.get(FRONT_DOOR).state == "on"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=0)])
async def test_chatter_that_ends_open_counts_once_it_holds(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    for high in (True, False, True, False, True):
        await drive(hass, loaded_entry, FRONT_DOOR_PIN, high=high)
        await advance(hass, freezer, 0.02)
    assert hass.states.get(FRONT_DOOR).state == "off"
    await advance(hass, freezer, 0.1)
    assert hass.states.get(FRONT_DOOR).state == "on"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
