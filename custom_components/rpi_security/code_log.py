"""Refused codes in the log: once, as a warning naming the source, never the code.

The code gate (:mod:`.access`) logs each refusal itself. Home Assistant's
websocket handler would also log the refusal, as an ERROR, for every action
the frontend calls (the panel's keypad, the developer tools): a narrow filter
on that one logger drops exactly the records logged while it handles one of
our code refusals, and nothing else. The gate installs it while it runs.
"""

from collections.abc import Callable
from enum import StrEnum
import logging
import sys

from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError

from .const import DOMAIN
from .engine.access import User

# The logger of Home Assistant's websocket connections (websocket_api/http.py).
WEBSOCKET_LOGGER = "homeassistant.components.websocket_api.http.connection"
# The translation keys of a refused code: none given, a wrong one, locked out.
CODE_REFUSALS = frozenset({"code_required", "invalid_code", "code_locked_out"})


class CodeSource(StrEnum):
    """Where a code was entered, as the log names it."""

    PANEL = "the alarm panel"
    ACTION = "the rpi_security.arm action"
    TELEGRAM = "Telegram"
    APP = "a notification's Disarm button"
    WALL_PANEL = "the MQTT wall panel"


async def async_describe_source(
    hass: HomeAssistant,
    source: CodeSource | None,
    requester: User | None,
    context: Context | None,
) -> str:
    """Where and by whom: "the alarm panel (Home Assistant user Alice)"."""
    where = source.value if source is not None else "Home Assistant"
    who = None
    if requester is not None:
        who = f"user {requester.name}"
    elif context is not None and context.user_id is not None:
        user = await hass.auth.async_get_user(context.user_id)
        who = f"Home Assistant user {user.name}" if user else None
    elif context is not None and context.parent_id is not None:
        who = "an automation or script"
    return f"{where} ({who})" if who else where


def is_code_refusal(err: BaseException | None) -> bool:
    """Whether ``err`` is the code gate refusing a code."""
    return (
        isinstance(err, ServiceValidationError)
        and err.translation_domain == DOMAIN
        and err.translation_key in CODE_REFUSALS
    )


class _WithoutCodeRefusals(logging.Filter):
    """Drops what the websocket logs while it handles one of our code refusals."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Filters run in the logging call, inside the handler's except block.
        handled = record.exc_info[1] if record.exc_info else sys.exception()
        return not is_code_refusal(handled)


def quiet_websocket_code_refusals() -> Callable[[], None]:
    """Install the filter; the returned callback removes it again."""
    logger = logging.getLogger(WEBSOCKET_LOGGER)
    without = _WithoutCodeRefusals()
    logger.addFilter(without)
    return lambda: logger.removeFilter(without)
