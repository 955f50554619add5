"""The simulated twin of the phones' network: phones present or silent at will."""

import asyncio
from collections.abc import Callable, Collection, Mapping

from .frames import FrameKind

type FrameCallback = Callable[[bytes, FrameKind, str | None, str | None], None]


class SimulatedNetwork:
    """Phones that send a frame when they arrive and answer ARP while present."""

    def __init__(
        self, loop: asyncio.AbstractEventLoop, on_frame: FrameCallback
    ) -> None:
        """Start with every phone silent."""
        self._loop = loop
        self._on_frame = on_frame
        self._present: dict[str, str] = {}

    def set_present(self, mac: str, ip: str | None, *, announce: bool = True) -> None:
        """A phone joins (``ip``) or goes silent (``None``).

        A joining phone sends a DHCP request, unless ``announce`` is false:
        then it only answers ARP, as a phone in power save does.
        """
        if ip is None:
            self._present.pop(mac, None)
            return
        self._present[mac] = ip
        if announce:
            sender = bytes.fromhex(mac.replace(":", ""))
            self._loop.call_soon(self._on_frame, sender, FrameKind.DHCP, ip, None)

    def is_present(self, mac: str) -> bool:
        """Whether a phone is on the network now."""
        return mac in self._present

    def move(self, old_mac: str, new_mac: str) -> None:
        """A phone now uses another address (its MAC was changed in its settings)."""
        if old_mac in self._present:
            self._present[new_mac] = self._present.pop(old_mac)

    async def confirm(
        self,
        targets: Mapping[str, str | None],
        tries: int,
        interval: float,
        sweep: Collection[str] = (),
    ) -> dict[str, str]:
        """The phones that are present answer at once."""
        del tries, interval, sweep  # a simulated phone answers the first request
        return {mac: self._present[mac] for mac in targets if mac in self._present}
