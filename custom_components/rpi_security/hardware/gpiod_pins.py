"""gpiozero pins on the kernel's GPIO character device, through libgpiod v2.

Home Assistant OS (musl, Python 3.14) has no wheel of lgpio, RPi.GPIO fails on
recent kernels, and the Pi 5's header is not on ``/dev/gpiochip0``. ``gpiod``,
libgpiod's own bindings, has wheels wherever Home Assistant runs. This factory:

- finds the chip that carries the 40-pin header by its label, not its number;
- requests one line per pin, with the pull and the kernel's debounce period set
  on the request;
- reads edge events from each request's file descriptor with the event loop's
  ``add_reader``: no thread and no polling; the edges arrive on the loop.

Opening the factory and pins blocks (device files, ioctls): callers do it in an
executor. Readers are added and removed on the loop thread.
"""

import asyncio
from collections.abc import Callable, Mapping
import concurrent.futures
from dataclasses import replace
from datetime import timedelta
import errno
import logging
import os
from pathlib import Path
import threading
import time
from typing import TYPE_CHECKING, Any, Final

from gpiozero.exc import (
    GPIOPinInUse,
    PinFixedPull,
    PinInvalidBounce,
    PinInvalidEdges,
    PinInvalidFunction,
    PinInvalidPin,
    PinInvalidPull,
    PinSetInput,
    PinUnknownPi,
    PinUnsupported,
)
from gpiozero.pins.local import get_pi_revision
from gpiozero.pins.pi import PiFactory, PiPin

from .gpio import GpioProblem, GpioUnavailableError

if TYPE_CHECKING:
    import gpiod

_LOGGER = logging.getLogger(__name__)

# Where the GPIO character devices are (tests point it at their stand-in's).
DEVICE_DIR = Path("/dev")

# Labels of the chips that carry a Raspberry Pi's 40-pin header, with the
# revision code of a typical board of each, used to name the header's pins when
# /proc does not say which board this is (inside some containers).
HEADER_CHIPS: Final[Mapping[str, int]] = {
    "pinctrl-rp1": 0xC04170,  # Pi 5: RP1, gpiochip4 or gpiochip0 by kernel
    "pinctrl-bcm2711": 0xC03111,  # Pi 4, Pi 400, CM4
    "pinctrl-bcm2835": 0xA02082,  # Pi 3, Zero 2 W (and the older ones)
}

# Who holds the lines, as `gpioinfo` shows it.
CONSUMER: Final = "rpi_security"

# libgpiod's default edge event buffer: one read returns at most this many.
EVENTS_PER_READ: Final = 64

# How long the executor waits for the loop to add or remove a reader.
LOOP_TIMEOUT: Final = 10.0

_PULLS: Final = {"up": "PULL_UP", "down": "PULL_DOWN", "floating": "DISABLED"}
_EDGES: Final = {"both": "BOTH", "rising": "RISING", "falling": "FALLING"}


def open_header_chip(
    device_dir: Path, labels: Mapping[str, int]
) -> tuple[gpiod.Chip, str]:
    """Open the chip whose label is one of ``labels`` (blocking).

    Raises :class:`GpioUnavailableError` saying what is missing: any chip
    device at all, the permission to open one, or a chip with a known label.
    """
    import gpiod  # noqa: PLC0415  (lazy: only the executor imports it)

    paths = sorted(
        (
            path
            for path in device_dir.glob("gpiochip*")
            if gpiod.is_gpiochip_device(str(path))
        ),
        key=_chip_number,
    )
    if not paths:
        raise GpioUnavailableError(
            GpioProblem.NO_GPIO_DEVICE,
            f"no GPIO chip device ({device_dir}/gpiochip*) on this machine",
        )
    denied: list[str] = []
    found: list[str] = []
    for path in paths:
        try:
            chip = gpiod.Chip(str(path))
        except PermissionError:
            denied.append(str(path))
            continue
        except OSError as err:
            found.append(f"{path.name} ({err.strerror})")
            continue
        label = chip.get_info().label
        if label in labels:
            return chip, label
        chip.close()
        found.append(f"{path.name} ({label})")
    if denied:
        raise GpioUnavailableError(
            GpioProblem.PERMISSION_DENIED,
            f"permission denied opening {', '.join(denied)}",
        )
    raise GpioUnavailableError(
        GpioProblem.UNKNOWN_CHIP,
        f"no chip is labelled {' or '.join(labels)}; found {', '.join(found)}",
    )


def _chip_number(path: Path) -> int:
    digits = path.name.removeprefix("gpiochip")
    return int(digits) if digits.isdigit() else -1


class GpiodFactory(PiFactory):  # type: ignore[misc]  # gpiozero has no types
    """A gpiozero pin factory on one GPIO chip, through ``gpiod``.

    Edge callbacks (``when_changed``) run on ``loop``'s thread.
    """

    # The pins debounce in the kernel (``bounce`` is the line's debounce
    # period: a level is reported once it held that long, as our own stage).
    kernel_debounce: Final = True
    # Edge callbacks run on the event loop's thread (no hand-over needed).
    edges_on_loop: Final = True

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        *,
        device_dir: Path | None = None,
        chip_labels: Mapping[str, int] = HEADER_CHIPS,
    ) -> None:
        """Open the header's chip (blocking). Raises :class:`GpioUnavailableError`."""
        super().__init__()
        self.loop = loop
        self.chip, self.chip_label = open_header_chip(
            DEVICE_DIR if device_dir is None else device_dir, chip_labels
        )
        self._typical_revision = chip_labels[self.chip_label]
        self.pin_class = GpiodPin

    def close(self) -> None:
        """Release every pin and the chip."""
        for pin in list(self.pins.values()):
            pin.close()
        self.pins.clear()
        self.chip.close()

    def _get_revision(self) -> int:
        try:
            revision: int = get_pi_revision()
        except PinUnknownPi, OSError, ValueError:
            return self._typical_revision
        return revision

    @staticmethod
    def ticks() -> float:
        """Seconds on CLOCK_MONOTONIC, the clock of the kernel's edge events."""
        return time.monotonic()

    @staticmethod
    def ticks_diff(later: float, earlier: float) -> float:
        """Seconds between two ticks."""
        return later - earlier

    def line_offset(self, name: str, bcm: int) -> int:
        """The chip's line for header pin ``name`` (``GPIO17``); blocking.

        Kernels name the header's lines; where they do not, the line's offset
        is its BCM number on every Pi's header chip.
        """
        try:
            return self.chip.line_offset_from_id(name)
        except OSError as err:
            if err.errno != errno.ENOENT:
                raise
        try:
            return self.chip.line_offset_from_id(bcm)
        except ValueError as err:
            raise PinInvalidPin(f"{name} is not on {self.chip_label}") from err

    def call_on_loop(self, job: Callable[[], None]) -> None:
        """Run ``job`` on the loop's thread, which owns the readers; wait for it."""
        loop = self.loop
        if loop.is_closed():
            return
        if not loop.is_running() or _running_loop() is loop:
            job()
            return
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def run() -> None:
            try:
                job()
            except Exception as err:  # handed to the waiting thread
                done.set_exception(err)
            else:
                done.set_result(None)

        loop.call_soon_threadsafe(run)
        done.result(timeout=LOOP_TIMEOUT)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


class GpiodPin(PiPin):  # type: ignore[misc]  # gpiozero has no types
    """One header pin: a line request of its own, watched by the event loop."""

    def __init__(self, factory: GpiodFactory, info: Any) -> None:
        """Request the line as an input without pull (blocking)."""
        super().__init__(factory, info)
        import gpiod  # noqa: PLC0415  (lazy: already loaded by the factory)

        self._lib = gpiod
        self._rising = gpiod.EdgeEvent.Type.RISING_EDGE
        self._edges = gpiod.line.Edge.BOTH
        self._detecting = False
        self._watched_fd: int | None = None
        # The loop reads events while the executor may reconfigure or close.
        self._lock = threading.Lock()
        self._offset = factory.line_offset(info.name, self._number)
        self._settings = gpiod.LineSettings(
            direction=gpiod.line.Direction.INPUT, bias=gpiod.line.Bias.DISABLED
        )
        try:
            request = factory.chip.request_lines(
                {self._offset: self._settings}, consumer=CONSUMER
            )
        except OSError as err:
            if err.errno != errno.EBUSY:
                raise
            holder = factory.chip.get_line_info(self._offset).consumer or "the kernel"
            raise GPIOPinInUse(f"the line is in use by {holder}") from err
        # Never block the loop: a read with nothing queued fails instead.
        os.set_blocking(request.fd, False)
        self._request: gpiod.LineRequest | None = request

    def __repr__(self) -> str:
        """The pin's name, as gpiozero's own pins show it."""
        return str(self._info.name)

    @property
    def factory(self) -> GpiodFactory:
        """The factory that made this pin."""
        factory: GpiodFactory = self._factory
        return factory

    @property
    def line_request(self) -> gpiod.LineRequest:
        """The live request of this pin's line."""
        if self._request is None:
            raise PinUnsupported(f"{self!r} is closed")
        return self._request

    def close(self) -> None:
        """Stop watching the line and release it (blocking)."""
        if self._request is None:
            return
        self._stop_watching()
        with self._lock:
            self._request.release()
            self._request = None
        self._when_changed = None
        self.factory.pins.pop(self._info, None)

    # -- line settings --------------------------------------------------------

    def _reconfigure(self, **changes: Any) -> None:
        settings = replace(self._settings, **changes)
        if settings == self._settings:
            return
        with self._lock:
            self.line_request.reconfigure_lines({self._offset: settings})
        self._settings = settings

    def _is_output(self) -> bool:
        return bool(self._settings.direction is self._lib.line.Direction.OUTPUT)

    def _get_function(self) -> str:
        return "output" if self._is_output() else "input"

    def _set_function(self, value: str) -> None:
        line = self._lib.line
        if value == "input":
            self._reconfigure(direction=line.Direction.INPUT)
        elif value == "output":
            self.output_with_state(0)
        else:
            raise PinInvalidFunction(f'invalid function "{value}" for pin {self!r}')

    def output_with_state(self, state: int) -> None:
        """Drive the line, starting at ``state`` (a siren, a light)."""
        self._stop_watching()
        line = self._lib.line
        self._reconfigure(
            direction=line.Direction.OUTPUT,
            edge_detection=line.Edge.NONE,
            debounce_period=timedelta(),
            output_value=line.Value.ACTIVE if state else line.Value.INACTIVE,
        )

    def _get_state(self) -> int:
        with self._lock:
            value = self.line_request.get_value(self._offset)
        return int(bool(value))

    def _set_state(self, value: int) -> None:
        if not self._is_output():
            raise PinSetInput(f"cannot set the state of input pin {self!r}")
        line = self._lib.line
        level = line.Value.ACTIVE if value else line.Value.INACTIVE
        with self._lock:
            self.line_request.set_value(self._offset, level)
        self._settings = replace(self._settings, output_value=level)

    def _get_pull(self) -> str:
        bias = self._settings.bias.name
        return next((pull for pull, name in _PULLS.items() if name == bias), "floating")

    def _set_pull(self, value: str) -> None:
        if self._is_output():
            raise PinFixedPull(f"cannot set the pull of output pin {self!r}")
        if self._info.pull not in (value, ""):
            raise PinFixedPull(f"{self!r} has a physical pull-{self._info.pull}")
        if value not in _PULLS:
            raise PinInvalidPull(f'invalid pull "{value}" for pin {self!r}')
        self._reconfigure(bias=self._lib.line.Bias[_PULLS[value]])

    def _get_bounce(self) -> float | None:
        seconds = self._settings.debounce_period.total_seconds()
        return seconds or None

    def _set_bounce(self, value: float | None) -> None:
        if value is not None and value < 0:
            raise PinInvalidBounce("bounce must be 0 or greater")
        self._reconfigure(debounce_period=timedelta(seconds=value or 0))

    def _get_edges(self) -> str:
        return next(e for e, name in _EDGES.items() if name == self._edges.name)

    def _set_edges(self, value: str) -> None:
        if value not in _EDGES:
            raise PinInvalidEdges(f'invalid edges "{value}" for pin {self!r}')
        self._edges = self._lib.line.Edge[_EDGES[value]]
        if self._detecting:
            self._reconfigure(edge_detection=self._edges)

    # -- edge events ----------------------------------------------------------

    def _enable_event_detect(self) -> None:
        self._reconfigure(
            direction=self._lib.line.Direction.INPUT, edge_detection=self._edges
        )
        self._detecting = True
        fd = self.line_request.fd
        self.factory.call_on_loop(lambda: self.factory.loop.add_reader(fd, self._read))
        self._watched_fd = fd

    def _disable_event_detect(self) -> None:
        self._stop_watching()
        if self._request is not None:
            self._reconfigure(edge_detection=self._lib.line.Edge.NONE)

    def _stop_watching(self) -> None:
        self._detecting = False
        fd, self._watched_fd = self._watched_fd, None
        if fd is None:
            return
        loop = self.factory.loop

        def unwatch() -> None:
            loop.remove_reader(fd)

        self.factory.call_on_loop(unwatch)

    def _read(self) -> None:
        """The request's fd is readable: hand every queued edge to gpiozero."""
        try:
            with self._lock:
                # The kernel queues at most 16 events per line unless asked for
                # more: one read of up to 64 takes every event pending.
                events = self.line_request.read_edge_events(EVENTS_PER_READ)
        except BlockingIOError:
            return  # woken, but another read took the events
        except (OSError, PinUnsupported) as err:
            _LOGGER.error("Reading the edges of %r failed, unwatched: %s", self, err)
            fd, self._watched_fd = self._watched_fd, None
            if fd is not None:
                self.factory.loop.remove_reader(fd)
            return
        rising = self._rising
        for event in events:
            self._call_when_changed(
                event.timestamp_ns / 1e9, 1 if event.event_type is rising else 0
            )
