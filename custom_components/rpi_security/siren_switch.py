"""A siren on GPIO as a switch: it shows the output, and switches it by hand.

Switching by hand (to test a relay or a buzzer) lasts until the alarm says
otherwise: the next alarm switches it on, the end of the trigger time or a
disarming switches it off.
"""

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.helpers.device_registry import DeviceInfo

from .const import DOMAIN
from .entity import MANUFACTURER, RpiSecurityEntity
from .siren_config import OutputConfig
from .sirens import Sirens
from .system import SecuritySystem


def siren_device_info(system: SecuritySystem, output: OutputConfig) -> DeviceInfo:
    """A device for a siren wired to the Pi, shown under the system's device."""
    level = "" if output.active_high else ", active low"
    return DeviceInfo(
        identifiers={(DOMAIN, output.id)},
        name=output.name,
        manufacturer=MANUFACTURER,
        model=f"Siren on GPIO{output.pin}{level}",
        via_device_id=system.device_id,
    )


class SirenSwitch(RpiSecurityEntity, SwitchEntity):
    """On while the siren's pin is switched on."""

    _attr_name = None
    _attr_translation_key = "siren"

    def __init__(self, system: SecuritySystem, output: OutputConfig) -> None:
        """The siren's device's own entity."""
        super().__init__(system, output.id, owner=output.id)
        self._output = output
        self._attr_unique_id = f"{system.entry.entry_id}_{output.id}_siren"
        self._attr_device_info = siren_device_info(system, output)

    @property
    def _sirens(self) -> Sirens | None:
        outputs = self._system.outputs
        return outputs.sirens if outputs is not None else None

    @property
    def available(self) -> bool:
        """While its pin is held."""
        sirens = self._sirens
        return sirens is not None and sirens.available(self._output.id)

    @property
    def is_on(self) -> bool:
        """Whether the siren sounds."""
        sirens = self._sirens
        return sirens is not None and sirens.is_on(self._output.id)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Sound it (until the alarm says otherwise)."""
        self._switch(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Silence it (until the alarm says otherwise)."""
        self._switch(False)

    def _switch(self, on: bool) -> None:
        if (sirens := self._sirens) is not None:
            sirens.switch_by_hand(self._output.id, on)
        self.async_write_ha_state()
