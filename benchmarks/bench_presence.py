"""Presence detection: the capture path, and ARP confirmation of five phones.

1. Capture: frames from a phone namespace over a veth pair, through the kernel
   BPF filter into the consumer, which hands each sender to the presence
   tracker. Ours now: an AF_PACKET socket read by loop.add_reader in batches,
   the filter keeping the phone's frames to this host, broadcast and
   multicast, and DHCP from anyone (all multicast groups taken in). Ours
   before: the same, frames to this host or broadcast only (the previous
   filter and frame reader, measured in the same run). Peer: scapy's
   sniff(prn=...) with the same filter in a thread, as the original
   rpi-security did. Figures: matched frames per second sustained and CPU per
   matched frame (a flood of 200,000 unicast frames, then of 200,000 mDNS
   multicast frames), and CPU used while 10,000 non-matching frames per
   second pass (5 s: another device's unicast and its multicast).
2. Confirmation: five phones, each in its own namespace, on a bridge. Ours:
   directed ARP (known IPs) and a /24 sweep (IPs unknown). Peer: nmap -sn -PR
   (what Home Assistant's nmap tracker runs) on the same five addresses and
   on the /24.

Needs root (namespaces, raw sockets); nmap from Debian's packages.
"""

import asyncio
from collections.abc import Callable
import os
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import timeit

from harness import ROOT, Result, machine_line, record

from custom_components.rpi_security.engine.presence import (
    ConfirmationRules,
    Detection,
    PresenceTracker,
)
from custom_components.rpi_security.hardware.capture import (
    ArpProber,
    Decoder,
    FrameCapture,
)
from custom_components.rpi_security.hardware.frames import (
    ETH_P_8021Q,
    ETH_P_ARP,
    ETH_P_IP,
    FrameKind,
    Sighting,
    lan_sender,
)
from custom_components.rpi_security.hardware.network import (
    LINKTYPE_ETHERNET,
    CompiledFilter,
    RawSocket,
    arp_reply_filter,
    interface_info,
    lan_filter,
    mac_bytes,
)
from tests.netns import bridged_lan, can_make_namespaces, private_lan

PHONE = "02:00:00:00:07:17"
STRANGER = "02:00:00:00:0e:99"
FLOOD = 200_000
QUIET_RATE, QUIET_SECONDS = 10_000, 5.0
PHONES = [f"02:00:00:00:08:{n:02x}" for n in range(2, 7)]
NOW = "ours now (+ multicast, DHCP)"
BEFORE = "ours before (host, broadcast)"
SCAPY = "scapy sniff(prn) thread"
ROUNDS = 3

# Sends frames (hex on stdin) count times, or at a rate (frames/s) for a time.
_SENDER = """
import socket, sys, time
iface, count = sys.argv[1], int(sys.argv[2])
rate, seconds = float(sys.argv[3]), float(sys.argv[4])
frame = bytes.fromhex(sys.stdin.read().strip())
sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
sock.bind((iface, 0))
if rate == 0:
    for _ in range(count):
        sock.send(frame)
else:
    batch = max(1, int(rate / 100))
    start = time.monotonic()
    sent = 0
    while time.monotonic() - start < seconds:
        for _ in range(batch):
            sock.send(frame)
        sent += batch
        time.sleep(max(0.0, start + sent / rate - time.monotonic()))
"""


def _frame(sender: str, pi_mac: str) -> bytes:
    from scapy.layers.inet import IP, UDP  # noqa: PLC0415
    from scapy.layers.l2 import Ether  # noqa: PLC0415

    return bytes(
        Ether(src=sender, dst=pi_mac)
        / IP(src="198.18.0.17", dst="198.18.0.1")
        / UDP(sport=5353, dport=5353)
    )


def _mdns(sender: str) -> bytes:
    from scapy.layers.inet import IP, UDP  # noqa: PLC0415
    from scapy.layers.l2 import Ether  # noqa: PLC0415

    return bytes(
        Ether(src=sender, dst="01:00:5e:00:00:fb")
        / IP(src="198.18.0.17", dst="224.0.0.251")
        / UDP(sport=5353, dport=5353)
    )


def filter_before(macs: list[str], own_mac: str) -> str:
    """The LAN filter before multicast and DHCP were kept (to compare with)."""
    senders = " or ".join(f"ether src {mac}" for mac in macs)
    return f"({senders}) and (ether dst {own_mac} or ether broadcast)"


def lan_sender_before(frame: bytes) -> Sighting | None:
    """The frame reader before it told multicast, DHCP and link-up apart."""
    if len(frame) < 14:
        return None
    sender = frame[6:12]
    ethertype = int.from_bytes(frame[12:14], "big")
    offset = 14
    if ethertype == ETH_P_8021Q and len(frame) >= 18:
        ethertype = int.from_bytes(frame[16:18], "big")
        offset = 18
    if ethertype == ETH_P_ARP and len(frame) >= offset + 28:
        ip = socket.inet_ntoa(frame[offset + 14 : offset + 18])
        return sender, FrameKind.ARP, ip, None
    if ethertype == ETH_P_IP and len(frame) >= offset + 20:
        source = frame[offset + 12 : offset + 16]
        return sender, FrameKind.FRAME, socket.inet_ntoa(source), None
    return sender, FrameKind.FRAME, None, None


def _send(
    lan: object, frame: bytes, *, count: int = 0, rate: float = 0, seconds: float = 0
) -> None:
    subprocess.run(
        [
            "ip",
            "netns",
            "exec",
            lan.phone_namespace,  # type: ignore[attr-defined]
            sys.executable,
            "-c",
            _SENDER,
            lan.phone_interface,  # type: ignore[attr-defined]
            str(count),
            str(rate),
            str(seconds),
        ],
        input=frame.hex().encode(),
        check=True,
    )


class Counter:
    """Counts matched frames and feeds them to the presence tracker."""

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.count = 0
        self.first = self.last = 0.0
        self.tracker = PresenceTracker.for_occupants(ConfirmationRules(), ["alice"])
        self.phone_of = {mac_bytes(PHONE): "alice"}

    def seen(self, sender: bytes, ip: str | None) -> None:
        """One matched frame."""
        now = time.perf_counter()
        if not self.count:
            self.first = now
        self.last = now
        self.count += 1
        self.tracker.heard(self.phone_of[sender], time.time(), Detection.FRAME, ip)


def _measure(
    start: Callable[[Counter], Callable[[], None]], send: Callable[[], None]
) -> tuple[Counter, float]:
    """Run a consumer while ``send`` runs; return its counter and its CPU seconds."""
    counter = Counter()
    stop = start(counter)
    time.sleep(0.3)
    cpu = time.process_time()
    send()
    time.sleep(0.5)  # let the consumer drain what is queued
    cpu = time.process_time() - cpu
    stop()
    return counter, cpu


def _ours(
    interface: str, expression: str, decode: Decoder, *, all_multicast: bool
) -> Callable[[Counter], Callable[[], None]]:
    def start(counter: Counter) -> Callable[[], None]:
        loop = asyncio.new_event_loop()
        sock = RawSocket(
            interface,
            CompiledFilter(expression, LINKTYPE_ETHERNET),
            all_multicast=all_multicast,
        )
        capture = FrameCapture(
            loop,
            sock,
            decode,
            lambda sender, _kind, ip, _name: counter.seen(sender, ip),
            lambda err: print("capture failed:", err),
        )
        ready = threading.Event()

        def run() -> None:
            asyncio.set_event_loop(loop)
            capture.start()
            ready.set()
            loop.run_forever()
            capture.stop()

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        ready.wait()

        def stop() -> None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join()
            loop.close()

        return stop

    return start


def _scapy(interface: str, expression: str) -> Callable[[Counter], Callable[[], None]]:
    from scapy.sendrecv import AsyncSniffer  # noqa: PLC0415

    def start(counter: Counter) -> Callable[[], None]:
        sniffer = AsyncSniffer(
            iface=interface,
            filter=expression,
            store=False,
            prn=lambda packet: counter.seen(
                mac_bytes(packet.src), packet.getlayer("IP").src
            ),
        )
        sniffer.start()
        return sniffer.stop

    return start


def capture_benchmark() -> None:
    with private_lan(PHONE) as lan:
        pi_mac = interface_info(lan.pi_interface).mac
        now, before = lan_filter([PHONE], pi_mac), filter_before([PHONE], pi_mac)
        print(
            f"capture: {FLOOD:,} matching frames as fast as the sender goes "
            f"(unicast to this host, then mDNS multicast); then {QUIET_RATE:,} "
            f"non-matching frames/s for {QUIET_SECONDS:.0f} s (unicast, multicast)"
        )
        consumers = {
            NOW: _ours(lan.pi_interface, now, lan_sender, all_multicast=True),
            BEFORE: _ours(
                lan.pi_interface, before, lan_sender_before, all_multicast=False
            ),
            SCAPY: _scapy(lan.pi_interface, now),
        }
        floods = {
            "unicast": _frame(PHONE, pi_mac),
            "multicast": _mdns(PHONE),
        }
        quiet = {
            "unicast": _frame(STRANGER, pi_mac),
            "multicast": _mdns(STRANGER),
        }
        results: dict[tuple[str, str], list[float]] = {}
        # Ours twice over, alternating, as the machine's load drifts.
        order = [*consumers][:2] * ROUNDS + [*consumers][2:]
        for name in order:
            start = consumers[name]
            for kind, frame in floods.items():
                flood, cpu = _measure(start, lambda f=frame: _send(lan, f, count=FLOOD))
                if not flood.count:
                    print(
                        f"  {name:<30} {kind:<9} matched       0 of {FLOOD:,}  "
                        f"(kept out by the kernel filter; CPU {cpu * 1e3:.1f} ms)"
                    )
                    continue
                rate = flood.count / max(flood.last - flood.first, 1e-9)
                per_frame = cpu / flood.count * 1e6
                results.setdefault((name, kind), []).append(per_frame)
                print(
                    f"  {name:<30} {kind:<9} matched {flood.count:>7,} of {FLOOD:,}  "
                    f"{rate:>9,.0f} frames/s  CPU {per_frame:6.2f} us/frame"
                )
        for name, start in consumers.items():
            for kind, frame in quiet.items():
                passed, cpu = _measure(
                    start,
                    lambda f=frame: _send(
                        lan, f, rate=QUIET_RATE, seconds=QUIET_SECONDS
                    ),
                )
                print(
                    f"  {name:<30} {kind:<9} CPU while 10k/s non-matching frames "
                    f"pass: {cpu / QUIET_SECONDS * 100:5.2f} % "
                    f"({passed.count} passed the filter)"
                )
        now_unicast = statistics.median(results[NOW, "unicast"])
        before_unicast = statistics.median(results[BEFORE, "unicast"])
        scapy_unicast = statistics.median(results[SCAPY, "unicast"])
        print(
            f"  CPU per unicast frame (median of {ROUNDS} floods): ours now "
            f"{now_unicast:.2f} us, before {before_unicast:.2f} us, ratio "
            f"{now_unicast / before_unicast:.2f}x; ours now vs scapy "
            f"{scapy_unicast / now_unicast:.1f}x less CPU per frame"
        )
        for peer, figure in (
            ("scapy sniff", scapy_unicast),
            ("ours before", before_unicast),
        ):
            record(
                Result(
                    "presence",
                    "capture CPU per unicast frame",
                    now_unicast / 1000,
                    "ms",
                    figure / 1000,
                    peer,
                )
            )
    decoder_benchmark()


def decoder_benchmark() -> None:
    """The frame reader alone, before and now: what each frame costs in Python."""
    unicast, multicast = _frame(PHONE, STRANGER), _mdns(PHONE)
    print("frame reader alone (ns per frame, best of 5 x 200,000):")
    for name, decode in (("before", lan_sender_before), ("now", lan_sender)):
        figures = []
        for frame in (unicast, multicast):
            best = min(
                timeit.repeat(
                    lambda f=frame, read=decode: read(f), number=200_000, repeat=5
                )
            )
            figures.append(f"{best / 200_000 * 1e9:5.0f}")
        print(f"  {name:<7} unicast {figures[0]} ns  mDNS {figures[1]} ns")


def _nmap(interface: str, targets: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["nmap", "-sn", "-PR", "-n", "-e", interface, targets],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - started


async def _confirm(
    prober: ArpProber, targets: dict[str, str | None]
) -> tuple[float, int]:
    started = time.perf_counter()
    answered = await prober.confirm(targets, tries=3, interval=1.0, sweep=list(targets))
    return time.perf_counter() - started, len(answered)


def confirmation_benchmark() -> None:
    with bridged_lan(PHONES) as lan:
        info = interface_info(lan.pi_interface)
        loop = asyncio.new_event_loop()
        sock = RawSocket(
            lan.pi_interface,
            CompiledFilter(arp_reply_filter(info.mac), LINKTYPE_ETHERNET),
            protocol=0x0806,
        )
        prober = ArpProber(loop, info, sock, lambda err: print("ARP failed:", err))
        prober.start()
        known = dict(lan.phones)
        unknown: dict[str, str | None] = dict.fromkeys(lan.phones)
        directed = [loop.run_until_complete(_confirm(prober, known)) for _ in range(20)]
        sweep = [loop.run_until_complete(_confirm(prober, unknown)) for _ in range(5)]
        prober.stop()
        loop.close()
        addresses = sorted(
            lan.phones.values(), key=lambda ip: int(ip.rsplit(".", 1)[1])
        )
        first, last = addresses[0], addresses[-1].rsplit(".", 1)[1]
        subnet = lan.pi_ip.rsplit(".", 1)[0] + ".0/24"
        nmap_directed = [_nmap(lan.pi_interface, f"{first}-{last}") for _ in range(5)]
        nmap_sweep = [_nmap(lan.pi_interface, subnet) for _ in range(3)]

    def ms(values: list[float]) -> str:
        median, fastest = statistics.median(values) * 1e6, min(values) * 1e6
        return f"median {median:10,.0f} us (min {fastest:,.0f})"

    print(f"confirmation of {len(PHONES)} phones on a bridged veth LAN:")
    for label, runs in (
        ("ours, directed ARP (IPs known)", directed),
        ("ours, /24 sweep (IPs unknown) ", sweep),
    ):
        answered = min(n for _, n in runs)
        print(f"  {label}   {ms([t for t, _ in runs])}  answered {answered}/5")
    print(f"  nmap -sn -PR, the 5 addresses    {ms(nmap_directed)}")
    print(f"  nmap -sn -PR, the /24            {ms(nmap_sweep)}")
    directed_median = statistics.median([t for t, _ in directed])
    sweep_median = statistics.median([t for t, _ in sweep])
    print(
        "  ratio nmap/ours: directed "
        f"{statistics.median(nmap_directed) / directed_median:.0f}x, "
        f"sweep {statistics.median(nmap_sweep) / sweep_median:.1f}x"
    )
    for label, ours_runs, theirs in (
        ("directed ARP, 5 phones", directed_median, nmap_directed),
        ("/24 sweep", sweep_median, nmap_sweep),
    ):
        record(
            Result(
                "presence",
                f"confirmation, {label}",
                ours_runs * 1000,
                "ms",
                statistics.median(theirs) * 1000,
                "nmap -sn -PR",
            )
        )
    print(
        "  target directed confirmation of 5 phones <= 100 ms: "
        f"{'met' if directed_median <= 0.1 else 'MISSED'}"
    )


def main() -> None:
    """Run both benchmarks."""
    if (reason := can_make_namespaces()) is not None:
        print(f"skipped: {reason}")
        return
    if shutil.which("nmap") is None:
        print("note: nmap is not installed (apt install nmap); its figures are skipped")
    print(machine_line())
    capture_benchmark()
    if shutil.which("nmap") is not None:
        confirmation_benchmark()


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
