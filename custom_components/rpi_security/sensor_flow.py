"""Subentry flows of sensors: how each is wired, then what it does for the alarm.

One kind of subentry per sensor type (door, window, motion, tamper,
environmental), wired to a GPIO pin or an entity Home Assistant already has,
and one for any existing ``binary_sensor`` whose type comes from its device
class. The second step, *behaviour*, places the sensor in its areas and sets
its options, starting from its type's defaults (:mod:`.engine.sensors`).
"""

from typing import Any, ClassVar

from homeassistant.config_entries import SubentryFlowResult
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

from .area_config import (
    SENSOR_OPTION_KEYS,
    area_subentries,
    option_values,
    sensor_options,
)
from .config import SENSOR_SUBENTRY_TYPES
from .const import (
    CONF_ALLOW_OPEN_AT_ARMING,
    CONF_AREAS,
    CONF_ARM_AFTER_CLOSING,
    CONF_AUTO_BYPASS_MODES,
    CONF_CONTACT_TYPE,
    CONF_DEBOUNCE_MS,
    CONF_PIN,
    CONF_PULL_UP,
    CONF_SENSOR_TYPE,
    CONF_SOURCE,
    CONF_TRIGGER_WHEN_UNAVAILABLE,
    CONF_USE_ENTRY_DELAY,
    CONF_USE_EXIT_DELAY,
    CONTACT_NC,
    CONTACT_NO,
    DEFAULT_DEBOUNCE_MS,
    SOURCE_ENTITY,
    SOURCE_GPIO,
)
from .engine.alarm import ArmMode
from .engine.sensors import SensorType, type_for_device_class
from .flow_fields import (
    check_whole_numbers,
    number_field,
)
from .subentry_flows import (
    GpioOrEntityFlow,
    SubentryFlowBase,
    validate_name,
)

SENSOR_SUBENTRIES = SENSOR_SUBENTRY_TYPES


def option_fields(sensor_type: SensorType) -> tuple[str, ...]:
    """The options that mean something for a type (24-hour ones ignore delays)."""
    if sensor_type.always_armed:
        return (CONF_TRIGGER_WHEN_UNAVAILABLE,)
    return SENSOR_OPTION_KEYS


class SensorFlowBase(SubentryFlowBase):
    """The behaviour step every sensor flow ends with."""

    def __init__(self) -> None:
        """Nothing entered yet."""
        super().__init__()
        self._wiring: dict[str, Any] = {}
        self._title = ""
        self._unique_id: str | None = None

    def _sensor_type(self) -> SensorType:
        raise NotImplementedError

    def _behaviour_schema(
        self, sensor_type: SensorType, defaults: dict[str, Any]
    ) -> probatio.Schema:
        """The behaviour form; what is left out keeps ``defaults`` (API clients)."""
        areas = [
            SelectOptionDict(value=subentry.subentry_id, label=subentry.title)
            for subentry in area_subentries(self._get_entry())
        ]
        fields: dict[probatio.Marker, Any] = {}
        if areas:
            fields[probatio.Required(CONF_AREAS, default=defaults[CONF_AREAS])] = (
                SelectSelector(
                    SelectSelectorConfig(
                        options=areas, multiple=True, mode=SelectSelectorMode.LIST
                    )
                )
            )
        booleans = (
            CONF_USE_ENTRY_DELAY,
            CONF_USE_EXIT_DELAY,
            CONF_ALLOW_OPEN_AT_ARMING,
            CONF_TRIGGER_WHEN_UNAVAILABLE,
        )
        for key in option_fields(sensor_type):
            marker = probatio.Required(key, default=defaults[key])
            if key in booleans:
                fields[marker] = BooleanSelector()
            elif key == CONF_ARM_AFTER_CLOSING:
                fields[marker] = number_field(key)
            elif key == CONF_AUTO_BYPASS_MODES:
                fields[marker] = SelectSelector(
                    SelectSelectorConfig(
                        options=[mode.value for mode in ArmMode],
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                        translation_key="arm_modes",
                    )
                )
        return probatio.Schema(fields)

    def _behaviour_shown(self, sensor_type: SensorType) -> dict[str, Any]:
        """The sensor's options now (its type's defaults, for a new one)."""
        editing = self._editing()
        data = dict(editing.data) if editing is not None else {}
        shown = option_values(sensor_options(sensor_type, data))
        areas = [s.subentry_id for s in area_subentries(self._get_entry())]
        chosen = [a for a in data.get(CONF_AREAS) or () if a in areas]
        shown[CONF_AREAS] = chosen or areas[:1]
        return shown

    async def async_step_behaviour(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The areas it guards and its options."""
        sensor_type = self._sensor_type()
        shown = self._behaviour_shown(sensor_type)
        errors: dict[str, str] = {}
        if user_input is not None:
            if CONF_ARM_AFTER_CLOSING in user_input:
                check_whole_numbers(user_input, (CONF_ARM_AFTER_CLOSING,), errors)
            has_areas = bool(area_subentries(self._get_entry()))
            if has_areas and not user_input.get(CONF_AREAS):
                errors[CONF_AREAS] = "no_area"
            if not errors:
                behaviour: dict[str, Any] = {
                    CONF_AREAS: list(user_input.get(CONF_AREAS) or [])
                }
                for key in option_fields(sensor_type):
                    value = user_input.get(key)
                    if key == CONF_ARM_AFTER_CLOSING:
                        value = int(value or 0)
                    elif key == CONF_AUTO_BYPASS_MODES:
                        value = list(value or [])
                    behaviour[key] = value
                return self._finish(
                    self._get_entry(),
                    self._editing(),
                    self._title,
                    {**self._wiring, **behaviour},
                    self._unique_id,
                )
        return self.async_show_form(
            step_id="behaviour",
            data_schema=self.add_suggested_values_to_schema(
                self._behaviour_schema(sensor_type, shown), user_input or shown
            ),
            errors=errors,
            description_placeholders={"name": self._title},
        )


class SensorSubentryFlow(SensorFlowBase, GpioOrEntityFlow):
    """Add or change a sensor of one type, on GPIO or from Home Assistant."""

    kind: ClassVar[SensorType]

    def _sensor_type(self) -> SensorType:
        return self.kind

    def _gpio_schema(self) -> probatio.Schema:
        contact = self.kind is not SensorType.MOTION
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_NAME): TextSelector(),
            # Optional, or the frontend would fill in 0: the user must choose.
            probatio.Optional(CONF_PIN): number_field(CONF_PIN),
        }
        if contact:
            fields[probatio.Required(CONF_CONTACT_TYPE, default=CONTACT_NC)] = (
                SelectSelector(
                    SelectSelectorConfig(
                        options=[CONTACT_NC, CONTACT_NO],
                        mode=SelectSelectorMode.LIST,
                        translation_key=CONF_CONTACT_TYPE,
                    )
                )
            )
        fields[probatio.Required(CONF_PULL_UP, default=contact)] = BooleanSelector()
        fields[probatio.Required(CONF_DEBOUNCE_MS, default=DEFAULT_DEBOUNCE_MS)] = (
            number_field(CONF_DEBOUNCE_MS)
        )
        return probatio.Schema(fields)

    async def async_step_gpio(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A sensor wired to a GPIO pin."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = validate_name(entry, name, editing, SENSOR_SUBENTRIES)
            check_whole_numbers(user_input, (CONF_DEBOUNCE_MS,), errors)
            self._check_gpio_pin(entry, user_input, editing, errors)
            if not errors:
                pin = int(user_input[CONF_PIN])
                self._wiring = {
                    CONF_SOURCE: SOURCE_GPIO,
                    CONF_PIN: pin,
                    CONF_PULL_UP: user_input[CONF_PULL_UP],
                    CONF_DEBOUNCE_MS: int(user_input[CONF_DEBOUNCE_MS]),
                }
                if self.kind is not SensorType.MOTION:
                    self._wiring[CONF_CONTACT_TYPE] = user_input[CONF_CONTACT_TYPE]
                self._title, self._unique_id = name, f"gpio_{pin}"
                return await self.async_step_behaviour()
        return self.async_show_form(
            step_id=SOURCE_GPIO,
            data_schema=self.add_suggested_values_to_schema(
                self._gpio_schema(), self._suggested(user_input, editing)
            ),
            errors=errors,
        )

    async def async_step_entity(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A sensor of this type that Home Assistant already has."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            entity_id, name, _state, errors = self._check_entity(
                entry, user_input, editing, SENSOR_SUBENTRIES
            )
            if not errors:
                self._wiring = {CONF_SOURCE: SOURCE_ENTITY, CONF_ENTITY_ID: entity_id}
                self._title, self._unique_id = name, f"entity_{entity_id}"
                return await self.async_step_behaviour()
        schema = probatio.Schema(
            {
                probatio.Required(CONF_ENTITY_ID): EntitySelector(
                    EntitySelectorConfig(domain="binary_sensor")
                ),
                probatio.Optional(CONF_NAME): TextSelector(),
            }
        )
        return self.async_show_form(
            step_id=SOURCE_ENTITY,
            data_schema=self.add_suggested_values_to_schema(
                schema, self._suggested(user_input, editing)
            ),
            errors=errors,
        )


class DoorSubentryFlow(SensorSubentryFlow):
    """A door contact (the way in: the entry delay)."""

    kind = SensorType.DOOR


class WindowSubentryFlow(SensorSubentryFlow):
    """A window contact (the perimeter: at once)."""

    kind = SensorType.WINDOW


class MotionSubentryFlow(SensorSubentryFlow):
    """A motion sensor (the interior)."""

    kind = SensorType.MOTION


class TamperSubentryFlow(SensorSubentryFlow):
    """A tamper loop or box switch (every state, at once)."""

    kind = SensorType.TAMPER


class EnvironmentalSubentryFlow(SensorSubentryFlow):
    """Smoke, water or gas (every state, at once, its own alert)."""

    kind = SensorType.ENVIRONMENTAL


class ExistingSensorSubentryFlow(SensorFlowBase):
    """Any binary_sensor Home Assistant has: its device class gives its type."""

    _type: SensorType | None = None

    def _sensor_type(self) -> SensorType:
        return self._type or SensorType.DOOR

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The entity, a name, and its type when the device class cannot tell."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            entity_id, name, state, errors = self._check_entity(
                entry, user_input, editing, SENSOR_SUBENTRIES
            )
            chosen = user_input.get(CONF_SENSOR_TYPE)
            found = (
                type_for_device_class(state.attributes.get("device_class"))
                if state is not None
                else None
            )
            sensor_type = SensorType(chosen) if chosen else found
            if CONF_ENTITY_ID not in errors and sensor_type is None:
                errors[CONF_SENSOR_TYPE] = "choose_sensor_type"
            if not errors and sensor_type is not None:
                self._type = sensor_type
                self._wiring = {
                    CONF_SOURCE: SOURCE_ENTITY,
                    CONF_ENTITY_ID: entity_id,
                    CONF_SENSOR_TYPE: sensor_type.value,
                }
                self._title, self._unique_id = name, f"entity_{entity_id}"
                return await self.async_step_behaviour()
        schema = probatio.Schema(
            {
                probatio.Required(CONF_ENTITY_ID): EntitySelector(
                    EntitySelectorConfig(domain="binary_sensor")
                ),
                probatio.Optional(CONF_NAME): TextSelector(),
                probatio.Optional(CONF_SENSOR_TYPE): SelectSelector(
                    SelectSelectorConfig(
                        options=[kind.value for kind in SensorType],
                        mode=SelectSelectorMode.DROPDOWN,
                        translation_key=CONF_SENSOR_TYPE,
                    )
                ),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                schema, self._suggested(user_input, editing)
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change the entity, its name, its type or its behaviour."""
        return await self.async_step_user(user_input)
