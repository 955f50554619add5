"""GPIO through our gpiod pin factory, on the stand-in gpiod and simulated Pis.

Real-hardware mode (not simulation): the entry opens the header's chip by its
label, requests a line per sensor with its pull and debounce period, and reads
edges from the request's fd with ``loop.add_reader``. The stand-in plays
libgpiod and the kernel; the wires are driven as the sensors would drive them.
"""

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from functools import partial
import json
from pathlib import Path
import sys
import threading
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from gpiozero import DigitalInputDevice, DigitalOutputDevice
from gpiozero.exc import PinFixedPull, PinInvalidEdges, PinInvalidPull, PinSetInput
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.hardware import gpiod_pins

from . import gpiod_kernel, gpiod_stand_in
from .gpiod_kernel import Machine, SimulatedChip
from .helpers import (
    FRONT_DOOR,
    FRONT_DOOR_PIN,
    HALLWAY,
    HALLWAY_PIN,
    PANEL,
    PATIO_DOOR,
    PATIO_DOOR_PIN,
    advance,
    system_of,
    with_options,
)

# The entry runs in real-hardware mode: the stand-in is the hardware.
REAL_HARDWARE = pytest.mark.parametrize("simulation", [False])

GPIO_PROBLEM = "binary_sensor.home_gpio"
STRINGS = json.loads(
    (
        Path(__file__).parent.parent
        / "custom_components/rpi_security/translations/en.json"
    ).read_text()
)
ZIGBEE_DOOR = "binary_sensor.zigbee_back_door"


def loop_timers(loop: asyncio.AbstractEventLoop) -> gpiod_kernel.Scheduler:
    """The kernel's debounce timers on the test's loop (and so on its clock)."""

    def schedule(delay: float, call: Any) -> None:
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            loop.call_later(delay, call)
        else:
            loop.call_soon_threadsafe(loop.call_later, delay, call)

    return schedule


@pytest.fixture
def chips() -> list[SimulatedChip]:
    """The machine's GPIO chips; tests parametrize it."""
    return gpiod_kernel.pi4_chips()


@pytest.fixture
def machine(
    hass: HomeAssistant,
    chips: list[SimulatedChip],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Machine]:
    """A Pi with the stand-in gpiod in place of the real one, sensors at rest."""
    machine = Machine(
        tmp_path / "dev",
        chips,
        schedule=loop_timers(hass.loop),
        monotonic=hass.loop.time,
    )
    for name, module in gpiod_stand_in.modules().items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(gpiod_pins, "DEVICE_DIR", machine.device_dir)
    gpiod_stand_in.install(machine)
    header = header_chip(machine)
    if header is not None:
        machine.drive(header, FRONT_DOOR_PIN, False)  # NC contact shut: to ground
        machine.drive(header, HALLWAY_PIN, False)  # the PIR's output: no motion
        # The patio's NO contact is open while the door is shut: nothing drives it.
    yield machine
    gpiod_stand_in.install(None)


def header_chip(machine: Machine) -> str | None:
    """The name of the chip that carries the 40-pin header."""
    for chip in machine.chips.values():
        if chip.label in gpiod_pins.HEADER_CHIPS:
            return chip.name
    return None


async def settle(hass: HomeAssistant, machine: Machine) -> None:
    """Let the loop's reader take every queued edge, and everything it caused."""
    for _ in range(50):
        if not machine.pending():
            break
        await asyncio.sleep(0)
    assert machine.pending() == 0
    await hass.async_block_till_done()


async def wire(
    hass: HomeAssistant, machine: Machine, pin: int, level: bool | None
) -> None:
    """Move a sensor's wire: high, low, or let go (``None``)."""
    header = header_chip(machine)
    assert header is not None
    machine.drive(header, pin, level)
    await settle(hass, machine)


async def arm_away(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )


def line_info(machine: Machine, offset: int) -> gpiod_stand_in.LineInfo:
    """What `gpioinfo` would show for a header line."""
    header = header_chip(machine)
    assert header is not None
    with gpiod_stand_in.Chip(str(machine.device_dir / header)) as chip:
        return chip.get_line_info(offset)


@REAL_HARDWARE
@pytest.mark.parametrize(
    ("chips", "header"),
    [
        (gpiod_kernel.pi4_chips(), "gpiochip0"),
        (gpiod_kernel.pi5_chips(rp1_chip=4), "gpiochip4"),
        (gpiod_kernel.pi5_chips(rp1_chip=0), "gpiochip0"),
        (gpiod_kernel.pi3_chips_without_line_names(), "gpiochip0"),
    ],
    ids=["pi4", "pi5-rp1-on-gpiochip4", "pi5-rp1-on-gpiochip0", "pi3-no-line-names"],
)
@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=20)])
async def test_sensors_on_the_header_chip_of_every_pi(
    hass: HomeAssistant,
    machine: Machine,
    header: str,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    factory = system_of(config_entry).pin_factory
    assert isinstance(factory, gpiod_pins.GpiodFactory)
    assert factory.chip.path == str(machine.device_dir / header)
    for entity_id in (FRONT_DOOR, PATIO_DOOR, HALLWAY):
        assert hass.states.get(entity_id).state == "off"
    assert hass.states.get(GPIO_PROBLEM).state == "off"

    # The lines as requested: pull and the kernel's debounce period.
    door = line_info(machine, FRONT_DOOR_PIN)
    assert (door.used, door.consumer) == (True, "rpi_security")
    assert door.direction is gpiod_stand_in.Direction.INPUT
    assert door.bias is gpiod_stand_in.Bias.PULL_UP
    assert door.edge_detection is gpiod_stand_in.Edge.BOTH
    assert door.debounce_period == timedelta(milliseconds=100)
    pir = line_info(machine, HALLWAY_PIN)
    assert pir.bias is gpiod_stand_in.Bias.PULL_DOWN
    assert (pir.debounced, pir.debounce_period) == (False, timedelta())
    assert line_info(machine, 22).used is False  # nothing else is taken

    await arm_away(hass)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    # The front door opens: its NC contact lets go, the pull-up lifts the line.
    await wire(hass, machine, FRONT_DOOR_PIN, None)
    await advance(hass, freezer, 0.1)
    await settle(hass, machine)
    assert hass.states.get(FRONT_DOOR).state == "on"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    await advance(hass, freezer, 20)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


@REAL_HARDWARE
@pytest.mark.parametrize("chips", [gpiod_kernel.pi5_chips()])
@pytest.mark.parametrize("options", [with_options(exit_delay=0)])
async def test_motion_on_a_pi5_triggers_at_once(
    hass: HomeAssistant, machine: Machine, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await arm_away(hass)
    # The PIR has no debounce: the edge goes straight through.
    await wire(hass, machine, HALLWAY_PIN, True)
    assert hass.states.get(HALLWAY).state == "on"
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.TRIGGERED
    assert state.attributes["cause"] == "Hallway"
    await wire(hass, machine, HALLWAY_PIN, False)
    assert hass.states.get(HALLWAY).state == "off"


@REAL_HARDWARE
@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=0)])
async def test_chattering_contact_never_opens_and_a_clean_opening_is_not_delayed(
    hass: HomeAssistant,
    machine: Machine,
    config_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await arm_away(hass)
    changes = async_capture_events(hass, "state_changed")

    # An edge every 5 ms for 2 s: the kernel's debounce never lets one through.
    for _ in range(200):
        await wire(hass, machine, FRONT_DOOR_PIN, None)
        await advance(hass, freezer, 0.005)
        await wire(hass, machine, FRONT_DOOR_PIN, False)
        await advance(hass, freezer, 0.005)
    await advance(hass, freezer, 1)
    await settle(hass, machine)
    assert [e for e in changes if e.data["entity_id"] == FRONT_DOOR] == []
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY

    # A clean opening counts after one debounce period (100 ms), not two.
    await wire(hass, machine, FRONT_DOOR_PIN, None)
    await advance(hass, freezer, 0.05)
    await settle(hass, machine)
    assert hass.states.get(FRONT_DOOR).state == "off"
    await advance(hass, freezer, 0.05)
    await settle(hass, machine)
    assert hass.states.get(FRONT_DOOR).state == "on"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


@REAL_HARDWARE
async def test_unloading_releases_the_lines_and_stops_watching(
    hass: HomeAssistant, machine: Machine, config_entry: MockConfigEntry
) -> None:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    factory = system_of(config_entry).pin_factory
    requests = list(machine.requests)
    assert len(requests) == 3
    watched = {r.read_fd for r in requests}
    selector_map = hass.loop._selector.get_map()  # type: ignore[attr-defined]
    assert watched <= set(selector_map)

    assert await hass.config_entries.async_unload(config_entry.entry_id)
    assert all(r.released for r in requests)
    assert not any(line_info(machine, pin).used for pin in (4, 17, 27))
    assert not watched & set(hass.loop._selector.get_map())  # type: ignore[attr-defined]
    assert factory.pins == {}
    assert not factory.chip  # closed

    # Loaded again, it takes the same lines afresh.
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    assert line_info(machine, FRONT_DOOR_PIN).used
    assert hass.states.get(FRONT_DOOR).state == "off"


async def _setup_with_zigbee_door(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.states.async_set(ZIGBEE_DOOR, "off")
    config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        config_entry,
        ConfigSubentry(
            data={"source": "entity", "entity_id": ZIGBEE_DOOR},
            subentry_type="door",
            title="Back door",
            unique_id=f"entity_{ZIGBEE_DOOR}",
        ),
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()


@REAL_HARDWARE
@pytest.mark.parametrize(
    ("chips", "issue_id", "detail", "advice"),
    [
        (
            [],
            "gpio_no_gpio_device",
            "/gpiochip*) on this machine",
            "`--device /dev/gpiochip0`",
        ),
        (
            [SimulatedChip("gpiochip0", "tegra234-gpio", 164)],
            "gpio_unknown_chip",
            "found gpiochip0 (tegra234-gpio)",
            "pinctrl-rp1 on a Pi 5",
        ),
        (
            [SimulatedChip("gpiochip0", "pinctrl-bcm2711", 58, denied=True)],
            "gpio_permission_denied",
            "permission denied opening",
            "to the `gpio` group",
        ),
    ],
    ids=["no-chip", "unknown-chip", "permission-denied"],
)
@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=0)])
async def test_what_is_missing_is_the_repair_and_the_rest_works(
    hass: HomeAssistant,
    machine: Machine,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    issue_id: str,
    detail: str,
    advice: str,
) -> None:
    await _setup_with_zigbee_door(hass, config_entry)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == issue_id
    assert advice in STRINGS["issues"][issue_id]["description"]
    assert issue.severity is ir.IssueSeverity.ERROR
    assert detail in issue.translation_placeholders["detail"]
    assert issue.translation_placeholders["sensors"] == (
        "Front door (GPIO17), Patio door (GPIO27), Hallway (GPIO4)"
    )
    gpio_issues = [
        i for (domain, i) in issue_registry.issues if domain == DOMAIN and "gpio" in i
    ]
    assert gpio_issues == [issue_id]
    assert hass.states.get(FRONT_DOOR).state == "unavailable"
    assert hass.states.get(GPIO_PROBLEM).state == "on"

    # The panel and the Zigbee door still work.
    await arm_away(hass)
    hass.states.async_set(ZIGBEE_DOOR, "on")
    await hass.async_block_till_done()
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


@REAL_HARDWARE
async def test_without_gpiod_the_repair_says_it_cannot_be_loaded(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "gpiod", None)  # import gpiod fails
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    issue = issue_registry.async_get_issue(DOMAIN, "gpio_no_pin_factory")
    assert issue is not None
    detail = issue.translation_placeholders["detail"]
    assert detail.startswith("the gpiod library cannot be loaded")
    assert "gpiozero's own factories" in detail  # and the fallbacks were tried
    assert hass.states.get(FRONT_DOOR).state == "unavailable"


@REAL_HARDWARE
async def test_a_line_held_by_another_program_is_named(
    hass: HomeAssistant,
    machine: Machine,
    config_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    other = gpiod_stand_in.request_lines(
        str(machine.device_dir / "gpiochip0"),
        {PATIO_DOOR_PIN: gpiod_stand_in.LineSettings()},
        consumer="doorbell-daemon",
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    issue = issue_registry.async_get_issue(DOMAIN, "gpio_pin_unavailable")
    assert issue.translation_placeholders["sensors"] == "Patio door (GPIO27)"
    assert issue.translation_placeholders["detail"] == (
        "GPIO27: the line is in use by doorbell-daemon"
    )
    assert hass.states.get(PATIO_DOOR).state == "unavailable"
    assert hass.states.get(FRONT_DOOR).state == "off"
    other.release()


# -- the factory through gpiozero's own devices ---------------------------------


async def _open(hass: HomeAssistant, make: Any, *args: Any, **kwargs: Any) -> Any:
    """Open a factory or device in the executor, as the integration does."""
    return await hass.async_add_executor_job(partial(make, *args, **kwargs))


@pytest.mark.parametrize("chips", [gpiod_kernel.pi5_chips()])
async def test_gpiozero_inputs_and_outputs_go_through_gpiod(
    hass: HomeAssistant, machine: Machine
) -> None:
    factory = await _open(hass, gpiod_pins.GpiodFactory, hass.loop)
    assert factory.chip_label == "pinctrl-rp1"
    header = header_chip(machine)
    assert header == "gpiochip4"

    button = await _open(
        hass,
        DigitalInputDevice,
        22,
        pull_up=True,
        bounce_time=0.02,
        pin_factory=factory,
    )
    info = line_info(machine, 22)
    assert (info.bias, info.edge_detection) == (
        gpiod_stand_in.Bias.PULL_UP,
        gpiod_stand_in.Edge.BOTH,
    )
    assert info.debounce_period == timedelta(milliseconds=20)
    assert (button.pin.function, button.pin.pull, button.pin.bounce) == (
        "input",
        "up",
        0.02,
    )
    assert button.is_active is False  # pulled up, nothing pressed

    button.pin.edges = "falling"
    assert line_info(machine, 22).edge_detection is gpiod_stand_in.Edge.FALLING
    with pytest.raises(PinInvalidEdges):
        button.pin.edges = "sideways"
    with pytest.raises(PinInvalidPull):
        button.pin.pull = "sideways"
    with pytest.raises(PinSetInput):
        button.pin.state = 1

    # GPIO2 has the board's own pull-up: it cannot be pulled down.
    with pytest.raises(PinFixedPull):
        await _open(hass, DigitalInputDevice, 2, pull_up=False, pin_factory=factory)
    assert line_info(machine, 2).used is False  # released again

    siren = await _open(hass, DigitalOutputDevice, 23, pin_factory=factory)
    line = machine.line(header, 23)
    assert (line.direction, line.physical) == (gpiod_stand_in.Direction.OUTPUT, False)
    await hass.async_add_executor_job(siren.on)
    assert line.physical is True
    assert siren.value == 1
    await hass.async_add_executor_job(siren.off)
    assert line.physical is False
    with pytest.raises(PinFixedPull):
        siren.pin.pull = "up"

    await hass.async_add_executor_job(factory.close)
    assert all(r.released for r in machine.requests)
    assert not factory.chip


@pytest.mark.parametrize("chips", [gpiod_kernel.pi4_chips()])
async def test_every_queued_edge_arrives_on_the_loop_in_one_wake_up(
    hass: HomeAssistant, machine: Machine
) -> None:
    factory = await _open(hass, gpiod_pins.GpiodFactory, hass.loop)
    pin = await _open(hass, factory.pin, 5)
    await hass.async_add_executor_job(pin.input_with_pull, "up")
    loop_thread = threading.get_ident()
    seen: list[tuple[float, int, bool]] = []

    def changed(ticks: float, state: int) -> None:
        seen.append((ticks, state, threading.get_ident() == loop_thread))

    await hass.async_add_executor_job(setattr, pin, "when_changed", changed)
    reads: list[int] = []
    read = machine.read

    def counted_read(request: Any, max_events: int) -> list[Any]:
        reads.append(max_events)
        return read(request, max_events)

    machine.read = counted_read  # type: ignore[method-assign]
    # A burst of edges while the loop is busy elsewhere.
    for level in (False, True, False, True, False):
        machine.drive("gpiochip0", 5, level)
    events = list(machine.requests[0].queue)
    await settle(hass, machine)

    assert reads == [gpiod_pins.EVENTS_PER_READ]  # one wake-up, one read
    states = [0, 1, 0, 1, 0]
    assert seen == [
        (event.timestamp_ns / 1e9, state, True)
        for event, state in zip(events, states, strict=True)
    ]
    assert factory.ticks_diff(factory.ticks(), seen[-1][0]) >= 0  # the same clock

    await hass.async_add_executor_job(setattr, pin, "when_changed", None)
    assert line_info(machine, 5).edge_detection is gpiod_stand_in.Edge.NONE
    await hass.async_add_executor_job(factory.close)
