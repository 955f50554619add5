"""The network seen from the Pi: interfaces, captured frames, ARP probes.

No decisions here, and no reading of frames (that is :mod:`.frames`). Frames
are captured on ``AF_PACKET`` sockets whose BPF filter (compiled by libpcap,
:mod:`.libpcap`) runs in the kernel, so traffic from other devices never
reaches Python. Sockets are non-blocking; callers read them when the event
loop says they are readable.

Opening sockets and compiling filters block: callers do that in an executor.
"""

from collections.abc import Iterable
import contextlib
import ctypes
from dataclasses import dataclass
from enum import StrEnum
import errno
import fcntl
import ipaddress
from pathlib import Path
import re
import socket
import struct

from .libpcap import LibpcapError, compile_filter

ETH_P_ALL = 0x0003
ARPHRD_IEEE80211_RADIOTAP = 803  # /sys/class/net/<iface>/type of a monitor interface
LINKTYPE_ETHERNET = 1
LINKTYPE_RADIOTAP = 127
SO_ATTACH_FILTER = 26
SOL_PACKET = 263
PACKET_ADD_MEMBERSHIP = 1
PACKET_MR_ALLMULTI = 2
SIOCGIFADDR = 0x8915
SIOCGIFNETMASK = 0x891B

BROADCAST = b"\xff" * 6
# Sweeps cover at most the /24 around this host's own address.
SWEEP_PREFIX = 24

_MAC = re.compile(r"^[0-9a-f]{2}([:-]?)(?:[0-9a-f]{2}\1){4}[0-9a-f]{2}$")


class NetworkProblem(StrEnum):
    """Why part of the network cannot be used."""

    NO_PERMISSION = "no_permission"  # raw sockets need root or CAP_NET_RAW
    NO_INTERFACE = "no_interface"  # the interface does not exist (any more)
    NOT_MONITOR = "not_monitor"  # the capture interface is not in monitor mode
    NO_ADDRESS = "no_address"  # the LAN interface has no IPv4 address
    NO_LIBPCAP = "no_libpcap"  # filters cannot be compiled
    FAILED = "failed"  # anything else the system refused


class NetworkUnavailableError(Exception):
    """Part of the network cannot be used; ``problem`` says why."""

    def __init__(self, problem: NetworkProblem, detail: str) -> None:
        """Keep the kind of problem and the system's own words."""
        super().__init__(detail)
        self.problem = problem
        self.detail = detail

    @classmethod
    def no_address(cls, interface: str) -> NetworkUnavailableError:
        """The LAN interface has no IPv4 address to ask from."""
        return cls(NetworkProblem.NO_ADDRESS, f"{interface} has no IPv4 address")

    @classmethod
    def from_os_error(cls, err: OSError, interface: str) -> NetworkUnavailableError:
        """Classify what the system said when opening or reading a socket."""
        if isinstance(err, PermissionError) or err.errno == errno.EPERM:
            return cls(NetworkProblem.NO_PERMISSION, str(err))
        if err.errno in (errno.ENODEV, errno.ENXIO, errno.ENETDOWN):
            return cls(NetworkProblem.NO_INTERFACE, f"{interface}: {err}")
        return cls(NetworkProblem.FAILED, f"{interface}: {err}")


def normalize_mac(text: str) -> str:
    """``AA-BB-CC-DD-EE-FF`` and friends as ``aa:bb:cc:dd:ee:ff``.

    Raises ``ValueError`` for anything that is not a unicast MAC address.
    """
    value = text.strip().lower()
    if not _MAC.match(value):
        raise ValueError(f"not a MAC address: {text!r}")
    digits = re.sub(r"[:-]", "", value)
    raw = bytes.fromhex(digits)
    if raw[0] & 1:
        raise ValueError(f"not a unicast MAC address: {text!r}")
    if not any(raw):
        raise ValueError(f"the all-zero MAC address is no device's: {text!r}")
    return ":".join(digits[i : i + 2] for i in range(0, 12, 2))


def mac_bytes(mac: str) -> bytes:
    """The six bytes of a normalized MAC address."""
    return bytes.fromhex(mac.replace(":", ""))


def mac_text(raw: bytes) -> str:
    """Six bytes as ``aa:bb:cc:dd:ee:ff``."""
    return raw.hex(":")


# -- interfaces --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InterfaceInfo:
    """What the Pi knows of one of its network interfaces."""

    name: str
    mac: str
    monitor: bool
    ipv4: str | None = None
    prefix: int | None = None

    @property
    def network(self) -> ipaddress.IPv4Network | None:
        """The interface's IPv4 network."""
        if self.ipv4 is None or self.prefix is None:
            return None
        return ipaddress.IPv4Interface(f"{self.ipv4}/{self.prefix}").network


def list_interfaces() -> list[str]:
    """The names of this host's network interfaces."""
    return sorted(name for _index, name in socket.if_nameindex())


def interface_info(name: str) -> InterfaceInfo:
    """Read an interface's MAC, type and IPv4 address (blocking)."""
    base = Path("/sys/class/net") / name
    try:
        mac = (base / "address").read_text().strip()
        link_type = int((base / "type").read_text())
    except (OSError, ValueError) as err:
        raise NetworkUnavailableError(
            NetworkProblem.NO_INTERFACE, f"{name}: no such interface"
        ) from err
    ipv4, prefix = _ipv4_of(name)
    return InterfaceInfo(
        name=name,
        mac=mac,
        monitor=link_type == ARPHRD_IEEE80211_RADIOTAP,
        ipv4=ipv4,
        prefix=prefix,
    )


def _ipv4_of(name: str) -> tuple[str | None, int | None]:
    request = struct.pack("256s", name.encode()[:15])
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            address = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, request)[20:24]
            netmask = fcntl.ioctl(sock.fileno(), SIOCGIFNETMASK, request)[20:24]
    except OSError:
        return None, None
    prefix = bin(int.from_bytes(netmask, "big")).count("1")
    return socket.inet_ntoa(address), prefix


def default_route_interface(path: Path = Path("/proc/net/route")) -> str | None:
    """The interface of the IPv4 default route (blocking), if there is one."""
    try:
        lines = path.read_text().splitlines()[1:]
    except OSError:
        return None
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[1] == "00000000":
            return fields[0]
    return None


def neighbour_table(path: Path = Path("/proc/net/arp")) -> dict[str, str]:
    """MAC -> IPv4 address from the kernel's neighbour (ARP) table (blocking)."""
    table: dict[str, str] = {}
    try:
        lines = path.read_text().splitlines()[1:]
    except OSError:
        return table
    for line in lines:
        fields = line.split()
        if len(fields) >= 4 and fields[2] != "0x0":  # 0x0: incomplete entry
            try:
                table[normalize_mac(fields[3])] = fields[0]
            except ValueError:
                continue
    return table


# -- filters -----------------------------------------------------------------


def wifi_filter(macs: Iterable[str]) -> str:
    """BPF: 802.11 probe and (re)association requests sent by ``macs`` (RadioTap)."""
    senders = " or ".join(f"wlan addr2 {mac}" for mac in macs)
    requests = "subtype probe-req or subtype assoc-req or subtype reassoc-req"
    return f"type mgt and ({requests}) and ({senders})"


def lan_filter(macs: Iterable[str], own_mac: str) -> str:
    """BPF: what the phones send here, broadcast or multicast; DHCP from anyone.

    Multicast is most of an idle phone's chatter (mDNS, SSDP, IPv6 neighbour
    discovery); a DHCP request from an unknown MAC may be a configured phone
    with a new private address (its host name tells).
    """
    senders = " or ".join(f"ether src {mac}" for mac in macs)
    return (
        f"(({senders}) and (ether dst {own_mac} or ether multicast))"
        " or (udp dst port 67 and ether broadcast)"
    )


def arp_reply_filter(own_mac: str) -> str:
    """BPF: ARP replies addressed to this host."""
    return f"arp and arp[6:2] = 2 and ether dst {own_mac}"


class CompiledFilter:
    """A BPF program ready for ``SO_ATTACH_FILTER`` (compiled by libpcap)."""

    def __init__(self, expression: str, linktype: int) -> None:
        """Compile ``expression`` (blocking: loads libpcap)."""
        try:
            self.length, self.instructions = compile_filter(expression, linktype)
        except LibpcapError as err:
            raise NetworkUnavailableError(NetworkProblem.NO_LIBPCAP, str(err)) from err
        self.expression = expression
        # The kernel copies the instructions on attach; this buffer outlives that.
        self._buffer = ctypes.create_string_buffer(self.instructions)

    def sock_fprog(self) -> bytes:
        """``struct sock_fprog`` for setsockopt."""
        return struct.pack("HL", self.length, ctypes.addressof(self._buffer))


# -- sockets -------------------------------------------------------------------


class RawSocket:
    """A non-blocking ``AF_PACKET`` socket on one interface, with a kernel filter."""

    def __init__(
        self,
        interface: str,
        bpf: CompiledFilter | None,
        *,
        protocol: int = ETH_P_ALL,
        receive_buffer: int = 1 << 20,
        all_multicast: bool = False,
    ) -> None:
        """Open and bind the socket (blocking). Raises NetworkUnavailableError.

        With ``all_multicast`` the interface takes in every multicast group
        (not only the ones this host joined), for as long as the socket is
        open; the filter still keeps all but the phones' frames out.
        """
        self.interface = interface
        try:
            sock = socket.socket(
                socket.AF_PACKET, socket.SOCK_RAW, socket.htons(protocol)
            )
        except OSError as err:
            raise NetworkUnavailableError.from_os_error(err, interface) from err
        try:
            if bpf is not None:
                # Filter before binding, so nothing unfiltered is queued.
                sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, bpf.sock_fprog())
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
            sock.bind((interface, protocol))
            if all_multicast:
                membership = struct.pack(
                    "iHH8s",
                    socket.if_nametoindex(interface),
                    PACKET_MR_ALLMULTI,
                    0,
                    b"",
                )
                sock.setsockopt(SOL_PACKET, PACKET_ADD_MEMBERSHIP, membership)
            sock.setblocking(False)
        except OSError as err:
            sock.close()
            raise NetworkUnavailableError.from_os_error(err, interface) from err
        self._sock = sock

    def fileno(self) -> int:
        """For ``loop.add_reader``."""
        return self._sock.fileno()

    def read_frames(self, limit: int) -> list[bytes]:
        """Up to ``limit`` waiting frames; raises OSError when the link is gone."""
        frames: list[bytes] = []
        recv = self._sock.recv
        with contextlib.suppress(BlockingIOError):
            while len(frames) < limit:
                frames.append(recv(65535))
        return frames

    def send(self, frame: bytes) -> None:
        """Send one frame; a full send buffer drops it (the next try resends)."""
        with contextlib.suppress(BlockingIOError):
            self._sock.send(frame)

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()


# -- sweeps ------------------------------------------------------------------


def sweep_addresses(info: InterfaceInfo) -> list[str]:
    """The addresses of the interface's network (at most its /24), but its own."""
    if info.ipv4 is None or info.prefix is None:
        return []
    prefix = max(info.prefix, SWEEP_PREFIX)
    network = ipaddress.IPv4Interface(f"{info.ipv4}/{prefix}").network
    return [str(host) for host in network.hosts() if str(host) != info.ipv4]
