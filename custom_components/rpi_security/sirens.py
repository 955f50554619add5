"""Sirens and strobes: the engine's siren policy carried out on real outputs.

The engine's :class:`.engine.sirens.SirenController` decides; this module
switches GPIO pins (a relay or a buzzer, on the pin factory the sensors
share) and Home Assistant ``siren``/``switch``/``light`` entities (by
``turn_on`` / ``turn_off``), and ends chirps on time. It hears the alarm
only through an :class:`.alarm_port.AlarmPort`.

What a household can count on:

* an output sounds while its area is triggered by an alarm it is for, and
  is switched off at the end of the trigger time and on disarming;
* after a start every output is switched explicitly: on only where an area
  is still triggered (never a chirp), so none is left on across a restart;
* when the entry unloads, and when Home Assistant stops, every output is
  switched off (a triggered alarm switches it on again at the next start);
* a pin that cannot be opened is a repair issue; the other outputs work.
"""

import asyncio
from collections.abc import Callable, Iterable
from datetime import datetime
import logging
import time

from homeassistant.const import ATTR_ENTITY_ID, EVENT_HOMEASSISTANT_STOP, STATE_OFF
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event

from .alarm_port import AlarmPort
from .clock import track_at
from .engine.alarm import AlarmEvent
from .engine.sirens import OutputChange, SirenController
from .hardware.gpio import GpioUnavailableError
from .hardware.gpio_outputs import GpioOutput, OutputSpec
from .hardware.shared_pins import SharedPinFactory
from .issues import async_report_siren_problems
from .siren_config import OutputConfig, OutputsConfig

_LOGGER = logging.getLogger(__name__)

# The outputs' hold on the shared pin factory.
_OUTPUTS = "outputs"

# How long stopping waits for the last turn_off of an entity.
_STOP_TIMEOUT = 10.0


class EntityOutput:
    """A Home Assistant entity switched by service calls, one at a time, in order.

    Only the last wish counts: a chirp's "on" and "off" asked while a call
    is under way end with the entity off, never on. An entity that does
    not exist yet (its integration still starting) is switched once it does.
    """

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Nothing asked yet."""
        self._hass = hass
        self.entity_id = entity_id
        self._domain = entity_id.partition(".")[0]
        self._wanted: bool | None = None
        self._sent: bool | None = None
        self._worker: asyncio.Task[None] | None = None
        self._cancel_wait: CALLBACK_TYPE | None = None

    @property
    def is_on(self) -> bool:
        """Whether it was last asked to be on."""
        return bool(self._wanted)

    @callback
    def switch(self, on: bool, *, if_needed: bool = False) -> None:
        """Ask for on or off; ``if_needed``: not when its state already says so."""
        state = self._hass.states.get(self.entity_id)
        self._wanted = on
        if if_needed and state is not None and not on and state.state == STATE_OFF:
            self._sent = on
            return
        if state is None:
            self._wait_for_entity()
            return
        # (A task may finish as it is created: ask whether it is done.)
        if self._worker is None or self._worker.done():
            self._worker = self._hass.async_create_task(
                self._async_send(), f"rpi_security siren {self.entity_id}"
            )

    async def _async_send(self) -> None:
        while self._wanted is not None and self._wanted != self._sent:
            target = self._wanted
            service = "turn_on" if target else "turn_off"
            try:
                await self._hass.services.async_call(
                    self._domain,
                    service,
                    {ATTR_ENTITY_ID: self.entity_id},
                    blocking=True,
                )
            except HomeAssistantError as err:
                _LOGGER.error("Could not %s siren %s: %s", service, self.entity_id, err)
                return  # the next change tries again
            self._sent = target

    @callback
    def _wait_for_entity(self) -> None:
        if self._cancel_wait is not None:
            return

        @callback
        def appeared(event: Event[EventStateChangedData]) -> None:
            if event.data["new_state"] is None or self._wanted is None:
                return
            self.stop_waiting()
            self.switch(self._wanted, if_needed=True)

        self._cancel_wait = async_track_state_change_event(
            self._hass, self.entity_id, appeared
        )

    @callback
    def stop_waiting(self) -> None:
        """Stop waiting for the entity to appear."""
        if self._cancel_wait is not None:
            self._cancel_wait()
            self._cancel_wait = None

    async def async_finish(self) -> None:
        """Wait for the call under way (the last off), at most a while."""
        self.stop_waiting()
        if self._worker is not None and not self._worker.done():
            try:
                async with asyncio.timeout(_STOP_TIMEOUT):
                    await asyncio.shield(self._worker)
            except TimeoutError:
                _LOGGER.error("Siren %s did not answer turn_off", self.entity_id)


class Sirens:
    """Every output of one system, driven by the engine's siren policy."""

    def __init__(
        self,
        hass: HomeAssistant,
        port: AlarmPort,
        pins: SharedPinFactory,
        config: OutputsConfig,
        notify: Callable[[str], None],
    ) -> None:
        """Prepare; :meth:`async_start` opens the outputs."""
        self._hass = hass
        self._port = port
        self._pins = pins
        self._notify = notify
        self.config = config
        self._controller = SirenController(config.siren_settings)
        self._gpio: dict[str, GpioOutput] = {}
        self._entities: dict[str, EntityOutput] = {}
        self.errors: dict[str, GpioUnavailableError] = {}
        self._cancel_deadline: CALLBACK_TYPE | None = None
        self._unlisten: CALLBACK_TYPE | None = None
        self._unlisten_stop: CALLBACK_TYPE | None = None

    # -- life cycle ----------------------------------------------------------

    async def async_start(self) -> None:
        """Open the outputs, switch each as the alarm's state says, follow it."""
        await self._async_open(self.config.outputs)
        self._unlisten = self._port.listen(self._alarm_events)
        self._unlisten_stop = self._hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_home_assistant_stopping
        )
        self._restore()

    async def async_update(self, config: OutputsConfig) -> None:
        """Outputs added, removed or changed, or the chirps' lengths: apply live."""
        old = {output.id: output for output in self.config.outputs}
        new = {output.id: output for output in config.outputs}
        gone = [o for key, o in old.items() if new.get(key) != o]
        come = [o for key, o in new.items() if old.get(key) != o]
        self.config = config
        await self._async_close(gone)
        await self._async_open(come)
        # A new policy, told where the alarm stands (a chirp under way ends).
        self._controller = SirenController(config.siren_settings)
        self._restore()

    async def async_stop(self) -> None:
        """Switch every output off and release the pins."""
        for unlisten in (self._unlisten, self._unlisten_stop):
            if unlisten is not None:
                unlisten()
        self._unlisten = self._unlisten_stop = None
        self._cancel_timer()
        await self._async_close(self.config.outputs)

    async def _async_home_assistant_stopping(self, _event: Event) -> None:
        """Home Assistant stops (entries stay loaded): every output off."""
        self._unlisten_stop = None
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self._cancel_timer()
        for output_id in list(self._gpio) + list(self._entities):
            self._switch(output_id, on=False)
        for entity_output in self._entities.values():
            await entity_output.async_finish()

    # -- what entities show ----------------------------------------------------

    def is_on(self, output_id: str) -> bool:
        """Whether an output is switched on."""
        if (pin := self._gpio.get(output_id)) is not None:
            return pin.is_on
        entity_output = self._entities.get(output_id)
        return entity_output is not None and entity_output.is_on

    def available(self, output_id: str) -> bool:
        """Whether an output's pin is held."""
        pin = self._gpio.get(output_id)
        return pin is not None and pin.is_open

    @callback
    def switch_by_hand(self, output_id: str, on: bool) -> None:
        """Switched from its entity (to test it): until the alarm says otherwise."""
        self._switch(output_id, on=on)

    # -- internals -------------------------------------------------------------

    @callback
    def _alarm_events(self, events: list[AlarmEvent]) -> None:
        self._apply(self._controller.apply(events, time.time()))

    @callback
    def _restore(self) -> None:
        """Switch every output explicitly, as the areas' states say."""
        changes = self._controller.restore(self._port.area_states(), time.time())
        self._apply(changes, if_needed=True)

    @callback
    def _apply(
        self, changes: Iterable[OutputChange], *, if_needed: bool = False
    ) -> None:
        for change in changes:
            self._switch(change.id, on=change.on, if_needed=if_needed)
        self._schedule()

    @callback
    def _switch(self, output_id: str, *, on: bool, if_needed: bool = False) -> None:
        if (pin := self._gpio.get(output_id)) is not None:
            if pin.is_on != on:
                pin.switch(on)
                self._notify(output_id)
        elif (entity_output := self._entities.get(output_id)) is not None:
            entity_output.switch(on, if_needed=if_needed)

    @callback
    def _schedule(self) -> None:
        """Wake up when the next chirp ends."""
        self._cancel_timer()
        if (deadline := self._controller.deadline) is not None:
            self._cancel_deadline = track_at(
                self._hass, self._deadline_reached, deadline
            )

    @callback
    def _deadline_reached(self, now: datetime) -> None:
        self._cancel_deadline = None
        self._apply(self._controller.advance(now.timestamp()))

    @callback
    def _cancel_timer(self) -> None:
        if self._cancel_deadline is not None:
            self._cancel_deadline()
            self._cancel_deadline = None

    async def _async_open(self, outputs: Iterable[OutputConfig]) -> None:
        wired: list[tuple[OutputConfig, GpioOutput]] = []
        for output in outputs:
            if output.pin is not None:
                wired.append(
                    (output, GpioOutput(OutputSpec(output.pin, output.active_high)))
                )
            elif output.entity_id is not None:
                self._entities[output.id] = EntityOutput(self._hass, output.entity_id)
        if wired:
            await self._hass.async_add_executor_job(self._open_pins, wired)
            for output, _pin in wired:
                if (err := self.errors.get(output.id)) is not None:
                    _LOGGER.error(
                        "Siren %s (GPIO%s) is unavailable: %s",
                        output.name,
                        output.pin,
                        err.detail,
                    )
                self._notify(output.id)
        self._report_problems()

    def _open_pins(self, wired: list[tuple[OutputConfig, GpioOutput]]) -> None:
        """Open the pin factory, if not yet, and the pins (blocking)."""
        try:
            factory = self._pins.acquire(_OUTPUTS)
        except GpioUnavailableError as err:
            for output, pin in wired:
                self.errors[output.id] = err
                self._gpio[output.id] = pin
            return
        for output, pin in wired:
            try:
                pin.open(factory)
            except GpioUnavailableError as err:
                self.errors[output.id] = err
            else:
                self.errors.pop(output.id, None)
            self._gpio[output.id] = pin
        if not any(pin.is_open for pin in self._gpio.values()):
            self._pins.release(_OUTPUTS)

    async def _async_close(self, outputs: Iterable[OutputConfig]) -> None:
        pins: list[GpioOutput] = []
        for output in outputs:
            self.errors.pop(output.id, None)
            if (pin := self._gpio.pop(output.id, None)) is not None:
                pins.append(pin)
            elif (entity_output := self._entities.pop(output.id, None)) is not None:
                if entity_output.is_on:
                    entity_output.switch(False)
                await entity_output.async_finish()
        if pins:
            await self._hass.async_add_executor_job(self._close_pins, pins)
        self._report_problems()

    def _close_pins(self, pins: list[GpioOutput]) -> None:
        """Switch off and release ``pins``; the factory with the last (blocking)."""
        for pin in pins:
            if pin.is_open:
                try:
                    pin.close()
                except Exception:
                    _LOGGER.exception("Releasing GPIO%s failed", pin.spec.pin)
        if not any(pin.is_open for pin in self._gpio.values()):
            self._pins.release(_OUTPUTS)

    @callback
    def _report_problems(self) -> None:
        names = {output.id: output for output in self.config.outputs}
        failed = {}
        for output_id, err in self.errors.items():
            if (output := names.get(output_id)) is not None:
                failed[f"{output.name} (GPIO{output.pin})"] = err.detail
        async_report_siren_problems(self._hass, failed)
