"""The sensors' inputs through their life: opened, watched, replaced, closed.

GPIO pins need the pin factory, opened (in the executor) with the first pin
and closed with the last; a pin that cannot be opened is reported (log,
repair issue, the GPIO health sensor) and the other sensors go on. Sensors
that Home Assistant already has are followed through their entity.
"""

from collections.abc import Callable, Iterable, Iterator, Mapping
import logging
from typing import Any

from homeassistant.core import HomeAssistant

from .config import SensorConfig
from .hardware.gpio import GpioProblem, GpioUnavailableError
from .hardware.shared_pins import SharedPinFactory
from .inputs import ChangeCallback, EntitySensorInput, GpioSensorInput, SensorInput
from .issues import async_report_gpio_problems

_LOGGER = logging.getLogger(__name__)

# The sensors' hold on the shared pin factory.
_SENSORS = "sensors"


class SensorInputs(Mapping[str, SensorInput]):
    """Every sensor's input, by sensor id, and the health of GPIO."""

    def __init__(
        self,
        hass: HomeAssistant,
        *,
        simulation: bool,
        on_change: ChangeCallback,
        on_health: Callable[[], None],
        pins: SharedPinFactory | None = None,
    ) -> None:
        """No input yet; :meth:`async_open` opens the configured ones.

        ``pins`` is the pin factory shared with the outputs (sirens).
        """
        self._hass = hass
        self._simulation = simulation
        self._on_change = on_change
        self._on_health = on_health
        self._inputs: dict[str, SensorInput] = {}
        # The names of sensors removed while running (an alarm they began
        # still names them).
        self.former_names: dict[str, str] = {}
        self.problems: dict[GpioProblem, list[GpioSensorInput]] = {}
        self.pins = pins or SharedPinFactory(simulation, hass.loop)

    @property
    def pin_factory(self) -> Any:
        """The gpiozero pin factory, while any pin is open."""
        return self.pins.factory

    def __getitem__(self, sensor_id: str) -> SensorInput:
        """The input of a sensor."""
        return self._inputs[sensor_id]

    def __iter__(self) -> Iterator[str]:
        """The sensor ids."""
        return iter(self._inputs)

    def __len__(self) -> int:
        """How many sensors there are."""
        return len(self._inputs)

    @property
    def on_gpio(self) -> list[GpioSensorInput]:
        """The inputs wired to GPIO pins."""
        return [i for i in self._inputs.values() if isinstance(i, GpioSensorInput)]

    # -- life cycle ----------------------------------------------------------

    async def async_open(self, sensors: Iterable[SensorConfig]) -> None:
        """Create and open the inputs of ``sensors`` (their levels are read later)."""
        created = [self._create(sensor) for sensor in sensors]
        gpio_inputs = [i for i in created if isinstance(i, GpioSensorInput)]
        if gpio_inputs:
            await self._async_open_pins(gpio_inputs)
        # Also clears the issues of GPIO sensors gone since the last start; the
        # system tells the alerts about its health once all of it has started.
        self._update_problems(announce=False)

    async def async_start(self) -> None:
        """Report every input's first level and follow its changes."""
        for sensor_input in list(self._inputs.values()):
            await sensor_input.async_start()

    async def async_add(self, sensor: SensorConfig) -> None:
        """A sensor added (or changed) while the system runs: open and start it."""
        if sensor.id in self._inputs:
            await self.async_remove(sensor.id)
        sensor_input = self._create(sensor)
        if isinstance(sensor_input, GpioSensorInput):
            await self._async_open_pins([sensor_input])
        self._update_problems()
        await sensor_input.async_start()

    async def async_remove(self, sensor_id: str) -> None:
        """Stop watching a sensor and release its pin (and GPIO with the last)."""
        sensor_input = self._inputs.pop(sensor_id, None)
        if sensor_input is None:
            return
        self.former_names[sensor_id] = sensor_input.config.name
        await sensor_input.async_stop()
        if isinstance(sensor_input, GpioSensorInput):
            last = not self.on_gpio
            await self._hass.async_add_executor_job(self._close_pin, sensor_input, last)
            self._update_problems()

    async def async_close(self) -> None:
        """Stop every input and release GPIO."""
        for sensor_input in self._inputs.values():
            await sensor_input.async_stop()
        await self._hass.async_add_executor_job(self._close_all)

    # -- internals -----------------------------------------------------------

    def _create(self, sensor: SensorConfig) -> SensorInput:
        sensor_input: SensorInput = (
            GpioSensorInput(self._hass, sensor, self._on_change)
            if sensor.on_gpio
            else EntitySensorInput(self._hass, sensor, self._on_change)
        )
        self._inputs[sensor.id] = sensor_input
        return sensor_input

    async def _async_open_pins(self, gpio_inputs: list[GpioSensorInput]) -> None:
        await self._hass.async_add_executor_job(self._open_pins, gpio_inputs)
        for gpio_input in gpio_inputs:
            if gpio_input.error is not None:
                _LOGGER.error(
                    "GPIO input %s (GPIO%s) is unavailable: %s",
                    gpio_input.config.name,
                    gpio_input.config.pin,
                    gpio_input.error.detail,
                )

    def _open_pins(self, gpio_inputs: list[GpioSensorInput]) -> None:
        """Open the pin factory, if not yet, and the pins (blocking)."""
        try:
            factory = self.pins.acquire(_SENSORS)
        except GpioUnavailableError as err:
            for gpio_input in gpio_inputs:
                gpio_input.fail(err)
            return
        for gpio_input in gpio_inputs:
            gpio_input.open(factory, at_rest=self._simulation)

    def _close_pin(self, gpio_input: GpioSensorInput, last: bool) -> None:
        gpio_input.close()
        if last:
            self.pins.release(_SENSORS)

    def _close_all(self) -> None:
        for gpio_input in self.on_gpio:
            gpio_input.close()
        self.pins.release(_SENSORS)

    def _update_problems(self, *, announce: bool = True) -> None:
        problems: dict[GpioProblem, list[GpioSensorInput]] = {}
        for gpio_input in self.on_gpio:
            if gpio_input.error is not None:
                problems.setdefault(gpio_input.error.problem, []).append(gpio_input)
        changed = problems != self.problems
        self.problems = problems
        async_report_gpio_problems(self._hass, problems)
        if changed and announce:
            self._on_health()
