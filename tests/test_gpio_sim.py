"""Our gpiod factory on a real kernel GPIO chip: gpio-sim, where the kernel has it.

gpio-sim (configured through configfs) makes a GPIO chip whose lines a test
pulls up or down through sysfs, so the whole path is real: the kernel's
character device and its debounce, libgpiod, our factory, ``add_reader``.
This machine's kernel has no gpio-sim and the test is skipped, with the reason;
the GitHub workflow loads the module so the test runs there when it can.
"""

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
import importlib.util
import os
from pathlib import Path
from typing import Any

from gpiozero import DigitalInputDevice
import pytest

from custom_components.rpi_security.hardware.gpiod_pins import GpiodFactory

CONFIGFS = Path("/sys/kernel/config/gpio-sim")
LABEL = "rpi-security-sim"
LINE = 17
DEBOUNCE = 0.2  # long against the scheduling jitter of a busy CI runner


def _why_not() -> str | None:
    if not CONFIGFS.is_dir():
        return (
            "this kernel offers no gpio-sim (modprobe gpio-sim, with configfs "
            "mounted on /sys/kernel/config)"
        )
    if not os.access(CONFIGFS, os.W_OK):
        return "creating a gpio-sim chip needs root"
    if importlib.util.find_spec("gpiod") is None:
        return "the gpiod package is not installed"
    return None


pytestmark = pytest.mark.skipif(_why_not() is not None, reason=_why_not() or "")


@dataclass(frozen=True)
class SimulatedChip:
    """A live gpio-sim chip and its lines' sysfs controls."""

    device: Path  # /dev/gpiochipN
    controls: Path  # /sys/devices/platform/gpio-sim.N/gpiochipN

    def pull(self, offset: int, *, up: bool) -> None:
        """What is wired to the line pulls it up or down."""
        control = self.controls / f"sim_gpio{offset}" / "pull"
        control.write_text("pull-up" if up else "pull-down")

    def value(self, offset: int) -> int:
        """The line's level as the chip sees it."""
        return int((self.controls / f"sim_gpio{offset}" / "value").read_text())


@pytest.fixture
def sim_chip() -> Iterator[SimulatedChip]:
    """A 28-line chip labelled ``rpi-security-sim``, line 17 named GPIO17."""
    device = CONFIGFS / f"rpi-security-{os.getpid()}"
    bank = device / "bank0"
    line = bank / f"line{LINE}"
    device.mkdir()
    bank.mkdir()
    line.mkdir()
    try:
        (bank / "num_lines").write_text("28")
        (bank / "label").write_text(LABEL)
        (line / "name").write_text(f"GPIO{LINE}")
        (device / "live").write_text("1")
        chip_name = (bank / "chip_name").read_text().strip()
        dev_name = (device / "dev_name").read_text().strip()
        yield SimulatedChip(
            Path("/dev") / chip_name,
            Path("/sys/devices/platform") / dev_name / chip_name,
        )
    finally:
        if (device / "live").read_text().strip() == "1":
            (device / "live").write_text("0")
        line.rmdir()
        bank.rmdir()
        device.rmdir()


async def _blocking[T](call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    return await asyncio.get_running_loop().run_in_executor(
        None, partial(call, *args, **kwargs)
    )


async def test_pull_edges_and_debounce_on_a_real_kernel_chip(
    sim_chip: SimulatedChip,
) -> None:
    loop = asyncio.get_running_loop()
    factory = await _blocking(GpiodFactory, loop, chip_labels={LABEL: 0xC04170})
    try:
        assert factory.chip.path == str(sim_chip.device)
        contact = await _blocking(
            DigitalInputDevice,
            LINE,
            pull_up=True,
            bounce_time=DEBOUNCE,
            pin_factory=factory,
        )
        changes: asyncio.Queue[tuple[bool, float]] = asyncio.Queue()
        contact.when_activated = lambda: changes.put_nowait((True, loop.time()))
        contact.when_deactivated = lambda: changes.put_nowait((False, loop.time()))

        # Pull: the request's pull-up holds the open line high.
        assert sim_chip.value(LINE) == 1
        assert contact.is_active is False

        # An edge: the contact closes to ground, once the level held.
        closed_at = loop.time()
        sim_chip.pull(LINE, up=False)
        active, seen_at = await asyncio.wait_for(changes.get(), 5)
        assert active is True
        assert seen_at - closed_at >= DEBOUNCE

        # Chatter that ends where it started is never reported.
        for toggle in range(20):
            sim_chip.pull(LINE, up=toggle % 2 == 0)
            await asyncio.sleep(0.005)
        await asyncio.sleep(DEBOUNCE * 2)
        assert changes.empty()

        # A clean change back.
        sim_chip.pull(LINE, up=True)
        active, _ = await asyncio.wait_for(changes.get(), 5)
        assert active is False
        await _blocking(contact.close)
    finally:
        await _blocking(factory.close)
