"""GPIO inputs read through gpiozero, on a real pin factory or on mock pins.

No decisions here: an input reports raw edges ("the line is active" or not) and
the engine decides what they mean. Constructing a pin factory and opening pins
block (they probe /proc and /dev), so callers run :func:`open_pin_factory` and
:meth:`GpioInputs.open` in an executor. gpiozero calls ``on_edge`` from its own
thread on a real Pi and from the caller's thread on mock pins; the caller hands
it to its event loop.
"""

from collections.abc import Callable
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

    NO_PIN_FACTORY = "no_pin_factory"  # not a Pi, or no GPIO library installed
    PERMISSION_DENIED = "permission_denied"  # /dev/gpiochip* not accessible
    PIN_UNAVAILABLE = "pin_unavailable"  # the pin is in use or cannot be opened


class GpioUnavailableError(Exception):
    """GPIO (or one pin) cannot be used."""

    def __init__(self, problem: GpioProblem, detail: str) -> None:
        """Keep the kind of problem and the library's own words."""
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class PinSpec:
    """How one input is wired."""

    pin: int
    pull_up: bool


def open_pin_factory(simulated: bool) -> Any:
    """Return gpiozero's pin factory: mock pins, or the Pi's default one.

    Blocking. Raises :class:`GpioUnavailableError` when no factory works here.
    """
    if simulated:
        from gpiozero.pins.mock import MockFactory  # noqa: PLC0415  (lazy: blocking)

        return MockFactory()
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
    """

    def __init__(
        self, factory: Any, spec: PinSpec, on_edge: Callable[[bool], None]
    ) -> None:
        """Open the pin (blocking). Raises :class:`GpioUnavailableError`."""
        from gpiozero import DigitalInputDevice  # noqa: PLC0415
        from gpiozero.exc import GPIOZeroError  # noqa: PLC0415

        self.spec = spec
        try:
            self._device = DigitalInputDevice(
                spec.pin, pull_up=spec.pull_up, pin_factory=factory
            )
        except PermissionError as err:
            raise GpioUnavailableError(GpioProblem.PERMISSION_DENIED, str(err)) from err
        except (GPIOZeroError, OSError) as err:
            raise GpioUnavailableError(
                GpioProblem.PIN_UNAVAILABLE, f"GPIO{spec.pin}: {err}"
            ) from err
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
