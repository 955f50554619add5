"""Config flow: the system itself; options and subentries have their own modules."""

from pathlib import Path
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentryData,
    ConfigSubentryFlow,
    OptionsFlow,
)
from homeassistant.const import CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    TextSelector,
)
import probatio

from .area_config import AREA_DEFAULTS
from .area_flow import AreaSubentryFlow
from .config import (
    DEFAULT_OPTIONS,
)
from .const import (
    CONF_SIMULATION,
    CONF_SYSTEM_PANEL,
    DEFAULT_NAME,
    DOMAIN,
    SUBENTRY_AREA,
    SUBENTRY_DOOR,
    SUBENTRY_ENVIRONMENTAL,
    SUBENTRY_EXISTING_SENSOR,
    SUBENTRY_MOTION,
    SUBENTRY_PHONE,
    SUBENTRY_PRESENCE_ENTITY,
    SUBENTRY_TAMPER,
    SUBENTRY_TARGET,
    SUBENTRY_USER,
    SUBENTRY_WINDOW,
)
from .migrate import MINOR_VERSION, VERSION
from .options_flow import RpiSecurityOptionsFlow
from .sensor_flow import (
    DoorSubentryFlow,
    EnvironmentalSubentryFlow,
    ExistingSensorSubentryFlow,
    MotionSubentryFlow,
    TamperSubentryFlow,
    WindowSubentryFlow,
)
from .siren_config import SUBENTRY_SIREN
from .siren_flow import SirenSubentryFlow
from .subentry_flows import PhoneSubentryFlow, PresenceEntitySubentryFlow
from .target_flow import AlertTargetSubentryFlow
from .user_flow import UserSubentryFlow

# The Pi's GPIO character device; its absence suggests simulation mode.
GPIO_CHIP = Path("/dev/gpiochip0")


_SYSTEM_SCHEMA = probatio.Schema(
    {
        probatio.Required(CONF_NAME): TextSelector(),
        probatio.Required(CONF_SIMULATION): BooleanSelector(),
    }
)


def _gpio_chip_present() -> bool:
    return GPIO_CHIP.exists()


class RpiSecurityConfigFlow(ConfigFlow, domain=DOMAIN):
    """Create the system (one per Home Assistant instance) and reconfigure it."""

    VERSION = VERSION
    MINOR_VERSION = MINOR_VERSION

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the system and choose real hardware or simulation."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if name:
                # One area to start with, named after the system: its panel
                # is the system's panel.
                area = ConfigSubentryData(
                    data={**AREA_DEFAULTS, CONF_SYSTEM_PANEL: True},
                    subentry_type=SUBENTRY_AREA,
                    title=name,
                    unique_id=None,
                )
                return self.async_create_entry(
                    title=name,
                    data={
                        CONF_NAME: name,
                        CONF_SIMULATION: user_input[CONF_SIMULATION],
                    },
                    options=DEFAULT_OPTIONS,
                    subentries=[area],
                )
            errors[CONF_NAME] = "name_required"
        has_gpio = await self.hass.async_add_executor_job(_gpio_chip_present)
        suggested = user_input or {
            CONF_NAME: DEFAULT_NAME,
            CONF_SIMULATION: not has_gpio,
        }
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(_SYSTEM_SCHEMA, suggested),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rename the system or switch between hardware and simulation."""
        entry = self._get_reconfigure_entry()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if name:
                # The update listener reloads the entry.
                return self.async_update_and_abort(
                    entry,
                    title=name,
                    data={
                        CONF_NAME: name,
                        CONF_SIMULATION: user_input[CONF_SIMULATION],
                    },
                )
            errors[CONF_NAME] = "name_required"
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=self.add_suggested_values_to_schema(
                _SYSTEM_SCHEMA, user_input or dict(entry.data)
            ),
            errors=errors,
        )

    @classmethod
    @callback
    def async_get_supported_subentry_types(
        cls, config_entry: ConfigEntry
    ) -> dict[str, type[ConfigSubentryFlow]]:
        """Areas, sensors of every type, phones, presence, targets, users, sirens."""
        return {
            SUBENTRY_AREA: AreaSubentryFlow,
            SUBENTRY_DOOR: DoorSubentryFlow,
            SUBENTRY_WINDOW: WindowSubentryFlow,
            SUBENTRY_MOTION: MotionSubentryFlow,
            SUBENTRY_TAMPER: TamperSubentryFlow,
            SUBENTRY_ENVIRONMENTAL: EnvironmentalSubentryFlow,
            SUBENTRY_EXISTING_SENSOR: ExistingSensorSubentryFlow,
            SUBENTRY_PHONE: PhoneSubentryFlow,
            SUBENTRY_PRESENCE_ENTITY: PresenceEntitySubentryFlow,
            SUBENTRY_TARGET: AlertTargetSubentryFlow,
            SUBENTRY_USER: UserSubentryFlow,
            SUBENTRY_SIREN: SirenSubentryFlow,
        }

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Delays, rules and the alarm code."""
        return RpiSecurityOptionsFlow()
