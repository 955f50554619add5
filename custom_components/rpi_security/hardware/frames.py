"""Reading captured frames: who sent them, and what they say about the sender.

No decisions here, and no dissection library: the few header fields needed
are read straight from the bytes, so a flood of frames costs little. Every
reader returns ``None`` for a frame it cannot read, and never raises.

What a phone sends tells more than that it is here:
- joining the network it sends a DHCP DISCOVER or REQUEST without an address
  of its own, an ARP probe (sender address 0.0.0.0), IPv6 duplicate address
  detection (source ``::``) and a router solicitation; on a monitor interface,
  an 802.11 (re)association request. These are :attr:`FrameKind.DHCP`,
  :attr:`FrameKind.LINK_UP` and :attr:`FrameKind.ASSOCIATION`;
- an idle phone's chatter is mostly multicast: mDNS, SSDP, IPv6 neighbour
  discovery and MLD (:attr:`FrameKind.MULTICAST`).
"""

from enum import StrEnum
import socket

ETH_P_ARP = 0x0806
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
IPPROTO_UDP = 17
IPPROTO_ICMPV6 = 58
ICMPV6_ROUTER_SOLICITATION = 133
DHCP_SERVER_PORT = 67
DHCP_MAGIC = b"\x63\x82\x53\x63"
DHCP_DISCOVER, DHCP_REQUEST = 1, 3
DHCP_OPTION_HOSTNAME, DHCP_OPTION_REQUESTED_IP, DHCP_OPTION_TYPE = 12, 50, 53
NO_ADDRESS = b"\x00\x00\x00\x00"
IPV6_UNSPECIFIED = bytes(16)
# Where the options of a DHCP message start, after the fixed BOOTP fields.
_BOOTP_OPTIONS = 240
_IPV4, _ARP, _IPV6, _VLAN = (
    t.to_bytes(2, "big") for t in (ETH_P_IP, ETH_P_ARP, ETH_P_IPV6, ETH_P_8021Q)
)
_DHCP_SERVER_PORT = DHCP_SERVER_PORT.to_bytes(2, "big")


class FrameKind(StrEnum):
    """What a captured frame tells about its sender."""

    PROBE_REQUEST = "probe_request"
    ASSOCIATION = "association"  # 802.11 (re)association request: joining
    FRAME = "frame"  # to this host, or broadcast
    MULTICAST = "multicast"  # mDNS, SSDP, IPv6 neighbour discovery, MLD
    DHCP = "dhcp"  # a DHCP request from a client without an address: joining
    LINK_UP = "link_up"  # ARP probe, duplicate address detection, router solicitation
    ARP = "arp"


# What a reader finds: sender MAC, kind, IPv4 address, DHCP host name.
type Sighting = tuple[bytes, FrameKind, str | None, str | None]


def wifi_sender(frame: bytes) -> Sighting | None:
    """The sender of an 802.11 probe or (re)association request (RadioTap)."""
    if len(frame) < 4 or frame[0] != 0:
        return None
    start = int.from_bytes(frame[2:4], "little")
    if len(frame) < start + 16:
        return None
    control = frame[start]
    if (control >> 2) & 0b11 != 0:  # not a management frame
        return None
    subtype = control >> 4
    if subtype == 4:
        kind = FrameKind.PROBE_REQUEST
    elif subtype in (0, 2):
        kind = FrameKind.ASSOCIATION
    else:
        return None
    return frame[start + 10 : start + 16], kind, None, None


def lan_sender(frame: bytes) -> Sighting | None:
    """The sender of an Ethernet frame, what kind it is, its IPv4 address.

    On the hot path of every captured frame: bytes are compared rather than
    parsed, and multicast is told by the destination MAC's group bit.
    """
    if len(frame) < 14:
        return None
    sender = frame[6:12]
    ethertype = frame[12:14]
    offset = 14
    if ethertype == _VLAN and len(frame) >= 18:
        ethertype = frame[16:18]
        offset = 18
    first = frame[0]
    group = first & 1 and first != 0xFF  # multicast, not broadcast
    if ethertype == _IPV4 and len(frame) >= offset + 20:
        if first == 0xFF and frame[offset + 9] == IPPROTO_UDP:
            header = (frame[offset] & 0x0F) * 4
            port = frame[offset + header + 2 : offset + header + 4]
            if port == _DHCP_SERVER_PORT:
                return _dhcp(frame, sender, offset + header + 8)
        source = frame[offset + 12 : offset + 16]
        ip = None if source == NO_ADDRESS else socket.inet_ntoa(source)
        return sender, FrameKind.MULTICAST if group else FrameKind.FRAME, ip, None
    if ethertype == _ARP and len(frame) >= offset + 28:
        address = frame[offset + 14 : offset + 18]
        if address == NO_ADDRESS:
            return sender, FrameKind.LINK_UP, None, None  # an ARP probe
        return sender, FrameKind.ARP, socket.inet_ntoa(address), None
    if group and ethertype == _IPV6 and _ipv6_link_up(frame, offset):
        return sender, FrameKind.LINK_UP, None, None
    return sender, FrameKind.MULTICAST if group else FrameKind.FRAME, None, None


def _ipv6_link_up(frame: bytes, offset: int) -> bool:
    """Duplicate address detection (from ``::``) or a router solicitation."""
    return len(frame) >= offset + 41 and (
        frame[offset + 8 : offset + 24] == IPV6_UNSPECIFIED
        or (
            frame[offset + 6] == IPPROTO_ICMPV6
            and frame[offset + 40] == ICMPV6_ROUTER_SOLICITATION
        )
    )


def _dhcp(frame: bytes, sender: bytes, start: int) -> Sighting:
    """A DHCP message from a client: joining when it has no address yet."""
    options = start + _BOOTP_OPTIONS
    if len(frame) < options or frame[options - 4 : options] != DHCP_MAGIC:
        return sender, FrameKind.FRAME, None, None
    client_address = frame[start + 12 : start + 16]
    found = dhcp_options(frame[options:])
    message = found.get(DHCP_OPTION_TYPE, b"")
    requested = found.get(DHCP_OPTION_REQUESTED_IP, b"")
    hostname = _hostname(found.get(DHCP_OPTION_HOSTNAME))
    if client_address != NO_ADDRESS:  # renewing an address it has
        return sender, FrameKind.FRAME, socket.inet_ntoa(client_address), hostname
    ip = socket.inet_ntoa(requested) if len(requested) == 4 else None
    joining = message in (bytes((DHCP_DISCOVER,)), bytes((DHCP_REQUEST,)))
    return sender, FrameKind.DHCP if joining else FrameKind.FRAME, ip, hostname


def dhcp_options(data: bytes) -> dict[int, bytes]:
    """The options of a DHCP message (code -> value), up to the end option."""
    found: dict[int, bytes] = {}
    index = 0
    while index < len(data):
        code = data[index]
        if code == 255:  # end
            break
        if code == 0:  # pad
            index += 1
            continue
        if index + 1 >= len(data):
            break
        length = data[index + 1]
        found.setdefault(code, data[index + 2 : index + 2 + length])
        index += 2 + length
    return found


def _hostname(value: bytes | None) -> str | None:
    """A host name as sent, or None when there is none or it is not text."""
    if not value:
        return None
    try:
        name = value.decode("ascii").strip("\x00 ").lower()
    except UnicodeDecodeError:
        return None
    return name if name.isprintable() and name else None


def arp_reply_sender(frame: bytes) -> tuple[bytes, str] | None:
    """Sender MAC and IPv4 address of an ARP reply."""
    if len(frame) < 42 or frame[12:14] != b"\x08\x06" or frame[20:22] != b"\x00\x02":
        return None
    return frame[22:28], socket.inet_ntoa(frame[28:32])


def arp_request(
    own_mac: bytes, own_ip: str, target_mac: bytes, target_ip: str
) -> bytes:
    """An ARP request for ``target_ip`` sent to ``target_mac`` only (directed)."""
    frame = (
        target_mac
        + own_mac
        + b"\x08\x06"
        + b"\x00\x01\x08\x00\x06\x04\x00\x01"
        + own_mac
        + socket.inet_aton(own_ip)
        + b"\x00" * 6
        + socket.inet_aton(target_ip)
    )
    return frame.ljust(60, b"\x00")
