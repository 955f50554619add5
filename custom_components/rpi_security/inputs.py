"""Sensor inputs: GPIO pins (debounced) and existing Home Assistant entities.

Each input reports through ``on_change(input, level, initial)``: ``level`` is
the committed level ("open" for a door, "motion" for a PIR), or ``None`` when
the sensor stopped reporting. ``initial`` is true for the first level known
after start-up, which never trips the alarm. A sensor that goes unavailable
keeps its last known level, so a door that opened meanwhile still counts as a
change when the sensor comes back.
"""

import asyncio
from collections.abc import Callable
import logging
from typing import Any

from homeassistant.const import STATE_OFF, STATE_ON
from homeassistant.core import (
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers.event import async_track_state_change_event

from .config import SensorConfig
from .engine.debounce import Debouncer
from .hardware.gpio import GpioInput, GpioUnavailableError, PinSpec

_LOGGER = logging.getLogger(__name__)

type ChangeCallback = Callable[[SensorInput, bool | None, bool], None]


class SensorInput:
    """What the system knows of one sensor."""

    def __init__(self, config: SensorConfig, on_change: ChangeCallback) -> None:
        """Start with an unknown level."""
        self.config = config
        self.is_open: bool | None = None  # the last known level
        self.available = False
        self._on_change = on_change

    @callback
    def _report(self, level: bool | None) -> None:
        if level is None:
            if self.available:
                self.available = False
                self._on_change(self, None, False)
            return
        if self.available and level == self.is_open:
            return
        initial = self.is_open is None
        self.is_open, self.available = level, True
        self._on_change(self, level, initial)

    async def async_start(self) -> None:
        """Begin watching the sensor."""

    async def async_stop(self) -> None:
        """Stop watching the sensor and release what it holds."""


class GpioSensorInput(SensorInput):
    """A door contact or PIR on a GPIO pin, debounced once.

    A level counts once it has held for the sensor's debounce time. Where the
    kernel debounces the line (our gpiod factory), it does exactly that before
    it reports an edge, so the stage on the loop holds for 0: a second stage
    would double the delay of every door opening and reject nothing more.
    Elsewhere (gpiozero's own factories, mock pins) the loop's stage holds.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        config: SensorConfig,
        on_change: ChangeCallback,
    ) -> None:
        """Prepare the input; :meth:`open` attaches the pin."""
        super().__init__(config, on_change)
        if config.pin is None:
            raise ValueError(f"{config.name} is not wired to a GPIO pin")
        self._spec = PinSpec(config.pin, config.pull_up, config.debounce)
        self._loop = hass.loop
        self._pin: GpioInput | None = None
        self._debouncer: Debouncer | None = None
        self._timer: asyncio.TimerHandle | None = None
        self.error: GpioUnavailableError | None = None
        # Simulation: where the simulated door or PIR was last put.
        self.simulated_open = False

    def open(self, factory: Any, *, at_rest: bool = False) -> None:
        """Open the pin and read its level (blocking: run in an executor).

        ``at_rest`` puts a simulated sensor in its quiet state first (door
        shut, no motion): a mock pin otherwise starts at its pull level.
        """
        on_loop = bool(getattr(factory, "edges_on_loop", False))
        on_edge = self._on_edge if on_loop else self._edge_from_any_thread
        try:
            self._pin = GpioInput(factory, self._spec, on_edge)
        except GpioUnavailableError as err:
            self.error = err
            return
        if at_rest:
            self._pin.drive(self.config.active_for(False))
        level = self.config.is_open(self._pin.active)
        hold = 0.0 if self._pin.debounced_by_kernel else self.config.debounce
        self._debouncer = Debouncer(hold, level)

    async def async_start(self) -> None:
        """Report the level read when the pin was opened."""
        if self._debouncer is not None:
            self._report(self._debouncer.stable)

    def fail(self, error: GpioUnavailableError) -> None:
        """Record that the pin cannot be used (GPIO as a whole is unavailable)."""
        self.error = error

    def drive(self, is_open: bool) -> None:
        """Simulation: move the mock pin as the sensor would."""
        if self._pin is not None:
            self.simulated_open = is_open
            self._pin.drive(self.config.active_for(is_open))

    def close(self) -> None:
        """Release the pin (blocking)."""
        if self._pin is not None:
            self._pin.close()
            self._pin = None

    async def async_stop(self) -> None:
        """Stop debouncing; the pin is closed with its factory."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _edge_from_any_thread(self, active: bool) -> None:
        # gpiozero's own factories call this from their thread.
        self._loop.call_soon_threadsafe(self._on_edge, active)

    @callback
    def _on_edge(self, active: bool) -> None:
        if self._debouncer is None:
            return
        now = self._loop.time()
        due = self._debouncer.edge(self.config.is_open(active), now)
        if due is None:
            return
        if due <= now:
            self._settle()
        elif self._timer is None:
            self._timer = self._loop.call_at(due, self._settle)

    @callback
    def _settle(self) -> None:
        self._timer = None
        if self._debouncer is None:
            return
        level, check_again = self._debouncer.settle(self._loop.time())
        if check_again is not None:
            self._timer = self._loop.call_at(check_again, self._settle)
        if level is not None:
            self._report(level)


def _level_of(state: State | None) -> bool | None:
    if state is None or state.state not in (STATE_ON, STATE_OFF):
        return None
    return state.state == STATE_ON


class EntitySensorInput(SensorInput):
    """A door or motion sensor that Home Assistant already has (Zigbee, Z-Wave...)."""

    def __init__(
        self, hass: HomeAssistant, config: SensorConfig, on_change: ChangeCallback
    ) -> None:
        """Prepare to follow ``config.entity_id``."""
        super().__init__(config, on_change)
        if config.entity_id is None:
            raise ValueError(f"{config.name} is not a Home Assistant entity")
        self._entity_id = config.entity_id
        self._hass = hass
        self._unsubscribe: Callable[[], None] | None = None

    async def async_start(self) -> None:
        """Take the entity's current state and follow its changes."""
        self._unsubscribe = async_track_state_change_event(
            self._hass, self._entity_id, self._state_changed
        )
        self._report(_level_of(self._hass.states.get(self._entity_id)))

    async def async_stop(self) -> None:
        """Stop following the entity."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    @callback
    def _state_changed(self, event: Event[EventStateChangedData]) -> None:
        self._report(_level_of(event.data["new_state"]))
