"""Add or change a siren or strobe: a GPIO pin, or an entity Home Assistant has."""

from typing import Any

from homeassistant.config_entries import ConfigEntry, SubentryFlowResult
from homeassistant.const import CONF_ENTITY_ID, CONF_NAME
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from .area_config import area_subentries
from .const import CONF_PIN, CONF_SOURCE, SOURCE_ENTITY, SOURCE_GPIO
from .engine.sensors import AlarmKind
from .flow_fields import number_field
from .siren_config import (
    ACTIVE_HIGH,
    ACTIVE_LOW,
    CONF_ACTIVE_LEVEL,
    CONF_ALARMS,
    CONF_AREAS,
    CONF_CHIRPS,
    OUTPUT_DOMAINS,
    SUBENTRY_SIREN,
)
from .subentry_flows import (
    GpioOrEntityFlow,
    validate_name,
)

SIREN_SUBENTRIES = (SUBENTRY_SIREN,)


def _what_it_does(areas: list[SelectOptionDict]) -> dict[probatio.Marker, Any]:
    """The fields every siren has: its areas, the alarms it sounds for, chirps.

    The areas are asked once there are two: none chosen is every area.
    """
    fields: dict[probatio.Marker, Any] = {}
    if len(areas) > 1:
        fields[probatio.Optional(CONF_AREAS, default=[])] = SelectSelector(
            SelectSelectorConfig(
                options=areas, multiple=True, mode=SelectSelectorMode.LIST
            )
        )
    return fields | {
        probatio.Required(CONF_ALARMS, default=[kind.value for kind in AlarmKind]): (
            SelectSelector(
                SelectSelectorConfig(
                    options=[kind.value for kind in AlarmKind],
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                    translation_key=CONF_ALARMS,
                )
            )
        ),
        probatio.Required(CONF_CHIRPS, default=True): BooleanSelector(),
    }


def _chosen_areas(entry: ConfigEntry, user_input: dict[str, Any]) -> list[str]:
    """The areas chosen that exist (none: every area)."""
    known = {s.subentry_id for s in area_subentries(entry)}
    return [a for a in user_input.get(CONF_AREAS) or () if a in known]


def _area_options(entry: ConfigEntry) -> list[SelectOptionDict]:
    return [
        SelectOptionDict(value=s.subentry_id, label=s.title)
        for s in area_subentries(entry)
    ]


class SirenSubentryFlow(GpioOrEntityFlow):
    """A siren, buzzer or strobe the alarm switches on and off."""

    async def async_step_gpio(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A relay or a buzzer on a GPIO pin."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = validate_name(entry, name, editing, SIREN_SUBENTRIES)
            self._check_gpio_pin(entry, user_input, editing, errors)
            if not user_input.get(CONF_ALARMS):
                errors[CONF_ALARMS] = "no_alarms"
            if not errors:
                pin = int(user_input[CONF_PIN])
                data = {
                    CONF_SOURCE: SOURCE_GPIO,
                    CONF_PIN: pin,
                    CONF_ACTIVE_LEVEL: user_input[CONF_ACTIVE_LEVEL],
                    CONF_ALARMS: list(user_input[CONF_ALARMS]),
                    CONF_CHIRPS: bool(user_input[CONF_CHIRPS]),
                    CONF_AREAS: _chosen_areas(entry, user_input),
                }
                return self._finish(entry, editing, name, data, f"gpio_{pin}")
        schema = probatio.Schema(
            {
                probatio.Required(CONF_NAME): TextSelector(),
                # Optional, or the frontend would fill in 0: the user must choose.
                probatio.Optional(CONF_PIN): number_field(CONF_PIN),
                probatio.Required(CONF_ACTIVE_LEVEL, default=ACTIVE_HIGH): (
                    SelectSelector(
                        SelectSelectorConfig(
                            options=[ACTIVE_HIGH, ACTIVE_LOW],
                            mode=SelectSelectorMode.LIST,
                            translation_key=CONF_ACTIVE_LEVEL,
                        )
                    )
                ),
                **_what_it_does(_area_options(entry)),
            }
        )
        return self.async_show_form(
            step_id=SOURCE_GPIO,
            data_schema=self.add_suggested_values_to_schema(
                schema, self._suggested(user_input, editing)
            ),
            errors=errors,
        )

    async def async_step_entity(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A siren, switch or light that Home Assistant already has."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            entity_id, name, _state, errors = self._check_entity(
                entry, user_input, editing, SIREN_SUBENTRIES
            )
            if not user_input.get(CONF_ALARMS):
                errors[CONF_ALARMS] = "no_alarms"
            if not errors:
                data = {
                    CONF_SOURCE: SOURCE_ENTITY,
                    CONF_ENTITY_ID: entity_id,
                    CONF_ALARMS: list(user_input[CONF_ALARMS]),
                    CONF_CHIRPS: bool(user_input[CONF_CHIRPS]),
                    CONF_AREAS: _chosen_areas(entry, user_input),
                }
                return self._finish(entry, editing, name, data, f"entity_{entity_id}")
        schema = probatio.Schema(
            {
                probatio.Required(CONF_ENTITY_ID): EntitySelector(
                    EntitySelectorConfig(domain=list(OUTPUT_DOMAINS))
                ),
                probatio.Optional(CONF_NAME): TextSelector(),
                **_what_it_does(_area_options(entry)),
            }
        )
        return self.async_show_form(
            step_id=SOURCE_ENTITY,
            data_schema=self.add_suggested_values_to_schema(
                schema, self._suggested(user_input, editing)
            ),
            errors=errors,
        )
