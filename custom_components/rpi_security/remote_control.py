"""Commands from outside Home Assistant: Telegram chats and notification buttons.

Only the chats configured (with commands allowed) can command the system:
anything else gets no answer and no effect, and is logged and counted. The
Disarm button of a mobile app notification works only for the users allowed.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .alerts import AlertManager
from .config import TargetConfig, TargetKind
from .const import MOBILE_DISARM_ACTION
from .engine.alarm import ArmMode
from .engine.capture_policy import CaptureKind, CaptureRequest
from .system import SecuritySystem

_LOGGER = logging.getLogger(__name__)

EVENT_TELEGRAM_COMMAND = "telegram_command"
EVENT_MOBILE_ACTION = "mobile_app_notification_action"
ARM_MODES_BY_WORD = {
    mode.value: mode for mode in (ArmMode.AWAY, ArmMode.HOME, ArmMode.NIGHT)
}


@dataclass(frozen=True, slots=True)
class Reply:
    """What goes back to the chat."""

    message: str
    photo: str | None = None
    gif: str | None = None


def redact(chat_id: Any) -> str:
    """A chat id for the log: enough to tell chats apart, not to use one."""
    text = str(chat_id)
    return f"***{text[-3:]}" if len(text) > 3 else "***"


class RemoteControl:
    """Listens for Telegram commands and notification actions."""

    def __init__(
        self, hass: HomeAssistant, system: SecuritySystem, alerts: AlertManager
    ) -> None:
        """Listen on the bus."""
        self._hass = hass
        self._system = system
        self._alerts = alerts
        self.rejected = 0
        self._commands: dict[str, Callable[[list[str], str], Awaitable[Reply]]] = {
            "status": self._status,
            "photo": self._photo,
            "gif": self._gif,
            "enable": self._enable,
            "disable": self._disable,
            "arm": self._arm,
            "disarm": self._disarm,
            "help": self._help,
        }
        self._unsubscribe = [
            hass.bus.async_listen(EVENT_TELEGRAM_COMMAND, self._telegram_command),
            hass.bus.async_listen(EVENT_MOBILE_ACTION, self._mobile_action),
        ]

    @callback
    def stop(self) -> None:
        """Stop listening."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()

    # -- Telegram ----------------------------------------------------------------

    def _chat(self, chat_id: Any, bot_entry: str | None) -> TargetConfig | None:
        for target in self._alerts.targets.values():
            if (
                target.kind is TargetKind.TELEGRAM
                and target.commands
                and target.chat_id is not None
                and str(target.chat_id) == str(chat_id)
                and (bot_entry is None or target.bot_entry == bot_entry)
            ):
                return target
        return None

    @callback
    def _telegram_command(self, event: Event) -> None:
        data = event.data
        bot = data.get("bot") or {}
        target = self._chat(data.get("chat_id"), bot.get("config_entry_id"))
        if target is None:
            self.rejected += 1
            _LOGGER.warning(
                "Ignored a Telegram command from chat %s: not allowed to command "
                "this system (%d refused so far)",
                redact(data.get("chat_id")),
                self.rejected,
            )
            return
        # In groups commands come as /status@BotName.
        command = str(data.get("command", "")).split("@", 1)[0].lstrip("/").lower()
        args = [str(arg) for arg in data.get("args") or []]
        who = f"{data.get('from_first') or 'Telegram'} (Telegram)"
        self._system.run(self._async_answer(target, command, args, who))

    async def _async_answer(
        self, target: TargetConfig, command: str, args: list[str], who: str
    ) -> None:
        handler = self._commands.get(command, self._help)
        try:
            reply = await handler(args, who)
        except HomeAssistantError as err:  # refused: wrong code, doors open...
            # Home Assistant drops the full stop of translated errors.
            text = str(err)
            reply = Reply(text if text.endswith((".", "!", "?")) else f"{text}.")
        self._alerts.reply(target.id, reply.message, photo=reply.photo, gif=reply.gif)

    async def _status(self, _args: list[str], _who: str) -> Reply:
        system, alerts = self._system, self._alerts
        nobody = alerts.text("nobody")
        last = system.last_trigger
        return Reply(
            alerts.text(
                "status",
                name=system.config.name,
                state=alerts.text(f"state_{system.machine.state.value}"),
                home=", ".join(system.people_home()) or nobody,
                open=", ".join(
                    system.sensor_name(s) for s in sorted(system.machine.open_sensors)
                )
                or alerts.text("none"),
                last=f"{last[0]} {last[1]:%Y-%m-%d %H:%M}"
                if last
                else alerts.text("never"),
                problems=", ".join(f"{k}: {v}" for k, v in system.problems().items())
                or alerts.text("none"),
                automatic=alerts.text("on" if system.auto_arm.enabled else "off"),
            )
        )

    async def _photo(self, _args: list[str], _who: str) -> Reply:
        return await self._capture(CaptureKind.PHOTO)

    async def _gif(self, _args: list[str], _who: str) -> Reply:
        return await self._capture(CaptureKind.GIF)

    async def _capture(self, kind: CaptureKind) -> Reply:
        results = await self._system.async_capture(CaptureRequest((kind,), "telegram"))
        done = next((r for r in results if r.path is not None), None)
        if done is None:
            reason = next((r.error for r in results if r.error), None)
            return Reply(
                self._alerts.text(
                    "capture_failed", reason=reason or self._alerts.text("no_camera")
                )
            )
        media = {"photo" if kind is CaptureKind.PHOTO else "gif": str(done.path)}
        return Reply(self._alerts.text("capture_done"), **media)

    async def _enable(self, _args: list[str], _who: str) -> Reply:
        await self._system.async_set_auto_arm(True)
        return Reply(self._alerts.text("enabled"))

    async def _disable(self, _args: list[str], who: str) -> Reply:
        await self._system.async_set_auto_arm(False)
        await self._system.async_disarm(
            code=None, context=None, changed_by=who, trusted=True
        )
        return Reply(self._alerts.text("disabled"))

    async def _arm(self, args: list[str], who: str) -> Reply:
        word = args[0].lower() if args else "away"
        mode = ARM_MODES_BY_WORD.get(word)
        if mode is None or len(args) > 2:
            return Reply(self._alerts.text("usage_arm"))
        code = args[1] if len(args) > 1 else None
        await self._system.async_arm(
            mode, code=code, force=False, context=None, changed_by=who
        )
        return Reply(
            self._alerts.text(
                "armed_by_command", mode=self._alerts.mode_name(mode.value)
            )
        )

    async def _disarm(self, args: list[str], who: str) -> Reply:
        if len(args) > 1:
            return Reply(self._alerts.text("usage_disarm"))
        code = args[0] if args else None
        await self._system.async_disarm(code=code, context=None, changed_by=who)
        return Reply(self._alerts.text("disarmed_by_command"))

    async def _help(self, _args: list[str], _who: str) -> Reply:
        return Reply(self._alerts.text("help"))

    # -- mobile app --------------------------------------------------------------

    @callback
    def _mobile_action(self, event: Event) -> None:
        if event.data.get("action") != MOBILE_DISARM_ACTION:
            return
        user_id = event.context.user_id
        if user_id is None or user_id not in self._alerts.settings.disarm_users:
            _LOGGER.warning(
                "Ignored the Disarm button of a notification: the user is not "
                "allowed to disarm from notifications"
            )
            return
        self._system.run(self._async_disarm_for(user_id))

    async def _async_disarm_for(self, user_id: str) -> None:
        user = await self._hass.auth.async_get_user(user_id)
        who = f"{user.name if user else user_id} ({self._alerts.text('notification')})"
        await self._system.async_disarm(
            code=None, context=None, changed_by=who, trusted=True
        )
