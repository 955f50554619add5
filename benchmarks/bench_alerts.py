"""Alerts: door pin edge to the alert carrying the photo, and the outbox draining.

1. A door opens at the pin (debounce 0, entry delay 0, simulated camera) until
   the ``telegram_bot.send_photo`` call carrying the photo arrives, 200 runs:
   - RPi Security: its own alert (outbox saved to disk first, then sent);
   - the usual do-it-yourself setup on the same system, with no alert target:
     an automation on the panel turning ``triggered`` that runs
     ``camera.snapshot`` into a file and then ``telegram_bot.send_photo``.
   The action is a stand-in that records when it is called (no Telegram
   here); the call is what leaves Home Assistant for the network.
2. 1,000 alerts queued during an outage (the action raising), then the
   action working again: the time from the first to the last delivery, and
   that the order held. ``Store`` files are on disk in both.
"""

import asyncio
import tempfile
import time
from typing import Any

from harness import (
    DOOR_PIN,
    ONE_PHOTO,
    Figures,
    door_system,
    machine_line,
    running_hass,
)
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.config import AlertCategory

RUNS = 200
WARMUP = 10
QUEUED = 1000
CHAT = 123456789
PANEL = "alarm_control_panel.bench"
TELEGRAM_TARGET = {
    "subentry_type": "alert_target",
    "title": "Family chat",
    "unique_id": None,
    "data": {
        "kind": "telegram",
        "bot_entry": "bench_bot",
        "chat_id": CHAT,
        "commands": False,
        "receives": ["alarm"],
    },
}


def peer_automation(media: str) -> dict[str, Any]:
    """The do-it-yourself alert: panel triggered -> snapshot -> send_photo."""
    photo = f"{media}/peer_latest.jpg"
    return {
        "alias": "Door alarm photo to Telegram",
        "triggers": [{"trigger": "state", "entity_id": PANEL, "to": "triggered"}],
        "actions": [
            {
                "action": "camera.snapshot",
                "target": {"entity_id": "camera.bench_camera"},
                "data": {"filename": photo},
            },
            {
                "action": "telegram_bot.send_photo",
                "data": {"chat_id": CHAT, "file": photo, "caption": "Alarm!"},
            },
        ],
    }


class Receiver:
    """The send_photo / send_message stand-in: notes when calls arrive."""

    def __init__(self, expected: int = 1) -> None:
        """Wait for ``expected`` calls."""
        self.arrived: list[tuple[float, dict[str, Any]]] = []
        self.expected = expected
        self.waiting: asyncio.Event = asyncio.Event()
        self.failing = False

    def register(self, hass: HomeAssistant) -> None:
        """Offer the actions."""
        for service in ("send_photo", "send_message"):
            hass.services.async_register("telegram_bot", service, self._handle)

    async def _handle(self, call: ServiceCall) -> None:
        if self.failing:
            raise HomeAssistantError("Telegram is unreachable")
        self.arrived.append((time.perf_counter(), dict(call.data)))
        if len(self.arrived) >= self.expected:
            self.waiting.set()


async def _start(
    hass: HomeAssistant, media: str, subentries: list[dict[str, Any]]
) -> tuple[MockConfigEntry, Receiver]:
    hass.config.media_dirs = {"local": media}
    hass.config.allowlist_external_dirs = {media}
    receiver = Receiver()
    receiver.register(hass)
    entry = door_system({**ONE_PHOTO, "rate_limit": 0}, subentries)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry, receiver


async def _door_to_photo(
    hass: HomeAssistant, entry: MockConfigEntry, receiver: Receiver
) -> tuple[float, float]:
    """One break-in: (seconds from the pin edge to send_photo, CPU seconds)."""
    pin = entry.runtime_data.pin_factory.pin(DOOR_PIN)
    panel = {"entity_id": PANEL}
    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", panel, blocking=True
    )
    pin.drive_low()
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", panel, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    receiver.waiting.clear()
    receiver.arrived.clear()
    cpu = time.process_time()
    started = time.perf_counter()
    pin.drive_high()
    await asyncio.wait_for(receiver.waiting.wait(), 10)
    cpu = time.process_time() - cpu
    arrived, data = receiver.arrived[0]
    assert data.get("file"), data  # the call carries the photo
    await hass.async_block_till_done(wait_background_tasks=True)
    return arrived - started, cpu


async def _measure(
    name: str, hass: HomeAssistant, entry: MockConfigEntry, receiver: Receiver
) -> Figures:
    latencies, cpu = [], 0.0
    for run in range(RUNS + WARMUP):
        latency, spent = await _door_to_photo(hass, entry, receiver)
        if run >= WARMUP:
            latencies.append(latency)
            cpu += spent
    return Figures(name, latencies, cpu)


async def ours() -> Figures:
    with tempfile.TemporaryDirectory() as media:
        async with running_hass(real_storage=True) as hass:
            entry, receiver = await _start(hass, media, [TELEGRAM_TARGET])
            return await _measure(
                "RPi Security alert (pin -> send_photo)", hass, entry, receiver
            )


async def peer() -> Figures:
    with tempfile.TemporaryDirectory() as media:
        async with running_hass(real_storage=True) as hass:
            entry, receiver = await _start(hass, media, [])
            assert await async_setup_component(
                hass, "automation", {"automation": [peer_automation(media)]}
            )
            await hass.async_block_till_done()
            return await _measure(
                "automation: snapshot -> send_photo", hass, entry, receiver
            )


async def drain() -> str:
    with tempfile.TemporaryDirectory() as media:
        async with running_hass(real_storage=True) as hass:
            entry, receiver = await _start(hass, media, [TELEGRAM_TARGET])
            alerts = entry.runtime_data.alerts
            receiver.failing = True
            receiver.expected = QUEUED
            queued_at = time.perf_counter()
            for number in range(QUEUED):
                alerts.send(AlertCategory.ALARM, {"message": f"alert {number}"})
            await hass.async_block_till_done(wait_background_tasks=True)
            queueing = time.perf_counter() - queued_at
            assert len(alerts.outbox) == QUEUED, len(alerts.outbox)
            receiver.failing = False  # the outage ends; the next retry drains
            cpu = time.process_time()
            await asyncio.wait_for(receiver.waiting.wait(), 60)
            cpu = time.process_time() - cpu
            first, last = receiver.arrived[0][0], receiver.arrived[-1][0]
            in_order = [data["message"] for _, data in receiver.arrived] == [
                f"alert {number}" for number in range(QUEUED)
            ]
            await hass.async_block_till_done(wait_background_tasks=True)
            assert len(alerts.outbox) == 0
            seconds = last - first
            return (
                f"outbox: {QUEUED} alerts queued in {queueing * 1000:.0f} ms; "
                f"drained in {seconds * 1000:.0f} ms after the outage "
                f"({QUEUED / seconds:,.0f} alerts/s, "
                f"CPU {cpu / QUEUED * 1e6:.0f} us/alert), in order: "
                f"{'yes' if in_order else 'NO'}"
            )


def main() -> None:
    """Run both benchmarks."""
    print(machine_line())
    our = asyncio.run(ours())
    their = asyncio.run(peer())
    print(our.line())
    print(their.line())
    ratio = their.percentile(99) / our.percentile(99)
    met = "met" if our.percentile(99) <= 250 else "MISSED"
    print(f"p99 ratio automation / ours: {ratio:.1f}x; target p99 <= 250 ms: {met}")
    print(asyncio.run(drain()))


if __name__ == "__main__":
    main()
