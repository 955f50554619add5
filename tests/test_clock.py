"""Timers at exact moments: never a hair early (in real time, no frozen clock)."""

import asyncio
import random

from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.clock import at_or_after

from .helpers import PANEL, with_options


def test_the_moment_is_never_before_the_deadline() -> None:
    # A deadline that rounds *down* to the nearest microsecond: the one that
    # made the exit delay spin forever in a live Home Assistant.
    deadlines = [1795258652.8406124, 1795258652.0000004, 1795258652.9999996]
    deadlines += [random.uniform(1.7e9, 1.9e9) for _ in range(10_000)]
    for deadline in deadlines:
        moment = at_or_after(deadline).timestamp()
        assert deadline <= moment < deadline + 2e-6


@pytest.mark.parametrize("options", [with_options(trigger_time=1)])
async def test_delays_end_in_real_time(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    # Each run starts at another fraction of a second, so deadlines fall on
    # every kind of sub-microsecond remainder.
    for _ in range(4):
        await hass.services.async_call(
            "alarm_control_panel", "alarm_trigger", {"entity_id": PANEL}, blocking=True
        )
        assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
        await asyncio.sleep(1.1)
        await hass.async_block_till_done()
        assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED
        await asyncio.sleep(random.uniform(0, 0.01))
