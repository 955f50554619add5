"""Options flow: the alarm's rules, its code, presence, camera, captures, alerts."""

from collections.abc import Mapping
from typing import Any

from homeassistant.config_entries import (
    ConfigFlowResult,
    OptionsFlow,
)
from homeassistant.helpers.selector import (
    BooleanSelector,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
import probatio

from .config import (
    DEFAULT_OPTIONS,
    CameraSource,
)
from .const import (
    CONF_ARM_MODES,
    CONF_ARP_TRIES,
    CONF_AWAY_TIMEOUT,
    CONF_BURST_PHOTOS,
    CONF_CAMERA_DEVICE,
    CONF_CAMERA_ENTITY,
    CONF_CAMERA_MOTION,
    CONF_CAMERA_MOTION_ALARM,
    CONF_CAMERA_SOURCE,
    CONF_CAPTURE_INTERVAL,
    CONF_CLIP_SECONDS,
    CONF_CODE_ARM_REQUIRED,
    CONF_CODE_HASH,
    CONF_CONFIRM_ROUNDS,
    CONF_DEPARTURE_MODE,
    CONF_DISARM_AFTER_TRIGGER,
    CONF_DISARM_POLICY,
    CONF_ENTRY_DELAY,
    CONF_EXIT_DELAY,
    CONF_FRAME_RATE,
    CONF_GIF_SECONDS,
    CONF_HEARTBEAT_MINUTES,
    CONF_HEARTBEAT_URL,
    CONF_HFLIP,
    CONF_LAN_INTERFACE,
    CONF_MIN_FREE_MB,
    CONF_MONITOR_INTERFACE,
    CONF_MOTION_USES_ENTRY_DELAY,
    CONF_PET_IMMUNE_MINUTES,
    CONF_RATE_LIMIT,
    CONF_RECORD_CLIP,
    CONF_RESOLUTION,
    CONF_RETENTION_DAYS,
    CONF_RETENTION_GB,
    CONF_ROTATION,
    CONF_ROUND_SPACING,
    CONF_TRIGGER_TIME,
    CONF_VFLIP,
    RESOLUTIONS,
    ROTATIONS,
    SUBENTRY_USER,
)
from .engine.alarm import ArmMode
from .engine.auto_arm import DisarmPolicy
from .flow_fields import (
    MAX_RETENTION_GB,
    MIN_RETENTION_GB,
    NumberField,
    check_whole_numbers,
    dropdown,
    is_http_url,
    number_field,
    present,
)
from .hardware.network import list_interfaces
from .output_options import OutputOptionsSteps


class RpiSecurityOptionsFlow(OutputOptionsSteps, OptionsFlow):
    """The alarm's behaviour (delays, rules) and its code; sirens, wall panel."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose what to change."""
        return self.async_show_menu(
            step_id="init",
            menu_options=[
                "alarm",
                "code",
                "presence",
                "camera",
                "captures",
                "alerts",
                "sirens",
                "wall_panel",
            ],
        )

    @property
    def _options(self) -> dict[str, Any]:
        return {**DEFAULT_OPTIONS, **self.config_entry.options}

    def _save(self, changes: Mapping[str, Any]) -> ConfigFlowResult:
        """Keep every other option as it is and apply ``changes``."""
        return self.async_create_entry(data={**self._options, **changes})

    def _show(
        self,
        step_id: str,
        schema: probatio.Schema,
        user_input: Mapping[str, Any] | None,
        errors: dict[str, str],
    ) -> ConfigFlowResult:
        """The form, filled with what was entered or else the current options."""
        return self.async_show_form(
            step_id=step_id,
            data_schema=self.add_suggested_values_to_schema(
                schema, user_input or present(self._options)
            ),
            errors=errors,
        )

    async def async_step_alarm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Delays, arm modes and the trigger rules."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_alarm_options(user_input)
            if not errors:
                changes = {
                    CONF_EXIT_DELAY: int(user_input[CONF_EXIT_DELAY]),
                    CONF_ENTRY_DELAY: int(user_input[CONF_ENTRY_DELAY]),
                    CONF_TRIGGER_TIME: int(user_input[CONF_TRIGGER_TIME]),
                    CONF_PET_IMMUNE_MINUTES: int(user_input[CONF_PET_IMMUNE_MINUTES]),
                    CONF_ARM_MODES: list(user_input[CONF_ARM_MODES]),
                    CONF_DISARM_AFTER_TRIGGER: user_input[CONF_DISARM_AFTER_TRIGGER],
                    CONF_MOTION_USES_ENTRY_DELAY: user_input[
                        CONF_MOTION_USES_ENTRY_DELAY
                    ],
                }
                return self._save(changes)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_EXIT_DELAY): number_field(CONF_EXIT_DELAY),
                probatio.Required(CONF_ENTRY_DELAY): number_field(CONF_ENTRY_DELAY),
                probatio.Required(CONF_TRIGGER_TIME): number_field(CONF_TRIGGER_TIME),
                probatio.Required(CONF_DISARM_AFTER_TRIGGER): BooleanSelector(),
                probatio.Required(CONF_ARM_MODES): SelectSelector(
                    SelectSelectorConfig(
                        options=[mode.value for mode in ArmMode.standard()],
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                        translation_key=CONF_ARM_MODES,
                    )
                ),
                probatio.Required(CONF_MOTION_USES_ENTRY_DELAY): BooleanSelector(),
                probatio.Required(CONF_PET_IMMUNE_MINUTES): number_field(
                    CONF_PET_IMMUNE_MINUTES
                ),
            }
        )
        return self._show("alarm", schema, user_input, errors)

    async def async_step_code(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Whether arming needs a code (codes belong to users: subentries)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            has_code = any(
                subentry.data.get(CONF_CODE_HASH)
                for subentry in self.config_entry.subentries.values()
                if subentry.subentry_type == SUBENTRY_USER
            )
            if user_input[CONF_CODE_ARM_REQUIRED] and not has_code:
                errors[CONF_CODE_ARM_REQUIRED] = "code_arm_required_without_code"
            else:
                return self._save(
                    {CONF_CODE_ARM_REQUIRED: user_input[CONF_CODE_ARM_REQUIRED]}
                )
        schema = probatio.Schema(
            {probatio.Required(CONF_CODE_ARM_REQUIRED): BooleanSelector()}
        )
        return self._show("code", schema, user_input, errors)

    async def async_step_presence(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Interfaces, the away timeout, and what presence does to the alarm."""
        errors: dict[str, str] = {}
        options = self._options
        interfaces = await self.hass.async_add_executor_job(list_interfaces)
        if user_input is not None:
            errors = _validate_presence_options(
                user_input, interfaces, options[CONF_ARM_MODES]
            )
            if not errors:
                changes = {
                    CONF_LAN_INTERFACE: user_input.get(CONF_LAN_INTERFACE) or None,
                    CONF_MONITOR_INTERFACE: user_input.get(CONF_MONITOR_INTERFACE)
                    or None,
                    CONF_AWAY_TIMEOUT: int(user_input[CONF_AWAY_TIMEOUT]),
                    CONF_CONFIRM_ROUNDS: int(user_input[CONF_CONFIRM_ROUNDS]),
                    CONF_ROUND_SPACING: int(user_input[CONF_ROUND_SPACING]),
                    CONF_ARP_TRIES: int(user_input[CONF_ARP_TRIES]),
                    CONF_DEPARTURE_MODE: user_input[CONF_DEPARTURE_MODE],
                    CONF_DISARM_POLICY: user_input[CONF_DISARM_POLICY],
                }
                return self._save(changes)
        interface_choice = SelectSelector(
            SelectSelectorConfig(
                options=interfaces, custom_value=True, mode=SelectSelectorMode.DROPDOWN
            )
        )
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_LAN_INTERFACE): interface_choice,
                probatio.Optional(CONF_MONITOR_INTERFACE): interface_choice,
                probatio.Required(CONF_AWAY_TIMEOUT): number_field(CONF_AWAY_TIMEOUT),
                probatio.Required(CONF_CONFIRM_ROUNDS): number_field(
                    CONF_CONFIRM_ROUNDS
                ),
                probatio.Required(CONF_ROUND_SPACING): number_field(CONF_ROUND_SPACING),
                probatio.Required(CONF_ARP_TRIES): number_field(CONF_ARP_TRIES),
                probatio.Required(CONF_DEPARTURE_MODE): SelectSelector(
                    SelectSelectorConfig(
                        options=[mode.value for mode in ArmMode.standard()],
                        translation_key=CONF_ARM_MODES,
                    )
                ),
                probatio.Required(CONF_DISARM_POLICY): SelectSelector(
                    SelectSelectorConfig(
                        options=[policy.value for policy in DisarmPolicy],
                        mode=SelectSelectorMode.LIST,
                        translation_key=CONF_DISARM_POLICY,
                    )
                ),
            }
        )
        return self._show("presence", schema, user_input, errors)

    async def async_step_camera(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Where pictures come from, their size and orientation, motion detection."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_camera_options(user_input)
            if not errors:
                changes = {
                    CONF_CAMERA_SOURCE: user_input[CONF_CAMERA_SOURCE],
                    CONF_CAMERA_DEVICE: str(
                        user_input.get(CONF_CAMERA_DEVICE) or ""
                    ).strip()
                    or DEFAULT_OPTIONS[CONF_CAMERA_DEVICE],
                    CONF_CAMERA_ENTITY: user_input.get(CONF_CAMERA_ENTITY) or None,
                    CONF_RESOLUTION: user_input[CONF_RESOLUTION],
                    CONF_ROTATION: user_input[CONF_ROTATION],
                    CONF_HFLIP: user_input[CONF_HFLIP],
                    CONF_VFLIP: user_input[CONF_VFLIP],
                    CONF_FRAME_RATE: int(user_input[CONF_FRAME_RATE]),
                    CONF_CAMERA_MOTION: user_input[CONF_CAMERA_MOTION],
                    CONF_CAMERA_MOTION_ALARM: user_input[CONF_CAMERA_MOTION_ALARM],
                }
                return self._save(changes)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_CAMERA_SOURCE): dropdown(
                    [source.value for source in CameraSource], CONF_CAMERA_SOURCE
                ),
                probatio.Optional(CONF_CAMERA_DEVICE): TextSelector(),
                probatio.Optional(CONF_CAMERA_ENTITY): EntitySelector(
                    EntitySelectorConfig(domain="camera")
                ),
                probatio.Required(CONF_RESOLUTION): dropdown(list(RESOLUTIONS)),
                probatio.Required(CONF_ROTATION): dropdown(
                    list(ROTATIONS), CONF_ROTATION
                ),
                probatio.Required(CONF_HFLIP): BooleanSelector(),
                probatio.Required(CONF_VFLIP): BooleanSelector(),
                probatio.Required(CONF_FRAME_RATE): number_field(CONF_FRAME_RATE),
                probatio.Required(CONF_CAMERA_MOTION): BooleanSelector(),
                probatio.Required(CONF_CAMERA_MOTION_ALARM): BooleanSelector(),
            }
        )
        return self._show("camera", schema, user_input, errors)

    async def async_step_captures(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """What is captured when, and how much of it is kept."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = _validate_capture_options(user_input)
            if not errors:
                changes = {
                    CONF_BURST_PHOTOS: int(user_input[CONF_BURST_PHOTOS]),
                    CONF_GIF_SECONDS: int(user_input[CONF_GIF_SECONDS]),
                    CONF_RECORD_CLIP: user_input[CONF_RECORD_CLIP],
                    CONF_CLIP_SECONDS: int(user_input[CONF_CLIP_SECONDS]),
                    CONF_CAPTURE_INTERVAL: int(user_input[CONF_CAPTURE_INTERVAL]),
                    CONF_RETENTION_GB: user_input[CONF_RETENTION_GB],
                    CONF_RETENTION_DAYS: int(user_input[CONF_RETENTION_DAYS]),
                    CONF_MIN_FREE_MB: int(user_input[CONF_MIN_FREE_MB]),
                }
                return self._save(changes)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_BURST_PHOTOS): number_field(CONF_BURST_PHOTOS),
                probatio.Required(CONF_GIF_SECONDS): number_field(CONF_GIF_SECONDS),
                probatio.Required(CONF_RECORD_CLIP): BooleanSelector(),
                probatio.Required(CONF_CLIP_SECONDS): number_field(CONF_CLIP_SECONDS),
                probatio.Required(CONF_CAPTURE_INTERVAL): number_field(
                    CONF_CAPTURE_INTERVAL
                ),
                probatio.Required(CONF_RETENTION_GB): NumberField(
                    NumberSelectorConfig(
                        min=MIN_RETENTION_GB,
                        max=MAX_RETENTION_GB,
                        step=0.1,
                        mode=NumberSelectorMode.BOX,
                        unit_of_measurement="GB",
                    )
                ),
                probatio.Required(CONF_RETENTION_DAYS): number_field(
                    CONF_RETENTION_DAYS
                ),
                probatio.Required(CONF_MIN_FREE_MB): number_field(CONF_MIN_FREE_MB),
            }
        )
        return self._show("captures", schema, user_input, errors)

    async def async_step_alerts(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rate limit and the heartbeat (who may disarm: users' own settings)."""
        errors: dict[str, str] = {}
        if user_input is not None:
            check_whole_numbers(
                user_input, (CONF_RATE_LIMIT, CONF_HEARTBEAT_MINUTES), errors
            )
            url = str(user_input.get(CONF_HEARTBEAT_URL) or "").strip()
            if url and not is_http_url(url):
                errors[CONF_HEARTBEAT_URL] = "invalid_url"
            if not errors:
                changes = {
                    CONF_RATE_LIMIT: int(user_input[CONF_RATE_LIMIT]),
                    CONF_HEARTBEAT_URL: url or None,
                    CONF_HEARTBEAT_MINUTES: int(user_input[CONF_HEARTBEAT_MINUTES]),
                }
                return self._save(changes)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_RATE_LIMIT): number_field(CONF_RATE_LIMIT),
                probatio.Optional(CONF_HEARTBEAT_URL): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.URL)
                ),
                probatio.Required(CONF_HEARTBEAT_MINUTES): number_field(
                    CONF_HEARTBEAT_MINUTES
                ),
            }
        )
        return self._show("alerts", schema, user_input, errors)


def _validate_camera_options(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.get(CONF_CAMERA_SOURCE) == CameraSource.ENTITY and not values.get(
        CONF_CAMERA_ENTITY
    ):
        errors[CONF_CAMERA_ENTITY] = "camera_entity_required"
    check_whole_numbers(values, (CONF_FRAME_RATE,), errors)
    return errors


def _validate_capture_options(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_whole_numbers(
        values,
        (
            CONF_BURST_PHOTOS,
            CONF_GIF_SECONDS,
            CONF_CLIP_SECONDS,
            CONF_CAPTURE_INTERVAL,
            CONF_RETENTION_DAYS,
            CONF_MIN_FREE_MB,
        ),
        errors,
    )
    size = values.get(CONF_RETENTION_GB)
    if (
        not isinstance(size, (int, float))
        or not MIN_RETENTION_GB <= size <= MAX_RETENTION_GB
    ):
        errors[CONF_RETENTION_GB] = "retention_out_of_range"
    return errors


def _validate_presence_options(
    values: Mapping[str, Any], interfaces: list[str], arm_modes: list[str]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for key in (CONF_LAN_INTERFACE, CONF_MONITOR_INTERFACE):
        if (name := values.get(key)) and name not in interfaces:
            errors[key] = "interface_not_found"
    check_whole_numbers(
        values,
        (CONF_AWAY_TIMEOUT, CONF_CONFIRM_ROUNDS, CONF_ROUND_SPACING, CONF_ARP_TRIES),
        errors,
    )
    if values.get(CONF_DEPARTURE_MODE) not in arm_modes:
        errors[CONF_DEPARTURE_MODE] = "departure_mode_not_enabled"
    return errors


def _validate_alarm_options(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    check_whole_numbers(
        values,
        (CONF_EXIT_DELAY, CONF_ENTRY_DELAY, CONF_TRIGGER_TIME, CONF_PET_IMMUNE_MINUTES),
        errors,
    )
    if not values.get(CONF_ARM_MODES):
        errors[CONF_ARM_MODES] = "no_arm_modes"
    return errors
