"""A private LAN for tests: a veth pair, with a "phone" in its own network namespace.

The Pi's end stays in this namespace with an address from 198.18.0.0/15 (the
range set aside for network tests); the phone's end lives in a namespace of
its own, with the phone's MAC address, and its kernel answers ARP like a
phone does. Frames are sent from the phone's namespace by a small helper
process. Nothing leaves the veth pair.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
import os
import shutil
import socket
import subprocess
import sys

_SENDER = """
import socket, sys
iface, count = sys.argv[1], int(sys.argv[2])
frames = [bytes.fromhex(line) for line in sys.stdin.read().split()]
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((iface, 0))
for _ in range(count):
    for frame in frames:
        sock.send(frame)
"""


def can_make_namespaces() -> str | None:
    """Why network-namespace tests cannot run here, or None when they can."""
    if os.geteuid() != 0:
        return "network namespaces and raw sockets need root"
    if shutil.which("ip") is None:
        return "iproute2 (the ip command) is not installed"
    return None


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True)


@dataclass
class Lan:
    """The Pi's interface and a phone behind it."""

    pi_interface: str
    phone_namespace: str
    phone_interface: str
    phone_mac: str
    pi_ip: str
    phone_ip: str

    def phone(self, *args: str) -> None:
        """Run an ip command in the phone's namespace."""
        _ip("netns", "exec", self.phone_namespace, "ip", *args)

    def answer_arp(self, on: bool) -> None:
        """The phone's kernel answers ARP (on) or ignores it (off)."""
        self.phone(
            "link", "set", "dev", self.phone_interface, "arp", "on" if on else "off"
        )

    def send(self, frames: list[bytes], count: int = 1) -> None:
        """Send ``frames`` ``count`` times from the phone, as fast as it can."""
        subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.phone_namespace,
                sys.executable,
                "-c",
                _SENDER,
                self.phone_interface,
                str(count),
            ],
            input="\n".join(frame.hex() for frame in frames).encode(),
            check=True,
        )

    def remove_pi_interface(self) -> None:
        """The Pi's interface disappears (a USB adapter pulled out)."""
        _ip("link", "del", self.pi_interface)

    def add_pi_interface(self) -> None:
        """Create (again) the veth pair and put the phone's end in its namespace."""
        _ip(
            "link",
            "add",
            self.pi_interface,
            "type",
            "veth",
            "peer",
            "name",
            self.phone_interface,
        )
        _ip("link", "set", self.phone_interface, "netns", self.phone_namespace)
        _ip("addr", "add", f"{self.pi_ip}/24", "dev", self.pi_interface)
        _ip("link", "set", self.pi_interface, "up")
        self.phone(
            "link", "set", "dev", self.phone_interface, "address", self.phone_mac
        )
        self.quiet_ipv6()
        self.phone("addr", "add", f"{self.phone_ip}/24", "dev", self.phone_interface)
        self.phone("link", "set", self.phone_interface, "up")

    def quiet_ipv6(self) -> None:
        """No IPv6 from the phone's own kernel: the test sends what it says.

        Its router solicitations and duplicate address detection would say
        "joining" whenever the link comes up.
        """
        setting = f"/proc/sys/net/ipv6/conf/{self.phone_interface}/disable_ipv6"
        subprocess.run(
            [
                "ip",
                "netns",
                "exec",
                self.phone_namespace,
                "sh",
                "-c",
                f"echo 1 > {setting}",
            ],
            check=True,
            capture_output=True,
        )


@contextmanager
def private_lan(phone_mac: str, *, create_pi_interface: bool = True) -> Iterator[Lan]:
    """A veth pair and a phone namespace, removed afterwards whatever happens."""
    tag = f"{os.getpid() % 10000}"
    subnet = f"198.18.{os.getpid() % 250}"
    lan = Lan(
        pi_interface=f"rspi{tag}",
        phone_namespace=f"rpis-phone-{tag}",
        phone_interface=f"rsph{tag}",
        phone_mac=phone_mac,
        pi_ip=f"{subnet}.1",
        phone_ip=f"{subnet}.17",
    )
    _ip("netns", "add", lan.phone_namespace)
    try:
        lan.phone("link", "set", "lo", "up")
        if create_pi_interface:
            lan.add_pi_interface()
        yield lan
    finally:
        _ip("link", "del", lan.pi_interface, check=False)  # may be gone already
        _ip("netns", "del", lan.phone_namespace, check=False)


@dataclass
class BridgedLan:
    """Several phones, each in its own namespace, on one bridge: the Pi's LAN."""

    pi_interface: str
    pi_ip: str
    phones: dict[str, str]  # MAC -> IP
    namespaces: list[str]


@contextmanager
def bridged_lan(macs: list[str]) -> Iterator[BridgedLan]:
    """A bridge (the Pi's interface) with a phone namespace per MAC behind it."""
    tag = f"{os.getpid() % 10000}"
    subnet = f"198.19.{os.getpid() % 250}"
    lan = BridgedLan(f"rsbr{tag}", f"{subnet}.1", {}, [])
    _ip("link", "add", lan.pi_interface, "type", "bridge")
    try:
        _ip("addr", "add", f"{lan.pi_ip}/24", "dev", lan.pi_interface)
        _ip("link", "set", lan.pi_interface, "up")
        for number, mac in enumerate(macs, start=2):
            namespace, port, inside = (
                f"rpis-{tag}-{number}",
                f"rsb{tag}p{number}",
                f"rsb{tag}i{number}",
            )
            _ip("netns", "add", namespace)
            lan.namespaces.append(namespace)
            _ip("link", "add", port, "type", "veth", "peer", "name", inside)
            _ip("link", "set", port, "master", lan.pi_interface)
            _ip("link", "set", port, "up")
            _ip("link", "set", inside, "netns", namespace)
            run = ("netns", "exec", namespace, "ip")
            _ip(*run, "link", "set", "dev", inside, "address", mac)
            _ip(*run, "addr", "add", f"{subnet}.{number}/24", "dev", inside)
            _ip(*run, "link", "set", inside, "up")
            lan.phones[mac] = f"{subnet}.{number}"
        yield lan
    finally:
        _ip("link", "del", lan.pi_interface, check=False)
        for namespace in lan.namespaces:
            _ip("netns", "del", namespace, check=False)


@contextmanager
def packet_sockets_only() -> Iterator[None]:
    """Allow the sockets presence detection needs, and nothing that can connect.

    AF_PACKET sockets are bound to our own veth interface; an AF_INET datagram
    socket is only used for the ioctl that reads an interface's address.
    """
    import pytest_socket  # noqa: PLC0415  (tests only; benchmarks import this module)

    guarded = socket.socket
    real = pytest_socket._true_socket

    class PacketSocketsOnly(real):  # type: ignore[misc, valid-type]
        def __new__(
            cls,
            family: int = -1,
            kind: int = -1,
            proto: int = -1,
            fileno: int | None = None,
        ) -> PacketSocketsOnly:
            allowed = family in (socket.AF_PACKET, socket.AF_UNIX) or (
                family == socket.AF_INET and kind == socket.SOCK_DGRAM
            )
            if not allowed:
                raise pytest_socket.SocketBlockedError
            return real.__new__(cls, family, kind, proto, fileno)

    socket.socket = PacketSocketsOnly  # type: ignore[misc]
    try:
        yield
    finally:
        socket.socket = guarded  # type: ignore[misc]


def skip_without_namespaces() -> object:
    """Pytest mark: skip when namespaces cannot be made here."""
    import pytest  # noqa: PLC0415

    reason = can_make_namespaces()
    return pytest.mark.skipif(reason is not None, reason=reason or "")
