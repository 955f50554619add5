"""GPIO inputs read through gpiozero, on a real pin factory or on mock pins.

No decisions here: an input reports raw edges ("the line is active" or not) and
the engine decides what they mean. Constructing a pin factory and opening pins
block (they probe /proc and /dev), so callers run :func:`open_pin_factory` and
:meth:`GpioInputs.open` in an executor. Our own factory (``gpiod_pins``) calls
``on_edge`` on the event loop; gpiozero's own factories call it from their
thread, mock pins from the caller's; the caller hands it to its event loop.
"""

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
import logging
from typing import Any
import warnings

_LOGGER = logging.getLogger(__name__)

# BCM numbers of the GPIO lines on the 40-pin header.
BCM_PINS = range(28)


class GpioProblem(StrEnum):
    """Why GPIO could not be used; each has its own explanation and fix."""

    NO_GPIO_DEVICE = "no_gpio_device"  # no /dev/gpiochip*: not a Pi, or not passed in
    UNKNOWN_CHIP = "unknown_chip"  # chips, but none with a Pi header's label
    PERMISSION_DENIED = "permission_denied"  # /dev/gpiochip* not accessible
    NO_PIN_FACTORY = "no_pin_factory"  # gpiod not loadable, no other library works
    PIN_UNAVAILABLE = "pin_unavailable"  # the pin is in use or cannot be opened


class GpioUnavailableError(Exception):
    """GPIO (or one pin) cannot be used."""

    def __init__(self, problem: GpioProblem, detail: str) -> None:
        """Keep the kind of problem and the library's own words."""
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


@contextmanager
def opening_pin(pin: int) -> Iterator[None]:
    """Report what keeps ``pin`` from opening as :class:`GpioUnavailableError`."""
    from gpiozero.exc import GPIOZeroError  # noqa: PLC0415

    try:
        yield
    except PermissionError as err:
        raise GpioUnavailableError(GpioProblem.PERMISSION_DENIED, str(err)) from err
    except (GPIOZeroError, OSError) as err:
        raise GpioUnavailableError(
            GpioProblem.PIN_UNAVAILABLE, f"GPIO{pin}: {err}"
        ) from err


@dataclass(frozen=True, slots=True)
class PinSpec:
    """How one input is wired."""

    pin: int
    pull_up: bool
    debounce: float = 0.0  # seconds a level must hold before it counts


def open_pin_factory(simulated: bool, loop: asyncio.AbstractEventLoop) -> Any:
    """Return a gpiozero pin factory: mock pins, ours on gpiod, or gpiozero's.

    Blocking. Our gpiod factory comes first (it works on every Pi and on Home
    Assistant OS); gpiozero's own factories are the fallback. Raises
    :class:`GpioUnavailableError` saying what is missing when none works.
    """
    if simulated:
        from gpiozero.pins.mock import MockFactory  # noqa: PLC0415  (lazy: blocking)

        return MockFactory()
    gpiod_missing = False
    try:
        from .gpiod_pins import GpiodFactory  # noqa: PLC0415  (lazy: imports gpiozero)

        return GpiodFactory(loop)
    except GpioUnavailableError as err:
        primary = err
    except ImportError as err:
        gpiod_missing = True
        primary = GpioUnavailableError(
            GpioProblem.NO_PIN_FACTORY, f"the gpiod library cannot be loaded: {err}"
        )
    except PermissionError as err:
        primary = GpioUnavailableError(GpioProblem.PERMISSION_DENIED, str(err))
    except OSError as err:
        primary = GpioUnavailableError(GpioProblem.NO_PIN_FACTORY, f"gpiod: {err}")
    try:
        factory = _gpiozero_default_factory()
    except GpioUnavailableError as fallback:
        # What gpiod lacks is what the user must fix, unless gpiod itself is gone.
        problem = fallback.problem if gpiod_missing else primary.problem
        raise GpioUnavailableError(
            problem,
            f"{primary.detail}; gpiozero's own factories: {fallback.detail}",
        ) from fallback
    _LOGGER.warning(
        "GPIO through gpiod is unavailable (%s); using gpiozero's %s",
        primary.detail,
        type(factory).__name__,
    )
    return factory


def _gpiozero_default_factory() -> Any:
    """Return gpiozero's own choice: lgpio, RPi.GPIO, pigpio, or its native one."""
    from gpiozero import Device  # noqa: PLC0415
    from gpiozero.exc import BadPinFactory  # noqa: PLC0415

    with warnings.catch_warnings(record=True) as fallbacks:
        warnings.simplefilter("always")
        try:
            return Device._default_pin_factory()
        except BadPinFactory as err:
            reasons = "; ".join(str(w.message) for w in fallbacks) or str(err)
            raise GpioUnavailableError(GpioProblem.NO_PIN_FACTORY, reasons) from err
        except PermissionError as err:
            raise GpioUnavailableError(GpioProblem.PERMISSION_DENIED, str(err)) from err
        except OSError as err:
            raise GpioUnavailableError(GpioProblem.NO_PIN_FACTORY, str(err)) from err


class GpioInput:
    """One input pin; ``on_edge(active)`` is called on every change of level.

    ``active`` is gpiozero's notion: the line is pulled to the opposite rail
    from its pull resistor (low with pull-up, high with pull-down).

    Where the factory debounces in the kernel (ours on gpiod), the pin's
    debounce period is set on the line and :attr:`debounced_by_kernel` is true;
    elsewhere edges arrive raw and the caller debounces.
    """

    def __init__(
        self, factory: Any, spec: PinSpec, on_edge: Callable[[bool], None]
    ) -> None:
        """Open the pin (blocking). Raises :class:`GpioUnavailableError`."""
        from gpiozero import DigitalInputDevice  # noqa: PLC0415

        self.spec = spec
        # gpiozero's other factories' bounce_time ignores edges for a while
        # after an edge, which lets chatter through: only the kernel's is used.
        self.debounced_by_kernel = spec.debounce > 0 and bool(
            getattr(factory, "kernel_debounce", False)
        )
        with opening_pin(spec.pin):
            self._device = DigitalInputDevice(
                spec.pin,
                pull_up=spec.pull_up,
                bounce_time=spec.debounce if self.debounced_by_kernel else None,
                pin_factory=factory,
            )
        self._device.when_activated = lambda: on_edge(True)
        self._device.when_deactivated = lambda: on_edge(False)

    @property
    def active(self) -> bool:
        """The line's current level."""
        return bool(self._device.is_active)

    def drive(self, active: bool) -> None:
        """Simulation only: move a mock pin as the wired device would."""
        # With a pull-up the line is active when pulled low, and vice versa.
        low = active == self.spec.pull_up
        if low:
            self._device.pin.drive_low()
        else:
            self._device.pin.drive_high()

    def close(self) -> None:
        """Release the pin."""
        self._device.close()


def close_pin_factory(factory: Any) -> None:
    """Release every pin of ``factory``."""
    try:
        factory.close()
    except Exception:
        _LOGGER.exception("Closing the GPIO pin factory failed")
