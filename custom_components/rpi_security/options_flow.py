"""Options flow: the whole house, presence, camera, captures, alerts.

The alarm's own rules (delays, modes, codes to arm) are each area's: see
:mod:`.area_flow`.
"""

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

from .area_config import area_subentries, read_area
from .config import (
    CAMERA_SOURCES,
    DEFAULT_OPTIONS,
    CameraSource,
    camera_source_in_mode,
)
from .const import (
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
    CONF_CONFIRM_ROUNDS,
    CONF_DEPARTURE_MODE,
    CONF_DISARM_POLICY,
    CONF_FRAME_RATE,
    CONF_GIF_SECONDS,
    CONF_HEARTBEAT_MINUTES,
    CONF_HEARTBEAT_URL,
    CONF_HFLIP,
    CONF_HOUSE_PANEL,
    CONF_LAN_INTERFACE,
    CONF_MIN_FREE_MB,
    CONF_MONITOR_INTERFACE,
    CONF_RATE_LIMIT,
    CONF_RECORD_CLIP,
    CONF_RESOLUTION,
    CONF_RETENTION_DAYS,
    CONF_RETENTION_GB,
    CONF_ROTATION,
    CONF_ROUND_SPACING,
    CONF_SIMULATION,
    CONF_VFLIP,
    RESOLUTIONS,
    ROTATIONS,
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

    # The camera source chosen in the first camera step, for the second.
    _camera_source: CameraSource = CameraSource.NONE

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose what to change."""
        return self.async_show_menu(
            step_id="init",
            menu_options=[
                "house",
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

    async def async_step_house(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The whole-house panel (shown when there are two areas or more)."""
        if user_input is not None:
            return self._save({CONF_HOUSE_PANEL: bool(user_input[CONF_HOUSE_PANEL])})
        schema = probatio.Schema(
            {probatio.Required(CONF_HOUSE_PANEL): BooleanSelector()}
        )
        return self._show("house", schema, user_input, {})

    async def async_step_presence(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Interfaces, the away timeout, and what presence does to the alarm."""
        errors: dict[str, str] = {}
        interfaces = await self.hass.async_add_executor_job(list_interfaces)
        if user_input is not None:
            controlled = [
                read_area(subentry, ())
                for subentry in area_subentries(self.config_entry)
            ]
            modes = [
                mode.value
                for mode in ArmMode
                if all(
                    mode in area.settings.arm_modes
                    for area in controlled
                    if area.presence_controls
                )
            ]
            errors = _validate_presence_options(user_input, interfaces, modes)
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
                        options=[mode.value for mode in ArmMode],
                        translation_key="arm_modes",
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
        """Where pictures come from; the next step asks for that source's settings.

        Simulation mode offers the simulated camera and camera entities (it
        has no Pi camera or webcam to use); real hardware the real ones.
        """
        simulation = bool(self.config_entry.data.get(CONF_SIMULATION))
        if user_input is not None:
            source = CameraSource(user_input[CONF_CAMERA_SOURCE])
            if source is CameraSource.NONE:
                return self._save({CONF_CAMERA_SOURCE: source.value})
            self._camera_source = source
            if source is CameraSource.ENTITY:
                return await self.async_step_camera_entity()
            return await self.async_step_camera_picture()
        current = camera_source_in_mode(self._options[CONF_CAMERA_SOURCE], simulation)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_CAMERA_SOURCE): SelectSelector(
                    SelectSelectorConfig(
                        options=[source.value for source in CAMERA_SOURCES[simulation]],
                        mode=SelectSelectorMode.LIST,
                        translation_key=CONF_CAMERA_SOURCE,
                    )
                )
            }
        )
        return self._show("camera", schema, {CONF_CAMERA_SOURCE: current.value}, {})

    async def async_step_camera_picture(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """The Pi camera, a webcam or the simulated camera: size, turn, motion."""
        source = self._camera_source
        errors: dict[str, str] = {}
        if user_input is not None:
            check_whole_numbers(user_input, (CONF_FRAME_RATE,), errors)
            if not errors:
                changes = {
                    CONF_CAMERA_SOURCE: source.value,
                    CONF_RESOLUTION: user_input[CONF_RESOLUTION],
                    CONF_ROTATION: user_input[CONF_ROTATION],
                    CONF_HFLIP: user_input[CONF_HFLIP],
                    CONF_VFLIP: user_input[CONF_VFLIP],
                    **_frame_rate_and_motion(user_input),
                }
                if source is CameraSource.USB:
                    changes[CONF_CAMERA_DEVICE] = (
                        str(user_input.get(CONF_CAMERA_DEVICE) or "").strip()
                        or DEFAULT_OPTIONS[CONF_CAMERA_DEVICE]
                    )
                return self._save(changes)
        fields: dict[probatio.Marker, Any] = {}
        if source is CameraSource.USB:
            fields[probatio.Required(CONF_CAMERA_DEVICE)] = TextSelector()
        fields |= {
            probatio.Required(CONF_RESOLUTION): dropdown(list(RESOLUTIONS)),
            probatio.Required(CONF_ROTATION): dropdown(list(ROTATIONS), CONF_ROTATION),
            probatio.Required(CONF_HFLIP): BooleanSelector(),
            probatio.Required(CONF_VFLIP): BooleanSelector(),
            **_FRAME_RATE_AND_MOTION,
        }
        return self._show("camera_picture", probatio.Schema(fields), user_input, errors)

    async def async_step_camera_entity(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """A camera Home Assistant already has: which one, how often, motion."""
        errors: dict[str, str] = {}
        if user_input is not None:  # the entity is required by the form itself
            check_whole_numbers(user_input, (CONF_FRAME_RATE,), errors)
            if not errors:
                return self._save(
                    {
                        CONF_CAMERA_SOURCE: CameraSource.ENTITY.value,
                        CONF_CAMERA_ENTITY: user_input[CONF_CAMERA_ENTITY],
                        **_frame_rate_and_motion(user_input),
                    }
                )
        schema = probatio.Schema(
            {
                probatio.Required(CONF_CAMERA_ENTITY): EntitySelector(
                    EntitySelectorConfig(domain="camera")
                ),
                **_FRAME_RATE_AND_MOTION,
            }
        )
        return self._show("camera_entity", schema, user_input, errors)

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


# The settings every camera source has.
_FRAME_RATE_AND_MOTION: dict[probatio.Marker, Any] = {
    probatio.Required(CONF_FRAME_RATE): number_field(CONF_FRAME_RATE),
    probatio.Required(CONF_CAMERA_MOTION): BooleanSelector(),
    probatio.Required(CONF_CAMERA_MOTION_ALARM): BooleanSelector(),
}


def _frame_rate_and_motion(values: Mapping[str, Any]) -> dict[str, Any]:
    return {
        CONF_FRAME_RATE: int(values[CONF_FRAME_RATE]),
        CONF_CAMERA_MOTION: values[CONF_CAMERA_MOTION],
        CONF_CAMERA_MOTION_ALARM: values[CONF_CAMERA_MOTION_ALARM],
    }


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
