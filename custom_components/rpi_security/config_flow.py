"""Config flow: the system, its options, and its sensors as subentries."""

from collections.abc import Mapping
from dataclasses import dataclass
import ipaddress
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

from homeassistant.config_entries import (
    ConfigEntry,
    ConfigFlow,
    ConfigFlowResult,
    ConfigSubentry,
    ConfigSubentryFlow,
    OptionsFlow,
    SubentryFlowResult,
)
from homeassistant.const import CONF_ENTITY_ID, CONF_NAME
from homeassistant.core import callback
from homeassistant.helpers.selector import (
    BooleanSelector,
    ConfigEntrySelector,
    ConfigEntrySelectorConfig,
    EntitySelector,
    EntitySelectorConfig,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
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
    SENSOR_KIND_OF_SUBENTRY,
    AlertCategory,
    CameraSource,
    CodeFormat,
    TargetKind,
)
from .const import (
    CONF_ARM_MODES,
    CONF_ARP_TRIES,
    CONF_AWAY_TIMEOUT,
    CONF_BOT_ENTRY,
    CONF_BURST_PHOTOS,
    CONF_CAMERA_DEVICE,
    CONF_CAMERA_ENTITY,
    CONF_CAMERA_MOTION,
    CONF_CAMERA_MOTION_ALARM,
    CONF_CAMERA_SOURCE,
    CONF_CAPTURE_INTERVAL,
    CONF_CHAT_ID,
    CONF_CLEAR_CODE,
    CONF_CLIP_SECONDS,
    CONF_CODE,
    CONF_CODE_ARM_REQUIRED,
    CONF_CODE_FORMAT,
    CONF_CODE_HASH,
    CONF_COMMANDS,
    CONF_CONTACT_TYPE,
    CONF_DEBOUNCE_MS,
    CONF_DEPARTURE_MODE,
    CONF_DISARM_AFTER_TRIGGER,
    CONF_DISARM_POLICY,
    CONF_DISARM_USERS,
    CONF_ENTRY_DELAY,
    CONF_EXIT_DELAY,
    CONF_FRAME_RATE,
    CONF_GIF_SECONDS,
    CONF_HEARTBEAT_MINUTES,
    CONF_HEARTBEAT_URL,
    CONF_HFLIP,
    CONF_IP,
    CONF_LAN_INTERFACE,
    CONF_MAC,
    CONF_MIN_FREE_MB,
    CONF_MONITOR_INTERFACE,
    CONF_MOTION_USES_ENTRY_DELAY,
    CONF_PET_IMMUNE_MINUTES,
    CONF_PIN,
    CONF_PULL_UP,
    CONF_RATE_LIMIT,
    CONF_RECEIVES,
    CONF_RECORD_CLIP,
    CONF_RESOLUTION,
    CONF_RETENTION_DAYS,
    CONF_RETENTION_GB,
    CONF_ROTATION,
    CONF_SERVICE,
    CONF_SIMULATION,
    CONF_SOURCE,
    CONF_TARGET_KIND,
    CONF_TRIGGER_TIME,
    CONF_VFLIP,
    CONTACT_NC,
    CONTACT_NO,
    DEFAULT_DEBOUNCE_MS,
    DEFAULT_NAME,
    DOMAIN,
    MAX_ARP_TRIES,
    MAX_AWAY_TIMEOUT_MINUTES,
    MAX_DEBOUNCE_MS,
    MAX_DELAY,
    MAX_PET_IMMUNE_MINUTES,
    MAX_TRIGGER_TIME,
    MIN_AWAY_TIMEOUT_MINUTES,
    MIN_TRIGGER_TIME,
    RESOLUTIONS,
    ROTATIONS,
    SOURCE_ENTITY,
    SOURCE_GPIO,
    SUBENTRY_DOOR,
    SUBENTRY_MOTION,
    SUBENTRY_PHONE,
    SUBENTRY_PRESENCE_ENTITY,
    SUBENTRY_TARGET,
)
from .engine.alarm import ArmMode, SensorKind
from .engine.codes import MIN_CODE_LENGTH, hash_code, is_numeric
from .engine.presence import DisarmPolicy
from .hardware.gpio import BCM_PINS
from .hardware.network import list_interfaces, normalize_mac

MAX_FRAME_RATE = 30
MAX_BURST = 10
MAX_GIF_SECONDS = 10
MAX_CLIP_SECONDS = 60
MAX_RETENTION_GB = 1000
MAX_RETENTION_DAYS = 365
MAX_MIN_FREE_MB = 100_000
MAX_RATE_LIMIT = 3600
MAX_HEARTBEAT_MINUTES = 60

# The smallest media library one may ask for (0.1 GB steps).
MIN_RETENTION_GB = 0.1

# The Pi's GPIO character device; its absence suggests simulation mode.
GPIO_CHIP = Path("/dev/gpiochip0")


class NumberField(NumberSelector):
    """A number box whose bounds the UI shows and the flow itself checks.

    The flow answers a value out of range with a translated error, which the
    selector's own range check (an untranslated schema error) would pre-empt.
    """

    def __call__(self, data: Any) -> float:
        """Accept any number; the range is the flow's to check."""
        return float(probatio.Coerce(float)(data))


@dataclass(frozen=True, slots=True)
class _WholeNumber:
    """A whole-number field: its bounds, unit, and the error when outside them."""

    low: int
    high: int
    error: str
    unit: str | None = None


# Every whole-number field of the flows; the forms and the checks both read it.
_WHOLE_NUMBERS: dict[str, _WholeNumber] = {
    CONF_PIN: _WholeNumber(BCM_PINS.start, BCM_PINS.stop - 1, "pin_out_of_range"),
    CONF_DEBOUNCE_MS: _WholeNumber(0, MAX_DEBOUNCE_MS, "debounce_out_of_range", "ms"),
    CONF_EXIT_DELAY: _WholeNumber(0, MAX_DELAY, "delay_out_of_range", "s"),
    CONF_ENTRY_DELAY: _WholeNumber(0, MAX_DELAY, "delay_out_of_range", "s"),
    CONF_TRIGGER_TIME: _WholeNumber(
        MIN_TRIGGER_TIME, MAX_TRIGGER_TIME, "trigger_time_out_of_range", "s"
    ),
    CONF_PET_IMMUNE_MINUTES: _WholeNumber(
        0, MAX_PET_IMMUNE_MINUTES, "pet_immune_out_of_range", "min"
    ),
    CONF_AWAY_TIMEOUT: _WholeNumber(
        MIN_AWAY_TIMEOUT_MINUTES,
        MAX_AWAY_TIMEOUT_MINUTES,
        "away_timeout_out_of_range",
        "min",
    ),
    CONF_ARP_TRIES: _WholeNumber(1, MAX_ARP_TRIES, "arp_tries_out_of_range"),
    CONF_FRAME_RATE: _WholeNumber(1, MAX_FRAME_RATE, "frame_rate_out_of_range", "fps"),
    CONF_BURST_PHOTOS: _WholeNumber(1, MAX_BURST, "capture_out_of_range"),
    CONF_GIF_SECONDS: _WholeNumber(0, MAX_GIF_SECONDS, "capture_out_of_range", "s"),
    CONF_CLIP_SECONDS: _WholeNumber(1, MAX_CLIP_SECONDS, "capture_out_of_range", "s"),
    CONF_CAPTURE_INTERVAL: _WholeNumber(0, MAX_DELAY, "capture_out_of_range", "s"),
    CONF_RETENTION_DAYS: _WholeNumber(
        1, MAX_RETENTION_DAYS, "capture_out_of_range", "d"
    ),
    CONF_MIN_FREE_MB: _WholeNumber(0, MAX_MIN_FREE_MB, "capture_out_of_range", "MB"),
    CONF_RATE_LIMIT: _WholeNumber(0, MAX_RATE_LIMIT, "rate_limit_out_of_range", "s"),
    CONF_HEARTBEAT_MINUTES: _WholeNumber(
        1, MAX_HEARTBEAT_MINUTES, "heartbeat_out_of_range", "min"
    ),
}


def _number(key: str) -> NumberField:
    """The number box of a whole-number field."""
    field = _WHOLE_NUMBERS[key]
    config = NumberSelectorConfig(
        min=field.low, max=field.high, step=1, mode=NumberSelectorMode.BOX
    )
    if field.unit is not None:
        config["unit_of_measurement"] = field.unit
    return NumberField(config)


def _check_whole_numbers(
    values: Mapping[str, Any], keys: tuple[str, ...], errors: dict[str, str]
) -> None:
    """Add the error of every field of ``keys`` that is missing or out of range."""
    for key in keys:
        field = _WHOLE_NUMBERS[key]
        value = values.get(key)
        if value is None or not field.low <= value <= field.high or value != int(value):
            errors[key] = field.error


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

    VERSION = 1

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Name the system and choose real hardware or simulation."""
        errors: dict[str, str] = {}
        if user_input is not None:
            name = user_input[CONF_NAME].strip()
            if name:
                return self.async_create_entry(
                    title=name,
                    data={
                        CONF_NAME: name,
                        CONF_SIMULATION: user_input[CONF_SIMULATION],
                    },
                    options=DEFAULT_OPTIONS,
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
        """Doors, motion sensors, phones and presence entities are subentries."""
        return {
            SUBENTRY_DOOR: DoorSubentryFlow,
            SUBENTRY_MOTION: MotionSubentryFlow,
            SUBENTRY_PHONE: PhoneSubentryFlow,
            SUBENTRY_PRESENCE_ENTITY: PresenceEntitySubentryFlow,
            SUBENTRY_TARGET: AlertTargetSubentryFlow,
        }

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> OptionsFlow:
        """Delays, rules and the alarm code."""
        return RpiSecurityOptionsFlow()


class RpiSecurityOptionsFlow(OptionsFlow):
    """The alarm's behaviour (delays, rules) and its code."""

    async def async_step_init(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Choose what to change."""
        return self.async_show_menu(
            step_id="init",
            menu_options=["alarm", "code", "presence", "camera", "captures", "alerts"],
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
                schema, user_input or _present(self._options)
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
                probatio.Required(CONF_EXIT_DELAY): _number(CONF_EXIT_DELAY),
                probatio.Required(CONF_ENTRY_DELAY): _number(CONF_ENTRY_DELAY),
                probatio.Required(CONF_TRIGGER_TIME): _number(CONF_TRIGGER_TIME),
                probatio.Required(CONF_DISARM_AFTER_TRIGGER): BooleanSelector(),
                probatio.Required(CONF_ARM_MODES): SelectSelector(
                    SelectSelectorConfig(
                        options=[mode.value for mode in ArmMode],
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                        translation_key=CONF_ARM_MODES,
                    )
                ),
                probatio.Required(CONF_MOTION_USES_ENTRY_DELAY): BooleanSelector(),
                probatio.Required(CONF_PET_IMMUNE_MINUTES): _number(
                    CONF_PET_IMMUNE_MINUTES
                ),
            }
        )
        return self._show("alarm", schema, user_input, errors)

    async def async_step_code(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Set, change or remove the alarm code (only its hash is stored)."""
        errors: dict[str, str] = {}
        options = self._options
        if user_input is not None:
            code = user_input.get(CONF_CODE, "")
            clear = user_input[CONF_CLEAR_CODE]
            if code and clear:
                errors[CONF_CODE] = "code_and_clear"
            elif code and len(code) < MIN_CODE_LENGTH:
                errors[CONF_CODE] = "code_too_short"
            elif user_input[CONF_CODE_ARM_REQUIRED] and not (
                code or (options.get(CONF_CODE_HASH) and not clear)
            ):
                errors[CONF_CODE_ARM_REQUIRED] = "code_arm_required_without_code"
            else:
                if clear:
                    options.pop(CONF_CODE_HASH, None)
                    options.pop(CONF_CODE_FORMAT, None)
                elif code:
                    options[CONF_CODE_HASH] = await self.hass.async_add_executor_job(
                        hash_code, code
                    )
                    options[CONF_CODE_FORMAT] = (
                        CodeFormat.NUMBER if is_numeric(code) else CodeFormat.TEXT
                    ).value
                options[CONF_CODE_ARM_REQUIRED] = user_input[CONF_CODE_ARM_REQUIRED]
                return self.async_create_entry(data=options)
        schema = probatio.Schema(
            {
                probatio.Optional(CONF_CODE): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.PASSWORD)
                ),
                probatio.Required(CONF_CLEAR_CODE, default=False): BooleanSelector(),
                probatio.Required(
                    CONF_CODE_ARM_REQUIRED, default=options[CONF_CODE_ARM_REQUIRED]
                ): BooleanSelector(),
            }
        )
        return self.async_show_form(
            step_id="code",
            data_schema=schema,
            errors=errors,
        )

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
                probatio.Required(CONF_AWAY_TIMEOUT): _number(CONF_AWAY_TIMEOUT),
                probatio.Required(CONF_ARP_TRIES): _number(CONF_ARP_TRIES),
                probatio.Required(CONF_DEPARTURE_MODE): SelectSelector(
                    SelectSelectorConfig(
                        options=[mode.value for mode in ArmMode],
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
                probatio.Required(CONF_CAMERA_SOURCE): _select(
                    [source.value for source in CameraSource], CONF_CAMERA_SOURCE
                ),
                probatio.Optional(CONF_CAMERA_DEVICE): TextSelector(),
                probatio.Optional(CONF_CAMERA_ENTITY): EntitySelector(
                    EntitySelectorConfig(domain="camera")
                ),
                probatio.Required(CONF_RESOLUTION): _select(list(RESOLUTIONS)),
                probatio.Required(CONF_ROTATION): _select(
                    list(ROTATIONS), CONF_ROTATION
                ),
                probatio.Required(CONF_HFLIP): BooleanSelector(),
                probatio.Required(CONF_VFLIP): BooleanSelector(),
                probatio.Required(CONF_FRAME_RATE): _number(CONF_FRAME_RATE),
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
                probatio.Required(CONF_BURST_PHOTOS): _number(CONF_BURST_PHOTOS),
                probatio.Required(CONF_GIF_SECONDS): _number(CONF_GIF_SECONDS),
                probatio.Required(CONF_RECORD_CLIP): BooleanSelector(),
                probatio.Required(CONF_CLIP_SECONDS): _number(CONF_CLIP_SECONDS),
                probatio.Required(CONF_CAPTURE_INTERVAL): _number(
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
                probatio.Required(CONF_RETENTION_DAYS): _number(CONF_RETENTION_DAYS),
                probatio.Required(CONF_MIN_FREE_MB): _number(CONF_MIN_FREE_MB),
            }
        )
        return self._show("captures", schema, user_input, errors)

    async def async_step_alerts(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Rate limit, who may disarm from a notification, the heartbeat."""
        errors: dict[str, str] = {}
        users = [
            user
            for user in await self.hass.auth.async_get_users()
            if user.is_active and not user.system_generated
        ]
        if user_input is not None:
            _check_whole_numbers(
                user_input, (CONF_RATE_LIMIT, CONF_HEARTBEAT_MINUTES), errors
            )
            url = str(user_input.get(CONF_HEARTBEAT_URL) or "").strip()
            if url and not _is_http_url(url):
                errors[CONF_HEARTBEAT_URL] = "invalid_url"
            if not errors:
                changes = {
                    CONF_RATE_LIMIT: int(user_input[CONF_RATE_LIMIT]),
                    CONF_DISARM_USERS: list(user_input.get(CONF_DISARM_USERS) or []),
                    CONF_HEARTBEAT_URL: url or None,
                    CONF_HEARTBEAT_MINUTES: int(user_input[CONF_HEARTBEAT_MINUTES]),
                }
                return self._save(changes)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_RATE_LIMIT): _number(CONF_RATE_LIMIT),
                probatio.Optional(CONF_DISARM_USERS): SelectSelector(
                    SelectSelectorConfig(
                        options=[
                            SelectOptionDict(value=user.id, label=user.name or user.id)
                            for user in users
                        ],
                        multiple=True,
                        mode=SelectSelectorMode.LIST,
                    )
                ),
                probatio.Optional(CONF_HEARTBEAT_URL): TextSelector(
                    TextSelectorConfig(type=TextSelectorType.URL)
                ),
                probatio.Required(CONF_HEARTBEAT_MINUTES): _number(
                    CONF_HEARTBEAT_MINUTES
                ),
            }
        )
        return self._show("alerts", schema, user_input, errors)


def _is_http_url(url: str) -> bool:
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def _select(options: list[str], translation_key: str | None = None) -> SelectSelector:
    config = SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    if translation_key is not None:
        config["translation_key"] = translation_key
    return SelectSelector(config)


def _present(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options with a value (suggested values must not be None)."""
    return {key: value for key, value in options.items() if value is not None}


def _validate_camera_options(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if values.get(CONF_CAMERA_SOURCE) == CameraSource.ENTITY and not values.get(
        CONF_CAMERA_ENTITY
    ):
        errors[CONF_CAMERA_ENTITY] = "camera_entity_required"
    _check_whole_numbers(values, (CONF_FRAME_RATE,), errors)
    return errors


def _validate_capture_options(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    _check_whole_numbers(
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
    _check_whole_numbers(values, (CONF_AWAY_TIMEOUT, CONF_ARP_TRIES), errors)
    if values.get(CONF_DEPARTURE_MODE) not in arm_modes:
        errors[CONF_DEPARTURE_MODE] = "departure_mode_not_enabled"
    return errors


def _validate_alarm_options(values: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    _check_whole_numbers(
        values,
        (CONF_EXIT_DELAY, CONF_ENTRY_DELAY, CONF_TRIGGER_TIME, CONF_PET_IMMUNE_MINUTES),
        errors,
    )
    if not values.get(CONF_ARM_MODES):
        errors[CONF_ARM_MODES] = "no_arm_modes"
    return errors


class _SubentryFlow(ConfigSubentryFlow):
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
            entity_id = user_input[CONF_ENTITY_ID]
            state = self.hass.states.get(entity_id)
            name = str(user_input.get(CONF_NAME) or "").strip() or (
                state.name if state else entity_id
            )
            errors = _validate_name(entry, name, editing, kinds)
            if state is None:
                errors[CONF_ENTITY_ID] = "entity_not_found"
            elif _in_use(entry, CONF_ENTITY_ID, entity_id, editing, kinds):
                errors[CONF_ENTITY_ID] = "entity_in_use"
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


class SensorSubentryFlow(_SubentryFlow):
    """Add or change a door contact or a motion sensor."""

    kind: ClassVar[SensorKind]

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
        """Change a sensor, keeping its kind of source."""
        subentry = self._get_reconfigure_subentry()
        if subentry.data.get(CONF_SOURCE) == SOURCE_ENTITY:
            return await self.async_step_entity()
        return await self.async_step_gpio()

    def _gpio_schema(self) -> probatio.Schema:
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_NAME): TextSelector(),
            probatio.Required(CONF_PIN): _number(CONF_PIN),
        }
        if self.kind is SensorKind.DOOR:
            fields[probatio.Required(CONF_CONTACT_TYPE, default=CONTACT_NC)] = (
                SelectSelector(
                    SelectSelectorConfig(
                        options=[CONTACT_NC, CONTACT_NO],
                        mode=SelectSelectorMode.LIST,
                        translation_key=CONF_CONTACT_TYPE,
                    )
                )
            )
        fields[
            probatio.Required(CONF_PULL_UP, default=self.kind is SensorKind.DOOR)
        ] = BooleanSelector()
        fields[probatio.Required(CONF_DEBOUNCE_MS, default=DEFAULT_DEBOUNCE_MS)] = (
            _number(CONF_DEBOUNCE_MS)
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
            errors = _validate_name(entry, name, editing)
            _check_whole_numbers(user_input, (CONF_PIN, CONF_DEBOUNCE_MS), errors)
            if CONF_PIN not in errors and _in_use(
                entry, CONF_PIN, int(user_input[CONF_PIN]), editing, _SENSOR_SUBENTRIES
            ):
                errors[CONF_PIN] = "pin_in_use"
            if not errors:
                pin = int(user_input[CONF_PIN])
                data: dict[str, Any] = {
                    CONF_SOURCE: SOURCE_GPIO,
                    CONF_PIN: pin,
                    CONF_PULL_UP: user_input[CONF_PULL_UP],
                    CONF_DEBOUNCE_MS: int(user_input[CONF_DEBOUNCE_MS]),
                }
                if self.kind is SensorKind.DOOR:
                    data[CONF_CONTACT_TYPE] = user_input[CONF_CONTACT_TYPE]
                return self._finish(entry, editing, name, data, f"gpio_{pin}")
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
        """A door or motion sensor that Home Assistant already has."""
        return await self._async_entity_step(
            user_input,
            step_id=SOURCE_ENTITY,
            domain="binary_sensor",
            kinds=_SENSOR_SUBENTRIES,
            data={CONF_SOURCE: SOURCE_ENTITY},
            unique_id_prefix="entity_",
        )


class DoorSubentryFlow(SensorSubentryFlow):
    """A door contact (the perimeter)."""

    kind = SensorKind.DOOR


class MotionSubentryFlow(SensorSubentryFlow):
    """A motion sensor (the interior)."""

    kind = SensorKind.MOTION


class PhoneSubentryFlow(_SubentryFlow):
    """Add or change a phone recognised on the network by its MAC address."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Name, MAC address and, optionally, a fixed IP address."""
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = _validate_name(entry, name, editing, _PRESENCE_SUBENTRIES)
            mac = ip = ""
            try:
                mac = normalize_mac(str(user_input.get(CONF_MAC, "")))
            except ValueError:
                errors[CONF_MAC] = "invalid_mac"
            else:
                if _in_use(entry, CONF_MAC, mac, editing, _PRESENCE_SUBENTRIES):
                    errors[CONF_MAC] = "mac_in_use"
            if raw_ip := str(user_input.get(CONF_IP) or "").strip():
                try:
                    ip = str(ipaddress.IPv4Address(raw_ip))
                except ValueError:
                    errors[CONF_IP] = "invalid_ip"
            if not errors:
                data = {CONF_MAC: mac, CONF_IP: ip or None}
                return self._finish(entry, editing, name, data, mac)
        schema = probatio.Schema(
            {
                probatio.Required(CONF_NAME): TextSelector(),
                probatio.Required(CONF_MAC): TextSelector(),
                probatio.Optional(CONF_IP): TextSelector(),
            }
        )
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                schema, _present(self._suggested(user_input, editing))
            ),
            errors=errors,
        )

    async_step_reconfigure = async_step_user


class PresenceEntitySubentryFlow(_SubentryFlow):
    """Add or change a person or device_tracker used as a presence source."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """The entity, and a name."""
        return await self._async_entity_step(
            user_input,
            step_id="user",
            domain=["person", "device_tracker"],
            kinds=_PRESENCE_SUBENTRIES,
            data={},
        )

    async_step_reconfigure = async_step_user


class AlertTargetSubentryFlow(_SubentryFlow):
    """Add or change a place alerts go to."""

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Telegram, Pushover, the mobile app, or any other notify service."""
        return self.async_show_menu(
            step_id="user", menu_options=[kind.value for kind in TargetKind]
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Change a target, keeping its kind."""
        kind = TargetKind(self._get_reconfigure_subentry().data[CONF_TARGET_KIND])
        return await self._async_target(kind, None)

    async def async_step_telegram(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A chat of a Telegram bot set up in Home Assistant."""
        return await self._async_target(TargetKind.TELEGRAM, user_input)

    async def async_step_pushover(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Pushover's notify action."""
        return await self._async_target(TargetKind.PUSHOVER, user_input)

    async def async_step_mobile_app(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """A phone with the Home Assistant app."""
        return await self._async_target(TargetKind.MOBILE_APP, user_input)

    async def async_step_notify(
        self, user_input: dict[str, Any] | None = None
    ) -> SubentryFlowResult:
        """Any other notify action or notify entity (text only)."""
        return await self._async_target(TargetKind.NOTIFY, user_input)

    async def _async_target(
        self, kind: TargetKind, user_input: dict[str, Any] | None
    ) -> SubentryFlowResult:
        entry = self._get_entry()
        editing = self._editing()
        errors: dict[str, str] = {}
        if user_input is not None:
            name = str(user_input.get(CONF_NAME, "")).strip()
            errors = _validate_name(entry, name, editing, _TARGET_SUBENTRIES)
            data: dict[str, Any] = {
                CONF_TARGET_KIND: kind.value,
                CONF_RECEIVES: list(user_input.get(CONF_RECEIVES) or []),
            }
            if kind is TargetKind.TELEGRAM:
                errors |= self._telegram(entry, editing, user_input, data)
            else:
                errors |= self._notify_service(kind, user_input, data)
            if not data[CONF_RECEIVES] and not data.get(CONF_COMMANDS):
                errors[CONF_RECEIVES] = "nothing_to_receive"
            if not errors:
                return self._finish(entry, editing, name, data)
        return self.async_show_form(
            step_id=kind.value,
            data_schema=self.add_suggested_values_to_schema(
                self._schema(kind), self._suggested(user_input, editing)
            ),
            errors=errors,
        )

    def _schema(self, kind: TargetKind) -> probatio.Schema:
        fields: dict[probatio.Marker, Any] = {
            probatio.Required(CONF_NAME): TextSelector()
        }
        if kind is TargetKind.TELEGRAM:
            fields[probatio.Required(CONF_BOT_ENTRY)] = ConfigEntrySelector(
                ConfigEntrySelectorConfig(integration="telegram_bot")
            )
            fields[probatio.Required(CONF_CHAT_ID)] = TextSelector()
        else:
            fields[probatio.Required(CONF_SERVICE)] = SelectSelector(
                SelectSelectorConfig(
                    options=self._services_for(kind),
                    custom_value=True,
                    mode=SelectSelectorMode.DROPDOWN,
                )
            )
        fields[probatio.Optional(CONF_RECEIVES)] = SelectSelector(
            SelectSelectorConfig(
                options=[category.value for category in AlertCategory],
                multiple=True,
                mode=SelectSelectorMode.LIST,
                translation_key=CONF_RECEIVES,
            )
        )
        if kind is TargetKind.TELEGRAM:
            fields[probatio.Required(CONF_COMMANDS, default=False)] = BooleanSelector()
        return probatio.Schema(fields)

    def _services_for(self, kind: TargetKind) -> list[str]:
        """The notify actions (and, for text, notify entities) to choose from."""
        names = sorted(self.hass.services.async_services_for_domain("notify"))
        # notify.send_message needs an entity: entities are offered instead.
        services = [f"notify.{n}" for n in names if n != "send_message"]
        if kind is TargetKind.MOBILE_APP:
            return [s for s in services if s.startswith("notify.mobile_app_")]
        if kind is TargetKind.NOTIFY:
            return services + sorted(self.hass.states.async_entity_ids("notify"))
        # Pushover: persistent notifications show no photo and are no pager.
        return [s for s in services if s != "notify.persistent_notification"]

    def _telegram(
        self,
        entry: ConfigEntry,
        editing: ConfigSubentry | None,
        user_input: Mapping[str, Any],
        data: dict[str, Any],
    ) -> dict[str, str]:
        bot_id = user_input.get(CONF_BOT_ENTRY)
        bot = self.hass.config_entries.async_get_entry(bot_id) if bot_id else None
        if bot is None or bot.domain != "telegram_bot":
            return {CONF_BOT_ENTRY: "bot_not_found"}
        try:
            chat_id = int(str(user_input.get(CONF_CHAT_ID, "")).strip())
        except ValueError:
            return {CONF_CHAT_ID: "invalid_chat_id"}
        allowed = {
            int(subentry.data["chat_id"])
            for subentry in bot.subentries.values()
            if "chat_id" in subentry.data
        }
        if chat_id not in allowed:
            return {CONF_CHAT_ID: "chat_not_allowed"}
        if any(
            s.data.get(CONF_CHAT_ID) == chat_id and s.data.get(CONF_BOT_ENTRY) == bot_id
            for s in _others(entry, _TARGET_SUBENTRIES, editing)
        ):
            return {CONF_CHAT_ID: "chat_in_use"}
        data |= {
            CONF_BOT_ENTRY: bot_id,
            CONF_CHAT_ID: chat_id,
            CONF_COMMANDS: bool(user_input.get(CONF_COMMANDS)),
        }
        return {}

    def _notify_service(
        self, kind: TargetKind, user_input: Mapping[str, Any], data: dict[str, Any]
    ) -> dict[str, str]:
        service = str(user_input.get(CONF_SERVICE, "")).strip()
        domain, _, name = service.partition(".")
        exists = domain == "notify" and (
            self.hass.services.has_service("notify", name)
            or (kind is TargetKind.NOTIFY and self.hass.states.get(service) is not None)
        )
        if not exists:
            return {CONF_SERVICE: "service_not_found"}
        if kind is TargetKind.MOBILE_APP and not name.startswith("mobile_app_"):
            return {CONF_SERVICE: "not_mobile_app"}
        data[CONF_SERVICE] = service
        return {}


_SENSOR_SUBENTRIES = tuple(SENSOR_KIND_OF_SUBENTRY)
_TARGET_SUBENTRIES = (SUBENTRY_TARGET,)
_PRESENCE_SUBENTRIES = (SUBENTRY_PHONE, SUBENTRY_PRESENCE_ENTITY)


def _others(
    entry: ConfigEntry, kinds: tuple[str, ...], editing: ConfigSubentry | None
) -> list[ConfigSubentry]:
    """The subentries of ``kinds``, except the one being edited."""
    return [
        subentry
        for subentry in entry.subentries.values()
        if subentry.subentry_type in kinds
        and (editing is None or subentry.subentry_id != editing.subentry_id)
    ]


def _validate_name(
    entry: ConfigEntry,
    name: str,
    editing: ConfigSubentry | None,
    kinds: tuple[str, ...] = _SENSOR_SUBENTRIES,
) -> dict[str, str]:
    """A name is needed, and unique among the subentries of ``kinds``."""
    if not name:
        return {CONF_NAME: "name_required"}
    taken = {s.title.casefold() for s in _others(entry, kinds, editing)}
    if name.casefold() in taken:
        return {CONF_NAME: "name_in_use"}
    return {}


def _in_use(
    entry: ConfigEntry,
    key: str,
    value: Any,
    editing: ConfigSubentry | None,
    kinds: tuple[str, ...],
) -> bool:
    """Whether another subentry of ``kinds`` already has ``value`` at ``key``."""
    return any(s.data.get(key) == value for s in _others(entry, kinds, editing))
