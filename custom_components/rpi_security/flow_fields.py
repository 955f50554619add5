"""Form fields the flows share: number boxes checked by the flow, dropdowns."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio

from .const import (
    CONF_ARM_AFTER_CLOSING,
    CONF_ARP_TRIES,
    CONF_AWAY_TIMEOUT,
    CONF_BURST_PHOTOS,
    CONF_CAPTURE_INTERVAL,
    CONF_CLIP_SECONDS,
    CONF_CONFIRM_ROUNDS,
    CONF_DEBOUNCE_MS,
    CONF_ENTRY_DELAY,
    CONF_EXIT_DELAY,
    CONF_FRAME_RATE,
    CONF_GIF_SECONDS,
    CONF_HEARTBEAT_MINUTES,
    CONF_MIN_FREE_MB,
    CONF_PET_IMMUNE_MINUTES,
    CONF_PIN,
    CONF_RATE_LIMIT,
    CONF_RETENTION_DAYS,
    CONF_ROUND_SPACING,
    CONF_TRIGGER_TIME,
    CONF_WINDOW,
    MAX_ARM_AFTER_CLOSING,
    MAX_ARP_TRIES,
    MAX_AWAY_TIMEOUT_MINUTES,
    MAX_CONFIRM_ROUNDS,
    MAX_CROSS_ZONE_WINDOW,
    MAX_DEBOUNCE_MS,
    MAX_DELAY,
    MAX_PET_IMMUNE_MINUTES,
    MAX_ROUND_SPACING_MINUTES,
    MAX_TRIGGER_TIME,
    MIN_AWAY_TIMEOUT_MINUTES,
    MIN_TRIGGER_TIME,
)
from .hardware.gpio import BCM_PINS

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

# ID_SD and ID_SC: the Pi reads a HAT's EEPROM on them at boot (and a HAT may
# drive them), so they are no place for a sensor.
HAT_EEPROM_PINS = frozenset({0, 1})


class NumberField(NumberSelector):
    """A number box whose bounds the UI shows and the flow itself checks.

    The flow answers a value out of range with a translated error, which the
    selector's own range check (an untranslated schema error) would pre-empt.
    """

    def __call__(self, data: Any) -> float:
        """Accept any number; the range is the flow's to check."""
        return float(probatio.Coerce(float)(data))


@dataclass(frozen=True, slots=True)
class WholeNumber:
    """A whole-number field: its bounds, unit, and the error when outside them."""

    low: int
    high: int
    error: str
    unit: str | None = None


# Every whole-number field of the flows; the forms and the checks both read it.
WHOLE_NUMBERS: dict[str, WholeNumber] = {
    CONF_PIN: WholeNumber(BCM_PINS.start, BCM_PINS.stop - 1, "pin_out_of_range"),
    CONF_DEBOUNCE_MS: WholeNumber(0, MAX_DEBOUNCE_MS, "debounce_out_of_range", "ms"),
    CONF_EXIT_DELAY: WholeNumber(0, MAX_DELAY, "delay_out_of_range", "s"),
    CONF_ENTRY_DELAY: WholeNumber(0, MAX_DELAY, "delay_out_of_range", "s"),
    CONF_TRIGGER_TIME: WholeNumber(
        MIN_TRIGGER_TIME, MAX_TRIGGER_TIME, "trigger_time_out_of_range", "s"
    ),
    CONF_PET_IMMUNE_MINUTES: WholeNumber(
        0, MAX_PET_IMMUNE_MINUTES, "pet_immune_out_of_range", "min"
    ),
    CONF_AWAY_TIMEOUT: WholeNumber(
        MIN_AWAY_TIMEOUT_MINUTES,
        MAX_AWAY_TIMEOUT_MINUTES,
        "away_timeout_out_of_range",
        "min",
    ),
    CONF_ARP_TRIES: WholeNumber(1, MAX_ARP_TRIES, "arp_tries_out_of_range"),
    CONF_CONFIRM_ROUNDS: WholeNumber(
        1, MAX_CONFIRM_ROUNDS, "confirm_rounds_out_of_range"
    ),
    CONF_ROUND_SPACING: WholeNumber(
        1, MAX_ROUND_SPACING_MINUTES, "round_spacing_out_of_range", "min"
    ),
    CONF_FRAME_RATE: WholeNumber(1, MAX_FRAME_RATE, "frame_rate_out_of_range", "fps"),
    CONF_BURST_PHOTOS: WholeNumber(1, MAX_BURST, "capture_out_of_range"),
    CONF_GIF_SECONDS: WholeNumber(0, MAX_GIF_SECONDS, "capture_out_of_range", "s"),
    CONF_CLIP_SECONDS: WholeNumber(1, MAX_CLIP_SECONDS, "capture_out_of_range", "s"),
    CONF_CAPTURE_INTERVAL: WholeNumber(0, MAX_DELAY, "capture_out_of_range", "s"),
    CONF_RETENTION_DAYS: WholeNumber(
        1, MAX_RETENTION_DAYS, "capture_out_of_range", "d"
    ),
    CONF_MIN_FREE_MB: WholeNumber(0, MAX_MIN_FREE_MB, "capture_out_of_range", "MB"),
    CONF_RATE_LIMIT: WholeNumber(0, MAX_RATE_LIMIT, "rate_limit_out_of_range", "s"),
    CONF_HEARTBEAT_MINUTES: WholeNumber(
        1, MAX_HEARTBEAT_MINUTES, "heartbeat_out_of_range", "min"
    ),
    CONF_ARM_AFTER_CLOSING: WholeNumber(
        0, MAX_ARM_AFTER_CLOSING, "arm_after_closing_out_of_range", "s"
    ),
    CONF_WINDOW: WholeNumber(
        1, MAX_CROSS_ZONE_WINDOW, "cross_zone_window_out_of_range", "s"
    ),
}


def number_field(key: str) -> NumberField:
    """The number box of a whole-number field."""
    field = WHOLE_NUMBERS[key]
    config = NumberSelectorConfig(
        min=field.low, max=field.high, step=1, mode=NumberSelectorMode.BOX
    )
    if field.unit is not None:
        config["unit_of_measurement"] = field.unit
    return NumberField(config)


def check_whole_numbers(
    values: Mapping[str, Any], keys: tuple[str, ...], errors: dict[str, str]
) -> None:
    """Add the error of every field of ``keys`` that is missing or out of range."""
    for key in keys:
        field = WHOLE_NUMBERS[key]
        value = values.get(key)
        if value is None or not field.low <= value <= field.high or value != int(value):
            errors[key] = field.error


def is_http_url(url: str) -> bool:
    """Whether ``url`` is an http(s) address with a host."""
    parsed = urlparse(url)
    return parsed.scheme in ("http", "https") and bool(parsed.netloc)


def dropdown(options: list[str], translation_key: str | None = None) -> SelectSelector:
    """A dropdown of ``options``, labelled by ``translation_key`` when given."""
    config = SelectSelectorConfig(options=options, mode=SelectSelectorMode.DROPDOWN)
    if translation_key is not None:
        config["translation_key"] = translation_key
    return SelectSelector(config)


def present(options: Mapping[str, Any]) -> dict[str, Any]:
    """Options with a value (suggested values must not be None)."""
    return {key: value for key, value in options.items() if value is not None}
