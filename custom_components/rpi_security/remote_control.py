"""Commands from outside Home Assistant: Telegram chats and notification buttons.

A Telegram command (typed, or a button under one of our messages) is obeyed
only when it comes through the bot a chat was added with, from a chat
allowed to command, from a user of the system (by their Telegram id), and is
not addressed to another bot (``/arm@OtherBot``). Anything else has no
effect and is logged and counted; only an unknown person in an allowed chat
is answered, with how to become a user. Disarming needs a code unless the
user may disarm without one. ``/arm``, ``/disarm`` and ``/status`` take an
optional area (its name; without it, the whole house).

The buttons of a mobile app notification act for the Home Assistant user
who pressed them, as their linked user: Disarm only for users who may disarm
without a code; Retry and Arm anyway (a refused arming,
:mod:`.arming_choices`) for users who may arm there, when arming needs no
code. In Telegram they are ``/retry`` and ``/bypass`` (with the code when
arming needs one).
"""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
import logging
import time
from typing import Any

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .alarm_areas import Area
from .alerts import AlertManager
from .arming_choices import RefusedArming
from .code_log import CodeSource
from .config import TargetConfig, TargetKind
from .const import MOBILE_BYPASS_ACTION, MOBILE_DISARM_ACTION, MOBILE_RETRY_ACTION
from .engine.access import Action, User
from .engine.alarm import ArmMode
from .engine.capture_policy import CaptureKind, CaptureRequest
from .system import SecuritySystem

_LOGGER = logging.getLogger(__name__)

EVENT_TELEGRAM_COMMAND = "telegram_command"
# A button under one of our messages (its data is a command: "/retry abcdef").
EVENT_TELEGRAM_CALLBACK = "telegram_callback"
EVENT_MOBILE_ACTION = "mobile_app_notification_action"
TELEGRAM = "Telegram"
ARM_MODES_BY_WORD = {mode.value: mode for mode in ArmMode}


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
            "retry": self._retry,
            "bypass": self._bypass,
            "help": self._help,
        }
        self._unsubscribe = [
            hass.bus.async_listen(EVENT_TELEGRAM_COMMAND, self._telegram_command),
            hass.bus.async_listen(EVENT_TELEGRAM_CALLBACK, self._telegram_command),
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
        if event.event_type == EVENT_TELEGRAM_CALLBACK:
            self._system.run(self._async_answer_button(data))
        self._system.run(
            self._async_answer(target, command.lstrip("/").lower(), args, user)
        )

    async def _async_answer_button(self, data: Mapping[str, Any]) -> None:
        """Stop the button's spinner (the answer itself comes as a message)."""
        if not self._hass.services.has_service("telegram_bot", "answer_callback_query"):
            return
        bot = data.get("bot") or {}
        try:
            await self._hass.services.async_call(
                "telegram_bot",
                "answer_callback_query",
                {
                    "message": self._alerts.text("button_pressed"),
                    "callback_query_id": data.get("id"),
                    "config_entry_id": bot.get("config_entry_id"),
                },
                blocking=True,
            )
        except HomeAssistantError as err:
            _LOGGER.debug("Could not answer a Telegram button: %s", err)

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

    async def _status(self, args: list[str], _user: User) -> Reply:
        system, alerts = self._system, self._alerts
        areas = list(system.areas)
        if args:
            area = self._area(args[0])
            if area is None or len(args) > 1:
                return self._unknown_area(args[0])
            areas = [area]
        nobody = alerts.text("nobody")
        last = system.last_trigger
        states = [alerts.text(f"state_{a.machine.state.value}") for a in areas]
        if len(system.areas) > 1:
            states = [
                f"{a.name}: {state}" for a, state in zip(areas, states, strict=True)
            ]
        opened = sorted({s for a in areas for s in a.machine.open_sensors})
        return Reply(
            alerts.text(
                "status",
                name=system.config.name,
                state="; ".join(states) or alerts.text("none"),
                home=", ".join(system.people_home()) or nobody,
                open=", ".join(system.sensor_name(s) for s in opened)
                or alerts.text("none"),
                last=f"{last[0]} {last[1]:%Y-%m-%d %H:%M}"
                if last
                else alerts.text("never"),
                problems=", ".join(f"{k}: {v}" for k, v in system.problems().items())
                or alerts.text("none"),
                automatic=alerts.text("on" if system.auto_arm.enabled else "off"),
            )
        )

    def _area(self, word: str) -> Area | None:
        """The area a word names (its name, slugged), if any."""
        return self._system.areas.by_key(word)

    def _unknown_area(self, word: str) -> Reply:
        names = ", ".join(a.config.key for a in self._system.areas)
        return Reply(self._alerts.text("unknown_area", area=word, areas=names))

    def _in_area(self, message: str, area: Area | None) -> str:
        if area is None or len(self._system.areas) < 2:
            return message
        return self._alerts.in_area(message, area.name)

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
        # Automatic arming arms the alarm: only for users who may arm there.
        controlled = [a for a in self._system.areas if a.config.presence_controls]
        self._system.access.require(
            user, Action.ARM, areas=[(a.id, a.name) for a in controlled]
        )
        await self._system.async_set_auto_arm(True)
        return Reply(self._alerts.text("enabled"))

    async def _disable(self, args: list[str], user: User) -> Reply:
        if len(args) > 1:
            return Reply(self._alerts.text("usage_disable"))
        # Disarming comes first: when it is refused, nothing changes.
        await self._system.async_disarm(
            code=args[0] if args else None,
            requester=user,
            via=TELEGRAM,
            source=CodeSource.TELEGRAM,
        )
        await self._system.async_set_auto_arm(False)
        return Reply(self._alerts.text("disabled"))

    async def _arm(self, args: list[str], user: User) -> Reply:
        mode: ArmMode | None = None
        area: Area | None = None
        rest = list(args)
        while rest:
            word = rest[0].lower()
            if mode is None and word in ARM_MODES_BY_WORD:
                mode = ARM_MODES_BY_WORD[word]
            elif area is None and (found := self._area(word)) is not None:
                area = found
            else:
                break
            rest.pop(0)
        if len(rest) > 1 or (rest and mode is None and area is None):
            return Reply(self._alerts.text("usage_arm"))
        mode = mode or ArmMode.AWAY
        await self._system.async_arm(
            mode,
            area=area.id if area else None,
            code=rest[0] if rest else None,
            requester=user,
            via=TELEGRAM,
            source=CodeSource.TELEGRAM,
        )
        return Reply(
            self._in_area(
                self._alerts.text(
                    "armed_by_command", mode=self._alerts.mode_name(mode.value)
                ),
                area,
            )
        )

    async def _disarm(self, args: list[str], user: User) -> Reply:
        area = self._area(args[0]) if args else None
        rest = args[1:] if area is not None else args
        if len(rest) > 1:
            return Reply(self._alerts.text("usage_disarm"))
        await self._system.async_disarm(
            area=area.id if area else None,
            code=rest[0] if rest else None,
            requester=user,
            via=TELEGRAM,
            source=CodeSource.TELEGRAM,
        )
        return Reply(self._in_area(self._alerts.text("disarmed_by_command"), area))

    async def _retry(self, args: list[str], user: User) -> Reply:
        return await self._choose(args, user, bypass=False)

    async def _bypass(self, args: list[str], user: User) -> Reply:
        return await self._choose(args, user, bypass=True)

    async def _choose(self, args: list[str], user: User, *, bypass: bool) -> Reply:
        """Retry a refused arming, or arm it anyway (``/retry [token] [code]``)."""
        choices = self._system.choices
        token = args[0] if args and choices.is_token(args[0]) else None
        rest = args[1:] if token is not None else args
        refusal = choices.find(token, time.time())
        if refusal is None:
            return Reply(self._alerts.text("choice_expired"))
        if len(rest) > 1:
            return Reply(self._alerts.text("usage_choice"))
        await self._async_carry_out(
            refusal, bypass, code=rest[0] if rest else None, user=user, via=TELEGRAM
        )
        mode = self._alerts.mode_name(refusal.mode.value)
        return Reply(self._alerts.text("armed_by_command", mode=mode))

    async def _async_carry_out(
        self,
        refusal: RefusedArming,
        bypass: bool,
        *,
        code: str | None,
        user: User,
        via: str,
    ) -> None:
        """Arm as the refusal asked, bypassing what it named with ``bypass``."""
        await self._system.async_arm(
            refusal.mode,
            areas=refusal.areas,
            code=code,
            bypass=refusal.bypass if bypass else None,
            requester=user,
            via=via,
            source=CodeSource.TELEGRAM if via == TELEGRAM else CodeSource.APP,
        )

    async def _help(self, _args: list[str], _user: User) -> Reply:
        return Reply(self._alerts.text("help"))

    # -- mobile app --------------------------------------------------------------

    @callback
    def _mobile_action(self, event: Event) -> None:
        action = str(event.data.get("action") or "")
        if action == MOBILE_DISARM_ACTION:
            self._disarm_button(event)
            return
        for prefix, bypass in (
            (MOBILE_RETRY_ACTION, False),
            (MOBILE_BYPASS_ACTION, True),
        ):
            if action.startswith(f"{prefix}_"):
                token = action.removeprefix(f"{prefix}_")
                self._choice_button(event, token, bypass=bypass)
                return

    def _disarm_button(self, event: Event) -> None:
        user = self._system.access.by_ha_user(event.context.user_id)
        if user is None or not user.disarm_without_code or not user.may(Action.DISARM):
            _LOGGER.warning(
                "Ignored the Disarm button of a notification: the user may not "
                "disarm without a code"
            )
            return
        self._system.run(self._async_disarm_for(user))

    def _choice_button(self, event: Event, token: str, *, bypass: bool) -> None:
        user = self._system.access.by_ha_user(event.context.user_id)
        refusal = self._system.choices.find(token, time.time())
        if user is None or refusal is None:
            _LOGGER.warning(
                "Ignored the %s button of a notification: %s",
                "Arm anyway" if bypass else "Retry",
                "the choice has expired"
                if refusal is None
                else "the Home Assistant user is not linked to a user of the alarm",
            )
            return
        self._system.run(self._async_choice_for(user, refusal, bypass))

    async def _async_choice_for(
        self, user: User, refusal: RefusedArming, bypass: bool
    ) -> None:
        try:
            await self._async_carry_out(
                refusal,
                bypass,
                code=None,
                user=user,
                via=self._alerts.text("notification"),
            )
        except HomeAssistantError as err:
            _LOGGER.warning("A button of a notification did not arm: %s", err)

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
