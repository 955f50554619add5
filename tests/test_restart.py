"""Restart safety: a real Home Assistant stop, then a new instance on its storage."""

import copy
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from gpiozero.pins.mock import MockFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from .helpers import (
    FRONT_DOOR,
    FRONT_DOOR_PIN,
    HALLWAY,
    HALLWAY_PIN,
    PANEL,
    advance,
    open_front_door,
    restarted,
)
from .outlets import SEND_MESSAGE, Outlets, telegram_target


async def arm_away(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )


async def test_restart_while_arming_resumes_the_exit_delay(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await arm_away(hass)
    await advance(hass, freezer, 10)
    # Home Assistant takes two minutes to come back.
    async with restarted(hass, loaded_entry, freezer, downtime=120) as new_hass:
        state = new_hass.states.get(PANEL)
        assert state.state == AlarmControlPanelState.ARMING
        assert state.attributes["seconds_left"] == 20
        await advance(new_hass, freezer, 19)
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.ARMING
        await advance(new_hass, freezer, 1)
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY


async def test_restart_while_armed_with_a_door_open_does_not_trigger(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    # Armed with the front door open (bypassed), and still open after the restart.
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    await hass.services.async_call(
        "rpi_security",
        "arm",
        {"entity_id": PANEL, "mode": "away", "force": True},
        blocking=True,
    )
    await advance(hass, freezer, 30)
    # The Pi comes back with the front door open (real-hardware mode, mock chip).
    chip = MockFactory()
    chip.pin(FRONT_DOOR_PIN).drive_high()
    with patch("gpiozero.Device._default_pin_factory", return_value=chip):
        async with restarted(
            hass, loaded_entry, freezer, downtime=60, simulation=False
        ) as new_hass:
            events = async_capture_events(new_hass, "rpi_security_event")
            await advance(new_hass, freezer, 120)
            assert new_hass.states.get(FRONT_DOOR).state == "on"
            state = new_hass.states.get(PANEL)
            assert state.state == AlarmControlPanelState.ARMED_AWAY
            assert state.attributes["open_sensors"] == ["Front door"]
            assert events == []
            # It closes and opens again: that is a real opening.
            chip.pin(FRONT_DOOR_PIN).drive_low()
            await new_hass.async_block_till_done()
            await advance(new_hass, freezer, 0.1)
            chip.pin(FRONT_DOOR_PIN).drive_high()
            await new_hass.async_block_till_done()
            await advance(new_hass, freezer, 0.1)
            assert new_hass.states.get(PANEL).state == AlarmControlPanelState.PENDING


@pytest.mark.parametrize("extra_subentries", [[telegram_target()]])
async def test_a_door_opened_while_home_assistant_was_down_is_an_intrusion(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Issue 12 (4): armed, doors shut, power cut, the door opens, power back."""
    await arm_away(hass)
    await advance(hass, freezer, 30)
    chip = MockFactory()
    chip.pin(FRONT_DOOR_PIN).drive_high()  # opened while nothing watched
    outlets = Outlets()
    with patch("gpiozero.Device._default_pin_factory", return_value=chip):
        async with restarted(
            hass,
            loaded_entry,
            freezer,
            downtime=600,
            simulation=False,
            prepare=outlets.register,
        ) as new_hass:
            await new_hass.async_block_till_done(wait_background_tasks=True)
            state = new_hass.states.get(PANEL)
            assert state.state == AlarmControlPanelState.PENDING
            assert state.attributes["cause"] == "Front door"
            # (After the alerts that waited in the outbox since the stop.)
            assert outlets.messages(SEND_MESSAGE)[-1] == (
                "Front door opened while the system was offline: disarm within 20 s."
            )
            await advance(new_hass, freezer, 20)
            assert new_hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
            await advance(new_hass, freezer, 5)  # no camera: no photo to wait for
            alarm = outlets.messages(SEND_MESSAGE)[-1]
            assert alarm.startswith(
                "Alarm! Front door (opened while the system was offline) at "
            )


def held(chip: MockFactory, number: int, *, high: bool) -> None:
    """A line the wiring holds at a level, whatever pull the input asks for."""
    line = chip.pin(number)
    line._set_pull = lambda pull: setattr(line, "_pull", pull)
    if high:
        line.drive_high()
    else:
        line.drive_low()


async def test_motion_seen_at_start_up_still_never_triggers(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await arm_away(hass)
    await advance(hass, freezer, 30)
    chip = MockFactory()
    held(chip, FRONT_DOOR_PIN, high=False)  # still shut
    held(chip, HALLWAY_PIN, high=True)  # the PIR sees the cat at start-up
    with patch("gpiozero.Device._default_pin_factory", return_value=chip):
        async with restarted(
            hass, loaded_entry, freezer, downtime=60, simulation=False
        ) as new_hass:
            events = async_capture_events(new_hass, "rpi_security_event")
            await advance(new_hass, freezer, 60)
            assert new_hass.states.get(HALLWAY).state == "on"
            state = new_hass.states.get(PANEL)
            assert state.state == AlarmControlPanelState.ARMED_AWAY
            assert events == []


async def test_restart_while_pending_resumes_the_entry_delay(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await arm_away(hass)
    await advance(hass, freezer, 30)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    await advance(hass, freezer, 5)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    async with restarted(hass, loaded_entry, freezer, downtime=300) as new_hass:
        state = new_hass.states.get(PANEL)
        assert state.state == AlarmControlPanelState.PENDING
        assert state.attributes["seconds_left"] == 15
        assert state.attributes["cause"] == "Front door"
        await advance(new_hass, freezer, 15)
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


async def test_restart_while_triggered_keeps_triggering_until_its_time_ends(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await arm_away(hass)
    await advance(hass, freezer, 30)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    await advance(hass, freezer, 20)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    await advance(hass, freezer, 10)
    async with restarted(hass, loaded_entry, freezer, downtime=5) as new_hass:
        events = async_capture_events(new_hass, "rpi_security_event")
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
        await advance(new_hass, freezer, 44)
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
        await advance(new_hass, freezer, 1)
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
        assert [e.data["state"] for e in events] == ["armed_away"]


async def test_restart_after_a_trigger_time_ran_out_returns_to_armed(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await arm_away(hass)
    await advance(hass, freezer, 30)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_trigger", {"entity_id": PANEL}, blocking=True
    )
    async with restarted(hass, loaded_entry, freezer, downtime=3600) as new_hass:
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY


async def test_power_cut_while_pending_resumes_with_the_whole_entry_delay(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    await arm_away(hass)
    await advance(hass, freezer, 30)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    # The save is due "now"; under freezer such a timer fires on the next tick.
    await advance(hass, freezer, 0)
    at_the_cut = copy.deepcopy(hass_storage)
    await advance(hass, freezer, 15)
    async with restarted(
        hass,
        loaded_entry,
        freezer,
        storage_before_stop=at_the_cut,
        hass_storage=hass_storage,
    ) as new_hass:
        # Only the moment the delay began was saved: the owner gets all of it.
        state = new_hass.states.get(PANEL)
        assert state.state == AlarmControlPanelState.PENDING
        assert state.attributes["seconds_left"] == 20
