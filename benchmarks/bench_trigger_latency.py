"""Pin edge to triggered alarm: RPi Security against manual panel + automation.

The paths start at the same kind of pin edge (a door opening, debounce 0,
entry delay 0):
- RPi Security on mock pins: pin edge -> engine -> alarm entity
  ``triggered`` and the ``rpi_security_event`` fired;
- RPi Security on its gpiod factory, as on a Pi: the edge queued by the
  (stand-in) kernel -> the line request's fd readable -> the loop's
  ``add_reader`` -> gpiozero -> engine -> ``triggered`` and the event;
- RPi Security with five areas and fifty sensors (GPIO and existing
  entities, every type), all armed, the same door opening in the first;
- the usual do-it-yourself setup: the mock pin's edge -> RPi Security's door
  ``binary_sensor`` -> an automation -> Home Assistant's ``manual`` alarm
  panel (no delays) ``triggered``.
1,000 runs each; latency is wall time from the edge to the end point, CPU is
process time over the same spans.
"""

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
import sys
import tempfile
import time
from typing import Any, Protocol

from harness import (
    DEFAULT_OPTIONS,
    DOMAIN,
    DOOR_PIN,
    ROOT,
    Figures,
    Result,
    door_system,
    machine_line,
    record,
    running_hass,
)
from homeassistant.core import Event, HomeAssistant
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import MockConfigEntry

RUNS = 1000
WARMUP = 50
PANEL = "alarm_control_panel.bench"
MANUAL = "alarm_control_panel.manual"
DOOR = "binary_sensor.front_door"
AUTOMATION = "automation.door_triggers_manual"


class Door(Protocol):
    """The front door's contact, moved at the pin."""

    def drive_low(self) -> None:
        """The NC contact closes: the door is shut."""

    def drive_high(self) -> None:
        """The contact opens: the pulled-up line goes high."""

    async def settled(self) -> None:
        """Wait until the loop has taken the edge."""


class MockDoor:
    """The door on a mock pin: edges reach gpiozero synchronously."""

    def __init__(self, pin: Any) -> None:
        """Move ``pin``."""
        self._pin = pin

    def drive_low(self) -> None:
        """Shut."""
        self._pin.drive_low()

    def drive_high(self) -> None:
        """Open."""
        self._pin.drive_high()

    async def settled(self) -> None:
        """Nothing is queued anywhere."""


class GpiodDoor:
    """The door on the stand-in kernel's header chip: edges go through the fd."""

    def __init__(self, machine: Any, chip: str) -> None:
        """Drive line ``DOOR_PIN`` of ``chip``."""
        self._machine = machine
        self._chip = chip

    def drive_low(self) -> None:
        """Shut: the contact ties the line to ground."""
        self._machine.drive(self._chip, DOOR_PIN, False)

    def drive_high(self) -> None:
        """Open: the contact lets go and the pull-up lifts the line."""
        self._machine.drive(self._chip, DOOR_PIN, None)

    async def settled(self) -> None:
        """Until the loop's reader has taken every queued edge."""
        while self._machine.pending():  # noqa: ASYNC110  (the reader runs meanwhile)
            await asyncio.sleep(0)


@contextmanager
def stand_in_pi(device_dir: Path) -> Iterator[Any]:
    """A Pi 4 behind the stand-in gpiod (from tests/), in place of the real one."""
    sys.path.insert(0, str(ROOT))
    from custom_components.rpi_security.hardware import gpiod_pins  # noqa: PLC0415
    from tests import gpiod_kernel, gpiod_stand_in  # noqa: PLC0415

    machine = gpiod_kernel.Machine(device_dir, gpiod_kernel.pi4_chips())
    saved = {name: sys.modules.get(name) for name in gpiod_stand_in.modules()}
    sys.modules.update(gpiod_stand_in.modules())
    real_device_dir, gpiod_pins.DEVICE_DIR = gpiod_pins.DEVICE_DIR, device_dir
    gpiod_stand_in.install(machine)
    try:
        yield machine
    finally:
        gpiod_stand_in.install(None)
        gpiod_pins.DEVICE_DIR = real_device_dir
        for name, module in saved.items():
            if module is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = module


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


async def _call(
    hass: HomeAssistant, domain: str, service: str, entity: str | list[str]
) -> None:
    await hass.services.async_call(
        domain, service, {"entity_id": entity}, blocking=True
    )


async def _one_run(
    hass: HomeAssistant,
    door: Door,
    arm: str | list[str],
    done_when: Callable[[Event], bool],
) -> tuple[float, float]:
    """Arm with the door shut, open it; return (latency, CPU) until done."""
    await _call(hass, "alarm_control_panel", "alarm_disarm", arm)
    door.drive_low()
    await door.settled()
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
    door.drive_high()
    await fired.wait()
    cpu_spent = time.process_time() - cpu_start
    unsubscribe()
    return ended_at - started_at, cpu_spent


async def _measure(
    hass: HomeAssistant,
    door: Door,
    name: str,
    arm: str | list[str],
    done_when: Callable[[Event], bool],
) -> Figures:
    """Time the door's edge until ``done_when(event)`` says the alarm went off."""
    latencies: list[float] = []
    cpu = 0.0
    for run in range(WARMUP + RUNS):
        latency, cpu_spent = await _one_run(hass, door, arm, done_when)
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


# The alarm's own settings live in the areas (entries of today's version).
_AREA_KEYS = {
    "exit_delay",
    "entry_delay",
    "trigger_time",
    "disarm_after_trigger",
    "arm_modes",
    "motion_uses_entry_delay",
    "pet_immune_minutes",
    "code_arm_required",
}
# Per area: GPIO door, window, motion, tamper; entities for the rest.
_GPIO_TYPES = ("door", "window", "motion", "tamper")
_ENTITY_TYPES = ("door", "window", "window", "motion", "environmental", "door")
_FREE_PINS = [pin for pin in range(4, 28) if pin != DOOR_PIN]


def five_areas_system() -> MockConfigEntry:
    """Five areas of ten sensors each; the bench's door is the first area's."""
    subentries: list[dict[str, Any]] = []
    pins = iter(_FREE_PINS)
    for number in range(1, 6):
        area_id = f"area_{number}"
        subentries.append(
            {
                "subentry_id": area_id,
                "subentry_type": "area",
                "title": f"Area {number}",
                "unique_id": None,
                "data": {
                    "arm_modes": ["away", "home", "night"],
                    "exit_delay": 0,
                    "entry_delay": 0,
                    "trigger_time": 3600,
                    "disarm_after_trigger": False,
                    "pet_immune_minutes": 0,
                    "code_arm_required": False,
                    "presence_controls": True,
                },
            }
        )
        wired = list(_GPIO_TYPES)
        if number == 1:  # the bench's door, then three more
            wired = wired[1:]
            subentries.append(_gpio("front_door", "door", "Front door", DOOR_PIN))
        for kind in wired:
            pin = next(pins)
            subentries.append(_gpio(f"{kind}_{pin}", kind, f"{kind} {pin}", pin))
        for index, kind in enumerate(_ENTITY_TYPES):
            name = f"{kind}_{number}_{index}"
            subentries.append(
                {
                    "subentry_id": name,
                    "subentry_type": kind,
                    "title": name,
                    "unique_id": f"entity_binary_sensor.{name}",
                    "data": {"source": "entity", "entity_id": f"binary_sensor.{name}"},
                }
            )
        for sensor in subentries[-10:]:
            sensor["data"]["areas"] = [area_id]
    assert len([s for s in subentries if s["subentry_type"] != "area"]) == 50
    return MockConfigEntry(
        domain=DOMAIN,
        title="Bench",
        data={"name": "Bench", "simulation": True},
        options={
            **{k: v for k, v in DEFAULT_OPTIONS.items() if k not in _AREA_KEYS},
            "house_panel": True,
        },
        subentries_data=subentries,
        version=1,
        minor_version=3,
    )


def _gpio(subentry_id: str, kind: str, title: str, pin: int) -> dict[str, Any]:
    wiring: dict[str, Any] = {"source": "gpio", "pin": pin, "debounce_ms": 0}
    if kind == "motion":
        wiring["pull_up"] = False
    else:
        wiring |= {"contact_type": "nc", "pull_up": True}
    return {
        "subentry_id": subentry_id,
        "subentry_type": kind,
        "title": title,
        "unique_id": f"gpio_{pin}",
        "data": wiring,
    }


async def _with_five_areas() -> Figures:
    """Ours with five areas and fifty sensors, every area armed."""
    async with running_hass() as hass:
        entry = five_areas_system()
        for subentry in entry.subentries.values():
            if subentry.data.get("source") == "entity":  # closed, quiet
                hass.states.async_set(subentry.data["entity_id"], "off")
        entry.add_to_hass(hass)
        assert await hass.config_entries.async_setup(entry.entry_id)
        await hass.async_block_till_done()
        panels = sorted(
            state.entity_id
            for state in hass.states.async_all("alarm_control_panel")
            if state.entity_id.startswith("alarm_control_panel.area_")
        )
        assert len(panels) == 5, panels
        door = MockDoor(entry.runtime_data.pin_factory.pin(DOOR_PIN))
        figures = await _measure(
            hass,
            door,
            "RPi Security, 5 areas / 50 sensors (mock pin)",
            panels,
            _ours_done,
        )
        assert await hass.config_entries.async_unload(entry.entry_id)
    return figures


async def _through_gpiod() -> Figures:
    """Ours again, on the gpiod factory: the kernel's queue, the fd, add_reader."""
    with (
        tempfile.TemporaryDirectory(prefix="rpi-security-dev-") as device_dir,
        stand_in_pi(Path(device_dir)) as machine,
    ):
        async with running_hass() as hass:
            entry = door_system({"trigger_time": 3600}, simulation=False)
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            factory = entry.runtime_data.pin_factory
            assert type(factory).__name__ == "GpiodFactory", factory
            figures = await _measure(
                hass,
                GpiodDoor(machine, "gpiochip0"),
                "RPi Security on gpiod (fd -> add_reader)",
                PANEL,
                _ours_done,
            )
            assert await hass.config_entries.async_unload(entry.entry_id)
    return figures


async def main() -> None:
    """Run the paths (two Home Assistants) and print the figures."""
    async with running_hass() as hass:
        entry = await _setup(hass)
        door = MockDoor(entry.runtime_data.pin_factory.pin(DOOR_PIN))

        # Ours, with the manual panel's automation off.
        await _call(hass, "automation", "turn_off", AUTOMATION)
        ours = await _measure(
            hass,
            door,
            "RPi Security (mock pin -> triggered + event)",
            PANEL,
            _ours_done,
        )

        # The peer: our panel stays disarmed (it only records the door).
        await _call(hass, "automation", "turn_on", AUTOMATION)
        await _call(hass, "alarm_control_panel", "alarm_disarm", PANEL)
        manual = await _measure(
            hass,
            door,
            "manual panel + automation (pin -> triggered)",
            MANUAL,
            _manual_done,
        )
    gpiod = await _through_gpiod()
    areas = await _with_five_areas()

    print(machine_line())
    print(ours.line())
    print(areas.line())
    print(gpiod.line())
    print(manual.line())
    print(
        f"ratio manual/ours: p50 {manual.percentile(50) / ours.percentile(50):.1f}x  "
        f"p99 {manual.percentile(99) / ours.percentile(99):.1f}x  "
        f"CPU {manual.cpu_per_event_us / ours.cpu_per_event_us:.1f}x"
    )
    print(
        f"ratio gpiod/mock pin: p50 {gpiod.percentile(50) / ours.percentile(50):.2f}x  "
        f"p99 {gpiod.percentile(99) / ours.percentile(99):.2f}x  "
        f"CPU {gpiod.cpu_per_event_us / ours.cpu_per_event_us:.2f}x"
    )
    print(
        f"ratio 5 areas / 50 sensors to one area / one door: "
        f"p50 {areas.percentile(50) / ours.percentile(50):.2f}x  "
        f"p99 {areas.percentile(99) / ours.percentile(99):.2f}x  "
        f"CPU {areas.cpu_per_event_us / ours.cpu_per_event_us:.2f}x"
    )
    worst = max(ours.percentile(99), gpiod.percentile(99), areas.percentile(99))
    print(f"target p99 <= 5 ms: {'met' if worst <= 5 else 'MISSED'}")
    for path, figures in (
        ("mock pin", ours),
        ("mock pin, 5 areas / 50 sensors", areas),
        ("gpiod", gpiod),
    ):
        for p in (50, 99):
            record(
                Result(
                    "trigger latency",
                    f"pin edge -> triggered ({path}), p{p}",
                    figures.percentile(p),
                    "ms",
                    manual.percentile(p),
                    "manual panel + automation",
                )
            )


if __name__ == "__main__":
    asyncio.run(main())
