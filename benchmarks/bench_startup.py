"""Home Assistant's start with RPi Security: the integration's setup time.

scripts/develop sets up its demo system once (simulation mode: two doors, a
PIR, the simulated camera, an alert target) in a temporary folder; then Home
Assistant is started on that folder five times, as a plain process. Each time
the figures are: the setup time of ``rpi_security`` as Home Assistant
records it (all phases, config entry included: ``integration/setup_info``),
the time from the process start until Home Assistant runs, and whether its
blocking-call detector spoke. Target: the integration set up in at most 1 s,
nothing blocking.
"""

import asyncio
import os
from pathlib import Path
import signal
import statistics
import sys
import tempfile
import time
from typing import Any

import aiohttp
from harness import ROOT, Result, free_port, machine_line, record

sys.path.insert(0, str(ROOT / "scripts"))
from develop_setup import _log_in

STARTS = 5
PYTHON = ROOT / ".venv" / "bin" / "python"


async def _wait_for_line(log: Path, text: str) -> None:
    """Poll ``log`` (a file another process writes) until it holds ``text``."""
    async with asyncio.timeout(300):
        while True:
            if text in await asyncio.to_thread(log.read_text):
                return
            await asyncio.sleep(0.5)


async def _first_start(config: Path, port: int) -> None:
    """scripts/develop's first start configures the demo system."""
    log = config.parent / "develop.log"
    with log.open("wb") as output:
        process = await asyncio.create_subprocess_exec(
            str(ROOT / "scripts" / "develop"),
            cwd=ROOT,
            env={
                **os.environ,
                "RPI_SECURITY_CONFIG": str(config),
                "RPI_SECURITY_PORT": str(port),
            },
            stdout=output,
            stderr=output,
            start_new_session=True,
        )
    try:
        await _wait_for_line(log, "develop: log in as")
    finally:
        # The script stops Home Assistant, which saves what was configured.
        process.send_signal(signal.SIGTERM)
        await process.wait()


async def _one_start(config: Path, url: str) -> tuple[float, float, int]:
    """(rpi_security setup s, s until Home Assistant runs, blocking calls)."""
    log = config / "home-assistant.log"
    await asyncio.to_thread(log.unlink, missing_ok=True)
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        str(PYTHON),
        "-m",
        "homeassistant",
        "--config",
        str(config),
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        async with aiohttp.ClientSession() as session:
            async with asyncio.timeout(300):
                while True:
                    try:
                        headers = await _log_in(session, url)
                        config_state = await _ask(session, url, headers, "get_config")
                    except aiohttp.ClientError:
                        config_state = {}
                    if config_state.get("state") == "RUNNING":
                        running = time.monotonic() - started
                        break
                    await asyncio.sleep(0.2)
            # Home Assistant may run before a slow integration's setup is
            # recorded: wait for ours (its time is what it recorded).
            async with asyncio.timeout(60):
                while True:
                    timings = await _ask(
                        session, url, headers, "integration/setup_info"
                    )
                    if any(t["domain"] == "rpi_security" for t in timings):
                        break
                    await asyncio.sleep(0.2)
        await asyncio.sleep(2)  # anything the start left running
        text = await asyncio.to_thread(log.read_text)
    finally:
        process.send_signal(signal.SIGTERM)
        await process.wait()
    ours = next(t["seconds"] for t in timings if t["domain"] == "rpi_security")
    return ours, running, text.count("Detected blocking call")


async def _ask(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], kind: str
) -> Any:
    """One websocket command's result."""
    token = headers["Authorization"].split()[1]
    async with session.ws_connect(f"{url}/api/websocket") as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": token})
        await ws.receive_json()
        await ws.send_json({"id": 1, "type": kind})
        return (await ws.receive_json())["result"]


async def main() -> None:
    """Configure once, start five times, print the figures."""
    print(machine_line())
    with tempfile.TemporaryDirectory(prefix="rpi-security-start-") as folder:
        config = Path(folder) / "config"
        port = free_port()
        await _first_start(config, port)
        runs = [
            await _one_start(config, f"http://127.0.0.1:{port}") for _ in range(STARTS)
        ]
    ours = [run[0] for run in runs]
    running = [run[1] for run in runs]
    blocking = sum(run[2] for run in runs)
    print(
        f"rpi_security setup over {STARTS} starts: median "
        f"{statistics.median(ours) * 1000:.0f} ms, max {max(ours) * 1000:.0f} ms "
        f"(target <= 1000 ms: {'met' if max(ours) <= 1 else 'MISSED'}); "
        f"Home Assistant running after median {statistics.median(running):.1f} s; "
        f"blocking calls detected: {blocking}"
    )
    record(
        Result("startup", "rpi_security setup, median", statistics.median(ours), "s")
    )
    record(Result("startup", "blocking calls detected", blocking, "calls"))


if __name__ == "__main__":
    asyncio.run(main())
