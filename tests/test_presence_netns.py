"""Presence with real packets: a phone in a network namespace behind a veth pair.

The phone's kernel answers ARP exactly as a phone does; frames it "sends" are
crafted with scapy and written to the wire from its namespace (unicast,
multicast, DHCP). Time is frozen for the rules; between steps the test lets
real packets travel, and every ARP round really waits for its answer.
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
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import ICMPv6ND_NS, IPv6
from scapy.layers.l2 import Ether

from custom_components.rpi_security.config import DEFAULT_OPTIONS
from custom_components.rpi_security.const import DOMAIN

from .helpers import ALICE, ALICE_ID, ALICE_MAC, OCCUPANCY, PANEL
from .netns import Lan, packet_sockets_only, private_lan, skip_without_namespaces

pytestmark = skip_without_namespaces()

BACK_DOOR = "binary_sensor.zigbee_back_door"
PRESENCE_PROBLEM = "binary_sensor.home_presence_detection"
NEW_MAC = "02:00:00:00:99:17"
NO_ADDRESS = "0.0.0.0"  # noqa: S104  (what a phone without an address sends from)
IFF_ALLMULTI = 0x200
HOUR = 3600.0
# What Alice's phone taught the system before (ignores ARP for a minute at most).
LEARNED = {"deaf_spells": [60] * 10, "rounds_asked": 20.0, "rounds_missed": 0.0}


@pytest.fixture(autouse=True)
def daytime(request: pytest.FixtureRequest) -> None:
    """Midday at home (US/Pacific), for tests that freeze time.

    The night's stricter rules do not apply; tests that measure real time
    (a flood of frames) keep it running.
    """
    if "freezer" in request.fixturenames:
        freezer: FrozenDateTimeFactory = request.getfixturevalue("freezer")
        freezer.move_to("2026-06-10 19:00:00+00:00")


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
            "arp_tries": 1,
            "lan_interface": lan_interface,
            **options,
        },
        subentries_data=[
            {
                "subentry_id": ALICE_ID,
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


def remember(
    hass_storage: dict[str, Any], entry: MockConfigEntry, alice: dict[str, Any]
) -> None:
    """What the system knew of Alice's phone when it last stopped."""
    key = f"{DOMAIN}.{entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {"presence": {ALICE_ID: {"habits": LEARNED, **alice}}},
    }


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
    """Let frozen time pass in small steps, with real packets flowing in between.

    (An ARP round waits for its answers on the loop's clock, which is frozen
    too: it ends only as these steps move it on.)
    """
    for _ in range(round(seconds / step)):
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await let_packets_through(hass)


async def minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: float
) -> None:
    """Let frozen minutes pass one at a time; rounds that fall due really run."""
    for _ in range(round(count)):
        await jump(hass, freezer, 57.5)
        await run_for(hass, freezer, 2.5)


async def jump(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let a long stretch of frozen time pass at once (timers due fire once)."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await let_packets_through(hass)


async def door(hass: HomeAssistant, *, is_open: bool) -> None:
    hass.states.async_set(BACK_DOOR, "on" if is_open else "off")
    await hass.async_block_till_done()


@pytest.fixture
def stored() -> dict[str, Any] | None:
    """What the system knew of Alice's phone before (tests parametrize it)."""
    return {"presence": "home", "last_seen": time.time(), "detection": "multicast"}


@pytest.fixture
async def system(
    hass: HomeAssistant,
    request: pytest.FixtureRequest,
    lan: Lan,
    hass_storage: dict[str, Any],
    stored: dict[str, Any] | None,
) -> AsyncIterator[MockConfigEntry]:
    hass.states.async_set(BACK_DOOR, "off")
    entry = entry_for(lan.pi_interface)
    if stored is not None:
        remember(hass_storage, entry, stored)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    if "freezer" in request.fixturenames:
        await run_for(hass, request.getfixturevalue("freezer"), 2.5)
    else:  # real time: the first round really waits for its answer
        await asyncio.sleep(1.5)
        await let_packets_through(hass)
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


def phone_frame(lan: Lan) -> bytes:
    """A UDP datagram from the phone to the Pi (a phone chatting on the LAN)."""
    return bytes(
        Ether(src=ALICE_MAC, dst=_mac_of(lan.pi_interface))
        / IP(src=lan.phone_ip, dst=lan.pi_ip)
        / UDP(sport=5353, dport=5353)
    )


def multicast_frames(lan: Lan) -> dict[str, bytes]:
    """What an idle phone says to everyone: mDNS, SSDP, IPv6 neighbour discovery."""
    return {
        "mdns": bytes(
            Ether(src=ALICE_MAC, dst="01:00:5e:00:00:fb")
            / IP(src=lan.phone_ip, dst="224.0.0.251")
            / UDP(sport=5353, dport=5353)
        ),
        "ssdp": bytes(
            Ether(src=ALICE_MAC, dst="01:00:5e:7f:ff:fa")
            / IP(src=lan.phone_ip, dst="239.255.255.250")
            / UDP(sport=49152, dport=1900)
        ),
        "neighbour solicitation": bytes(
            Ether(src=ALICE_MAC, dst="33:33:ff:00:00:01")
            / IPv6(src="fe80::17", dst="ff02::1:ff00:1")
            / ICMPv6ND_NS(tgt="fe80::1")
        ),
    }


def dhcp_discover(lan: Lan, mac: str, hostname: bytes) -> bytes:
    """A phone joining the network asks for an address (broadcast)."""
    return bytes(
        Ether(src=mac, dst="ff:ff:ff:ff:ff:ff")
        / IP(src=NO_ADDRESS, dst="255.255.255.255")
        / UDP(sport=68, dport=67)
        / BOOTP(chaddr=bytes.fromhex(mac.replace(":", "")), ciaddr=NO_ADDRESS)
        / DHCP(
            options=[
                ("message-type", "discover"),
                ("requested_addr", lan.phone_ip),
                ("hostname", hostname),
                "end",
            ]
        )
    )


def _mac_of(interface: str) -> str:
    with open(f"/sys/class/net/{interface}/address") as file:
        return file.read().strip()


def _flags_of(interface: str) -> int:
    with open(f"/sys/class/net/{interface}/flags") as file:
        return int(file.read().strip(), 16)


def dt_seconds(text: str) -> float:
    parsed = dt_util.parse_datetime(text)
    assert parsed is not None
    return parsed.timestamp()


async def test_trackers_follow_the_phone_and_the_alarm_follows_the_household(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
) -> None:
    # After the restart the phone is unknown until asked: its kernel answers.
    state = hass.states.get(ALICE)
    assert state.state == "home"
    assert state.attributes["detected_by"] == "arp"
    assert state.attributes["ip"] == lan.phone_ip
    assert hass.states.get(OCCUPANCY).state == "on"

    # A minute later it talks on the LAN: seen by the capture.
    await jump(hass, freezer, 61)
    lan.send([phone_frame(lan)])
    await let_packets_through(hass)
    assert hass.states.get(ALICE).attributes["detected_by"] == "frame"

    # Alice leaves by the back door: silent, and no more answers to ARP. The
    # phone is asked two minutes after the door, in rounds over minutes.
    lan.answer_arp(on=False)
    await door(hass, is_open=True)
    await door(hass, is_open=False)
    await minutes(hass, freezer, 8)
    assert hass.states.get(ALICE).state == "home"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED
    await minutes(hass, freezer, 4)
    assert hass.states.get(ALICE).state == "not_home"
    assert hass.states.get(OCCUPANCY).state == "off"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    assert panel.attributes["changed_by"] == "presence"

    # An hour later she comes back: her phone joins the network (DHCP).
    await jump(hass, freezer, HOUR)
    lan.answer_arp(on=True)
    lan.send([dhcp_discover(lan, ALICE_MAC, b"alices-phone")])
    await let_packets_through(hass)
    assert hass.states.get(ALICE).state == "home"
    assert hass.states.get(ALICE).attributes["detected_by"] == "dhcp"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Alice's phone (presence)"


async def test_multicast_and_dhcp_from_the_phone_are_captured(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
) -> None:
    # The interface takes in every multicast group while the capture is open.
    assert _flags_of(lan.pi_interface) & IFF_ALLMULTI
    presence = system.runtime_data.presence
    for name, frame in multicast_frames(lan).items():
        await jump(hass, freezer, 61)  # the tracker's "last seen" refreshes
        lan.send([frame])
        await let_packets_through(hass)
        state = hass.states.get(ALICE)
        assert state.attributes["detected_by"] == "multicast", name
        assert dt_seconds(state.attributes["last_seen"]) == time.time(), name
    await jump(hass, freezer, 61)
    lan.send([dhcp_discover(lan, ALICE_MAC, b"Alices-Phone")])
    await let_packets_through(hass)
    assert hass.states.get(ALICE).attributes["detected_by"] == "dhcp"
    assert presence.occupant(ALICE_ID).hostname == "alices-phone"
    # Another device's multicast is filtered out in the kernel.
    before = presence.occupant(ALICE_ID).last_seen
    await jump(hass, freezer, 61)
    stranger = bytes(
        Ether(src="02:00:00:00:0e:99", dst="01:00:5e:00:00:fb")
        / IP(src="198.18.0.99", dst="224.0.0.251")
        / UDP(sport=5353, dport=5353)
    )
    lan.send([stranger])
    await let_packets_through(hass)
    assert presence.occupant(ALICE_ID).last_seen == before


async def test_a_silent_phone_that_answers_arp_keeps_the_system_disarmed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
) -> None:
    await door(hass, is_open=True)
    await door(hass, is_open=False)
    await minutes(hass, freezer, 30)
    state = hass.states.get(ALICE)
    assert state.state == "home"
    assert state.attributes["detected_by"] == "arp"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED


@pytest.fixture
def away_for_hours() -> dict[str, Any]:
    """Alice's phone was away for hours before the restart."""
    gone = time.time() - 3 * HOUR
    return {
        "presence": "away",
        "last_seen": gone,
        "away_since": gone,
        "first_missed": gone,
        "away_polls_missed": 80,  # unanswered all that time
        "detection": "multicast",
    }


@pytest.fixture
async def armed_while_alice_is_out(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    hass_storage: dict[str, Any],
    away_for_hours: dict[str, Any],
) -> AsyncIterator[MockConfigEntry]:
    """Alice has been out for hours (her phone is silent), and the alarm is armed."""
    lan.answer_arp(on=False)
    hass.states.async_set(BACK_DOOR, "off")
    entry = entry_for(lan.pi_interface)
    remember(hass_storage, entry, away_for_hours)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await run_for(hass, freezer, 2.5)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await hass.async_block_till_done()
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    yield entry
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.usefixtures("armed_while_alice_is_out")
async def test_arrival_during_the_entry_delay_disarms_instead_of_triggering(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, lan: Lan
) -> None:
    # Alice is back at the door; her phone answers ARP but has said nothing yet.
    lan.answer_arp(on=True)
    await door(hass, is_open=True)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    await run_for(hass, freezer, 1)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Alice's phone (presence)"


@pytest.mark.usefixtures("armed_while_alice_is_out")
async def test_a_stranger_at_the_door_still_triggers(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    await door(hass, is_open=True)
    await run_for(hass, freezer, 1)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    await jump(hass, freezer, 20)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


async def test_a_new_private_address_is_found_by_host_name_and_fixed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert await async_setup_component(hass, "repairs", {})
    lan.send([dhcp_discover(lan, ALICE_MAC, b"alices-phone")])
    await let_packets_through(hass)
    # The phone forgets the network and joins again with a new private address.
    lan.answer_arp(on=False)
    await jump(hass, freezer, 61)
    lan.send([dhcp_discover(lan, NEW_MAC, b"alices-phone")])
    await let_packets_through(hass)
    issue_id = f"phone_new_address_{ALICE_ID}"
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.is_fixable
    assert issue.translation_placeholders == {"phone": "Alice's phone"}
    assert NEW_MAC not in str(issue.data)  # the address itself is not stored
    presence = system.runtime_data.presence
    assert presence.occupant(ALICE_ID).new_address == NEW_MAC
    # It keeps her phone home while its old address is silent: the new one
    # is asked too, and answers.
    lan.phone("link", "set", "dev", lan.phone_interface, "address", NEW_MAC)
    lan.answer_arp(on=True)
    await minutes(hass, freezer, 30)
    assert hass.states.get(ALICE).state == "home"
    assert hass.states.get(ALICE).attributes["detected_by"] == "new_address"
    # ...and the repair uses it as the phone's MAC.
    flows = repairs_flow_manager(hass)
    assert flows is not None
    result = await flows.async_init(DOMAIN, context={"issue_id": issue_id})
    assert result["step_id"] == "confirm"
    assert result["description_placeholders"] == {
        "phone": "Alice's phone",
        "mac": NEW_MAC,
    }
    result = await flows.async_configure(result["flow_id"], {})
    assert result["type"] == "create_entry"
    await run_for(hass, freezer, 2.5)
    assert system.subentries[ALICE_ID].data["mac"] == NEW_MAC
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


async def test_an_interface_that_goes_away_is_reported_and_comes_back(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    lan: Lan,
    system: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    assert hass.states.get(PRESENCE_PROBLEM).state == "off"

    lan.remove_pi_interface()  # the USB Wi-Fi adapter is pulled out
    await let_packets_through(hass)
    await minutes(hass, freezer, 15)  # rounds fall due and find it gone
    problem = hass.states.get(PRESENCE_PROBLEM)
    assert problem.state == "on"
    assert problem.attributes["problems"]["lan_capture"] == "no_interface"
    issue = issue_registry.async_get_issue(DOMAIN, "presence_no_interface")
    assert issue is not None
    assert lan.pi_interface in issue.translation_placeholders["detail"]
    # Without ARP nobody is marked away on a guess.
    assert hass.states.get(ALICE).state != "not_home"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED

    lan.add_pi_interface()  # plugged back in: capture resumes by itself
    await minutes(hass, freezer, 6)
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
