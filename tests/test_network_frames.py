"""Frames, filters and addresses, on frames crafted with scapy and pcap files."""

import ctypes
import ctypes.util
from pathlib import Path
import random
import subprocess
import sys

import pytest
from scapy.layers.dhcp import BOOTP, DHCP
from scapy.layers.dot11 import (
    Dot11,
    Dot11AssoReq,
    Dot11Beacon,
    Dot11Elt,
    Dot11ProbeReq,
    Dot11ReassoReq,
    RadioTap,
)
from scapy.layers.inet import IP, UDP
from scapy.layers.inet6 import ICMPv6ND_NS, ICMPv6ND_RS, IPv6
from scapy.layers.l2 import ARP, Dot1Q, Ether
from scapy.libs.structures import bpf_program
from scapy.packet import Packet
from scapy.utils import rdpcap, wrpcap

from custom_components.rpi_security.hardware import libpcap
from custom_components.rpi_security.hardware.frames import (
    FrameKind,
    arp_reply_sender,
    arp_request,
    dhcp_options,
    lan_sender,
    wifi_sender,
)
from custom_components.rpi_security.hardware.network import (
    LINKTYPE_ETHERNET,
    LINKTYPE_RADIOTAP,
    CompiledFilter,
    InterfaceInfo,
    NetworkProblem,
    NetworkUnavailableError,
    arp_reply_filter,
    default_route_interface,
    lan_filter,
    mac_bytes,
    neighbour_table,
    normalize_mac,
    sweep_addresses,
    wifi_filter,
)

PHONE = "02:00:00:00:07:17"
OTHER_PHONE = "02:00:00:00:07:42"
STRANGER = "02:00:00:00:0e:99"
PI = "02:00:00:00:00:01"
NO_ADDRESS = "0.0.0.0"  # noqa: S104  (what a phone without an address sends from)


class _PcapHeader(ctypes.Structure):
    _fields_ = (
        ("sec", ctypes.c_long),
        ("usec", ctypes.c_long),
        ("caplen", ctypes.c_uint32),
        ("len", ctypes.c_uint32),
    )


def _libpcap() -> ctypes.CDLL:
    lib = ctypes.CDLL(ctypes.util.find_library("pcap") or "libpcap.so.0.8")
    lib.pcap_offline_filter.argtypes = (
        ctypes.POINTER(bpf_program),
        ctypes.POINTER(_PcapHeader),
        ctypes.c_char_p,
    )
    lib.pcap_offline_filter.restype = ctypes.c_int
    return lib


def passes(bpf: CompiledFilter, frame: bytes) -> bool:
    """Run the compiled program on a frame, as the kernel would."""
    program = bpf_program(
        bpf.length, ctypes.cast(bpf._buffer, type(bpf_program().bf_insns))
    )
    header = _PcapHeader(0, 0, len(frame), len(frame))
    return bool(_libpcap().pcap_offline_filter(program, header, frame))


def probe_request_frame(sender: str) -> Packet:
    return (
        RadioTap()
        / Dot11(
            type=0,
            subtype=4,
            addr1="ff:ff:ff:ff:ff:ff",
            addr2=sender,
            addr3="ff:ff:ff:ff:ff:ff",
        )
        / Dot11ProbeReq()
        / Dot11Elt(ID=0, info=b"")
    )


def from_pcap(packets: list[Packet], path: Path) -> list[bytes]:
    """Write a pcap file and read the raw frames back, as a capture would give them."""
    wrpcap(str(path), packets)
    return [bytes(packet) for packet in rdpcap(str(path))]


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("02:00:00:00:07:17", PHONE),
        ("02-00-00-00-07-17", PHONE),
        ("020000000717", PHONE),
        (" 3C:22:FB:12:34:56 ", "3c:22:fb:12:34:56"),
    ],
)
def test_mac_addresses_are_normalized(text: str, normalized: str) -> None:
    assert normalize_mac(text) == normalized


@pytest.mark.parametrize(
    "text",
    [
        "",
        "02:00:00:00:07",
        "02:00:00:00:07:17:00",
        "zz:00:00:00:07:17",
        "02:00-00:00:07:17",
        "ff:ff:ff:ff:ff:ff",
        "01:00:5e:00:00:01",
    ],
)
def test_bad_mac_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="MAC"):
        normalize_mac(text)


def test_monitor_filter_passes_the_phones_probe_and_association_requests(
    tmp_path: Path,
) -> None:
    packets = [
        probe_request_frame(PHONE),  # the phone looks for networks: match
        probe_request_frame(OTHER_PHONE),  # the other configured phone: match
        RadioTap()
        / Dot11(type=0, subtype=0, addr1=PI, addr2=PHONE, addr3=PI)
        / Dot11AssoReq(),  # joining the network: match
        RadioTap()
        / Dot11(type=0, subtype=2, addr1=PI, addr2=OTHER_PHONE, addr3=PI)
        / Dot11ReassoReq(),  # roaming back: match
        probe_request_frame(STRANGER),  # a passer-by's phone
        RadioTap() / Dot11(type=0, subtype=8, addr2=PHONE) / Dot11Beacon(),  # beacon
        RadioTap()
        / Dot11(type=0, subtype=5, addr1=STRANGER, addr2=PHONE),  # probe resp
        RadioTap() / Dot11(type=2, subtype=0, addr1=PI, addr2=PHONE),  # data
    ]
    frames = from_pcap(packets, tmp_path / "monitor.pcap")
    bpf = CompiledFilter(wifi_filter([PHONE, OTHER_PHONE]), LINKTYPE_RADIOTAP)
    matched = [frame for frame in frames if passes(bpf, frame)]
    assert matched == frames[:4]
    assert [wifi_sender(frame) for frame in matched] == [
        (mac_bytes(PHONE), FrameKind.PROBE_REQUEST, None, None),
        (mac_bytes(OTHER_PHONE), FrameKind.PROBE_REQUEST, None, None),
        (mac_bytes(PHONE), FrameKind.ASSOCIATION, None, None),
        (mac_bytes(OTHER_PHONE), FrameKind.ASSOCIATION, None, None),
    ]
    # The reader alone also tells these requests from the rest.
    assert [wifi_sender(frame) is not None for frame in frames] == [
        True,
        True,
        True,
        True,
        True,
        False,
        False,
        False,
    ]


def dhcp_request(
    sender: str, hostname: bytes, *, message: str = "request", client_ip: str = ""
) -> Packet:
    options: list[object] = [("message-type", message)]
    if not client_ip:
        options.append(("requested_addr", "192.0.2.17"))
    options += [("hostname", hostname), "end"]
    return (
        Ether(src=sender, dst="ff:ff:ff:ff:ff:ff")
        / IP(src=client_ip or NO_ADDRESS, dst="255.255.255.255")
        / UDP(sport=68, dport=67)
        / BOOTP(chaddr=mac_bytes(sender), ciaddr=client_ip or NO_ADDRESS)
        / DHCP(options=options)
    )


# What an idle phone says on the LAN, and what it says when it joins.
PHONE_TRAFFIC: list[tuple[Packet, tuple[FrameKind, str | None, str | None]]] = [
    (
        Ether(src=PHONE, dst=PI) / IP(src="192.0.2.17", dst="192.0.2.1") / UDP(),
        (FrameKind.FRAME, "192.0.2.17", None),
    ),
    (
        Ether(src=PHONE, dst="01:00:5e:00:00:fb")
        / IP(src="192.0.2.17", dst="224.0.0.251")
        / UDP(sport=5353, dport=5353),  # mDNS
        (FrameKind.MULTICAST, "192.0.2.17", None),
    ),
    (
        Ether(src=PHONE, dst="01:00:5e:7f:ff:fa")
        / IP(src="192.0.2.17", dst="239.255.255.250")
        / UDP(sport=50000, dport=1900),  # SSDP
        (FrameKind.MULTICAST, "192.0.2.17", None),
    ),
    (
        Ether(src=PHONE, dst="33:33:ff:00:00:01")
        / IPv6(src="fe80::17", dst="ff02::1:ff00:1")
        / ICMPv6ND_NS(tgt="fe80::1"),  # neighbour discovery
        (FrameKind.MULTICAST, None, None),
    ),
    (
        Ether(src=PHONE, dst="ff:ff:ff:ff:ff:ff") / ARP(hwsrc=PHONE, psrc="192.0.2.17"),
        (FrameKind.ARP, "192.0.2.17", None),
    ),
    (
        dhcp_request(PHONE, b"Alices-Phone", message="discover"),
        (FrameKind.DHCP, "192.0.2.17", "alices-phone"),
    ),
    (
        dhcp_request(PHONE, b"alices-phone", client_ip="192.0.2.17"),  # renewing
        (FrameKind.FRAME, "192.0.2.17", "alices-phone"),
    ),
    (
        Ether(src=PHONE, dst="ff:ff:ff:ff:ff:ff")
        / ARP(hwsrc=PHONE, psrc=NO_ADDRESS, pdst="192.0.2.17"),  # ARP probe
        (FrameKind.LINK_UP, None, None),
    ),
    (
        Ether(src=PHONE, dst="33:33:ff:00:00:17")
        / IPv6(src="::", dst="ff02::1:ff00:17")
        / ICMPv6ND_NS(tgt="fe80::17"),  # duplicate address detection
        (FrameKind.LINK_UP, None, None),
    ),
    (
        Ether(src=PHONE, dst="33:33:00:00:00:02")
        / IPv6(src="fe80::17", dst="ff02::2")
        / ICMPv6ND_RS(),  # router solicitation
        (FrameKind.LINK_UP, None, None),
    ),
]


def test_lan_filter_passes_the_phones_unicast_broadcast_and_multicast(
    tmp_path: Path,
) -> None:
    packets = [packet for packet, _ in PHONE_TRAFFIC] + [
        Ether(src=PHONE, dst="02:00:00:00:00:fe") / IP() / UDP(),  # to another host
        Ether(src=STRANGER, dst=PI) / IP() / UDP(),  # someone else
        Ether(src=STRANGER, dst="01:00:5e:00:00:fb")
        / IP(dst="224.0.0.251")
        / UDP(dport=5353),
        dhcp_request(STRANGER, b"alices-phone"),  # a new address? (host name)
    ]
    frames = from_pcap(packets, tmp_path / "lan.pcap")
    bpf = CompiledFilter(lan_filter([PHONE], PI), LINKTYPE_ETHERNET)
    assert [passes(bpf, frame) for frame in frames] == [True] * len(PHONE_TRAFFIC) + [
        False,
        False,
        False,
        True,
    ]
    for frame, (_, expected) in zip(frames, PHONE_TRAFFIC, strict=False):
        assert lan_sender(frame) == (mac_bytes(PHONE), *expected)
    assert lan_sender(frames[-1]) == (
        mac_bytes(STRANGER),
        FrameKind.DHCP,
        "192.0.2.17",
        "alices-phone",
    )


def test_lan_sender_reads_vlan_ipv6_and_unknown_frames() -> None:
    tagged = bytes(
        Ether(src=PHONE, dst=PI) / Dot1Q(vlan=7) / IP(src="192.0.2.5") / UDP()
    )
    assert lan_sender(tagged) == (mac_bytes(PHONE), FrameKind.FRAME, "192.0.2.5", None)
    ipv6 = bytes(Ether(src=PHONE, dst=PI) / IPv6(src="fe80::17") / UDP())
    assert lan_sender(ipv6) == (mac_bytes(PHONE), FrameKind.FRAME, None, None)
    other = bytes(Ether(src=PHONE, dst=PI, type=0x88CC) / b"lldp")
    assert lan_sender(other) == (mac_bytes(PHONE), FrameKind.FRAME, None, None)
    assert lan_sender(b"\x00" * 13) is None


def test_dhcp_options_and_odd_host_names() -> None:
    assert dhcp_options(bytes([0, 0, 53, 1, 3, 12, 2]) + b"ab" + bytes([255, 1])) == {
        53: b"\x03",
        12: b"ab",
    }
    assert dhcp_options(bytes([12, 5]) + b"ab") == {12: b"ab"}  # cut short
    for name in (b"", b"\xff\xfe", b"tab\there"):
        sighting = lan_sender(bytes(dhcp_request(PHONE, name, message="discover")))
        assert sighting is not None
        assert sighting[3] is None
    unknown = bytes(dhcp_request(PHONE, b"x", message="inform"))
    assert lan_sender(unknown) == (mac_bytes(PHONE), FrameKind.FRAME, "192.0.2.17", "x")


def test_arp_request_is_directed_at_the_phone() -> None:
    frame = arp_request(mac_bytes(PI), "192.0.2.1", mac_bytes(PHONE), "192.0.2.17")
    assert len(frame) == 60
    packet = Ether(frame)
    assert packet.dst == PHONE  # unicast to the phone: nothing broadcast
    assert packet.src == PI
    assert packet[ARP].op == 1
    assert packet[ARP].psrc == "192.0.2.1"
    assert packet[ARP].pdst == "192.0.2.17"


def test_arp_reply_filter_and_reader(tmp_path: Path) -> None:
    packets = [
        Ether(src=PHONE, dst=PI) / ARP(op=2, hwsrc=PHONE, psrc="192.0.2.17", hwdst=PI),
        Ether(src=PHONE, dst=PI) / ARP(op=1, hwsrc=PHONE, psrc="192.0.2.17"),  # request
        Ether(src=PHONE, dst=STRANGER) / ARP(op=2, hwsrc=PHONE, psrc="192.0.2.17"),
        Ether(src=PHONE, dst=PI) / IP() / UDP(),
    ]
    frames = from_pcap(packets, tmp_path / "arp.pcap")
    bpf = CompiledFilter(arp_reply_filter(PI), LINKTYPE_ETHERNET)
    assert [passes(bpf, frame) for frame in frames] == [True, False, False, False]
    assert arp_reply_sender(frames[0]) == (mac_bytes(PHONE), "192.0.2.17")
    # The reader checks it is a reply; whom it is for is the kernel filter's job.
    assert [arp_reply_sender(frame) is not None for frame in frames[1:]] == [
        False,
        True,
        False,
    ]


@pytest.mark.parametrize(
    ("expression", "linktype"),
    [
        (wifi_filter([PHONE, OTHER_PHONE]), LINKTYPE_RADIOTAP),
        (lan_filter([PHONE, OTHER_PHONE], PI), LINKTYPE_ETHERNET),
        (arp_reply_filter(PI), LINKTYPE_ETHERNET),
    ],
)
def test_filters_compile_to_what_libpcap_gives_scapy(
    expression: str, linktype: int
) -> None:
    # Our call of libpcap's compiler gives scapy's program, instruction for
    # instruction: scapy is not needed at run time.
    from scapy.arch.common import compile_filter  # noqa: PLC0415

    theirs = compile_filter(expression, linktype=linktype)
    ours = CompiledFilter(expression, linktype)
    assert ours.length == theirs.bf_len > 0
    assert ours.instructions == ctypes.string_at(theirs.bf_insns, theirs.bf_len * 8)


def test_a_refused_expression_or_no_libpcap_is_a_clear_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with pytest.raises(NetworkUnavailableError) as refused:
        CompiledFilter("ether src not-a-mac", LINKTYPE_ETHERNET)
    assert refused.value.problem is NetworkProblem.NO_LIBPCAP
    assert "not-a-mac" in refused.value.detail
    monkeypatch.setattr(libpcap, "_library", None)
    monkeypatch.setattr(libpcap, "_NAMES", ("libpcap-nowhere.so",))
    monkeypatch.setattr(libpcap.ctypes.util, "find_library", lambda _name: None)
    with pytest.raises(NetworkUnavailableError) as missing:
        CompiledFilter(arp_reply_filter(PI), LINKTYPE_ETHERNET)
    assert missing.value.problem is NetworkProblem.NO_LIBPCAP
    assert "libpcap cannot be loaded" in missing.value.detail


def test_the_capture_path_never_imports_scapy() -> None:
    """Opening every filter loads libpcap, not scapy (about 20 MiB less)."""
    program = """
import sys
from custom_components.rpi_security import presence_network
from custom_components.rpi_security.hardware.network import (
    LINKTYPE_ETHERNET, LINKTYPE_RADIOTAP, CompiledFilter, arp_reply_filter,
    lan_filter, wifi_filter,
)
CompiledFilter(wifi_filter(["02:00:00:00:07:17"]), LINKTYPE_RADIOTAP)
CompiledFilter(lan_filter(["02:00:00:00:07:17"], "02:00:00:00:00:01"), 1)
CompiledFilter(arp_reply_filter("02:00:00:00:00:01"), LINKTYPE_ETHERNET)
print(sorted(name for name in sys.modules if name.split(".")[0] == "scapy"))
"""
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"


def test_random_and_truncated_frames_never_raise() -> None:
    rng = random.Random(20261121)
    real = [
        bytes(probe_request_frame(PHONE)),
        bytes(Ether(src=PHONE, dst=PI) / ARP(op=2, hwsrc=PHONE, psrc="192.0.2.17")),
        bytes(Ether(src=PHONE, dst=PI) / Dot1Q() / IP() / UDP()),
        *(bytes(packet) for packet, _ in PHONE_TRAFFIC),
    ]
    frames = [rng.randbytes(rng.randrange(0, 200)) for _ in range(10_000)]
    frames += [frame[:cut] for frame in real for cut in range(len(frame))]
    for frame in frames:
        for decode in (wifi_sender, lan_sender, arp_reply_sender):
            result = decode(frame)
            assert result is None or len(result[0]) == 6


def test_sweep_stays_within_the_own_slash_24() -> None:
    home = InterfaceInfo("eth0", PI, monitor=False, ipv4="192.168.1.20", prefix=24)
    addresses = sweep_addresses(home)
    assert len(addresses) == 253
    assert "192.168.1.20" not in addresses
    assert addresses[0] == "192.168.1.1"
    wide = InterfaceInfo("eth0", PI, monitor=False, ipv4="10.1.2.3", prefix=16)
    assert sweep_addresses(wide)[-1] == "10.1.2.254"
    assert sweep_addresses(InterfaceInfo("wlan0", PI, monitor=False)) == []


def test_default_route_and_neighbour_table(tmp_path: Path) -> None:
    route = tmp_path / "route"
    route.write_text(
        "Iface\tDestination\tGateway\tFlags\n"
        "eth0\t0001A8C0\t00000000\t0001\n"
        "wlan0\t00000000\t0101A8C0\t0003\n"
    )
    assert default_route_interface(route) == "wlan0"
    assert default_route_interface(tmp_path / "missing") is None
    arp = tmp_path / "arp"
    arp.write_text(
        "IP address       HW type     Flags       HW address            Mask  Device\n"
        "192.0.2.17       0x1         0x2         02:00:00:00:07:17     *        eth0\n"
        "192.0.2.18       0x1         0x0         00:00:00:00:00:00     *        eth0\n"
        "192.0.2.19       0x1         0x2         not-a-mac             *        eth0\n"
    )
    assert neighbour_table(arp) == {PHONE: "192.0.2.17"}
    assert neighbour_table(tmp_path / "missing") == {}
