"""Presence through Home Assistant with simulated phones: leave, return, arm, disarm."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.rpi_security.const import DOMAIN

from .helpers import (
    ALICE,
    AUTOMATIC_ARMING,
    BOB,
    BOB_ID,
    OCCUPANCY,
    PANEL,
    advance,
    open_front_door,
    phone_subentries,
    system_of,
    with_options,
)

AWAY_TIMEOUT = 10 * 60
PRESENCE_OPTIONS = with_options(exit_delay=30, entry_delay=20, away_timeout=10)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return phone_subentries()


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(PRESENCE_OPTIONS)


async def simulate(hass: HomeAssistant, entity_id: str, action: str) -> None:
    await hass.services.async_call(
        DOMAIN, "simulate", {"entity_id": entity_id, "action": action}, blocking=True
    )
    await hass.async_block_till_done()


def state(hass: HomeAssistant, entity_id: str) -> str:
    return hass.states.get(entity_id).state


async def test_nobody_home_at_the_first_start_arms(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    # Both phones are unknown: they are asked by ARP at once, and stay silent.
    await advance(hass, freezer, 0)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, BOB) == "not_home"
    assert state(hass, OCCUPANCY) == "off"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMING
    assert panel.attributes["changed_by"] == "presence"


@pytest.mark.usefixtures("both_home")
async def test_everyone_leaves_the_alarm_arms_and_a_return_disarms(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    assert state(hass, ALICE) == "home"
    assert state(hass, OCCUPANCY) == "on"
    assert hass.states.get(OCCUPANCY).attributes["home"] == [
        "Alice's phone",
        "Bob's phone",
    ]

    # Both leave: silent, and no answer to ARP. Nothing happens before the timeout.
    await advance(hass, freezer, AWAY_TIMEOUT - 1)
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    await advance(hass, freezer, 1)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, BOB) == "not_home"
    assert state(hass, OCCUPANCY) == "off"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING
    await advance(hass, freezer, 30)
    assert state(hass, PANEL) == AlarmControlPanelState.ARMED_AWAY
    assert events[0].data["changed_by"] == "presence"

    # Alice comes home: her phone joins the network.
    await simulate(hass, ALICE, "present")
    assert state(hass, ALICE) == "home"
    assert hass.states.get(ALICE).attributes["ip"] == "192.0.2.10"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Alice's phone (presence)"
    assert events[-1].data["changed_by"] == "Alice's phone (presence)"


@pytest.mark.usefixtures("both_home")
async def test_a_silent_phone_that_answers_arp_keeps_the_system_disarmed(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await simulate(hass, ALICE, "present")  # asleep on the sofa, phone in power save
    await advance(hass, freezer, AWAY_TIMEOUT + 60)
    assert state(hass, ALICE) == "home"
    assert hass.states.get(ALICE).attributes["detected_by"] == "arp"
    assert state(hass, BOB) == "not_home"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED


@pytest.mark.usefixtures("both_home")
async def test_arrival_during_the_entry_delay_disarms_instead_of_triggering(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await advance(hass, freezer, AWAY_TIMEOUT)
    await advance(hass, freezer, 30)
    assert state(hass, PANEL) == AlarmControlPanelState.ARMED_AWAY
    events = async_capture_events(hass, "rpi_security_event")

    # Bob's phone answers ARP but has not said anything on its own yet.
    system_of(loaded_entry).presence.simulate(BOB_ID, True, announce=False)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Bob's phone (presence)"
    assert [(e.data["type"], e.data["state"]) for e in events] == [
        ("trigger", "armed_away"),
        ("state_changed", "pending"),
        ("state_changed", "disarmed"),
    ]
    await advance(hass, freezer, 60)
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED


@pytest.mark.usefixtures("both_home")
async def test_an_intruder_during_the_entry_delay_still_triggers(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await advance(hass, freezer, AWAY_TIMEOUT)
    await advance(hass, freezer, 30)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == AlarmControlPanelState.PENDING
    await advance(hass, freezer, 20)
    assert state(hass, PANEL) == AlarmControlPanelState.TRIGGERED


@pytest.mark.usefixtures("both_home")
async def test_automatic_arming_switch(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    assert state(hass, AUTOMATIC_ARMING) == "on"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": AUTOMATIC_ARMING}, blocking=True
    )
    assert state(hass, AUTOMATIC_ARMING) == "off"
    await advance(hass, freezer, AWAY_TIMEOUT)
    assert state(hass, OCCUPANCY) == "off"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    # Turned back on while everyone is away: it arms now.
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": AUTOMATIC_ARMING}, blocking=True
    )
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING
    # The switch survives a reload.
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert state(hass, AUTOMATIC_ARMING) == "on"


@pytest.mark.usefixtures("both_home")
@pytest.mark.parametrize(
    "options", [with_options(away_timeout=10, disarm_policy="if_armed_by_presence")]
)
async def test_disarm_policy_leaves_a_manual_arming_alone(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await simulate(hass, BOB, "present")  # Bob stays in, Alice goes out
    await advance(hass, freezer, AWAY_TIMEOUT)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await simulate(hass, ALICE, "present")
    assert state(hass, ALICE) == "home"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING  # the user armed it


@pytest.mark.usefixtures("both_home")
async def test_everyone_leaves_with_a_door_open_then_arms_when_it_closes(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    await advance(hass, freezer, AWAY_TIMEOUT)
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    refused = [e for e in events if e.data["type"] == "arming_refused"]
    assert refused[0].data["open_doors"] == ["Front door"]
    assert refused[0].data["changed_by"] == "presence"

    await simulate(hass, "binary_sensor.front_door", "close")
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING


@pytest.mark.parametrize(
    "extra_subentries",
    [
        [
            {
                "subentry_type": "presence_entity",
                "title": "Carol",
                "unique_id": "person.carol",
                "data": {"entity_id": "person.carol"},
            }
        ]
    ],
)
async def test_a_person_entity_counts_as_presence(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.states.async_set("person.carol", "home")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, OCCUPANCY) == "on"
    assert hass.states.get("binary_sensor.home_presence_detection") is None  # no phones
    hass.states.async_set("person.carol", "work")
    await hass.async_block_till_done()
    assert state(hass, OCCUPANCY) == "off"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING
    hass.states.async_set("person.carol", "unavailable")
    await hass.async_block_till_done()
    hass.states.async_set("person.carol", "home")
    await hass.async_block_till_done()
    # Back from "undetermined" is not an arrival from away: the alarm stays.
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING


@pytest.mark.usefixtures("both_home")
async def test_last_seen_survives_a_restart(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await advance(hass, freezer, AWAY_TIMEOUT - 60)
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert state(hass, ALICE) == "home"
    # The timeout still counts from when they were last seen, not from the restart.
    await advance(hass, freezer, 60)
    assert state(hass, ALICE) == "not_home"
