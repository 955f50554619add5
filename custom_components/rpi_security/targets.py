"""Delivering one alert to one target: which action, with which data.

An alert is a small JSON-friendly dict (kept in the outbox):
``title``, ``message``, ``photo`` and ``gif`` (paths of captures, or None),
``urgent`` (the alarm: emergency / critical delivery), ``disarm`` (offer a
Disarm button) and ``choices`` (a refused arming's token: offer Retry and Arm
anyway, as the app's actions or, in a Telegram chat that may command, as
buttons under the message). Each kind of target turns it into its own action
call.
"""

import asyncio
from pathlib import Path
from typing import Any

from homeassistant.core import HomeAssistant

from .config import TargetConfig, TargetKind
from .const import MOBILE_BYPASS_ACTION, MOBILE_DISARM_ACTION, MOBILE_RETRY_ACTION

# An action that does not answer within this long counts as failed.
DELIVERY_TIMEOUT = 30.0

# Pushover: emergency priority repeats until acknowledged (retry >= 30 s).
PUSHOVER_EMERGENCY = {"priority": 2, "retry": 60, "expire": 3600, "sound": "siren"}
# Mobile app: critical on iOS, alarm stream and high priority on Android.
MOBILE_CRITICAL = {
    "push": {"sound": {"name": "default", "critical": 1, "volume": 1.0}},
    "ttl": 0,
    "priority": "high",
    "channel": "alarm_stream",
}


def can_show(target: TargetConfig, media: str) -> bool:
    """Whether ``target`` shows a ``photo`` or a ``gif``."""
    if target.kind in (TargetKind.TELEGRAM, TargetKind.MOBILE_APP):
        return True
    return target.kind is TargetKind.PUSHOVER and media == "photo"


async def async_deliver(
    hass: HomeAssistant, target: TargetConfig, alert: dict[str, Any]
) -> None:
    """Send ``alert`` to ``target``; raises whatever the action raised."""
    domain, service, data = action_call(hass, target, alert)
    async with asyncio.timeout(DELIVERY_TIMEOUT):
        await hass.services.async_call(domain, service, data, blocking=True)


def action_call(
    hass: HomeAssistant, target: TargetConfig, alert: dict[str, Any]
) -> tuple[str, str, dict[str, Any]]:
    """The action (domain, name, data) that delivers ``alert`` to ``target``."""
    title, message = alert.get("title") or "", alert["message"]
    photo, gif = alert.get("photo"), alert.get("gif")
    if target.kind is TargetKind.TELEGRAM:
        # Plain text: a name or an error with an underscore must not break
        # Markdown (Telegram would refuse the message). No title: the chat
        # is the system's, and captions have none either.
        base = {
            "config_entry_id": target.bot_entry,
            "chat_id": target.chat_id,
            "parse_mode": "plain_text",
        }
        if photo:
            return (
                "telegram_bot",
                "send_photo",
                {**base, "file": photo, "caption": message},
            )
        if gif:
            return (
                "telegram_bot",
                "send_animation",
                {**base, "file": gif, "caption": message},
            )
        text = {**base, "message": message}
        if (token := alert.get("choices")) and target.commands:
            text["inline_keyboard"] = [
                [
                    [alert.get("retry_title", "Retry"), f"/retry {token}"],
                    [alert.get("bypass_title", "Arm anyway"), f"/bypass {token}"],
                ]
            ]
        return "telegram_bot", "send_message", text
    service = target.service or ""
    if target.kind is TargetKind.PUSHOVER:
        extra: dict[str, Any] = (
            dict(PUSHOVER_EMERGENCY) if alert.get("urgent") else {"priority": 0}
        )
        if photo:
            extra["attachment"] = photo
        return *_split(service), {"title": title, "message": message, "data": extra}
    if target.kind is TargetKind.MOBILE_APP:
        extra = dict(MOBILE_CRITICAL) if alert.get("urgent") else {}
        if image := photo or gif:
            extra["image"] = media_url(hass, image)
        if alert.get("disarm"):
            extra["actions"] = [
                {
                    "action": MOBILE_DISARM_ACTION,
                    "title": alert.get("disarm_title", "Disarm"),
                }
            ]
        if token := alert.get("choices"):
            extra["actions"] = [
                {
                    "action": f"{MOBILE_RETRY_ACTION}_{token}",
                    "title": alert.get("retry_title", "Retry"),
                },
                {
                    "action": f"{MOBILE_BYPASS_ACTION}_{token}",
                    "title": alert.get("bypass_title", "Arm anyway"),
                },
            ]
        return *_split(service), {"title": title, "message": message, "data": extra}
    if hass.services.has_service(*_split(service)):
        return *_split(service), {"title": title, "message": message}
    # A notify entity: the notify.send_message action takes a message and a title.
    return (
        "notify",
        "send_message",
        {"entity_id": service, "title": title, "message": message},
    )


def _split(service: str) -> tuple[str, str]:
    domain, _, name = service.partition(".")
    return domain, name


def media_url(hass: HomeAssistant, path: str) -> str:
    """The URL path the companion app loads a capture from (it adds the login)."""
    root = Path(hass.config.media_dirs.get("local") or hass.config.path("media"))
    try:
        return "/media/local/" + Path(path).relative_to(root).as_posix()
    except ValueError:
        return path
