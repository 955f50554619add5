"""Sirens and strobes, driven by the alarm through a config entry in simulation.

Two sirens on mock GPIO pins (a buzzer, active high, that chirps; a relay
board, active low, that does not) and two Home Assistant entities (a light
used as a strobe for intrusions, a smoke sounder for environmental alarms
only). The tests drive the alarm as a person or a door would and read the
mock pins' levels over time (freezer) and the service calls made.
"""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant, ServiceCall
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
)

from custom_components.rpi_security.diagnostics import (
    async_get_config_entry_diagnostics,
)

from .areas import (
    GARAGE,
    GARAGE_DOOR_PIN,
    GARAGE_ID,
    HOUSE,
    HOUSE_ID,
    areas_entry,
    house_and_garage,
    set_up,
)
from .helpers import (
    PANEL,
    advance,
    drive,
    open_front_door,
    pin,
    restarted,
    with_options,
)

BUZZER_PIN = 18  # active high: the line is high while it sounds
RELAY_PIN = 23  # a relay board that switches on when its input is low
BUZZER = "switch.hall_buzzer"
RELAY = "switch.outdoor_siren"
STROBE = "light.garden_strobe"
SOUNDER = "siren.smoke_sounder"


def siren_subentries() -> list[dict[str, Any]]:
    """The household's sirens and strobes."""
    return [
        {
            "subentry_id": "hall_buzzer",
            "subentry_type": "siren",
            "title": "Hall buzzer",
            "unique_id": f"gpio_{BUZZER_PIN}",
            "data": {
                "source": "gpio",
                "pin": BUZZER_PIN,
                "active_level": "high",
                "alarms": ["intrusion", "tamper", "environmental", "manual"],
                "chirps": True,
            },
        },
        {
            "subentry_id": "outdoor_siren",
            "subentry_type": "siren",
            "title": "Outdoor siren",
            "unique_id": f"gpio_{RELAY_PIN}",
            "data": {
                "source": "gpio",
                "pin": RELAY_PIN,
                "active_level": "low",
                "alarms": ["intrusion", "tamper", "environmental", "manual"],
                "chirps": False,
            },
        },
        {
            "subentry_id": "garden_strobe",
            "subentry_type": "siren",
            "title": "Garden strobe",
            "unique_id": f"entity_{STROBE}",
            "data": {
                "source": "entity",
                "entity_id": STROBE,
                "alarms": ["intrusion"],
                "chirps": False,
            },
        },
        {
            "subentry_id": "smoke_sounder",
            "subentry_type": "siren",
            "title": "Smoke sounder",
            "unique_id": f"entity_{SOUNDER}",
            "data": {
                "source": "entity",
                "entity_id": SOUNDER,
                "alarms": ["environmental"],
                "chirps": False,
            },
        },
    ]


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return siren_subentries()


class Calls:
    """The turn_on / turn_off calls made to the entities used as sirens, in order."""

    def __init__(self, hass: HomeAssistant) -> None:
        self.made: list[tuple[str, str]] = []
        for domain in ("light", "siren"):
            for service in ("turn_on", "turn_off"):
                hass.services.async_register(domain, service, self._record)

    async def _record(self, call: ServiceCall) -> None:
        self.made.append((call.data["entity_id"], call.service))

    def __call__(self, entity_id: str) -> list[str]:
        """The services called for ``entity_id``, in order."""
        return [service for target, service in self.made if target == entity_id]


@pytest.fixture
def calls(hass: HomeAssistant) -> Calls:
    """The strobe and the sounder exist (off) and their services are recorded."""
    hass.states.async_set(STROBE, "off")
    hass.states.async_set(SOUNDER, "off")
    return Calls(hass)


@pytest.fixture
async def entry(
    hass: HomeAssistant, calls: Calls, config_entry: MockConfigEntry
) -> MockConfigEntry:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    return config_entry


def sounding(entry: MockConfigEntry) -> tuple[bool, bool]:
    """Whether the buzzer and the relay's siren sound, from their pins' levels."""
    return pin(entry, BUZZER_PIN).state is True, pin(entry, RELAY_PIN).state is False


async def tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let ``seconds`` pass exactly (``advance`` fires timers half a second early)."""
    freezer.tick(seconds)
    async_fire_time_changed_exact(hass)
    await hass.async_block_till_done()


async def panel(hass: HomeAssistant, service: str) -> None:
    await hass.services.async_call(
        "alarm_control_panel", service, {"entity_id": PANEL}, blocking=True
    )


async def triggered_by_the_front_door(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Armed away; the front door opens; the entry delay runs out."""
    await panel(hass, "alarm_arm_away")
    await advance(hass, freezer, 30)
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    assert sounding(entry) == (False, False)  # not during the entry delay
    await advance(hass, freezer, 20)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


async def test_sirens_sound_while_triggered_and_stop_when_the_trigger_time_ends(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    calls: Calls,
    freezer: FrozenDateTimeFactory,
) -> None:
    # At rest every output is off: the relay's line is held high.
    assert sounding(entry) == (False, False)
    assert pin(entry, RELAY_PIN).state is True
    assert hass.states.get(BUZZER).state == "off"
    await triggered_by_the_front_door(hass, entry, freezer)

    assert sounding(entry) == (True, True)
    assert hass.states.get(BUZZER).state == "on"
    assert hass.states.get(RELAY).state == "on"
    assert calls(STROBE) == ["turn_on"]
    assert calls(SOUNDER) == []  # smoke only

    await advance(hass, freezer, 59)  # the trigger time is 60 s
    assert sounding(entry) == (True, True)
    await advance(hass, freezer, 1)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    assert sounding(entry) == (False, False)
    assert hass.states.get(BUZZER).state == "off"
    assert calls(STROBE) == ["turn_on", "turn_off"]
    assert calls(SOUNDER) == []


@pytest.mark.parametrize("options", [with_options(arm_chirp_s=0.5, disarm_chirp_s=0.5)])
async def test_disarming_silences_them_at_once_and_without_a_chirp(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    calls: Calls,
    freezer: FrozenDateTimeFactory,
) -> None:
    await panel(hass, "alarm_trigger")  # by hand: a panic button
    assert sounding(entry) == (True, True)
    assert calls(STROBE) == []  # for intrusions only
    assert calls(SOUNDER) == []

    await panel(hass, "alarm_disarm")
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED
    assert sounding(entry) == (False, False)
    await tick(hass, freezer, 0.2)
    assert sounding(entry) == (False, False)
    # On, then off: no chirp after the alarm.
    assert [s.state for s in pin(entry, BUZZER_PIN).states] == [False, True, False]


@pytest.mark.parametrize("options", [with_options(arm_chirp_s=0.5, disarm_chirp_s=0.3)])
async def test_sirens_that_chirp_chirp_on_arming_and_disarming(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    calls: Calls,
    freezer: FrozenDateTimeFactory,
) -> None:
    await panel(hass, "alarm_arm_away")
    assert sounding(entry) == (True, False)  # the relay's siren does not chirp
    await tick(hass, freezer, 0.4)
    assert sounding(entry) == (True, False)
    await tick(hass, freezer, 0.2)
    assert sounding(entry) == (False, False)

    await panel(hass, "alarm_disarm")  # during the exit delay
    assert sounding(entry) == (True, False)
    await tick(hass, freezer, 0.2)
    assert sounding(entry) == (True, False)
    await tick(hass, freezer, 0.2)
    assert sounding(entry) == (False, False)

    # Arming again when the exit delay ends is no command: no chirp.
    await panel(hass, "alarm_arm_away")
    await advance(hass, freezer, 31)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    buzzer_states = [s.state for s in pin(entry, BUZZER_PIN).states]
    assert buzzer_states == [False, True, False, True, False, True, False]
    assert calls(STROBE) == []
    assert calls(SOUNDER) == []


async def test_without_chirp_lengths_nothing_chirps(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await panel(hass, "alarm_arm_away")
    await tick(hass, freezer, 1)
    await panel(hass, "alarm_disarm")
    await tick(hass, freezer, 1)
    assert [s.state for s in pin(entry, BUZZER_PIN).states] == [False]


async def test_a_siren_switched_by_hand_obeys_the_alarm_again(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": BUZZER}, blocking=True
    )
    assert sounding(entry) == (True, False)
    assert hass.states.get(BUZZER).state == "on"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": BUZZER}, blocking=True
    )
    assert sounding(entry) == (False, False)

    # Left on by hand, it is silenced with the alarm all the same.
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": RELAY}, blocking=True
    )
    await panel(hass, "alarm_trigger")
    await panel(hass, "alarm_disarm")
    assert sounding(entry) == (False, False)
    assert hass.states.get(RELAY).state == "off"


async def test_a_restart_while_triggered_sounds_again_and_still_stops_in_time(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await triggered_by_the_front_door(hass, entry, freezer)
    await advance(hass, freezer, 20)
    buzzer = pin(entry, BUZZER_PIN)
    async with restarted(hass, entry, freezer, downtime=10) as new_hass:
        # Switched off as Home Assistant stopped...
        assert buzzer.states[-1].state is False
        new_entry = new_hass.config_entries.async_get_entry(entry.entry_id)
        # ...and on again: the alarm is still triggered, for 30 s more.
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
        assert sounding(new_entry) == (True, True)
        await advance(new_hass, freezer, 29)
        assert sounding(new_entry) == (True, True)
        await advance(new_hass, freezer, 1)
        assert sounding(new_entry) == (False, False)


async def test_a_restart_after_the_trigger_time_leaves_every_siren_off(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await triggered_by_the_front_door(hass, entry, freezer)
    async with restarted(hass, entry, freezer, downtime=120) as new_hass:
        new_entry = new_hass.config_entries.async_get_entry(entry.entry_id)
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
        assert sounding(new_entry) == (False, False)
        relay = pin(new_entry, RELAY_PIN)
        assert relay.function == "output"
        assert relay.state is True  # driven off, not left floating


@pytest.mark.parametrize("options", [with_options(arm_chirp_s=5)])
async def test_a_restart_during_a_chirp_ends_it(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await panel(hass, "alarm_arm_away")
    assert sounding(entry) == (True, False)
    async with restarted(hass, entry, freezer, downtime=1) as new_hass:
        new_entry = new_hass.config_entries.async_get_entry(entry.entry_id)
        assert sounding(new_entry) == (False, False)


async def test_unloading_switches_every_siren_off(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    calls: Calls,
    freezer: FrozenDateTimeFactory,
) -> None:
    await triggered_by_the_front_door(hass, entry, freezer)
    relay = pin(entry, RELAY_PIN)
    assert relay.states[-1].state is False  # on
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    # Driven high (off), then let go.
    assert [s.state for s in relay.states][-2:] == [False, True]
    assert relay.function == "input"
    assert calls(STROBE) == ["turn_on", "turn_off"]


async def test_only_the_sirens_of_the_kind_of_alarm_sound(
    hass: HomeAssistant, entry: MockConfigEntry, calls: Calls
) -> None:
    """The sounder is for smoke: a panic button leaves it (and the strobe) off."""
    await panel(hass, "alarm_trigger")
    assert sounding(entry) == (True, True)
    assert calls(STROBE) == []
    assert calls(SOUNDER) == []
    # As diagnostics show them.
    diagnostics = await async_get_config_entry_diagnostics(hass, entry)
    assert diagnostics["sirens"] == {
        "Hall buzzer": {"on": True, "available": True, "error": None},
        "Outdoor siren": {"on": True, "available": True, "error": None},
        "Garden strobe": {"on": False, "available": None, "error": None},
        "Smoke sounder": {"on": False, "available": None, "error": None},
    }
    assert diagnostics["wall_panel"] == {"enabled": False, "listening": False}


async def test_a_siren_entity_not_there_yet_is_switched_once_it_is(
    hass: HomeAssistant,
    calls: Calls,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Its integration starts after ours: the strobe is switched when it appears."""
    hass.states.async_remove(STROBE)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    await triggered_by_the_front_door(hass, config_entry, freezer)
    assert calls(STROBE) == []
    hass.states.async_set(STROBE, "off")
    await hass.async_block_till_done()
    assert calls(STROBE) == ["turn_on"]


def serving(subentry: dict[str, Any], *areas: str) -> dict[str, Any]:
    """A siren subentry serving ``areas`` only."""
    return {**subentry, "data": {**subentry["data"], "areas": list(areas)}}


async def test_with_areas_a_siren_sounds_only_for_the_areas_it_serves(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The buzzer serves the garage; the relay's siren the house."""
    buzzer, relay = siren_subentries()[:2]
    entry = await set_up(
        hass,
        areas_entry(
            house_and_garage(serving(buzzer, GARAGE_ID), serving(relay, HOUSE_ID))
        ),
    )
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": GARAGE}, blocking=True
    )
    await advance(hass, freezer, 30)
    await drive(hass, entry, GARAGE_DOOR_PIN, high=True)
    await advance(hass, freezer, 20)  # the garage's entry delay
    assert hass.states.get(GARAGE).state == AlarmControlPanelState.TRIGGERED
    assert hass.states.get(HOUSE).state == AlarmControlPanelState.DISARMED
    assert sounding(entry) == (True, False)

    await advance(hass, freezer, 59)  # the trigger time is 60 s
    assert sounding(entry) == (True, False)
    await advance(hass, freezer, 1)
    assert hass.states.get(GARAGE).state == AlarmControlPanelState.ARMED_AWAY
    assert sounding(entry) == (False, False)

    # The house's alarm sounds the house's siren, not the garage's buzzer.
    await hass.services.async_call(
        "alarm_control_panel", "alarm_trigger", {"entity_id": HOUSE}, blocking=True
    )
    await hass.async_block_till_done()
    assert sounding(entry) == (False, True)
    assert await hass.config_entries.async_unload(entry.entry_id)  # pins freed
