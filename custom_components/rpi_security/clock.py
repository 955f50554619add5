"""Timers at an exact moment, safe from rounding.

Deadlines are float timestamps (``time.time()``, sub-microsecond); Home
Assistant schedules at a ``datetime`` (whole microseconds) and hands the
callback that datetime. Rounded to the nearest microsecond, half of all
deadlines would fire a fraction of a microsecond *before* themselves: code
that then asks "is the deadline reached?" says no and schedules again, at
once, forever. So the moment is rounded up, never down.
"""

from collections.abc import Callable
from datetime import datetime
import math

from homeassistant.core import CALLBACK_TYPE, HomeAssistant
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.util import dt as dt_util


def at_or_after(timestamp: float) -> datetime:
    """The first whole-microsecond UTC time not before ``timestamp``."""
    moment = dt_util.utc_from_timestamp(math.ceil(timestamp * 1_000_000) / 1_000_000)
    while moment.timestamp() < timestamp:  # float error, at most a step or two
        moment = dt_util.utc_from_timestamp(moment.timestamp() + 1e-6)
    return moment


def track_at(
    hass: HomeAssistant, action: Callable[[datetime], None], timestamp: float
) -> CALLBACK_TYPE:
    """Call ``action`` once ``timestamp`` has passed; returns the cancel."""
    return async_track_point_in_utc_time(hass, action, at_or_after(timestamp))
