"""The "Automatic arming" switch: presence arms and disarms the alarm."""

from typing import Any

from homeassistant.components.switch import SwitchEntity
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .auto_arming import AUTO_ARM_KEY
from .entity import RpiSecurityEntity
from .system import RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the switch when there is presence to act on."""
    system = entry.runtime_data
    if system.presence is not None:
        async_add_entities([AutomaticArmingSwitch(system)])


class AutomaticArmingSwitch(RpiSecurityEntity, SwitchEntity):
    """On: the alarm arms when everyone has left and disarms when someone returns."""

    _attr_translation_key = "automatic_arming"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the switch."""
        super().__init__(system, AUTO_ARM_KEY, "automatic_arming")

    @property
    def is_on(self) -> bool:
        """Whether presence arms and disarms the alarm."""
        return self._system.auto_arm.enabled

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let presence arm and disarm (arming at once if everyone is away)."""
        await self._system.async_set_auto_arm(True)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Leave arming and disarming to people."""
        await self._system.async_set_auto_arm(False)
