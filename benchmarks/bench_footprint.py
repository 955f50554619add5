"""Footprint on a Pi's real paths: memory and idle CPU of a real ``hass`` process.

Home Assistant runs as a plain process (``python -m homeassistant``, through
``as_on_a_pi.py``), on the configuration scripts/develop writes (frontend,
automations, media source), in two or more variants side by side:

- **Home Assistant alone**: that configuration, no RPi Security;
- **RPi Security on a Pi's paths**: the same, with a system in real-hardware
  mode (simulation off): two doors and a PIR on GPIO, three phones, the Pi
  camera with motion detection on, configured through the same config flows
  a person uses in the browser;
- ``--before REV``: the same system (each of them) on the integration as it
  was at REV (``git archive``), on a copy of the same configuration;
- ``--simulation``: the same system in simulation mode (simulated pins,
  phones and camera), as scripts/develop runs it.

What is real and what stands in (the honest choice): everything the
integration does on a Pi runs, in real-hardware mode, on this machine. The
phones live in network namespaces of their own behind a bridge, which is the
system's LAN interface: their kernels answer the ARP confirmations, and each
sends an mDNS packet every few seconds, which the kernel filter lets through
to the capture socket. Only the two libraries that exist just on a Pi stand
in, loaded when the integration imports them, as the real ones are:
``gpiod`` is the stand-in of tests/ (gpiod 2.5.0's Python API on a simulated
Pi 4 kernel, doors shut, the PIR quiet) and ``picamera2`` returns arrays of
the configured streams' sizes. Not measured, therefore: libgpiod's C
extension (small) and picamera2 with libcamera, which only Raspberry Pi OS
has (Home Assistant OS users use a USB webcam or a camera entity).
Simulation mode was not bent to capture on a real interface: it stays the
promise of "no hardware at all".

Figures: RSS (VmRSS) after the processes settled, and CPU (user + system,
all threads) as a percentage of one core, over several windows of idle time
measured at the same moments for every variant; min and median of the
windows. Targets for RPi Security on top of Home Assistant alone: at most
25 MiB of RSS and 0.5 % of a core.

Needs root (network namespaces, raw sockets). About six minutes by default.
"""

import argparse
import asyncio
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
import json
import os
from pathlib import Path
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
from typing import Any

import aiohttp
from bench_startup import _ask
from harness import ROOT, Result, free_port, machine_line, record

from custom_components.rpi_security.config import DEFAULT_OPTIONS
from tests.netns import bridged_lan, can_make_namespaces

sys.path.insert(0, str(ROOT / "scripts"))
from develop_setup import SENSORS, _flow, _log_in, prepare

PYTHON = ROOT / ".venv" / "bin" / "python"
RUNNER = ROOT / "benchmarks" / "as_on_a_pi.py"
PHONES = {
    "Alice's phone": "02:00:00:00:0a:02",
    "Bob's phone": "02:00:00:00:0a:03",
    "Carol's phone": "02:00:00:00:0a:04",
}
CHATTER_SECONDS = 5.0
RSS_TARGET_MIB, CPU_TARGET_PERCENT = 25.0, 0.5
ALONE = "Home Assistant alone"
OURS = "RPi Security, Pi paths"
SIMULATED = "RPi Security, simulation"

CONFIGURATION = """\
homeassistant:
  name: Footprint
  unit_system: metric
  time_zone: UTC
  country: GB
  media_dirs:
    local: {config}/media
frontend:
automation: []
media_source:
logger:
  default: warning
"""

# An idle phone's chatter: an mDNS query to the link's multicast group.
_CHATTER = """
import socket, sys, time
ip, every = sys.argv[1], float(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(ip))
query = bytes(12) + b"\\x05_http\\x04_tcp\\x05local\\x00\\x00\\x0c\\x00\\x01"
while True:
    sock.sendto(query, ("224.0.0.251", 5353))
    time.sleep(every)
"""

CAMERA = {
    "resolution": "640x480",
    "rotation": "0",
    "hflip": False,
    "vflip": False,
    "frame_rate": 5,
    "camera_motion": True,
    "camera_motion_alarm": False,
}
PRESENCE_FIELDS = (
    "away_timeout",
    "confirm_rounds",
    "round_spacing",
    "arp_tries",
    "departure_mode",
    "disarm_policy",
)


@dataclass
class Hass:
    """One Home Assistant process on its config folder."""

    name: str
    config: Path
    port: int
    process: asyncio.subprocess.Process | None = None
    rss: list[float] = field(default_factory=list)  # MiB, per window
    cpu: list[float] = field(default_factory=list)  # % of a core, per window
    loaded: set[str] = field(default_factory=set)  # top-level packages, at exit

    @property
    def url(self) -> str:
        """Where its HTTP server listens."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start the process and wait until Home Assistant runs."""
        log = (self.config / "hass.out").open("ab")
        self.process = await asyncio.create_subprocess_exec(
            str(PYTHON),
            str(RUNNER),
            "--config",
            str(self.config),
            cwd=self.config,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
        log.close()
        async with aiohttp.ClientSession() as session, asyncio.timeout(300):
            while True:
                if self.process.returncode is not None:
                    raise RuntimeError(f"{self.name}: Home Assistant stopped")
                try:
                    headers = await _log_in(session, self.url)
                    state = await _ask(session, self.url, headers, "get_config")
                except aiohttp.ClientError, KeyError:
                    state = {}
                if state.get("state") == "RUNNING":
                    return
                await asyncio.sleep(0.5)

    async def stop(self) -> None:
        """Stop Home Assistant (it saves its state)."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                async with asyncio.timeout(120):
                    await self.process.wait()
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        self.process = None
        written = self.config / "loaded-packages.json"
        if written.exists():
            self.loaded = set(json.loads(written.read_text()))

    @property
    def pid(self) -> int:
        """The running process's id."""
        assert self.process is not None
        return self.process.pid

    async def states(self) -> list[dict[str, Any]]:
        """Every entity's state."""
        async with aiohttp.ClientSession() as session:
            headers = await _log_in(session, self.url)
            states: list[dict[str, Any]] = await _ask(
                session, self.url, headers, "get_states"
            )
            return states


def rss_mib(pid: int) -> float:
    """The process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """User and system time of every thread of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def new_config(folder: Path, name: str, integration: Path | None) -> Hass:
    """A config folder as scripts/develop writes it (login dev/dev, onboarded)."""
    config = folder / name.replace(" ", "_").replace(",", "")
    (config / "media").mkdir(parents=True)
    (config / "configuration.yaml").write_text(CONFIGURATION.format(config=config))
    port = free_port()
    prepare(config, port)
    if integration is not None:
        (config / "custom_components").mkdir()
        (config / "custom_components" / "rpi_security").symlink_to(integration)
    return Hass(name, config, port)


def copy_config(source: Hass, folder: Path, name: str, integration: Path) -> Hass:
    """The same system on earlier code: a copy of its folder, its own port.

    The simulated camera is stored as earlier versions stored it (the Pi
    camera, which simulation mode simulated).
    """
    config = folder / name.replace(" ", "_").replace(",", "")
    shutil.copytree(source.config, config, symlinks=True)
    for log in ("home-assistant.log", "hass.out"):
        (config / log).unlink(missing_ok=True)
    link = config / "custom_components" / "rpi_security"
    link.unlink()
    link.symlink_to(integration)
    port = free_port()
    http = config / ".storage" / "http"
    stored = json.loads(http.read_text())
    stored["data"]["stable"]["server_port"] = port
    http.write_text(json.dumps(stored))
    text = (config / "configuration.yaml").read_text()
    (config / "configuration.yaml").write_text(
        text.replace(str(source.config), str(config))
    )
    # Earlier versions knew the simulated camera as the Pi camera's stand-in.
    entries_file = config / ".storage" / "core.config_entries"
    entries = json.loads(entries_file.read_text())
    for entry in entries["data"]["entries"]:
        if entry["domain"] == "rpi_security":
            options = entry["options"]
            if options.get("camera_source") == "simulated":
                options["camera_source"] = "picamera2"
    entries_file.write_text(json.dumps(entries))
    return Hass(name, config, port)


async def configure(hass: Hass, *, simulation: bool, lan: str) -> None:
    """Set up the system through the config flows, as a person in the browser."""
    async with aiohttp.ClientSession() as session:
        headers = await _log_in(session, hass.url)

        async def flow(flows: str, handler: Any, steps: list[dict[str, Any]]) -> Any:
            result = await _flow(
                session, hass.url, headers, flows=flows, handler=handler, steps=steps
            )
            # A flow left half-way would measure a smaller system than claimed.
            if result.get("type") != "create_entry":
                raise SystemExit(f"{flows} {handler} did not finish: {result}")
            return result

        created = await flow(
            "flow", "rpi_security", [{"name": "RPi Security", "simulation": simulation}]
        )
        entry_id = created["result"]["entry_id"]
        for kind, answer in SENSORS:
            await flow(
                "subentries/flow",
                [entry_id, kind],
                # Then where it guards and how: the type's usual options.
                [{"next_step_id": "gpio"}, answer, {}],
            )
        for name, mac in PHONES.items():
            await flow(
                "subentries/flow", [entry_id, "phone"], [{"name": name, "mac": mac}]
            )
        if not simulation:
            presence = {key: DEFAULT_OPTIONS[key] for key in PRESENCE_FIELDS}
            await flow(
                "options/flow",
                entry_id,
                [{"next_step_id": "presence"}, {**presence, "lan_interface": lan}],
            )
        source = {"camera_source": "simulated" if simulation else "picamera2"}
        await flow(
            "options/flow", entry_id, [{"next_step_id": "camera"}, source, CAMERA]
        )


@contextmanager
def phones_chattering(namespaces: list[str], ips: list[str]) -> Iterator[None]:
    """Each phone sends an mDNS query every few seconds, from its namespace."""
    python = [sys.executable, "-c", _CHATTER]
    senders = [
        subprocess.Popen(
            ["ip", "netns", "exec", namespace, *python, ip, str(CHATTER_SECONDS)]
        )
        for namespace, ip in zip(namespaces, ips, strict=True)
    ]
    try:
        yield
    finally:
        for sender in senders:
            sender.terminate()
            sender.wait()


def health(name: str, states: list[dict[str, Any]]) -> str:
    """What the system says about itself: phones home, problems."""
    ours = [
        s
        for s in states
        if "rpi_security" in s["entity_id"]
        or s["entity_id"].startswith(("device_tracker.", "camera."))
    ]
    trackers = [s for s in states if s["entity_id"].startswith("device_tracker.")]
    home = sum(1 for s in trackers if s["state"] == "home")
    problems = [
        s["entity_id"]
        for s in states
        if s["attributes"].get("device_class") == "problem" and s["state"] != "off"
    ]
    return (
        f"{name}: {len(ours)} entities, phones home {home}/{len(trackers)}, "
        f"problems: {', '.join(problems) or 'none'}"
    )


def loaded_packages(hass: Hass) -> str:
    """Which heavy packages the process had loaded (as_on_a_pi.py lists them)."""
    watched = ("scapy", "numpy", "PIL", "gpiozero", "gpiod", "picamera2", "turbojpeg")
    return ", ".join(
        f"{name} {'yes' if name in hass.loaded else 'no'}" for name in watched
    )


async def measure(
    variants: list[Hass], settle: float, windows: int, seconds: float
) -> None:
    """RSS and CPU of every variant over the same windows."""
    await asyncio.sleep(settle)
    for _ in range(windows):
        before = {h.name: cpu_seconds(h.pid) for h in variants}
        await asyncio.sleep(seconds)
        for h in variants:
            h.cpu.append((cpu_seconds(h.pid) - before[h.name]) / seconds * 100)
            h.rss.append(rss_mib(h.pid))


def archive(revision: str, folder: Path) -> Path:
    """The integration as it was at ``revision``."""
    folder.mkdir()
    tar = subprocess.run(
        ["git", "archive", revision, "custom_components/rpi_security"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=tar, check=True)
    return folder / "custom_components" / "rpi_security"


def line(h: Hass) -> str:
    """One variant's figures."""
    rss, cpu = statistics.median(h.rss), statistics.median(h.cpu)
    return (
        f"{h.name:<36} RSS min {min(h.rss):6.1f}  median {rss:6.1f} MiB   "
        f"idle CPU min {min(h.cpu):5.2f}  median {cpu:5.2f} % of a core"
    )


def report(variants: list[Hass], args: argparse.Namespace) -> None:
    """Print every variant's figures, and ours on top of Home Assistant alone."""
    print(
        f"{args.windows} windows of {args.seconds:.0f} s idle, "
        f"after {args.settle:.0f} s to settle:"
    )
    for h in variants:
        print(f"{line(h)}   loaded: {loaded_packages(h)}")
    alone, ours = variants[0], variants[1]
    base_rss, base_cpu = statistics.median(alone.rss), statistics.median(alone.cpu)
    for h in variants[1:]:
        extra_rss = statistics.median(h.rss) - base_rss
        extra_cpu = statistics.median(h.cpu) - base_cpu
        rss_met = "met" if extra_rss <= RSS_TARGET_MIB else "MISSED"
        cpu_met = "met" if extra_cpu <= CPU_TARGET_PERCENT else "MISSED"
        print(
            f"{h.name} on top of {ALONE}: RSS {extra_rss:+.1f} MiB "
            f"(target <= {RSS_TARGET_MIB:g}: {rss_met}), idle CPU {extra_cpu:+.2f} % "
            f"of a core (target <= {CPU_TARGET_PERCENT:g}: {cpu_met})"
        )
    rss, cpu = statistics.median(ours.rss), statistics.median(ours.cpu)
    record(Result("footprint", "hass RSS, median", rss, "MiB", base_rss, ALONE))
    record(Result("footprint", "hass idle CPU, median", cpu, "% core", base_cpu, ALONE))
    record(Result("footprint", "RSS on top of HA alone", rss - base_rss, "MiB"))
    record(Result("footprint", "idle CPU on top of HA alone", cpu - base_cpu, "% core"))


async def main() -> None:
    """Configure, start every variant, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--settle", type=float, default=60.0)
    parser.add_argument("--before", metavar="REV", help="also the integration at REV")
    parser.add_argument("--simulation", action="store_true", help="also simulated")
    args = parser.parse_args()
    print(machine_line())
    if (reason := can_make_namespaces()) is not None:
        raise SystemExit(f"footprint: {reason}")
    integration = ROOT / "custom_components" / "rpi_security"
    with ExitStack() as stack:
        folder = Path(
            stack.enter_context(
                tempfile.TemporaryDirectory(prefix="rpi-security-footprint-")
            )
        )
        lan = stack.enter_context(bridged_lan(list(PHONES.values())))
        stack.enter_context(
            phones_chattering(lan.namespaces, list(lan.phones.values()))
        )
        alone = new_config(folder, ALONE, None)
        ours = new_config(folder, OURS, integration)
        setups = [(ours, False)]
        if args.simulation:
            setups.append((new_config(folder, SIMULATED, integration), True))
        # First starts: configure the systems (Home Assistant alone just starts).
        await asyncio.gather(alone.start(), *(h.start() for h, _ in setups))
        try:
            await asyncio.gather(
                *(configure(h, simulation=s, lan=lan.pi_interface) for h, s in setups)
            )
        finally:
            await asyncio.gather(alone.stop(), *(h.stop() for h, _ in setups))
        variants = [alone, *(h for h, _ in setups)]
        if args.before:
            code = archive(args.before, folder / "before")
            for h, _ in setups:
                name = f"{h.name} at {args.before}"
                variants.append(copy_config(h, folder, name, code))
        try:
            await asyncio.gather(*(h.start() for h in variants))
            await measure(variants, args.settle, args.windows, args.seconds)
            for h in variants[1:]:
                print(health(h.name, await h.states()))
        finally:
            await asyncio.gather(*(h.stop() for h in variants))
    report(variants, args)


if __name__ == "__main__":
    asyncio.run(main())
