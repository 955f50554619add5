"""The actions alerts go out through, as the tests stand them in.

Each stand-in validates its data with the schema of the real action (Home
Assistant's ``notify`` and ``telegram_bot`` schemas), records the calls it
accepted, and can be made to fail the way a real one does (raise, or hang).
"""

import asyncio
from typing import Any

from homeassistant.components.notify.const import NOTIFY_SERVICE_SCHEMA
from homeassistant.components.telegram_bot.services import SERVICE_MAP
from homeassistant.core import HomeAssistant, ServiceCall

# The test household's Telegram bot (a telegram_bot config entry) and chats.
BOT_ENTRY_ID = "01TELEGRAMBOTENTRY0000000"
FAMILY_CHAT = 123456789
STRANGER_CHAT = 555000111

TELEGRAM_ID = "target_telegram"
PUSHOVER_ID = "target_pushover"
MOBILE_ID = "target_mobile"
EMAIL_ID = "target_email"

PUSHOVER = ("notify", "pushover")
MOBILE = ("notify", "mobile_app_alice_s_phone")
EMAIL = ("notify", "family_email")
SEND_PHOTO = ("telegram_bot", "send_photo")
SEND_ANIMATION = ("telegram_bot", "send_animation")
SEND_MESSAGE = ("telegram_bot", "send_message")
ACTIONS = (SEND_PHOTO, SEND_ANIMATION, SEND_MESSAGE, PUSHOVER, MOBILE, EMAIL)

PENDING_ALERTS = "sensor.home_pending_alerts"
LAST_ALERT = "sensor.home_last_alert_delivered"


def target_subentry(subentry_id: str, title: str, **data: Any) -> dict[str, Any]:
    """An alert target subentry as the config flow writes it."""
    return {
        "subentry_id": subentry_id,
        "subentry_type": "alert_target",
        "title": title,
        "unique_id": None,
        "data": data,
    }


def telegram_target(
    receives: tuple[str, ...] = ("alarm", "state", "problems"),
    *,
    commands: bool = True,
) -> dict[str, Any]:
    """The family's Telegram chat."""
    return target_subentry(
        TELEGRAM_ID,
        "Family chat",
        kind="telegram",
        bot_entry=BOT_ENTRY_ID,
        chat_id=FAMILY_CHAT,
        commands=commands,
        receives=list(receives),
    )


def all_targets() -> list[dict[str, Any]]:
    """One target of every kind, each receiving something different."""
    return [
        telegram_target(),
        target_subentry(
            PUSHOVER_ID,
            "Pushover",
            kind="pushover",
            service="notify.pushover",
            receives=["alarm", "problems"],
        ),
        target_subentry(
            MOBILE_ID,
            "Alice's phone",
            kind="mobile_app",
            service="notify.mobile_app_alice_s_phone",
            receives=["alarm", "state"],
        ),
        target_subentry(
            EMAIL_ID,
            "E-mail",
            kind="notify",
            service="notify.family_email",
            receives=["alarm"],
        ),
    ]


class Outlets:
    """Stand-ins for the notify and telegram_bot actions."""

    def __init__(self) -> None:
        """Nothing received yet; everything works."""
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.failure: Exception | None = None
        self.hang = False

    def register(self, hass: HomeAssistant) -> None:
        """Offer the actions on ``hass`` (again after a restart)."""
        for domain, service in ACTIONS:
            schema = (
                NOTIFY_SERVICE_SCHEMA if domain == "notify" else SERVICE_MAP[service]
            )
            hass.services.async_register(domain, service, self._handle, schema=schema)

    async def _handle(self, call: ServiceCall) -> None:
        if self.hang:
            await asyncio.Event().wait()
        if self.failure is not None:
            raise self.failure
        self.calls.append((call.domain, call.service, dict(call.data)))

    def to(self, *actions: tuple[str, str]) -> list[dict[str, Any]]:
        """The data of the calls made to ``actions``, in order."""
        return [
            data for domain, service, data in self.calls if (domain, service) in actions
        ]

    def messages(self, *actions: tuple[str, str]) -> list[str]:
        """The texts sent through ``actions`` (captions included), in order."""
        return [
            data.get("message") or data.get("caption") for data in self.to(*actions)
        ]

    def telegram(self) -> list[dict[str, Any]]:
        """What went to Telegram, through any of its actions."""
        return self.to(SEND_PHOTO, SEND_ANIMATION, SEND_MESSAGE)
