"""The heartbeat: a URL pinged while every component is healthy.

A dead man's switch (a healthchecks-style service) then tells the owner when
the system goes silent: the Pi is off, the network is down, or something is
broken. Pings go through Home Assistant's shared aiohttp session.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
import logging

import aiohttp
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.helpers.event import async_track_time_interval
from homeassistant.util import dt as dt_util

_LOGGER = logging.getLogger(__name__)

PING_TIMEOUT = aiohttp.ClientTimeout(total=10)


class Heartbeat:
    """Pings ``url`` every ``interval`` seconds while ``healthy()`` says so."""

    def __init__(
        self,
        hass: HomeAssistant,
        url: str,
        interval: float,
        healthy: Callable[[], bool],
        run: Callable[..., None],
    ) -> None:
        """Prepare; :meth:`start` begins."""
        self._hass = hass
        self._url = url
        self._interval = timedelta(seconds=interval)
        self._healthy = healthy
        self._run = run
        self.last_ping: datetime | None = None
        self.failing = False
        self._cancel: CALLBACK_TYPE | None = None

    @callback
    def start(self) -> None:
        """Ping now and then every interval."""
        self._cancel = async_track_time_interval(self._hass, self._tick, self._interval)
        self._tick(dt_util.utcnow())

    @callback
    def stop(self) -> None:
        """Stop pinging."""
        if self._cancel is not None:
            self._cancel()
            self._cancel = None

    @callback
    def _tick(self, _now: datetime) -> None:
        if self._healthy():
            self._run(self._async_ping())
        else:
            _LOGGER.debug("Heartbeat held back: a component is unhealthy")

    async def _async_ping(self) -> None:
        session = async_get_clientsession(self._hass)
        try:
            async with session.get(self._url, timeout=PING_TIMEOUT) as response:
                response.raise_for_status()
        except (aiohttp.ClientError, TimeoutError) as err:
            if not self.failing:
                _LOGGER.warning("Heartbeat ping failed: %s", err)
            self.failing = True
            return
        if self.failing:
            _LOGGER.info("Heartbeat pings get through again")
        self.failing = False
        self.last_ping = dt_util.utcnow()
