"""Commands from outside Home Assistant: Telegram chats and notification buttons.

A Telegram command is obeyed only when it comes through the bot a chat was
added with, from a chat allowed to command, from a user of the system (by
their Telegram id), and is not addressed to another bot (``/arm@OtherBot``).
Anything else has no effect and is logged and counted; only an unknown
person in an allowed chat is answered, with how to become a user. Disarming
needs a code unless the user may disarm without one. The Disarm button of a
mobile app notification works only for users who may disarm without a code.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
import logging
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .alerts import AlertManager
from .code_log import CodeSource
from .config import TargetConfig, TargetKind
from .const import MOBILE_DISARM_ACTION
from .engine.access import Action, User
from .engine.alarm import ArmMode
from .engine.capture_policy import CaptureKind, CaptureRequest
from .system import SecuritySystem

_LOGGER = logging.getLogger(__name__)

EVENT_TELEGRAM_COMMAND = "telegram_command"
EVENT_MOBILE_ACTION = "mobile_app_notification_action"
TELEGRAM = "Telegram"
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
        self._commands: dict[str, Callable[[list[str], User], Awaitable[Reply]]] = {
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
            self._refuse("chat %s is not allowed to command", data.get("chat_id"))
            return
        # In groups commands come as /status@BotName: the bot's own name is
        # in every event (Home Assistant learns it from Telegram's getMe).
        command, _, addressee = str(data.get("command", "")).partition("@")
        ours = str(bot.get("username") or "")
        if addressee and addressee.casefold() != ours.casefold():
            self._refuse("the command in chat %s is for another bot", target.chat_id)
            return
        sender = data.get("user_id")
        user = self._system.access.by_telegram_id(sender)
        if user is None:
            self._refuse("Telegram user %s is not one of the system's users", sender)
            self._alerts.reply(
                target.id, self._alerts.text("not_a_user", user_id=str(sender))
            )
            return
        args = [str(arg) for arg in data.get("args") or []]
        self._system.run(
            self._async_answer(target, command.lstrip("/").lower(), args, user)
        )

    def _refuse(self, why: str, who: Any) -> None:
        self.rejected += 1
        _LOGGER.warning(
            "Ignored a Telegram command: %s (%d refused so far)",
            why % redact(who),
            self.rejected,
        )

    async def _async_answer(
        self, target: TargetConfig, command: str, args: list[str], user: User
    ) -> None:
        handler = self._commands.get(command, self._help)
        try:
            reply = await handler(args, user)
        except HomeAssistantError as err:  # refused: wrong code, doors open...
            # Home Assistant drops the full stop of translated errors.
            text = str(err)
            reply = Reply(text if text.endswith((".", "!", "?")) else f"{text}.")
        self._alerts.reply(target.id, reply.message, photo=reply.photo, gif=reply.gif)

    async def _status(self, _args: list[str], _user: User) -> Reply:
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

    async def _photo(self, _args: list[str], _user: User) -> Reply:
        return await self._capture(CaptureKind.PHOTO)

    async def _gif(self, _args: list[str], _user: User) -> Reply:
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

    async def _enable(self, _args: list[str], user: User) -> Reply:
        # Automatic arming arms the alarm: only for users who may arm.
        self._system.access.require(user, Action.ARM)
        await self._system.async_set_auto_arm(True)
        return Reply(self._alerts.text("enabled"))

    async def _disable(self, args: list[str], user: User) -> Reply:
        if len(args) > 1:
            return Reply(self._alerts.text("usage_disable"))
        # Disarming comes first: when it is refused, nothing changes.
        await self._system.async_disarm(
            code=args[0] if args else None,
            context=None,
            requester=user,
            via=TELEGRAM,
            source=CodeSource.TELEGRAM,
        )
        await self._system.async_set_auto_arm(False)
        return Reply(self._alerts.text("disabled"))

    async def _arm(self, args: list[str], user: User) -> Reply:
        word = args[0].lower() if args else "away"
        mode = ARM_MODES_BY_WORD.get(word)
        if mode is None or len(args) > 2:
            return Reply(self._alerts.text("usage_arm"))
        code = args[1] if len(args) > 1 else None
        await self._system.async_arm(
            mode,
            code=code,
            force=False,
            context=None,
            requester=user,
            via=TELEGRAM,
            source=CodeSource.TELEGRAM,
        )
        return Reply(
            self._alerts.text(
                "armed_by_command", mode=self._alerts.mode_name(mode.value)
            )
        )

    async def _disarm(self, args: list[str], user: User) -> Reply:
        if len(args) > 1:
            return Reply(self._alerts.text("usage_disarm"))
        code = args[0] if args else None
        await self._system.async_disarm(
            code=code,
            context=None,
            requester=user,
            via=TELEGRAM,
            source=CodeSource.TELEGRAM,
        )
        return Reply(self._alerts.text("disarmed_by_command"))

    async def _help(self, _args: list[str], _user: User) -> Reply:
        return Reply(self._alerts.text("help"))

    # -- mobile app --------------------------------------------------------------

    @callback
    def _mobile_action(self, event: Event) -> None:
        if event.data.get("action") != MOBILE_DISARM_ACTION:
            return
        user = self._system.access.by_ha_user(event.context.user_id)
        if user is None or not user.disarm_without_code or not user.may(Action.DISARM):
            _LOGGER.warning(
                "Ignored the Disarm button of a notification: the user may not "
                "disarm without a code"
            )
            return
        self._system.run(self._async_disarm_for(user))

    async def _async_disarm_for(self, user: User) -> None:
        try:
            await self._system.async_disarm(
                code=None,
                context=None,
                requester=user,
                via=self._alerts.text("notification"),
                source=CodeSource.APP,
            )
        except HomeAssistantError as err:
            _LOGGER.warning("The Disarm button of a notification failed: %s", err)
