"""GPIO outputs (a relay or a buzzer) through gpiozero, on any pin factory.

No decisions here: an output is switched on or off when told. Opening and
closing a pin block (the factory's ioctls, /dev): run :meth:`GpioOutput.open`
and :meth:`GpioOutput.close` in an executor. Switching is a single write to
an open line (an ioctl on gpiod, a register on the others): it is done on the
event loop, so that on/off requests keep their order (a chirp is an "on"
followed by an "off" a fraction of a second later).
"""

from dataclasses import dataclass
from typing import Any

from .gpio import opening_pin


@dataclass(frozen=True, slots=True)
class OutputSpec:
    """How one output is wired."""

    pin: int
    # On means the line high (a buzzer, most transistor drivers); false for
    # relay boards that switch on when the line is pulled low.
    active_high: bool = True


class GpioOutput:
    """One output pin, off when opened and switched off before it is closed."""

    def __init__(self, spec: OutputSpec) -> None:
        """Nothing opened yet."""
        self.spec = spec
        self._device: Any = None

    @property
    def is_open(self) -> bool:
        """Whether the pin is held."""
        return self._device is not None

    def open(self, factory: Any) -> None:
        """Claim the pin, switched off (blocking).

        Raises :class:`.gpio.GpioUnavailableError` when the pin cannot be used.
        """
        from gpiozero import DigitalOutputDevice  # noqa: PLC0415  (lazy: blocking)

        with opening_pin(self.spec.pin):
            self._device = DigitalOutputDevice(
                self.spec.pin,
                active_high=self.spec.active_high,
                initial_value=False,
                pin_factory=factory,
            )

    @property
    def is_on(self) -> bool:
        """Whether the output is switched on."""
        return self._device is not None and bool(self._device.value)

    def switch(self, on: bool) -> None:
        """Switch the output on or off (a no-op while the pin is not held)."""
        if self._device is None:
            return
        if on:
            self._device.on()
        else:
            self._device.off()

    def close(self) -> None:
        """Switch off and release the pin (blocking)."""
        if self._device is None:
            return
        try:
            self._device.off()
        finally:
            self._device.close()
            self._device = None
