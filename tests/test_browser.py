"""End to end in a real browser: Home Assistant as scripts/develop starts it.

Home Assistant runs as its own process (simulation mode, configured on the
first start through the same flows a person uses) and headless Chromium
(Debian's package, driven by Playwright) logs in and uses it as a person
would. Skipped, with the reason, where Chromium or Playwright is missing.

The screenshots go to $RPI_SECURITY_SCREENSHOTS when set (the README's come
from ``RPI_SECURITY_SCREENSHOTS=docs/images scripts/test -k browser``).
"""

import asyncio
from collections.abc import AsyncGenerator
import contextlib
from dataclasses import dataclass
import html
import json
import os
from pathlib import Path
import shutil
import signal
import socket
import subprocess
import time
from typing import Any

from homeassistant.core import HomeAssistant
import pytest

from custom_components.rpi_security.config import (
    AlertCategory,
    TargetConfig,
    TargetKind,
)
from custom_components.rpi_security.targets import action_call

ROOT = Path(__file__).parent.parent
# Debian's package here and in .ci/run; GitHub's runners come with Chrome.
CHROMIUM = next(
    filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))),
    None,
)
# As root, in a sandbox, and with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 300  # the first start installs the frontend where it is missing
PANEL_CARD = "hui-alarm-panel-card"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)
playwright_api = pytest.importorskip(
    "playwright.async_api", reason="Playwright is not installed"
)


@dataclass
class Server:
    """Home Assistant running for the test."""

    url: str
    config: Path
    log: Path


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
async def server(socket_enabled: None, tmp_path: Path) -> AsyncGenerator[Server]:
    """scripts/develop in a fresh config folder, until it says it is running."""
    port = free_port()
    config = tmp_path / "config"
    log = tmp_path / "develop.log"
    with log.open("w") as output:
        process = subprocess.Popen(  # noqa: ASYNC220 - runs for the whole test
            [str(ROOT / "scripts" / "develop")],
            cwd=ROOT,
            env={
                **os.environ,
                "RPI_SECURITY_CONFIG": str(config),
                "RPI_SECURITY_PORT": str(port),
                # Added in the test, by its button, as a person does.
                "RPI_SECURITY_DASHBOARD": "skip",
            },
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        async with asyncio.timeout(START_TIMEOUT):
            while "develop: log in as" not in log.read_text():
                if process.poll() is not None:
                    pytest.fail(f"scripts/develop ended:\n{log.read_text()[-3000:]}")
                await asyncio.sleep(0.5)
        yield Server(f"http://127.0.0.1:{port}", config, log)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            await asyncio.to_thread(process.wait, 60)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture
async def page(server: Server) -> AsyncGenerator[Any]:
    """A browser tab, logged in as the developer."""
    async with playwright_api.async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS
        )
        tab = await browser.new_page(viewport={"width": 1280, "height": 860})
        await tab.goto(server.url)
        await tab.get_by_role("textbox", name="Username").fill("dev")
        await tab.get_by_role("textbox", name="Password").fill("dev")
        await tab.get_by_role("button", name="Log in").click()
        await tab.wait_for_url(f"{server.url}/home/**", timeout=120_000)
        try:
            yield tab
        finally:
            await browser.close()


class Shots:
    """Where screenshots go: the README's folder when asked, else the test's."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    async def take(self, page: Any, name: str) -> Path:
        path = self.folder / f"{name}.png"
        await page.screenshot(path=str(path))
        return path


@pytest.fixture
def shots(tmp_path: Path) -> Shots:
    folder = os.environ.get("RPI_SECURITY_SCREENSHOTS")
    return Shots(ROOT / folder if folder else tmp_path / "screenshots")


def visible(locator: Any) -> Any:
    """The first of ``locator``'s elements that can be seen (not a tooltip)."""
    return locator.filter(visible=True).first


async def panel_shows(page: Any, text: str, seconds: float = 30) -> None:
    """Wait until the alarm panel card shows ``text`` (its state)."""
    await visible(page.locator(PANEL_CARD).get_by_text(text, exact=True)).wait_for(
        timeout=seconds * 1000
    )


async def device_page(page: Any, url: str, name: str) -> None:
    """Open a device's page (Settings > Devices), found by its name."""
    await page.goto(f"{url}/config/devices/dashboard")
    await visible(page.get_by_text(name, exact=True)).wait_for(timeout=30_000)
    device_id = await page.evaluate(
        """name => Object.values(document.querySelector("home-assistant").hass.devices)
            .find(device => device.name === name).id""",
        name,
    )
    await page.goto(f"{url}/config/devices/device/{device_id}")
    await visible(page.get_by_text("Device info")).wait_for(timeout=30_000)


def entity_row(page: Any, name: str) -> Any:
    """The row of an entity on a device page or an entities card."""
    return visible(
        page.locator(".entity, hui-generic-entity-row").filter(has_text=name)
    )


async def toggle(page: Any, name: str) -> None:
    """Flip the switch of the row named ``name``."""
    await entity_row(page, name).locator("ha-entity-toggle").click()


async def test_a_person_tries_the_simulated_system_from_its_devices(
    hass: HomeAssistant, server: Server, page: Any, shots: Shots
) -> None:
    started = time.monotonic()
    url = server.url

    # One press on the system's device page adds the Security dashboard.
    await device_page(page, url, "RPi Security")
    add = entity_row(page, "Add Security dashboard")
    await add.get_by_role("button", name="Press").click()
    security = visible(page.get_by_role("link", name="Security"))
    await security.wait_for(timeout=30_000)  # in the sidebar
    await shots.take(page, "device_system")
    await security.click()
    await page.wait_for_url(f"{url}/rpi-security/**", timeout=30_000)
    await panel_shows(page, "Disarmed", seconds=60)
    camera = page.locator("hui-picture-entity-card img").first
    await camera.wait_for(timeout=30_000)
    assert await camera.evaluate("image => image.naturalWidth") == 640

    # Arm from the card; the exit delay (10 s) runs out.
    await page.get_by_role("button", name="Arm away").click()
    await panel_shows(page, "Arming")
    await panel_shows(page, "Armed away")

    # Someone opens the front door: its control on the door's own page.
    await device_page(page, url, "Front door")
    await toggle(page, "Open")
    await visible(page.get_by_text("Open", exact=True)).wait_for()
    await entity_row(page, "Front door").get_by_text("Open").wait_for(timeout=10_000)
    await page.wait_for_timeout(500)  # the switch slides over
    await shots.take(page, "device_front_door")

    # The dashboard shows the alarm going off; they walk past the camera.
    await page.goto(f"{url}/rpi-security/security")
    await panel_shows(page, "Pending")
    await (
        entity_row(page, "Walk past the camera")
        .get_by_role("button", name="Press")
        .click()
    )
    await panel_shows(page, "Triggered")
    await page.wait_for_timeout(1500)  # the camera card's next picture
    await shots.take(page, "dashboard_triggered")

    # The alert, as Home Assistant's notifications show it.
    await page.get_by_text("Notifications").click()
    alert = visible(page.get_by_text("Alarm! Front door at "))
    await alert.wait_for(timeout=30_000)
    alert_text = (await alert.inner_text()).strip()
    await page.wait_for_timeout(1000)  # the drawer slides open
    await shots.take(page, "alert_notification")
    await page.keyboard.press("Escape")

    # Alice comes home: her phone's control, on her phone's page.
    await device_page(page, url, "Alice's phone")
    await toggle(page, "At home")
    await entity_row(page, "Alice's phone").get_by_text("Home").wait_for(timeout=30_000)
    await page.wait_for_timeout(500)  # the switch slides over
    await shots.take(page, "device_phone")

    # Close the door from the dashboard and disarm.
    await page.goto(f"{url}/rpi-security/security")
    await panel_shows(page, "Triggered")
    await toggle(page, "Front door Open")
    await page.get_by_role("button", name="Disarm").click()
    await panel_shows(page, "Disarmed")

    # The captures in the Media panel, one folder per day.
    await page.goto(f"{url}/media-browser/browser")
    await visible(page.get_by_text("RPi Security", exact=True)).click()
    day = time.strftime("%Y-%m-%d", time.gmtime())
    await visible(page.get_by_text(day)).click()
    await visible(page.get_by_text("front door")).wait_for(timeout=30_000)
    await page.wait_for_timeout(1500)  # thumbnails
    await shots.take(page, "media_browser")
    photos = await asyncio.to_thread(
        lambda: sorted(
            (server.config / "media" / "rpi_security" / day).glob("*_front_door.jpg")
        )
    )
    assert photos, "the alarm took no photo"

    # The config flow adds a door; it is there at once, with its control.
    log_file = server.config / "home-assistant.log"
    logged_before = len(await asyncio.to_thread(log_file.read_text))
    await page.goto(f"{url}/config/integrations/integration/rpi_security")
    await page.get_by_role("button", name="Add door contact").click()
    await page.get_by_text("Wired to a GPIO pin").click()
    await page.get_by_role("textbox", name="Name").fill("Garage door")
    pin = page.get_by_role("spinbutton", name="GPIO pin")
    await pin.fill("22")
    await shots.take(page, "config_flow_add_door")
    await page.get_by_role("button", name="Submit").click()
    # Then where it guards and how: a door's usual options, as offered.
    await page.get_by_text("Uses the entry delay").first.wait_for(timeout=30_000)
    await shots.take(page, "config_flow_door_behaviour")
    await page.get_by_role("button", name="Submit").click()
    await page.get_by_text("Created configuration for Garage door").wait_for(
        timeout=30_000
    )
    await page.keyboard.press("Escape")
    await device_page(page, url, "Garage door")
    await entity_row(page, "Open").wait_for(timeout=30_000)

    # What the same alarm sends to a Telegram chat and to a phone's app.
    await render_payloads(hass, page, shots, server, photos[0], alert_text)

    log = await asyncio.to_thread(log_file.read_text)
    assert "Detected blocking call" not in log
    assert "Error setting up entry" not in log
    assert "Reloading" not in log[logged_before:]  # the door was added live
    print(f"browser test: {time.monotonic() - started:.0f} s in the browser")  # noqa: T201


async def render_payloads(
    hass: HomeAssistant,
    page: Any,
    shots: Shots,
    server: Server,
    photo: Path,
    message: str,
) -> None:
    """Show the action calls the alarm's alert makes, with the photo, as a page."""
    hass.config.media_dirs = {"local": str(server.config / "media")}
    alert = {
        "title": "RPi Security",
        "message": message,
        "photo": str(photo),
        "urgent": True,
        "disarm": True,
        "disarm_title": "Disarm",
    }
    targets = (
        TargetConfig(
            "telegram",
            "Family chat",
            TargetKind.TELEGRAM,
            frozenset({AlertCategory.ALARM}),
            bot_entry="01JTELEGRAMBOT",
            chat_id=123456789,
        ),
        TargetConfig(
            "phone",
            "Alice's phone",
            TargetKind.MOBILE_APP,
            frozenset({AlertCategory.ALARM}),
            service="notify.mobile_app_alices_phone",
        ),
    )
    calls = []
    for target in targets:
        domain, service, data = action_call(hass, target, alert)
        # Shown with the paths of a usual install (/config), not the test's.
        text = json.dumps(data, indent=2).replace(str(server.config), "/config")
        calls.append(
            "<section><h2>{}</h2><pre>{}</pre></section>".format(
                html.escape(f"{domain}.{service} ({target.name})"), html.escape(text)
            )
        )
    picture = (await asyncio.to_thread(photo.read_bytes)).hex()
    body = f"""
        <style>
          body {{ font: 15px system-ui, sans-serif; margin: 24px; display: flex;
                 gap: 24px; background: #f5f5f5; }}
          .chat {{ background: #d9ecd0; border-radius: 12px; padding: 8px;
                   width: 420px; align-self: flex-start; }}
          .chat img {{ width: 100%; border-radius: 8px; }}
          section {{ background: white; border-radius: 12px; padding: 4px 16px;
                     margin-bottom: 16px; }}
          pre {{ font-size: 13px; white-space: pre-wrap; }}
        </style>
        <div class="chat"><img id="photo"><p>{html.escape(message)}</p></div>
        <div>{"".join(calls)}</div>
        <script>
          const hex = "{picture}";
          const bytes = new Uint8Array(hex.match(/../g).map(h => parseInt(h, 16)));
          document.getElementById("photo").src =
            URL.createObjectURL(new Blob([bytes], {{type: "image/jpeg"}}));
        </script>"""
    await page.set_content(body)
    await page.wait_for_timeout(500)
    await shots.take(page, "alert_payloads")
