"""Capture and ARP probing on the event loop, without threads.

Each socket is read by ``loop.add_reader`` in batches, so a flood of frames
yields to the loop between batches instead of stalling it.
"""

import asyncio
from collections.abc import Callable, Collection, Mapping

from .frames import FrameKind, Sighting, arp_reply_sender, arp_request
from .network import (
    InterfaceInfo,
    NetworkUnavailableError,
    RawSocket,
    mac_bytes,
    sweep_addresses,
)

# Frames read per readiness callback before the loop gets its turn again.
BATCH = 128

type Decoder = Callable[[bytes], Sighting | None]
# Sender MAC, what kind of frame, its IPv4 address, its DHCP host name.
type FrameCallback = Callable[[bytes, FrameKind, str | None, str | None], None]
type ErrorCallback = Callable[[NetworkUnavailableError], None]


class FrameCapture:
    """Hands the sender of every frame that passes the kernel filter to a callback."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: RawSocket,
        decode: Decoder,
        on_frame: FrameCallback,
        on_error: ErrorCallback,
    ) -> None:
        """Prepare; :meth:`start` begins reading."""
        self._loop = loop
        self._sock = sock
        self._decode = decode
        self._on_frame = on_frame
        self._on_error = on_error
        self._reading = False

    def start(self) -> None:
        """Read whenever the socket is readable."""
        self._loop.add_reader(self._sock.fileno(), self._readable)
        self._reading = True

    def stop(self) -> None:
        """Stop reading and close the socket."""
        if self._reading:
            self._loop.remove_reader(self._sock.fileno())
            self._reading = False
        self._sock.close()

    def _readable(self) -> None:
        try:
            frames = self._sock.read_frames(BATCH)
        except OSError as err:
            self.stop()
            self._on_error(
                NetworkUnavailableError.from_os_error(err, self._sock.interface)
            )
            return
        decode, on_frame = self._decode, self._on_frame
        for frame in frames:
            if (found := decode(frame)) is not None:
                on_frame(*found)


class _Confirmation:
    """One confirmation under way: the phones still waited for, and the answers."""

    def __init__(self, waiting: set[bytes]) -> None:
        self.waiting = waiting
        self.answers: dict[bytes, str] = {}
        self.all_answered = asyncio.Event()

    def answer(self, sender: bytes, ip: str) -> None:
        if sender in self.waiting:
            self.waiting.discard(sender)
            self.answers[sender] = ip
            if not self.waiting:
                self.all_answered.set()


class ArpProber:
    """Asks phones by ARP whether they are on the LAN."""

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        info: InterfaceInfo,
        sock: RawSocket,
        on_error: ErrorCallback,
    ) -> None:
        """Prepare; :meth:`start` begins listening for replies."""
        if info.ipv4 is None:
            raise NetworkUnavailableError.no_address(info.name)
        self._loop = loop
        self._info = info
        self._own_mac = mac_bytes(info.mac)
        self._own_ip: str = info.ipv4
        self._sock = sock
        self._on_error = on_error
        self._sweep = sweep_addresses(info)
        self._confirmations: set[_Confirmation] = set()
        self._listening = False

    def start(self) -> None:
        """Listen for replies."""
        self._loop.add_reader(self._sock.fileno(), self._readable)
        self._listening = True

    def stop(self) -> None:
        """Stop listening and close the socket."""
        if self._listening:
            self._loop.remove_reader(self._sock.fileno())
            self._listening = False
        self._sock.close()

    async def confirm(
        self,
        targets: Mapping[str, str | None],
        tries: int,
        interval: float,
        sweep: Collection[str] = (),
    ) -> dict[str, str]:
        """Ask phones (MAC -> known IP or None); return MAC -> IP of those that answer.

        Each try sends a request directed at the phone's MAC for its known IP.
        The phones in ``sweep`` are also asked, on the last try (or on every
        try when their IP is unknown), for every address of the subnet, all
        sent to their MAC only, so nothing is broadcast. Returns early once
        every phone answered. Raises :class:`NetworkUnavailableError` when
        requests cannot be sent.
        """
        by_bytes = {mac_bytes(mac): mac for mac in targets}
        confirmation = _Confirmation(set(by_bytes))
        self._confirmations.add(confirmation)
        try:
            for attempt in range(tries):
                last = attempt == tries - 1
                for raw, mac in by_bytes.items():
                    if raw in confirmation.waiting:
                        widely = mac in sweep and (last or targets[mac] is None)
                        self._ask(raw, targets[mac], sweep=widely)
                try:
                    async with asyncio.timeout(interval):
                        await confirmation.all_answered.wait()
                    break
                except TimeoutError:
                    continue
        finally:
            self._confirmations.discard(confirmation)
        return {by_bytes[raw]: ip for raw, ip in confirmation.answers.items()}

    def _ask(self, target: bytes, known_ip: str | None, *, sweep: bool) -> None:
        addresses = list(self._sweep) if sweep else []
        if known_ip is not None:
            addresses.insert(0, known_ip)
        try:
            for address in addresses:
                self._sock.send(
                    arp_request(self._own_mac, self._own_ip, target, address)
                )
        except OSError as err:
            raise NetworkUnavailableError.from_os_error(err, self._info.name) from err

    def _readable(self) -> None:
        try:
            frames = self._sock.read_frames(64)
        except OSError as err:
            self.stop()
            self._on_error(NetworkUnavailableError.from_os_error(err, self._info.name))
            return
        for frame in frames:
            if (reply := arp_reply_sender(frame)) is not None:
                for confirmation in list(self._confirmations):
                    confirmation.answer(*reply)
