"""Pin edge to triggered alarm: RPi Security against manual panel + automation.

Both paths start at the same gpiozero pin edge (a door opening, debounce 0,
entry delay 0):
- RPi Security: pin edge -> engine -> alarm entity ``triggered`` and the
  ``rpi_security_event`` fired;
- the usual do-it-yourself setup: the same pin edge -> RPi Security's door
  ``binary_sensor`` -> an automation -> Home Assistant's ``manual`` alarm
  panel (no delays) ``triggered``.
1,000 runs each; latency is wall time from the edge to the end point, CPU is
process time over the same spans.
"""

import asyncio
from collections.abc import Callable
import time
from typing import Any

from harness import DOOR_PIN, Figures, door_system, machine_line, running_hass
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

RUNS = 1000
WARMUP = 50
PANEL = "alarm_control_panel.bench"
MANUAL = "alarm_control_panel.manual"
DOOR = "binary_sensor.front_door"
AUTOMATION = "automation.door_triggers_manual"


async def _setup(hass: HomeAssistant) -> MockConfigEntry:
    # The manual panel first: alarm_control_panel reads its YAML only once.
    assert await async_setup_component(
        hass,
        "alarm_control_panel",
        {
            "alarm_control_panel": {
                "platform": "manual",
                "name": "Manual",
                "code_arm_required": False,
                "arming_time": 0,
                "delay_time": 0,
                "trigger_time": 3600,
            }
        },
    )
    entry = door_system({"trigger_time": 3600})
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": {
                "id": "door_triggers_manual",
                "alias": "Door triggers manual",
                "triggers": [{"trigger": "state", "entity_id": DOOR, "to": "on"}],
                "actions": [
                    {
                        "action": "alarm_control_panel.alarm_trigger",
                        "target": {"entity_id": MANUAL},
                    }
                ],
            }
        },
    )
    await hass.async_block_till_done()
    for entity_id in (PANEL, MANUAL, DOOR, AUTOMATION):
        assert hass.states.get(entity_id), f"{entity_id} was not set up"
    return entry


async def _call(hass: HomeAssistant, domain: str, service: str, entity: str) -> None:
    await hass.services.async_call(
        domain, service, {"entity_id": entity}, blocking=True
    )


async def _one_run(
    hass: HomeAssistant, door_pin: Any, arm: str, done_when: Callable[[Event], bool]
) -> tuple[float, float]:
    """Arm with the door shut, open it; return (latency, CPU) until done."""
    await _call(hass, "alarm_control_panel", "alarm_disarm", arm)
    door_pin.drive_low()
    await hass.async_block_till_done()
    await _call(hass, "alarm_control_panel", "alarm_arm_away", arm)
    await hass.async_block_till_done()

    fired = asyncio.Event()
    ended_at = 0.0

    def on_event(event: Event) -> None:
        nonlocal ended_at
        if not fired.is_set() and done_when(event):
            ended_at = time.perf_counter()
            fired.set()

    unsubscribe = hass.bus.async_listen("*", on_event)
    cpu_start = time.process_time()
    started_at = time.perf_counter()
    door_pin.drive_high()
    await fired.wait()
    cpu_spent = time.process_time() - cpu_start
    unsubscribe()
    return ended_at - started_at, cpu_spent


async def _measure(
    hass: HomeAssistant,
    door_pin: Any,
    name: str,
    arm: str,
    done_when: Callable[[Event], bool],
) -> Figures:
    """Time the door's edge until ``done_when(event)`` says the alarm went off."""
    latencies: list[float] = []
    cpu = 0.0
    for run in range(WARMUP + RUNS):
        latency, cpu_spent = await _one_run(hass, door_pin, arm, done_when)
        if run >= WARMUP:
            latencies.append(latency)
            cpu += cpu_spent
    return Figures(name, latencies, cpu)


def _ours_done(event: Event) -> bool:
    return event.event_type == "rpi_security_event" and (
        event.data.get("state") == "triggered"
    )


def _manual_done(event: Event) -> bool:
    if event.event_type != "state_changed" or event.data["entity_id"] != MANUAL:
        return False
    new_state = event.data["new_state"]
    return new_state is not None and new_state.state == "triggered"


async def main() -> None:
    """Run both paths in the same Home Assistant and print the figures."""
    async with running_hass() as hass:
        entry = await _setup(hass)
        door_pin = entry.runtime_data.pin_factory.pin(DOOR_PIN)

        # Ours, with the manual panel's automation off.
        await _call(hass, "automation", "turn_off", AUTOMATION)
        ours = await _measure(
            hass, door_pin, "RPi Security (pin -> triggered + event)", PANEL, _ours_done
        )

        # The peer: our panel stays disarmed (it only records the door).
        await _call(hass, "automation", "turn_on", AUTOMATION)
        await _call(hass, "alarm_control_panel", "alarm_disarm", PANEL)
        manual = await _measure(
            hass,
            door_pin,
            "manual panel + automation (pin -> triggered)",
            MANUAL,
            _manual_done,
        )

    print(machine_line())
    print(ours.line())
    print(manual.line())
    print(
        f"ratio manual/ours: p50 {manual.percentile(50) / ours.percentile(50):.1f}x  "
        f"p99 {manual.percentile(99) / ours.percentile(99):.1f}x  "
        f"CPU {manual.cpu_per_event_us / ours.cpu_per_event_us:.1f}x"
    )
    print(f"target p99 <= 5 ms: {'met' if ours.percentile(99) <= 5 else 'MISSED'}")


if __name__ == "__main__":
    asyncio.run(main())
