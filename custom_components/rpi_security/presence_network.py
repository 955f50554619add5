"""The network side of presence: capture and ARP, live or simulated.

:class:`LiveNetwork` opens the monitor capture (probe and association
requests), the LAN capture (what the phones send here, broadcast or
multicast, and DHCP from anyone) and the ARP prober; each part opens on its
own, and one that fails is reported and reopened with back-off while the
others go on. :class:`SimulatedPhones` is its twin for simulation mode.
"""

import asyncio
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from enum import StrEnum
from functools import partial
import logging

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later

from .const import ARP_TRY_INTERVAL
from .engine.backoff import Backoff
from .hardware.capture import ArpProber, FrameCallback, FrameCapture
from .hardware.frames import ETH_P_ARP, lan_sender, wifi_sender
from .hardware.network import (
    LINKTYPE_ETHERNET,
    LINKTYPE_RADIOTAP,
    CompiledFilter,
    NetworkProblem,
    NetworkUnavailableError,
    RawSocket,
    arp_reply_filter,
    default_route_interface,
    interface_info,
    lan_filter,
    neighbour_table,
    wifi_filter,
)
from .hardware.simulated_network import SimulatedNetwork

_LOGGER = logging.getLogger(__name__)


class NetworkPart(StrEnum):
    """The parts of presence detection that can fail on their own."""

    MONITOR_CAPTURE = "monitor_capture"
    LAN_CAPTURE = "lan_capture"
    ARP = "arp"


CAPTURES = (NetworkPart.MONITOR_CAPTURE, NetworkPart.LAN_CAPTURE)


class LiveNetwork:
    """Captures on the monitor and LAN interfaces, and ARP on the LAN."""

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
        self._macs = list(macs)
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

    async def async_listen_for(self, macs: list[str]) -> None:
        """Capture these MACs from now on (a phone's new address was found)."""
        if sorted(macs) == sorted(self._macs):
            return
        self._macs = list(macs)
        for part in CAPTURES:
            if (opened := self._open.pop(part, None)) is not None:
                opened.stop()
                await self._async_open(part)

    async def async_confirm(
        self, targets: Mapping[str, str | None], tries: int, sweep: Collection[str]
    ) -> dict[str, str] | None:
        """MAC -> IP of the phones that answered ARP, or None if none could be asked."""
        prober = self._open.get(NetworkPart.ARP)
        if not isinstance(prober, ArpProber):
            return None
        known = await self._hass.async_add_executor_job(neighbour_table)
        with_ips = {mac: ip or known.get(mac) for mac, ip in targets.items()}
        try:
            return await prober.confirm(with_ips, tries, ARP_TRY_INTERVAL, sweep)
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
        """Open one part (blocking: reads /sys, loads libpcap, opens a socket)."""
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
            bpf = CompiledFilter(wifi_filter(self._macs), LINKTYPE_RADIOTAP)
            sock = RawSocket(info.name, bpf)
            return FrameCapture(loop, sock, wifi_sender, self._on_frame, on_error)
        if part is NetworkPart.LAN_CAPTURE:
            bpf = CompiledFilter(lan_filter(self._macs, info.mac), LINKTYPE_ETHERNET)
            sock = RawSocket(info.name, bpf, all_multicast=True)
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

    async def async_listen_for(self, macs: list[str]) -> None:
        """Every simulated phone is heard anyway."""

    async def async_confirm(
        self, targets: Mapping[str, str | None], tries: int, sweep: Collection[str]
    ) -> dict[str, str]:
        """Present phones answer."""
        return await self.network.confirm(targets, tries, ARP_TRY_INTERVAL, sweep)
