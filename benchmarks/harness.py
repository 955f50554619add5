"""What every benchmark needs: a running Home Assistant core and figures to print.

Home Assistant runs in-process, as the test suite runs it (storage in memory),
on a plain event loop without the test harness's debug checks. Its HTTP server
listens on a free loopback port, so a benchmark runs beside a Home Assistant
that already holds 8123.

Each benchmark also calls :func:`record` for its headline figures; when
``scripts/bench`` runs them, it collects those into one table at the end.
"""

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager, nullcontext
from dataclasses import asdict, dataclass
import json
import os
from pathlib import Path
import socket
import statistics
import sys
import tempfile
from typing import Any, Literal

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# The loader finds custom_components only once the package has been imported.
from homeassistant import loader  # noqa: E402
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.setup import async_setup_component  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # noqa: E402
    MockConfigEntry,
    async_test_home_assistant,
    mock_storage,
)

import custom_components.rpi_security  # noqa: E402, F401
from custom_components.rpi_security.config import DEFAULT_OPTIONS  # noqa: E402
from custom_components.rpi_security.const import DOMAIN  # noqa: E402

# The front door's pin: an NC contact with pull-up, high when the door opens.
DOOR_PIN = 17

# The simulated camera, one photo per trigger and nothing more.
ONE_PHOTO = {
    "camera_source": "picamera2",  # the simulated camera in simulation mode
    "camera_motion": False,
    "burst_photos": 1,
    "gif_seconds": 0,
    "capture_interval": 0,
}


def door_system(
    options: Mapping[str, Any],
    subentries: Sequence[dict[str, Any]] = (),
    entry_id: str | None = None,
    *,
    simulation: bool = True,
) -> MockConfigEntry:
    """A system "Bench" with no delays and a front door (debounce 0).

    Simulated (mock pins) unless ``simulation`` is false: then it opens real
    hardware, which a benchmark provides (the stand-in gpiod, say). The same
    ``entry_id`` finds the same stored state after a restart.
    """
    return MockConfigEntry(
        entry_id=entry_id,
        domain=DOMAIN,
        title="Bench",
        data={"name": "Bench", "simulation": simulation},
        options={**DEFAULT_OPTIONS, "exit_delay": 0, "entry_delay": 0, **options},
        subentries_data=[
            {
                "subentry_type": "door",
                "title": "Front door",
                "unique_id": f"gpio_{DOOR_PIN}",
                "data": {
                    "source": "gpio",
                    "pin": DOOR_PIN,
                    "contact_type": "nc",
                    "pull_up": True,
                    "debounce_ms": 0,
                },
            },
            *subentries,
        ],
    )


@asynccontextmanager
async def running_hass(
    *, real_storage: bool = False, config_dir: str | None = None
) -> AsyncIterator[HomeAssistant]:
    """A Home Assistant core with custom integrations enabled.

    With ``real_storage`` its ``Store`` files are written to disk (in a
    temporary folder, or ``config_dir`` to start again on the same files), as
    on a Pi, where a path includes them.
    """
    with (
        nullcontext(config_dir)
        if config_dir
        else tempfile.TemporaryDirectory(prefix="rpi-security-bench-") as folder,
        nullcontext() if real_storage else mock_storage(),
    ):
        async with async_test_home_assistant(config_dir=folder) as hass:
            hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
            # Our integration depends on http: never the default port 8123.
            http = {"server_host": "127.0.0.1", "server_port": free_port()}
            assert await async_setup_component(hass, "http", {"http": http})
            try:
                yield hass
            finally:
                await hass.async_stop(force=True)


@dataclass(frozen=True)
class Figures:
    """Latencies (seconds) and CPU time of one measured path."""

    name: str
    latencies: Sequence[float]
    cpu_seconds: float

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile latency in milliseconds."""
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))
        return ordered[index] * 1000

    @property
    def cpu_per_event_us(self) -> float:
        """CPU time per measured event, in microseconds."""
        return self.cpu_seconds / len(self.latencies) * 1e6

    def line(self) -> str:
        """One line of figures."""
        return (
            f"{self.name:<44} runs {len(self.latencies):>5}  "
            f"p50 {self.percentile(50):7.3f} ms  p99 {self.percentile(99):7.3f} ms  "
            f"mean {statistics.fmean(self.latencies) * 1000:7.3f} ms  "
            f"max {max(self.latencies) * 1000:7.3f} ms  "
            f"CPU/event {self.cpu_per_event_us:7.1f} us"
        )


def machine_line() -> str:
    """Where the figures were taken."""
    return (
        f"Python {sys.version.split()[0]} on {os.uname().machine}, "
        f"{os.cpu_count()} CPUs"
    )


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# Where scripts/bench collects the figures of every benchmark it runs.
RESULTS_ENV = "RPI_SECURITY_BENCH_RESULTS"


@dataclass(frozen=True)
class Result:
    """One headline figure: ours, the peer's in the same run, and its unit."""

    benchmark: str
    metric: str
    ours: float
    unit: str
    peer: float | None = None
    peer_name: str | None = None
    better: Literal["lower", "higher"] = "lower"


def record(result: Result) -> None:
    """Keep a headline figure for scripts/bench's closing table."""
    path = os.environ.get(RESULTS_ENV)
    if path:
        with Path(path).open("a", encoding="utf-8") as results:
            results.write(json.dumps(asdict(result)) + "\n")


def _figure(value: float, unit: str) -> str:
    """A figure with the precision it has: µs below a millisecond, and so on."""
    if unit == "ms" and abs(value) < 1:
        return f"{value * 1000:.1f} µs"
    if unit == "s" and abs(value) < 1:
        return f"{value * 1000:.2f} ms"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def table(lines: Sequence[str]) -> str:
    """The closing table of scripts/bench: ours, the peer's and the ratio."""
    rows = [("benchmark", "figure", "ours", "peer", "peer's", "ours better by")]
    for line in lines:
        result = Result(**json.loads(line))
        peer = ratio = "-"
        if result.peer is not None:
            peer = _figure(result.peer, result.unit)
            slower, faster = (
                (result.peer, result.ours)
                if result.better == "lower"
                else (result.ours, result.peer)
            )
            ratio = f"{slower / faster:.1f}x" if faster else "-"
        rows.append(
            (
                result.benchmark,
                result.metric,
                _figure(result.ours, result.unit),
                result.peer_name or "-",
                peer,
                ratio,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    )


if __name__ == "__main__":
    # python benchmarks/harness.py RESULTS_FILE: print the closing table.
    print(table(Path(sys.argv[1]).read_text(encoding="utf-8").splitlines()))
