"""Subentry flows: what they share, phones and presence entities.

Sensors have their own module (:mod:`.sensor_flow`), and so do areas, alert
targets, users and sirens (:mod:`.siren_flow`).
"""

import ipaddress
from typing import Any

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigSubentry,
    ConfigSubentryFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_ENTITY_ID, CONF_NAME
from homeassistant.core import State
from homeassistant.helpers.selector import (
    EntitySelector,
    EntitySelectorConfig,
    TextSelector,
)
import probatio

from .config import SENSOR_SUBENTRY_TYPES
from .const import (
    CONF_CORROBORATED_BY,
    CONF_IP,
    CONF_MAC,
    CONF_PIN,
    CONF_SOURCE,
    SOURCE_ENTITY,
    SOURCE_GPIO,
    SUBENTRY_PHONE,
    SUBENTRY_PRESENCE_ENTITY,
    SUBENTRY_TARGET,
)
from .flow_fields import HAT_EEPROM_PINS, check_whole_numbers, present
from .hardware.network import normalize_mac
from .siren_config import SUBENTRY_SIREN

SENSOR_SUBENTRIES = SENSOR_SUBENTRY_TYPES
# Everything wired to a pin: sensors, and sirens (outputs).
GPIO_SUBENTRIES = (*SENSOR_SUBENTRIES, SUBENTRY_SIREN)
TARGET_SUBENTRIES = (SUBENTRY_TARGET,)
PRESENCE_SUBENTRIES = (SUBENTRY_PHONE, SUBENTRY_PRESENCE_ENTITY)


def other_subentries(
    entry: ConfigEntry, kinds: tuple[str, ...], editing: ConfigSubentry | None
) -> list[ConfigSubentry]:
    """The subentries of ``kinds``, except the one being edited."""
    return [
        subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type in kinds
        and (editing is None or subentry.subentry_id != editing.subentry_id)
    ]


def validate_name(
    entry: ConfigEntry,
    name: str,
    editing: ConfigSubentry | None,
    kinds: tuple[str, ...] = SENSOR_SUBENTRIES,
) -> dict[str, str]:
    """A name is needed, and unique among the subentries of ``kinds``."""
    if not name:
        return {CONF_NAME: "name_required"}
    taken = {s.title.casefold() for s in other_subentries(entry, kinds, editing)}
    if name.casefold() in taken:
        return {CONF_NAME: "name_in_use"}
    return {}


def in_use(
    entry: ConfigEntry,
    key: str,
    value: Any,
    editing: ConfigSubentry | None,
    kinds: tuple[str, ...],
) -> bool:
    """Whether another subentry of ``kinds`` already has ``value`` at ``key``."""
    return any(
        s.data.get(key) == value for s in other_subentries(entry, kinds, editing)
    )


class SubentryFlowBase(ConfigSubentryFlow):
    """What adding and changing every kind of subentry has in common."""

    def _editing(self) -> ConfigSubentry | None:
        """The subentry being reconfigured; None while adding one."""
        if self.source == "reconfigure":
            return self._get_reconfigure_subentry()
        return None

    @staticmethod
    def _suggested(
        user_input: dict[str, Any] | None, editing: ConfigSubentry | None
    ) -> dict[str, Any]:
        """What the form shows: the answer given, or the subentry being changed."""
        if user_input:
            return user_input
        return {CONF_NAME: editing.title, **editing.data} if editing else {}

    def _check_entity(
        self,
        entry: ConfigEntry,
        user_input: dict[str, Any],
        editing: ConfigSubentry | None,
        kinds: tuple[str, ...],
    ) -> tuple[str, str, State | None, dict[str, str]]:
        """The entity chosen, its name, its state, and their errors.

        The name is the entity's own if none is given; the errors: a name
        taken, an entity missing or already used among ``kinds``.
        """
        entity_id = str(user_input.get(CONF_ENTITY_ID, ""))
        state = self.hass.states.get(entity_id)
        name = str(user_input.get(CONF_NAME) or "").strip() or (
            state.name if state else entity_id
        )
        errors = validate_name(entry, name, editing, kinds)
        if state is None:
            errors[CONF_ENTITY_ID] = "entity_not_found"
        elif in_use(entry, CONF_ENTITY_ID, entity_id, editing, kinds):
            errors[CONF_ENTITY_ID] = "entity_in_use"
        return entity_id, name, state, errors

    @staticmethod
    def _check_gpio_pin(
        entry: ConfigEntry,
        user_input: dict[str, Any],
        editing: ConfigSubentry | None,
        errors: dict[str, str],
    ) -> None:
        """Add the pin's error, if any.

        None given, out of range, a HAT's, or taken by another sensor or siren.
        """
        check_whole_numbers(user_input, (CONF_PIN,), errors)
        if user_input.get(CONF_PIN) is None:
            errors[CONF_PIN] = "pin_required"
        if CONF_PIN not in errors and int(user_input[CONF_PIN]) in HAT_EEPROM_PINS:
            errors[CONF_PIN] = "pin_reserved"
        if CONF_PIN not in errors and in_use(
            entry, CONF_PIN, int(user_input[CONF_PIN]), editing, GPIO_SUBENTRIES
        ):
            errors[CONF_PIN] = "pin_in_use"

    def _finish(
        self,
        entry: ConfigEntry,
        editing: ConfigSubentry | None,
        title: str,
        data: dict[str, Any],
        unique_id: str | None = None,
    ) -> SubentryFlowResult:
        if editing is None:
            return self.async_create_entry(title=title, data=data, unique_id=unique_id)
        # The entry's update listener reloads it with the new settings.
        return self.async_update_and_abort(
            entry, editing, title=title, data=data, unique_id=unique_id
        )

    async def _async_entity_step(
        self,
        user_input: dict[str, Any] | None,
        *,
        step_id: str,
        domain: str | list[str],
        kinds: tuple[str, ...],
        data: dict[str, Any],
        unique_id_prefix: str = "",
    ) -> SubentryFlowResult:
        """An entity Home Assistant already has, used once among ``kinds``."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            entity_id, name, _state, errors = self._check_entity(
                entry, user_input, editing, kinds
            )
            if not errors:
                return self._finish(
                    entry,
                    editing,
                    name,
                    {**data, CONF_ENTITY_ID: entity_id},
                    f"{unique_id_prefix}{entity_id}",
                )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_ENTITY_ID): EntitySelector(
                    EntitySelectorConfig(domain=domain)
                ),
                probatio.Optional(CONF_NAME): TextSelector(),
            }
        )
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                schema, self._suggested(user_input, editing)
            ),
            errors=errors,
        )


class GpioOrEntityFlow(SubentryFlowBase):
    """A part wired to a GPIO pin, or an entity Home Assistant already has."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Wired to a GPIO pin, or an entity Home Assistant already has."""
        return self.async_show_menu(
            step_id="user", menu_options=[SOURCE_GPIO, SOURCE_ENTITY]
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change it, keeping its kind of source."""
        subentry = self._get_reconfigure_subentry()
        if subentry.data.get(CONF_SOURCE) == SOURCE_ENTITY:
            return await self.async_step_entity()
        return await self.async_step_gpio()

    async def async_step_gpio(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Its pin and wiring (each kind of part has its own)."""
        raise NotImplementedError

    async def async_step_entity(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Its entity (each kind of part has its own)."""
        raise NotImplementedError


class PhoneSubentryFlow(SubentryFlowBase):
    """Add or change a phone recognised on the network by its MAC address."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Name, MAC address, a fixed IP address and a corroborating source."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = validate_name(entry, name, editing, PRESENCE_SUBENTRIES)
            mac = ip = ""
            try:
                mac = normalize_mac(str(user_input.get(CONF_MAC, "")))
            except ValueError:
                errors[CONF_MAC] = "invalid_mac"
            else:
                if in_use(entry, CONF_MAC, mac, editing, PRESENCE_SUBENTRIES):
                    errors[CONF_MAC] = "mac_in_use"
            if raw_ip := str(user_input.get(CONF_IP) or "").strip():
                try:
                    ip = str(ipaddress.IPv4Address(raw_ip))
                except ValueError:
                    errors[CONF_IP] = "invalid_ip"
            source = user_input.get(CONF_CORROBORATED_BY) or None
            if source is not None and self.hass.states.get(source) is None:
                errors[CONF_CORROBORATED_BY] = "entity_not_found"
            if not errors:
                data = {CONF_MAC: mac, CONF_IP: ip or None}
                if source is not None:
                    data[CONF_CORROBORATED_BY] = source
                return self._finish(entry, editing, name, data, mac)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_NAME): TextSelector(),
                probatio.Required(CONF_MAC): TextSelector(),
                probatio.Optional(CONF_IP): TextSelector(),
                probatio.Optional(CONF_CORROBORATED_BY): EntitySelector(
                    EntitySelectorConfig(domain=["person", "device_tracker"])
                ),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                schema, present(self._suggested(user_input, editing))
            ),
            errors=errors,
        )

    async_step_reconfigure = async_step_user


class PresenceEntitySubentryFlow(SubentryFlowBase):
    """Add or change a person or device_tracker used as a presence source."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The entity, and a name."""
        return await self._async_entity_step(
            user_input,
            step_id="user",
            domain=["person", "device_tracker"],
            kinds=PRESENCE_SUBENTRIES,
            data={},
        )

    async_step_reconfigure = async_step_user
