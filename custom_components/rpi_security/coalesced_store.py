"""Writing a Store soon after every change, without a write per change.

One write at a time: changes made while a write is under way go out together
in the next one. While the data is small that next write follows at once;
once it is large (a long outbox), writes are at least ``interval`` apart, so
n changes cost O(n) and each is on disk within about ``interval``. Urgent
changes (an alarm) never wait for the interval. Stopping flushes.
"""

from collections.abc import Callable
import logging
import math
import time
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store

_LOGGER = logging.getLogger(__name__)

# What to write, and what to do once it is on disk.
type Prepared[T] = tuple[T, Callable[[], None]]


class CoalescedWriter[T: dict[str, Any]]:
    """Writes ``store`` with what ``prepare`` returns, coalescing requests."""

    def __init__(
        self,
        hass: HomeAssistant,
        store: Store[T],
        prepare: Callable[[], Prepared[T]],
        *,
        interval: float,
        large: Callable[[], bool],
    ) -> None:
        """``large()`` says whether writes must now be ``interval`` apart."""
        self._hass = hass
        self._store = store
        self._prepare = prepare
        self._interval = interval
        self._large = large
        self._pending = False
        self._urgent = False
        self._writing = False
        self._stopped = False
        self._last_write = -math.inf
        self._timer: CALLBACK_TYPE | None = None
        self.writes = 0

    @property
    def pending(self) -> bool:
        """Whether changes wait to be written (or are being written)."""
        return self._pending or self._writing

    @callback
    def request(self, *, urgent: bool = False) -> None:
        """Something changed: write it soon (``urgent``: as soon as possible)."""
        if self._stopped:
            return
        self._pending = True
        self._urgent = self._urgent or urgent
        if not self._writing:
            self._schedule()

    @callback
    def _schedule(self) -> None:
        wait = 0.0
        if not self._urgent and self._large():
            wait = self._last_write + self._interval - time.monotonic()
        if wait <= 0:
            self._start()
        elif self._timer is None:
            self._timer = async_call_later(self._hass, wait, self._due)

    @callback
    def _due(self, _now: Any) -> None:
        self._timer = None
        if self._pending and not self._writing and not self._stopped:
            self._start()

    @callback
    def _start(self) -> None:
        if self._timer is not None:
            self._timer()
            self._timer = None
        self._writing = True
        self._pending = self._urgent = False
        self._last_write = time.monotonic()
        self._hass.async_create_background_task(
            self._async_write(), f"write {self._store.key}"
        )

    async def _async_write(self) -> None:
        try:
            await self._async_save()
        finally:
            self._writing = False
        if self._pending and not self._stopped:
            self._schedule()

    async def _async_save(self) -> None:
        data, done = self._prepare()
        await self._store.async_save(data)
        self.writes += 1
        done()

    async def async_flush(self) -> None:
        """Stop writing on request; write what there is now."""
        self._stopped = True
        if self._timer is not None:
            self._timer()
            self._timer = None
        await self._async_save()
