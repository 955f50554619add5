"""Options for what the alarm drives: sirens' chirps, the wall panel over MQTT."""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlow
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    TextSelector,
)
import probatio

from .const import CONF_CODE_HASH, SUBENTRY_USER
from .flow_fields import NumberField, present
from .mqtt_config import (
    CONF_MQTT_COMMAND_TOPIC,
    CONF_MQTT_ENABLED,
    CONF_MQTT_EVENT_TOPIC,
    CONF_MQTT_REQUIRE_CODE,
    CONF_MQTT_STATE_TOPIC,
    MQTT_DEFAULT_OPTIONS,
    MQTT_TOPICS,
    topic_is_valid,
    topics_clash,
)
from .siren_config import (
    CONF_ARM_CHIRP,
    CONF_DISARM_CHIRP,
    MAX_CHIRP,
    SIREN_DEFAULT_OPTIONS,
)

MQTT_DOMAIN = "mqtt"


def _chirp_field() -> NumberField:
    return NumberField(
        NumberSelectorConfig(
            min=0,
            max=MAX_CHIRP,
            step=0.1,
            mode=NumberSelectorMode.BOX,
            unit_of_measurement="s",
        )
    )


class OutputOptionsSteps(OptionsFlow):
    """The options flow's steps for sirens and the wall panel."""

    def _current(self, defaults: Mapping[str, Any]) -> dict[str, Any]:
        return {**defaults, **self.config_entry.options}

    def _save_changes(self, changes: Mapping[str, Any]) -> ConfigFlowResult:
        return self.async_create_entry(data={**self.config_entry.options, **changes})

    async def async_step_sirens(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """How long the sirens that chirp sound on arming and on disarming."""
        errors: dict[str, str] = {}
        if user_input is not None:
            for key in (CONF_ARM_CHIRP, CONF_DISARM_CHIRP):
                value = user_input.get(key)
                if not isinstance(value, (int, float)) or not 0 <= value <= MAX_CHIRP:
                    errors[key] = "chirp_out_of_range"
            if not errors:
                return self._save_changes(
                    {
                        CONF_ARM_CHIRP: round(float(user_input[CONF_ARM_CHIRP]), 1),
                        CONF_DISARM_CHIRP: round(
                            float(user_input[CONF_DISARM_CHIRP]), 1
                        ),
                    }
                )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_ARM_CHIRP): _chirp_field(),
                probatio.Required(CONF_DISARM_CHIRP): _chirp_field(),
            }
        )
        return self.async_show_form(
            step_id="sirens",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or present(self._current(SIREN_DEFAULT_OPTIONS))
            ),
            errors=errors,
        )

    async def async_step_wall_panel(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """On or off, the topics, and whether arming over MQTT needs a code."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._check_wall_panel(user_input)
            if not errors:
                changes: dict[str, Any] = {
                    key: str(user_input[key]).strip() for key in MQTT_TOPICS
                }
                changes[CONF_MQTT_ENABLED] = bool(user_input[CONF_MQTT_ENABLED])
                changes[CONF_MQTT_REQUIRE_CODE] = bool(
                    user_input[CONF_MQTT_REQUIRE_CODE]
                )
                return self._save_changes(changes)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_MQTT_ENABLED): BooleanSelector(),
                **{probatio.Required(key): TextSelector() for key in MQTT_TOPICS},
                probatio.Required(CONF_MQTT_REQUIRE_CODE): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="wall_panel",
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or present(self._current(MQTT_DEFAULT_OPTIONS))
            ),
            errors=errors,
        )

    def _check_wall_panel(self, values: Mapping[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        topics = {key: str(values.get(key) or "").strip() for key in MQTT_TOPICS}
        for key, topic in topics.items():
            if not topic_is_valid(topic):
                errors[key] = "invalid_topic"
        if not errors and topics_clash(
            topics[CONF_MQTT_STATE_TOPIC],
            topics[CONF_MQTT_EVENT_TOPIC],
            topics[CONF_MQTT_COMMAND_TOPIC],
        ):
            errors[CONF_MQTT_COMMAND_TOPIC] = "topics_clash"
        if values.get(CONF_MQTT_ENABLED):
            if not self.hass.config_entries.async_loaded_entries(MQTT_DOMAIN):
                errors["base"] = "mqtt_not_set_up"
            if values.get(CONF_MQTT_REQUIRE_CODE) and not any(
                subentry.data.get(CONF_CODE_HASH)
                for subentry in self.config_entry.subentries.values()
                if subentry.subentry_type == SUBENTRY_USER
            ):
                errors[CONF_MQTT_REQUIRE_CODE] = "mqtt_code_without_users"
        return errors
