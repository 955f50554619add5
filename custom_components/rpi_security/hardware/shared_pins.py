"""The one pin factory that the sensors' inputs and the outputs share.

A GPIO chip is opened once per system: gpiozero's fallback factories keep
global state (RPi.GPIO's ``cleanup`` releases every pin of the process), and
the pins of two mock factories would not see each other. The factory is
opened by its first user and closed with its last, so removing the last
wired sensor never cuts off a siren, nor the reverse.

Blocking (the factory probes /proc and /dev): run :meth:`SharedPinFactory.acquire`
and :meth:`SharedPinFactory.release` in an executor. Both may run on
different executor threads at once, hence the lock.
"""

import asyncio
import threading
from typing import Any

from .gpio import close_pin_factory, open_pin_factory


class SharedPinFactory:
    """A gpiozero pin factory, open while any of its users needs it."""

    def __init__(self, simulated: bool, loop: asyncio.AbstractEventLoop) -> None:
        """Nothing opened yet."""
        self._simulated = simulated
        self._loop = loop
        self._lock = threading.Lock()
        self._users: set[str] = set()
        self.factory: Any = None

    def acquire(self, user: str) -> Any:
        """The factory, opened if it is not (blocking).

        Raises :class:`.gpio.GpioUnavailableError` when GPIO cannot be used;
        ``user`` then holds nothing.
        """
        with self._lock:
            if self.factory is None:
                self.factory = open_pin_factory(self._simulated, self._loop)
            self._users.add(user)
            return self.factory

    def release(self, user: str) -> None:
        """``user`` needs no pin any more; the last one closes the factory."""
        with self._lock:
            self._users.discard(user)
            if not self._users and self.factory is not None:
                close_pin_factory(self.factory)
                self.factory = None
