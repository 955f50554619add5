"""Presence with real packets: a phone in a network namespace behind a veth pair.

The phone's kernel answers ARP exactly as a phone does; frames it "sends" are
crafted with scapy and written to the wire from its namespace. Time is frozen
for the away timeout; between steps the test lets real packets travel.
"""

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
import random
import socket
import statistics
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from scapy.layers.inet import IP, UDP
from scapy.layers.l2 import Ether

from custom_components.rpi_security.config import DEFAULT_OPTIONS
from custom_components.rpi_security.const import DOMAIN

from .helpers import ALICE, ALICE_MAC, OCCUPANCY, PANEL
from .netns import Lan, packet_sockets_only, private_lan, skip_without_namespaces

pytestmark = skip_without_namespaces()

BACK_DOOR = "binary_sensor.zigbee_back_door"
PRESENCE_PROBLEM = "binary_sensor.home_presence_detection"
AWAY_TIMEOUT = 10 * 60


@pytest.fixture
def lan() -> Iterator[Lan]:
    with private_lan(ALICE_MAC) as private, packet_sockets_only():
        yield private


def entry_for(lan_interface: str, **options: Any) -> MockConfigEntry:
    """Real-hardware mode: Alice's phone on the LAN, and a Zigbee back door."""
    return MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data={"name": "Home", "simulation": False},
        options={
            **DEFAULT_OPTIONS,
            "exit_delay": 0,
            "entry_delay": 20,
            "arp_tries": 2,
            "lan_interface": lan_interface,
            **options,
        },
        subentries_data=[
            {
                "subentry_type": "phone",
                "title": "Alice's phone",
                "unique_id": ALICE_MAC,
                "data": {"mac": ALICE_MAC, "ip": None},
            },
            {
                "subentry_type": "door",
                "title": "Back door",
                "unique_id": f"entity_{BACK_DOOR}",
                "data": {"source": "entity", "entity_id": BACK_DOOR},
            },
        ],
    )


async def let_packets_through(hass: HomeAssistant) -> None:
    """Give real packets a moment to travel and the loop a chance to read them."""
    for _ in range(3):
        await hass.async_add_executor_job(time.sleep, 0.005)
        await hass.async_block_till_done()


async def run_for(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    seconds: float,
    step: float = 0.25,
) -> None:
    """Let frozen time pass in small steps, with real packets flowing in between."""
    for _ in range(round(seconds / step)):
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await let_packets_through(hass)


async def jump(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let a long stretch of frozen time pass at once (timers due fire once)."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await let_packets_through(hass)


@pytest.fixture
def alice_out(lan: Lan) -> None:
    """Alice's phone is not home when the system starts (no answer to ARP)."""
    lan.answer_arp(on=False)


@pytest.fixture
async def system(hass: HomeAssistant, lan: Lan) -> AsyncIterator[MockConfigEntry]:
    hass.states.async_set(BACK_DOOR, "off")
    entry = entry_for(lan.pi_interface)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


def phone_frame(lan: Lan) -> bytes:
    """A UDP datagram from the phone to the Pi (a phone chatting on the LAN)."""
    return bytes(
        Ether(src=ALICE_MAC, dst=_mac_of(lan.pi_interface))
        / IP(src=lan.phone_ip, dst=lan.pi_ip)
        / UDP(sport=5353, dport=5353)
    )


def _mac_of(interface: str) -> str:
    with open(f"/sys/class/net/{interface}/address") as file:
        return file.read().strip()


async def test_trackers_follow_the_phone_and_the_alarm_follows_the_household(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
) -> None:
    # At start the phone is unknown and is asked by ARP: its kernel answers.
    await run_for(hass, freezer, 1)
    state = hass.states.get(ALICE)
    assert state.state == "home"
    assert state.attributes["detected_by"] == "arp"
    assert state.attributes["ip"] == lan.phone_ip
    assert hass.states.get(OCCUPANCY).state == "on"

    # A minute later it talks on the LAN: seen by the capture (the entity's
    # "last seen" is refreshed at most once a minute while nothing changes).
    await jump(hass, freezer, 61)
    lan.send([phone_frame(lan)])
    await let_packets_through(hass)
    assert hass.states.get(ALICE).attributes["detected_by"] == "frame"

    # Alice leaves: silent, and no more answers to ARP.
    lan.answer_arp(on=False)
    await jump(hass, freezer, AWAY_TIMEOUT)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED  # asking
    await run_for(hass, freezer, 2.5)
    assert hass.states.get(ALICE).state == "not_home"
    assert hass.states.get(OCCUPANCY).state == "off"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    assert panel.attributes["changed_by"] == "presence"

    # She comes back: her phone talks on the LAN, and the alarm disarms.
    lan.answer_arp(on=True)
    lan.send([phone_frame(lan)])
    await let_packets_through(hass)
    assert hass.states.get(ALICE).state == "home"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Alice's phone (presence)"


async def test_a_silent_phone_that_answers_arp_keeps_the_system_disarmed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
) -> None:
    await run_for(hass, freezer, 1)
    await jump(hass, freezer, AWAY_TIMEOUT)
    await run_for(hass, freezer, 2.5)
    state = hass.states.get(ALICE)
    assert state.state == "home"
    assert state.attributes["detected_by"] == "arp"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED


async def test_arrival_during_the_entry_delay_disarms_instead_of_triggering(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    alice_out: None,
    system: MockConfigEntry,
) -> None:
    await run_for(hass, freezer, 2.5)  # nobody home: the alarm arms itself
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY

    # Alice is back at the door; her phone answers ARP but has said nothing yet.
    lan.answer_arp(on=True)
    hass.states.async_set(BACK_DOOR, "on")
    await hass.async_block_till_done()
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    await let_packets_through(hass)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Alice's phone (presence)"


async def test_a_stranger_at_the_door_still_triggers(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    alice_out: None,
    system: MockConfigEntry,
) -> None:
    await run_for(hass, freezer, 2.5)
    hass.states.async_set(BACK_DOOR, "on")
    await hass.async_block_till_done()
    await run_for(hass, freezer, 20)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


async def test_an_interface_that_goes_away_is_reported_and_comes_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    await run_for(hass, freezer, 1)
    assert hass.states.get(PRESENCE_PROBLEM).state == "off"

    lan.remove_pi_interface()  # the USB Wi-Fi adapter is pulled out
    await let_packets_through(hass)
    await run_for(hass, freezer, 2.5)  # the next ARP confirmation finds it gone
    await jump(hass, freezer, AWAY_TIMEOUT)
    await run_for(hass, freezer, 2.5)
    problem = hass.states.get(PRESENCE_PROBLEM)
    assert problem.state == "on"
    assert problem.attributes["problems"]["lan_capture"] == "no_interface"
    issue = issue_registry.async_get_issue(DOMAIN, "presence_no_interface")
    assert issue is not None
    assert lan.pi_interface in issue.translation_placeholders["detail"]
    # Without ARP nobody is marked away on a guess.
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED

    lan.add_pi_interface()  # plugged back in: capture resumes by itself
    await jump(hass, freezer, 60)
    await run_for(hass, freezer, 1)
    assert hass.states.get(PRESENCE_PROBLEM).state == "off"
    assert issue_registry.async_get_issue(DOMAIN, "presence_no_interface") is None
    lan.send([phone_frame(lan)])
    await let_packets_through(hass)
    assert hass.states.get(ALICE).state == "home"


async def test_without_raw_sockets_presence_falls_back_to_person_entities(
    hass: HomeAssistant, lan: Lan, issue_registry: ir.IssueRegistry
) -> None:
    hass.states.async_set(BACK_DOOR, "off")
    hass.states.async_set("person.alice", "home")
    entry = entry_for(lan.pi_interface)
    entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        entry,
        _person_subentry("person.alice"),
    )
    real_socket = socket.socket

    def no_raw_sockets(family: int = -1, *args: Any, **kwargs: Any) -> socket.socket:
        # What the kernel answers a process without CAP_NET_RAW.
        if family == socket.AF_PACKET:
            raise PermissionError(1, "Operation not permitted")
        return real_socket(family, *args, **kwargs)

    with patch(
        "custom_components.rpi_security.hardware.network.socket.socket",
        side_effect=no_raw_sockets,
    ):
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, "presence_no_permission")
    assert issue is not None
    assert hass.states.get(PRESENCE_PROBLEM).attributes["problems"] == {
        "lan_capture": "no_permission",
        "arp": "no_permission",
    }
    assert hass.states.get(OCCUPANCY).state == "on"  # Alice's person entity
    hass.states.async_set("person.alice", "not_home")
    await hass.async_block_till_done()
    assert hass.states.get(OCCUPANCY).state == "off"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_capture_interface_not_in_monitor_mode_is_reported(
    hass: HomeAssistant, lan: Lan, issue_registry: ir.IssueRegistry
) -> None:
    hass.states.async_set(BACK_DOOR, "off")
    entry = entry_for(lan.pi_interface, monitor_interface=lan.pi_interface)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await let_packets_through(hass)
    issue = issue_registry.async_get_issue(DOMAIN, "presence_not_monitor")
    assert issue is not None
    assert issue.translation_placeholders["parts"] == "monitor_capture"
    # The LAN side still works.
    assert hass.states.get(ALICE).state == "home"
    await hass.config_entries.async_unload(entry.entry_id)


async def test_a_flood_of_frames_does_not_stall_the_event_loop(
    hass: HomeAssistant, lan: Lan, system: MockConfigEntry
) -> None:
    # Real time here: the loop's lag is what is measured.
    lags: list[float] = []
    stop = asyncio.Event()

    async def measure() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            planned = loop.time() + 0.005
            await asyncio.sleep(0.005)
            lags.append(loop.time() - planned)

    ticker = hass.async_create_task(measure())
    await hass.async_add_executor_job(lan.send, [phone_frame(lan)], 100_000)
    await asyncio.sleep(0.2)
    stop.set()
    await ticker
    lags.sort()
    worst = lags[-1]
    figures = (
        f"loop lag during 100,000 frames: median {statistics.median(lags) * 1e3:.2f}"
        f" ms, max {worst * 1e3:.2f} ms over {len(lags)} ticks"
    )
    assert worst < 0.25, figures
    assert hass.states.get(ALICE).state == "home"
    presence = system.runtime_data.presence
    assert presence.tracker.occupants[presence.config.phones[0].id].detection == "frame"


async def test_random_frames_from_the_phone_never_break_the_capture(
    hass: HomeAssistant, lan: Lan, system: MockConfigEntry
) -> None:
    rng = random.Random(7)
    pi_mac = bytes.fromhex(_mac_of(lan.pi_interface).replace(":", ""))
    alice = bytes.fromhex(ALICE_MAC.replace(":", ""))
    # They pass the kernel filter (from Alice, to the Pi); the rest is noise.
    frames = [
        pi_mac + alice + rng.randbytes(rng.randrange(2, 120)) for _ in range(10_000)
    ]
    await hass.async_add_executor_job(lan.send, frames, 1)
    await asyncio.sleep(0.3)
    assert hass.states.get(ALICE).state == "home"
    assert hass.states.get(PRESENCE_PROBLEM).state == "off"


def _person_subentry(entity_id: str) -> Any:
    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415

    return ConfigSubentry(
        data={"entity_id": entity_id},
        subentry_type="presence_entity",
        title="Alice",
        unique_id=entity_id,
    )
