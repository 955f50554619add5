"""Presence: phones found on the network, and Home Assistant presence entities.

Frames and ARP answers come from the network layer (live sockets, or the
simulated twin), presence entities from Home Assistant's state machine; the
engine's tracker decides who is home, and every change is handed to the
system, which decides what it means for the alarm.
"""

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
from enum import StrEnum
from functools import partial
import logging
import math
import time
from typing import Any

from homeassistant.const import STATE_HOME, STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import (
    async_call_later,
    async_track_state_change_event,
)

from .clock import track_at
from .config import PhoneConfig, SystemConfig
from .const import ARP_TRY_INTERVAL
from .engine.backoff import Backoff
from .engine.presence import Detection, PresenceChange, PresenceTracker
from .hardware.capture import ArpProber, FrameCapture
from .hardware.network import (
    ETH_P_ARP,
    LINKTYPE_ETHERNET,
    LINKTYPE_RADIOTAP,
    CompiledFilter,
    FrameKind,
    NetworkProblem,
    NetworkUnavailableError,
    RawSocket,
    arp_reply_filter,
    default_route_interface,
    interface_info,
    lan_filter,
    lan_sender,
    mac_bytes,
    neighbour_table,
    probe_request,
    probe_request_filter,
)
from .hardware.simulated_network import SimulatedNetwork

_LOGGER = logging.getLogger(__name__)

DETECTION_OF_FRAME = {
    FrameKind.PROBE_REQUEST: Detection.PROBE_REQUEST,
    FrameKind.FRAME: Detection.FRAME,
    FrameKind.ARP: Detection.ARP,
}
# A phone's entity is refreshed at most this often while nothing changes.
LAST_SEEN_REFRESH = 60.0
# Simulated phones get addresses from TEST-NET-1.
SIMULATED_SUBNET = "192.0.2."


class NetworkPart(StrEnum):
    """The parts of presence detection that can fail on their own."""

    MONITOR_CAPTURE = "monitor_capture"
    LAN_CAPTURE = "lan_capture"
    ARP = "arp"


type FrameCallback = Callable[[bytes, FrameKind, str | None], None]


class LiveNetwork:
    """Captures on the monitor and LAN interfaces, and ARP on the LAN.

    Each part opens on its own; one that fails (no permission, interface
    missing or down, not in monitor mode) is reported and reopened with
    back-off, while the others go on.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        lan_interface: str | None,
        monitor_interface: str | None,
        macs: list[str],
        on_frame: FrameCallback,
        on_health: Callable[[], None],
    ) -> None:
        """Prepare; :meth:`async_start` opens the parts."""
        self._hass = hass
        self._lan = lan_interface
        self._monitor = monitor_interface
        self._macs = macs
        self._on_frame = on_frame
        self._on_health = on_health
        self.problems: dict[NetworkPart, NetworkUnavailableError] = {}
        self._open: dict[NetworkPart, FrameCapture | ArpProber] = {}
        self._backoff = {part: Backoff(first=30, maximum=300) for part in NetworkPart}
        self._retries: dict[NetworkPart, CALLBACK_TYPE] = {}
        self._reopening: set[asyncio.Task[None]] = set()
        self._stopped = False

    @property
    def parts(self) -> list[NetworkPart]:
        """The parts this configuration uses."""
        parts = []
        if self._monitor:
            parts.append(NetworkPart.MONITOR_CAPTURE)
        parts += [NetworkPart.LAN_CAPTURE, NetworkPart.ARP]
        return parts

    async def async_start(self) -> None:
        """Open every part (failures are retried later)."""
        if self._lan is None:
            self._lan = await self._hass.async_add_executor_job(default_route_interface)
        for part in self.parts:
            await self._async_open(part)

    async def async_stop(self) -> None:
        """Close everything and stop retrying."""
        self._stopped = True
        for cancel in self._retries.values():
            cancel()
        self._retries.clear()
        for task in list(self._reopening):
            task.cancel()
        if self._reopening:
            await asyncio.wait(self._reopening)
        for opened in self._open.values():
            opened.stop()
        self._open.clear()

    async def async_confirm(
        self, targets: Mapping[str, str | None], tries: int
    ) -> dict[str, str] | None:
        """MAC -> IP of the phones that answered ARP, or None if none could be asked."""
        prober = self._open.get(NetworkPart.ARP)
        if not isinstance(prober, ArpProber):
            return None
        known = await self._hass.async_add_executor_job(neighbour_table)
        with_ips = {mac: ip or known.get(mac) for mac, ip in targets.items()}
        try:
            return await prober.confirm(with_ips, tries, ARP_TRY_INTERVAL)
        except NetworkUnavailableError as err:
            self._failed(NetworkPart.ARP, err)
            return None

    def is_stopped(self) -> bool:
        """Whether :meth:`async_stop` was called (it may come while opening)."""
        return self._stopped

    async def _async_open(self, part: NetworkPart) -> None:
        self._retries.pop(part, None)
        if self.is_stopped():
            return
        try:
            opened = await self._hass.async_add_executor_job(self._open_part, part)
        except NetworkUnavailableError as err:
            self._failed(part, err)
            return
        except OSError as err:  # anything else the system refused
            interface = (
                self._monitor if part is NetworkPart.MONITOR_CAPTURE else self._lan
            )
            self._failed(
                part, NetworkUnavailableError.from_os_error(err, str(interface))
            )
            return
        if self.is_stopped():
            opened.stop()
            return
        opened.start()
        self._open[part] = opened
        self._backoff[part].reset()
        if self.problems.pop(part, None) is not None:
            _LOGGER.info("Presence detection: %s works again", part.value)
            self._on_health()

    def _open_part(self, part: NetworkPart) -> FrameCapture | ArpProber:
        """Open one part (blocking: reads /sys, imports scapy, opens a socket)."""
        interface = self._monitor if part is NetworkPart.MONITOR_CAPTURE else self._lan
        if interface is None:
            raise NetworkUnavailableError(
                NetworkProblem.NO_INTERFACE, "no LAN interface (no default route)"
            )
        info = interface_info(interface)
        loop, on_error = self._hass.loop, self._error_of(part)
        if part is NetworkPart.MONITOR_CAPTURE:
            if not info.monitor:
                raise NetworkUnavailableError(
                    NetworkProblem.NOT_MONITOR, f"{info.name} is not in monitor mode"
                )
            bpf = CompiledFilter(probe_request_filter(self._macs), LINKTYPE_RADIOTAP)
            sock = RawSocket(info.name, bpf)
            return FrameCapture(loop, sock, probe_request, self._on_frame, on_error)
        if part is NetworkPart.LAN_CAPTURE:
            bpf = CompiledFilter(lan_filter(self._macs, info.mac), LINKTYPE_ETHERNET)
            sock = RawSocket(info.name, bpf)
            return FrameCapture(loop, sock, lan_sender, self._on_frame, on_error)
        if info.ipv4 is None:
            raise NetworkUnavailableError.no_address(info.name)
        bpf = CompiledFilter(arp_reply_filter(info.mac), LINKTYPE_ETHERNET)
        sock = RawSocket(info.name, bpf, protocol=ETH_P_ARP)
        return ArpProber(loop, info, sock, on_error)

    def _error_of(self, part: NetworkPart) -> Callable[[NetworkUnavailableError], None]:
        return lambda err: self._failed(part, err)

    @callback
    def _failed(self, part: NetworkPart, err: NetworkUnavailableError) -> None:
        if (opened := self._open.pop(part, None)) is not None:
            opened.stop()
        delay = self._backoff[part].next_delay()
        known = self.problems.get(part)
        self.problems[part] = err
        if known is None or known.problem is not err.problem:
            _LOGGER.warning(
                "Presence detection: %s unavailable (%s); retrying in %d s",
                part.value,
                err.detail,
                delay,
            )
            self._on_health()
        if not self._stopped:
            self._retries[part] = async_call_later(
                self._hass, delay, partial(self._reopen, part)
            )

    @callback
    def _reopen(self, part: NetworkPart, _now: datetime) -> None:
        task = self._hass.async_create_background_task(
            self._async_open(part), f"rpi_security reopen {part.value}"
        )
        self._reopening.add(task)
        task.add_done_callback(self._reopening.discard)


class SimulatedPhones:
    """The simulated network, with the same interface as :class:`LiveNetwork`."""

    def __init__(self, hass: HomeAssistant, on_frame: FrameCallback) -> None:
        """Every simulated phone starts silent."""
        self.network = SimulatedNetwork(hass.loop, on_frame)
        self.problems: dict[NetworkPart, NetworkUnavailableError] = {}
        self.parts: list[NetworkPart] = []

    async def async_start(self) -> None:
        """Nothing to open."""

    async def async_stop(self) -> None:
        """Nothing to close."""

    async def async_confirm(
        self, targets: Mapping[str, str | None], tries: int
    ) -> dict[str, str]:
        """Present phones answer."""
        return await self.network.confirm(targets, tries, ARP_TRY_INTERVAL)


def _home_of(state: State | None) -> bool | None:
    """What a person or device_tracker state says: home, away, or nothing."""
    if state is None or state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE):
        return None
    # not_home, or the name of another zone: away
    return state.state == STATE_HOME


class PresenceMonitor:
    """Who is home, kept up to date from the network and from presence entities."""

    def __init__(
        self,
        hass: HomeAssistant,
        config: SystemConfig,
        *,
        notify: Callable[[str], None],
        on_changes: Callable[[list[PresenceChange]], None],
        on_health: Callable[[], None],
    ) -> None:
        """Prepare the tracker and the network for ``config``'s phones."""
        self._hass = hass
        self.config = config
        settings = config.presence
        self.tracker = PresenceTracker.for_occupants(
            settings.away_timeout,
            (phone.id for phone in config.phones),
            (entity.id for entity in config.presence_entities),
        )
        self.phones = {phone.id: phone for phone in config.phones}
        self._phone_by_mac = {mac_bytes(p.mac): p for p in config.phones}
        self._notify = notify
        self._on_changes = on_changes
        self._on_health = on_health
        self._last_notified: dict[str, float] = {}
        self._cancel_deadline: CALLBACK_TYPE | None = None
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False
        self.network: LiveNetwork | SimulatedPhones | None = None
        if config.phones:
            macs = [phone.mac for phone in config.phones]
            self.network = (
                SimulatedPhones(hass, self._frame)
                if config.simulation
                else LiveNetwork(
                    hass,
                    lan_interface=settings.lan_interface,
                    monitor_interface=settings.monitor_interface,
                    macs=macs,
                    on_frame=self._frame,
                    on_health=on_health,
                )
            )

    @property
    def problems(self) -> dict[NetworkPart, NetworkUnavailableError]:
        """The parts of presence detection that do not work now."""
        return self.network.problems if self.network else {}

    # -- life cycle ----------------------------------------------------------

    async def async_start(self, stored: Mapping[str, Any] | None) -> None:
        """Take back what was known, start listening, check who is home."""
        if stored:
            self.tracker.restore(stored)
        for phone in self.config.phones:
            occupant = self.tracker.occupants[phone.id]
            if phone.ip and occupant.ip is None:
                occupant.ip = phone.ip
        for entity in self.config.presence_entities:
            self._unsubscribe.append(
                async_track_state_change_event(
                    self._hass, entity.entity_id, self._entity_changed
                )
            )
            self._entity_report(entity.id, self._hass.states.get(entity.entity_id))
        if self.network is not None:
            await self.network.async_start()
        self._schedule()

    async def async_stop(self) -> None:
        """Stop listening and checking."""
        self._stopped = True
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        if self._cancel_deadline is not None:
            self._cancel_deadline()
            self._cancel_deadline = None
        if self.network is not None:
            await self.network.async_stop()

    def snapshot(self) -> dict[str, Any]:
        """What to keep across a restart."""
        return self.tracker.snapshot()

    # -- what happens --------------------------------------------------------

    async def async_probe_arrivals(self) -> None:
        """Ask every phone that is away right now whether it is back."""
        away = [
            p for p in self.tracker.away_phones() if p not in self.tracker.confirming
        ]
        if away and self.network is not None:
            self.tracker.start_confirming(away)
            await self._async_confirm(away)

    def simulate(self, phone_id: str, present: bool, *, announce: bool = True) -> None:
        """Simulation mode: a phone arrives (and answers ARP) or goes silent.

        With ``announce`` false an arriving phone sends nothing by itself and is
        found only by ARP.
        """
        if not isinstance(self.network, SimulatedPhones):
            raise TypeError("phones can only be simulated in simulation mode")
        phone = self.phones[phone_id]
        number = sorted(self.phones).index(phone_id) + 10
        address = phone.ip or f"{SIMULATED_SUBNET}{number}"
        self.network.network.set_present(
            phone.mac, address if present else None, announce=announce
        )

    @callback
    def _frame(self, sender: bytes, kind: FrameKind, ip: str | None) -> None:
        phone = self._phone_by_mac.get(sender)
        if phone is None:
            return
        now = time.time()
        change = self.tracker.seen(phone.id, now, DETECTION_OF_FRAME[kind], ip)
        if change is not None:
            self._report([change])
            self._schedule()
        elif now - self._last_notified.get(phone.id, -math.inf) >= LAST_SEEN_REFRESH:
            self._last_notified[phone.id] = now
            self._notify(phone.id)

    @callback
    def _entity_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        for entity in self.config.presence_entities:
            if entity.entity_id == entity_id:
                self._entity_report(entity.id, event.data["new_state"])

    @callback
    def _entity_report(self, occupant_id: str, state: State | None) -> None:
        change = self.tracker.set_presence(occupant_id, _home_of(state), time.time())
        if change is not None:
            self._report([change])

    @callback
    def _report(self, changes: list[PresenceChange]) -> None:
        now = time.time()
        for change in changes:
            self._last_notified[change.occupant_id] = now
            self._notify(change.occupant_id)
        self._on_changes(changes)

    # -- confirmation by ARP -------------------------------------------------

    @callback
    def _schedule(self) -> None:
        """Confirm the phones that are due, and wake up when the next one is."""
        if self._cancel_deadline is not None:
            self._cancel_deadline()
            self._cancel_deadline = None
        if self.network is None or self._stopped:
            return
        now = time.time()
        due = self.tracker.candidates(now)
        self.tracker.start_confirming(due)
        deadline = self.tracker.next_deadline()
        if deadline is not None:
            self._cancel_deadline = track_at(
                self._hass, self._deadline_reached, max(deadline, now)
            )
        # Last: a confirmation may finish at once and schedule again itself.
        if due:
            self._start(self._async_confirm(due))

    @callback
    def _deadline_reached(self, _scheduled: datetime) -> None:
        self._cancel_deadline = None
        self._schedule()

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._hass.async_create_background_task(work, "rpi_security presence")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _async_confirm(self, phone_ids: list[str]) -> None:
        """Ask the phones (already marked as being confirmed) by ARP."""
        if self.network is None:
            return
        targets = {
            self.phones[p].mac: self.tracker.occupants[p].ip or self.phones[p].ip
            for p in phone_ids
        }
        try:
            answered = await self.network.async_confirm(
                targets, self.config.presence.arp_tries
            )
        except asyncio.CancelledError:
            for phone_id in phone_ids:
                self.tracker.confirming.pop(phone_id, None)
            raise
        now = time.time()
        changes = []
        for phone_id in phone_ids:
            mac = self.phones[phone_id].mac
            result = None if answered is None else mac in answered
            ip = answered.get(mac) if answered else None
            if (
                change := self.tracker.confirmed(phone_id, result, now, ip)
            ) is not None:
                changes.append(change)
            elif result:
                self._last_notified[phone_id] = now
                self._notify(phone_id)
        if changes:
            self._report(changes)
        self._schedule()

    def phone(self, phone_id: str) -> PhoneConfig:
        """A phone's configuration."""
        return self.phones[phone_id]
