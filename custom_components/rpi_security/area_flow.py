"""Subentry flow of an area: its settings, each mode's, its cross-zone groups.

Adding an area asks its settings (name, arm modes, delays, trigger rules,
whether arming needs a code and whether presence arms it). Reconfiguring
offers three pages: the same settings; each arm mode's own delays and the
sensors it watches (custom bypass must name its sensors); and up to
:data:`MAX_GROUPS` cross-zone groups of the area's sensors. Each page saves
what it changed and keeps the rest.
"""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import ConfigSubentry, SubentryFlowResult
from homeassistant.const import CONF_NAME
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    BooleanSelector,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
)
import probatio

from .area_config import AREA_DEFAULTS, MODE_DELAYS, area_subentries, sensor_areas
from .config import SENSOR_SUBENTRY_TYPES, sensor_type_of
from .const import (
    CONF_ARM_MODES,
    CONF_CODE_ARM_REQUIRED,
    CONF_CODE_HASH,
    CONF_CROSS_ZONE_GROUPS,
    CONF_DISARM_AFTER_TRIGGER,
    CONF_ENTRY_DELAY,
    CONF_EXIT_DELAY,
    CONF_MODES,
    CONF_PET_IMMUNE_MINUTES,
    CONF_PRESENCE_CONTROLS,
    CONF_SENSORS,
    CONF_TRIGGER_TIME,
    CONF_WINDOW,
    DEFAULT_CROSS_ZONE_WINDOW,
    SUBENTRY_AREA,
    SUBENTRY_USER,
)
from .engine.alarm import ArmMode
from .flow_fields import WHOLE_NUMBERS, check_whole_numbers, number_field
from .subentry_flows import SubentryFlowBase, validate_name

AREA_SUBENTRIES = (SUBENTRY_AREA,)
# Cross-zone groups offered per area.
MAX_GROUPS = 4
SETTINGS_NUMBERS = (
    CONF_EXIT_DELAY,
    CONF_ENTRY_DELAY,
    CONF_TRIGGER_TIME,
    CONF_PET_IMMUNE_MINUTES,
)


def _settings_schema() -> probatio.Schema:
    return probatio.Schema(
        {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_ARM_MODES): SelectSelector(
                SelectSelectorConfig(
                    options=[mode.value for mode in ArmMode],
                    multiple=True,
                    mode=SelectSelectorMode.LIST,
                    translation_key=CONF_ARM_MODES,
                )
            ),
            probatio.Required(CONF_EXIT_DELAY): number_field(CONF_EXIT_DELAY),
            probatio.Required(CONF_ENTRY_DELAY): number_field(CONF_ENTRY_DELAY),
            probatio.Required(CONF_TRIGGER_TIME): number_field(CONF_TRIGGER_TIME),
            probatio.Required(CONF_DISARM_AFTER_TRIGGER): BooleanSelector(),
            probatio.Required(CONF_PET_IMMUNE_MINUTES): number_field(
                CONF_PET_IMMUNE_MINUTES
            ),
            probatio.Required(CONF_CODE_ARM_REQUIRED): BooleanSelector(),
            probatio.Required(CONF_PRESENCE_CONTROLS): BooleanSelector(),
        }
    )


class AreaSubentryFlow(SubentryFlowBase):
    """Add or change an area."""

    def __init__(self) -> None:
        """Nothing entered yet."""
        super().__init__()
        # Settings waiting for custom bypass's sensors (the modes page).
        self._pending: dict[str, Any] | None = None

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A new area's settings."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name, settings, errors = self._read_settings(user_input, None)
            if ArmMode.CUSTOM_BYPASS.value in settings.get(CONF_ARM_MODES, ()):
                # A new area has no sensor yet that custom bypass could watch.
                errors[CONF_ARM_MODES] = "custom_bypass_needs_sensors"
            if not errors:
                return self.async_create_entry(title=name, data=settings)
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                _settings_schema(), user_input or AREA_DEFAULTS
            ),
            errors=errors,
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """What to change: the settings, each mode's, or the cross-zone groups."""
        return self.async_show_menu(
            step_id="reconfigure", menu_options=["settings", "modes", "cross_zone"]
        )

    def _area(self) -> ConfigSubentry:
        return self._get_reconfigure_subentry()

    def _save(
        self, changes: Mapping[str, Any], title: str | None = None
    ) -> SubentryFlowResult:
        area = self._area()
        return self.async_update_and_abort(
            self._get_entry(),
            area,
            title=title or area.title,
            data={**area.data, **changes},
        )

    def _read_settings(
        self, values: Mapping[str, Any], editing: ConfigSubentry | None
    ) -> tuple[str, dict[str, Any], dict[str, str]]:
        """The name, the settings to store, and the errors of the settings form."""
        entry = self._get_entry()
        name = str(values.get(CONF_NAME, "")).strip()
        errors = validate_name(entry, name, editing, AREA_SUBENTRIES)
        check_whole_numbers(values, SETTINGS_NUMBERS, errors)
        if not values.get(CONF_ARM_MODES):
            errors[CONF_ARM_MODES] = "no_arm_modes"
        has_code = any(
            subentry.data.get(CONF_CODE_HASH)
            for subentry in entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_USER
        )
        if values.get(CONF_CODE_ARM_REQUIRED) and not has_code:
            errors[CONF_CODE_ARM_REQUIRED] = "code_arm_required_without_code"
        if errors:
            return name, {}, errors
        settings: dict[str, Any] = {
            CONF_ARM_MODES: [
                m.value for m in ArmMode if m.value in values[CONF_ARM_MODES]
            ],
            **{key: int(values[key]) for key in SETTINGS_NUMBERS},
            CONF_DISARM_AFTER_TRIGGER: bool(values[CONF_DISARM_AFTER_TRIGGER]),
            CONF_CODE_ARM_REQUIRED: bool(values[CONF_CODE_ARM_REQUIRED]),
            CONF_PRESENCE_CONTROLS: bool(values[CONF_PRESENCE_CONTROLS]),
        }
        return name, settings, errors

    async def async_step_settings(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The area's name, modes, delays and rules."""
        area = self._area()
        errors: dict[str, str] = {}
        if user_input is not None:
            name, settings, errors = self._read_settings(user_input, area)
            if not errors:
                custom = ArmMode.CUSTOM_BYPASS.value
                own = (area.data.get(CONF_MODES) or {}).get(custom) or {}
                if custom in settings[CONF_ARM_MODES] and not own.get(CONF_SENSORS):
                    # Custom bypass watches what is picked for it: pick first.
                    self._pending = {CONF_NAME: name, **settings}
                    return await self.async_step_modes()
                return self._save(settings, name)
        shown = user_input or {CONF_NAME: area.title, **AREA_DEFAULTS, **area.data}
        return self.async_show_form(
            step_id="settings",
            data_schema=self.add_suggested_values_to_schema(_settings_schema(), shown),
            errors=errors,
        )

    # -- each mode ---------------------------------------------------------------

    def _sensors(self) -> list[SelectOptionDict]:
        """The area's doors, windows and motion sensors (24-hour ones always count)."""
        entry = self._get_entry()
        area_ids = [s.subentry_id for s in area_subentries(entry)]
        area_id = self._area().subentry_id
        return [
            SelectOptionDict(value=subentry.subentry_id, label=subentry.title)
            for subentry in entry.subentries.values()
            if subentry.subentry_type in SENSOR_SUBENTRY_TYPES
            and area_id in sensor_areas(subentry.data, area_ids)
            and not sensor_type_of(subentry).always_armed
        ]

    def _modes_schema(self, modes: list[ArmMode]) -> probatio.Schema:
        sensors = SelectSelector(
            SelectSelectorConfig(
                options=self._sensors(), multiple=True, mode=SelectSelectorMode.LIST
            )
        )
        fields: dict[probatio.Marker, Any] = {}
        for mode in modes:
            own: dict[probatio.Marker, Any] = {
                probatio.Optional(key): number_field(key) for key in MODE_DELAYS
            }
            own[probatio.Optional(CONF_SENSORS)] = sensors
            fields[probatio.Required(mode.value)] = section(
                probatio.Schema(own),
                {"collapsed": mode is not ArmMode.CUSTOM_BYPASS},
            )
        return probatio.Schema(fields)

    async def async_step_modes(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Each enabled mode's own delays, and the sensors it watches."""
        area = self._area()
        data = {**AREA_DEFAULTS, **area.data, **(self._pending or {})}
        modes = [m for m in ArmMode if m.value in data[CONF_ARM_MODES]]
        errors: dict[str, str] = {}
        if user_input is not None:
            stored: dict[str, Any] = {}
            for mode in modes:
                own = user_input.get(mode.value) or {}
                for key in MODE_DELAYS:
                    value = own.get(key)
                    field = WHOLE_NUMBERS[key]
                    if value is not None and (
                        not field.low <= value <= field.high or value != int(value)
                    ):
                        errors["base"] = field.error
                values: dict[str, Any] = {
                    key: int(own[key])
                    for key in MODE_DELAYS
                    if own.get(key) is not None
                }
                if own.get(CONF_SENSORS):
                    values[CONF_SENSORS] = list(own[CONF_SENSORS])
                if values:
                    stored[mode.value] = values
            custom = ArmMode.CUSTOM_BYPASS
            if custom in modes and not stored.get(custom.value, {}).get(CONF_SENSORS):
                errors["base"] = "custom_bypass_needs_sensors"
            if not errors:
                pending = self._pending or {}
                title = pending.pop(CONF_NAME, None)
                return self._save({**pending, CONF_MODES: stored}, title)
        shown = user_input or {
            mode.value: (data.get(CONF_MODES) or {}).get(mode.value) or {}
            for mode in modes
        }
        return self.async_show_form(
            step_id="modes",
            data_schema=self.add_suggested_values_to_schema(
                self._modes_schema(modes), shown
            ),
            errors=errors,
        )

    # -- cross-zone groups -------------------------------------------------------

    def _groups_schema(self) -> probatio.Schema:
        sensors = SelectSelector(
            SelectSelectorConfig(
                options=self._sensors(), multiple=True, mode=SelectSelectorMode.LIST
            )
        )
        return probatio.Schema(
            {
                probatio.Required(f"group_{number}"): section(
                    probatio.Schema(
                        {
                            probatio.Optional(CONF_SENSORS): sensors,
                            probatio.Optional(
                                CONF_WINDOW, default=DEFAULT_CROSS_ZONE_WINDOW
                            ): number_field(CONF_WINDOW),
                        }
                    ),
                    {"collapsed": number > 1},
                )
                for number in range(1, MAX_GROUPS + 1)
            }
        )

    async def async_step_cross_zone(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Groups of sensors that must confirm each other within their window."""
        area = self._area()
        errors: dict[str, str] = {}
        if user_input is not None:
            groups: list[dict[str, Any]] = []
            seen: set[str] = set()
            for number in range(1, MAX_GROUPS + 1):
                group = user_input.get(f"group_{number}") or {}
                members = list(group.get(CONF_SENSORS) or [])
                if not members:
                    continue
                window = group.get(CONF_WINDOW, DEFAULT_CROSS_ZONE_WINDOW)
                field = WHOLE_NUMBERS[CONF_WINDOW]
                if len(members) < 2:
                    errors["base"] = "cross_zone_needs_two"
                elif seen & set(members):
                    errors["base"] = "cross_zone_sensor_twice"
                elif not field.low <= window <= field.high or window != int(window):
                    errors["base"] = field.error
                seen |= set(members)
                groups.append(
                    {
                        "name": f"group_{number}",
                        CONF_SENSORS: members,
                        CONF_WINDOW: int(window),
                    }
                )
            if not errors:
                return self._save({CONF_CROSS_ZONE_GROUPS: groups})
        stored = area.data.get(CONF_CROSS_ZONE_GROUPS) or []
        shown = user_input or {
            f"group_{number}": {
                CONF_SENSORS: list(group.get(CONF_SENSORS) or []),
                CONF_WINDOW: group.get(CONF_WINDOW, DEFAULT_CROSS_ZONE_WINDOW),
            }
            for number, group in enumerate(stored[:MAX_GROUPS], start=1)
        }
        return self.async_show_form(
            step_id="cross_zone",
            data_schema=self.add_suggested_values_to_schema(
                self._groups_schema(), shown
            ),
            errors=errors,
        )
