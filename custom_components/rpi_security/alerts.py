"""Alerts: what is sent, to whom, and making sure it arrives.

Every alert is written to the outbox (a Home Assistant ``Store``) before any
delivery starts and leaves it only once the action call succeeded. Failures
are retried with back-off, in order per target, across restarts; an alert
older than a day is given up with a log entry and a repair notice. Writes are
coalesced (:mod:`.coalesced_store`): a long queue is written at most once a
second, an alarm at once, and whatever is left when stopping.
"""

import asyncio
from collections.abc import Callable, Coroutine, Iterable, Mapping
from datetime import datetime
import logging
import time
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util import dt as dt_util

from .camera_manager import CaptureResult
from .clock import track_at
from .coalesced_store import CoalescedWriter, Prepared
from .config import AlertCategory, SystemConfig, TargetConfig
from .const import DOMAIN
from .engine.capture_policy import CaptureKind
from .engine.outbox import Outbox, OutboxEntry, RateLimiter
from .engine.sensors import AlarmKind
from .issues import TROUBLESHOOTING_URL
from .targets import async_deliver, can_show

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1
# How long an alarm alert waits for its first photo before it goes without.
PHOTO_WAIT = 5.0
ISSUE_EXPIRED = "alerts_expired"
# A long outbox is written at most this often: each alert is on disk within
# about this long, and a queue of n alerts costs O(n) writing.
SAVE_INTERVAL = 1.0
# An outbox this long is long: below it every change is written at once.
LONG_OUTBOX = 100
# Alerts taken back from the store between two turns of the event loop.
RESTORE_PART = 500


def alerts_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where the outbox is kept (serialized in the executor: it can be long)."""
    return Store(
        hass,
        STORAGE_VERSION,
        f"{DOMAIN}.{entry_id}.alerts",
        serialize_in_event_loop=False,
    )


class AlertManager:
    """The outbox, and the alerts of one system."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        config: SystemConfig,
        *,
        notify: Callable[[], None],
    ) -> None:
        """Prepare; :meth:`async_start` loads the outbox and resumes delivery."""
        self.hass = hass
        self.system_name = config.name
        self.targets = {target.id: target for target in config.targets}
        self.settings = config.alerts
        self.outbox = Outbox()
        self.last_delivered: datetime | None = None
        self.expired = 0
        self._notify = notify
        self._store = alerts_store(hass, entry_id)
        self._writer = CoalescedWriter(
            hass,
            self._store,
            self._prepare_write,
            interval=SAVE_INTERVAL,
            large=lambda: len(self.outbox) >= LONG_OUTBOX,
        )
        self._limiter = RateLimiter(config.alerts.rate_limit)
        self._texts: dict[str, str] = {}
        self._health: dict[str, str] = {}
        self._wakeup: CALLBACK_TYPE | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._workers: set[str] = set()  # targets being delivered to
        self._stopped = False

    # -- life cycle ----------------------------------------------------------

    async def async_start(self) -> None:
        """Load what waits from before a restart, and go on delivering it."""
        stored = await self._store.async_load() or {}
        saved = stored.get("outbox")
        saved = saved if isinstance(saved, list) else []
        # A long outbox is taken back a part at a time, letting the event
        # loop run in between (a thread would hold the GIL just the same).
        for start in range(0, len(saved), RESTORE_PART):
            self.outbox.restore(saved[start : start + RESTORE_PART])
            await asyncio.sleep(0)
        for target in {e.target for e in self.outbox.entries()} - set(self.targets):
            dropped = self.outbox.drop_target(target)
            _LOGGER.info("Dropped %d alerts for a removed target", dropped)
        if delivered := stored.get("last_delivered"):
            self.last_delivered = dt_util.parse_datetime(delivered)
        self._health = dict(stored.get("health", {}))
        language = self.hass.config.language
        self._texts = {
            **await async_get_translations(self.hass, language, "common", {DOMAIN}),
            **await async_get_translations(self.hass, language, "selector", {DOMAIN}),
        }
        self._drain()

    async def async_stop(self) -> None:
        """Stop delivering; what is left waits in the store for the next start."""
        self._stopped = True
        if self._wakeup is not None:
            self._wakeup()
            self._wakeup = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        await self._writer.async_flush()

    def update(self, config: SystemConfig) -> None:
        """Targets or alert options changed while running.

        Alerts waiting for a removed target are dropped; a new target gets
        the alerts raised from now on.
        """
        self.system_name = config.name
        self.targets = {target.id: target for target in config.targets}
        if config.alerts.rate_limit != self.settings.rate_limit:
            self._limiter = RateLimiter(config.alerts.rate_limit)
        self.settings = config.alerts
        waiting = {entry.target for entry in self.outbox.entries()}
        dropped = sum(
            self.outbox.drop_target(target) for target in waiting - set(self.targets)
        )
        if dropped:
            _LOGGER.info("Dropped %d alerts for a removed target", dropped)
            self._writer.request()
            self._notify()
        self._drain()

    @property
    def unsaved(self) -> int:
        """Alerts raised that are not on disk yet."""
        return self.outbox.unsaved

    def _snapshot(self) -> dict[str, Any]:
        return {
            "outbox": self.outbox.snapshot(),
            "last_delivered": self.last_delivered.isoformat()
            if self.last_delivered
            else None,
            "health": dict(self._health),
        }

    def _prepare_write(self) -> Prepared[dict[str, Any]]:
        """What to write; once written, what it held may go out."""
        through = self.outbox.last_id
        return self._snapshot(), lambda: self._written(through)

    @callback
    def _written(self, through: int) -> None:
        self.outbox.saved(through)
        self._notify()
        self._drain()

    # -- texts -----------------------------------------------------------------

    def text(self, key: str, **placeholders: Any) -> str:
        """A translated text of the ``common`` section, filled in."""
        template = self._texts.get(f"component.{DOMAIN}.common.{key}", key)
        try:
            return template.format(**placeholders)
        except KeyError, IndexError:
            return template

    def in_area(self, message: str, area: str | None) -> str:
        """``message`` naming ``area`` (None: the system has one area)."""
        if area is None:
            return message
        return self.text("in_area", area=area, message=message)

    def mode_name(self, mode: str) -> str:
        """An arm mode as the user reads it."""
        return self._texts.get(
            f"component.{DOMAIN}.selector.arm_modes.options.{mode}", mode
        )

    # -- raising alerts ----------------------------------------------------------

    @callback
    def send(
        self,
        category: AlertCategory | None,
        alert: dict[str, Any],
        *,
        only: Iterable[str] = (),
    ) -> int:
        """Queue ``alert`` for the targets of ``category`` (or ``only``); count them."""
        wanted = set(only)
        now = time.time()
        queued = 0
        urgent = bool(alert.get("urgent"))
        for target in self.targets.values():
            if target.id not in wanted and (
                category is None or category not in target.receives
            ):
                continue
            payload = _fit(target, {"title": self.system_name, **alert})
            if payload is None:
                continue
            self.outbox.add(target.id, payload, now)
            queued += 1
        if queued:
            self._writer.request(urgent=urgent)
        return queued

    def alarm(
        self,
        cause: str,
        at: datetime,
        *,
        with_photo: bool,
        kind: AlarmKind | None = None,
        area: str | None = None,
    ) -> AlarmAlert | None:
        """The alarm went off because of ``cause``: None if rate-limited.

        ``kind`` chooses the text (a tamper or environmental alarm has its
        own); ``area`` is named when the system has several.
        """
        if not self._limiter.allow(f"alarm:{area}:{cause}", time.time()):
            _LOGGER.debug("Alarm alert for %s held back by the rate limit", cause)
            return None
        alarm = AlarmAlert(self, cause, at, kind=kind, area=area)
        if with_photo:
            alarm.wait_for_photo()
        else:
            alarm.send(photo=None, note=None)
        return alarm

    def state_changed(
        self,
        state: str,
        previous: str,
        *,
        mode: str | None,
        who: str | None,
        cause: str | None,
        seconds: float | None,
        offline: bool = False,
        area: str | None = None,
    ) -> None:
        """A change of the alarm's state (the alarm going off has its own alert).

        ``offline``: the cause changed while the system was not running.
        """
        who = who or self.text("home_assistant")
        mode_name = self.mode_name(mode) if mode else ""
        left = round(seconds or 0)
        if state == "arming":
            message = self.text("arming", mode=mode_name, who=who, seconds=left)
        elif state == "pending" and offline:
            message = self.text("pending_offline", cause=cause, seconds=left)
        elif state == "pending":
            message = self.text("pending", cause=cause, seconds=left)
        elif state == "disarmed":
            message = self.text("disarmed", who=who)
        elif previous == "triggered":
            message = self.text("rearmed", mode=mode_name)
        else:
            message = self.text("armed", mode=mode_name, who=who)
        self.send(AlertCategory.STATE, {"message": self.in_area(message, area)})

    def arming_refused(
        self,
        mode: str,
        refused: list[tuple[str | None, list[str]]],
        who: str | None,
        *,
        choices: str | None = None,
    ) -> None:
        """Sensors kept areas from arming: (area name or None, sensors) each.

        With ``choices`` (a refusal's token) the alert offers Retry and Arm
        anyway, as buttons in the app and in Telegram chats that command.
        """
        doors = "; ".join(
            ", ".join(names) if area is None else f"{area}: {', '.join(names)}"
            for area, names in refused
        )
        message = self.text(
            "arming_refused",
            mode=self.mode_name(mode),
            doors=doors,
            who=who or self.text("home_assistant"),
        )
        alert: dict[str, Any] = {"message": message}
        if choices is not None:
            alert |= {
                "choices": choices,
                "retry_title": self.text("retry_button"),
                "bypass_title": self.text("bypass_button"),
            }
        self.send(AlertCategory.STATE, alert)

    def duress(self, who: str, at: datetime) -> None:
        """A duress code was entered: a silent alarm to the alarm's targets.

        Not urgent: a siren on the phone of the person forced to disarm would
        give them away.
        """
        time_text = dt_util.as_local(at).strftime("%H:%M:%S")
        self.send(
            AlertCategory.ALARM,
            {"message": self.text("duress", who=who, time=time_text)},
        )

    def reply(
        self,
        target_id: str,
        message: str,
        *,
        photo: str | None = None,
        gif: str | None = None,
    ) -> None:
        """An answer to a command, to the chat that asked."""
        self.send(
            None, {"message": message, "photo": photo, "gif": gif}, only=[target_id]
        )

    def health(self, problems: Mapping[str, str]) -> None:
        """Alert on components that started failing or recovered."""
        for component, detail in problems.items():
            if self._health.get(component) != detail:
                self.send(
                    AlertCategory.PROBLEMS,
                    {
                        "message": self.text(
                            "problem",
                            component=self.text(f"component_{component}"),
                            detail=detail,
                        )
                    },
                )
        for component in set(self._health) - set(problems):
            name = self.text(f"component_{component}")
            self.send(
                AlertCategory.PROBLEMS,
                {"message": self.text("recovered", component=name)},
            )
        if problems != self._health:
            self._health = dict(problems)
            self._writer.request()

    # -- delivery ----------------------------------------------------------------

    @callback
    def _drain(self) -> None:
        """Give up what is too old; start a worker for each target with work."""
        if self._stopped:
            return
        now = time.time()
        for entry in self.outbox.expire(now):
            self._expired(entry)
        for entry in self.outbox.due(now):
            if entry.target not in self._workers:
                self._workers.add(entry.target)
                self._start(self._async_work(entry.target))
        self._schedule()

    async def _async_work(self, target_id: str) -> None:
        """Deliver ``target_id``'s alerts one after the other, until one fails.

        One worker per target keeps its alerts in order, and a long queue is
        a loop, not a chain of tasks. It lets the event loop run between
        alerts: an action that answers without waiting (a stand-in, a local
        notify) would otherwise hold the loop for the whole queue.
        """
        try:
            while (entry := self.outbox.next_due(target_id, time.time())) is not None:
                self.outbox.sending(entry)
                if not await self._async_deliver(entry):
                    break
                await asyncio.sleep(0)
        finally:
            self._workers.discard(target_id)
        self._schedule()

    async def _async_deliver(self, entry: OutboxEntry) -> bool:
        """Send one alert; whether the worker may go on with the next."""
        target = self.targets[entry.target]
        try:
            await async_deliver(self.hass, target, entry.payload)
        except asyncio.CancelledError:
            self.outbox.interrupted(entry)
            raise
        except ServiceValidationError as err:
            if not _has_media(entry.payload):
                return self._failed(entry, target, err)
            # Say a path outside allowlist_external_dirs: the text must go.
            _LOGGER.warning(
                "%s refused the picture of an alert (%s); sending the text alone",
                target.name,
                err,
            )
            if entry.payload.get("media_only"):
                self._done(entry)
            else:
                entry.payload.update(photo=None, gif=None)
                self.outbox.interrupted(entry)  # first in line, at once
            return True
        except Exception as err:  # whatever it is, try again later
            return self._failed(entry, target, err)
        self.last_delivered = dt_util.utcnow()
        self._done(entry)
        return True

    @callback
    def _failed(self, entry: OutboxEntry, target: TargetConfig, err: Exception) -> bool:
        retry = self.outbox.failed(entry, time.time(), str(err) or type(err).__name__)
        log = _LOGGER.warning if entry.attempts == 1 else _LOGGER.debug
        log(
            "Alert to %s not delivered (%s); attempt %d, next in %.0f s",
            target.name,
            entry.last_error,
            entry.attempts,
            retry - time.time(),
        )
        self._writer.request()
        return False

    @callback
    def _done(self, entry: OutboxEntry) -> None:
        """``entry`` needs no more delivery."""
        self.outbox.delivered(entry)
        # Coalesced: a queue draining after an outage is not rewritten for
        # every alert. Lost with a crash, an alert is sent twice, never lost.
        self._writer.request()
        self._notify()

    @callback
    def _schedule(self) -> None:
        if self._wakeup is not None:
            self._wakeup()
            self._wakeup = None
        wakeup = self.outbox.next_wakeup()
        if wakeup is not None and not self._stopped:
            self._wakeup = track_at(self.hass, self._woken, max(wakeup, time.time()))

    @callback
    def _woken(self, _scheduled: datetime) -> None:
        self._wakeup = None
        self._drain()

    @callback
    def _expired(self, entry: OutboxEntry) -> None:
        self.expired += 1
        target = self.targets.get(entry.target)
        name = target.name if target else entry.target
        _LOGGER.error(
            "Alert to %s given up after 24 h and %d attempts (%s): %s",
            name,
            entry.attempts,
            entry.last_error,
            entry.payload.get("message"),
        )
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            ISSUE_EXPIRED,
            is_fixable=False,
            is_persistent=True,
            severity=ir.IssueSeverity.WARNING,
            learn_more_url=TROUBLESHOOTING_URL,
            translation_key=ISSUE_EXPIRED,
            translation_placeholders={"count": str(self.expired), "target": name},
        )
        self._writer.request()

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = self.hass.async_create_background_task(work, "rpi_security alert")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


def _has_media(alert: Mapping[str, Any]) -> bool:
    return bool(alert.get("photo") or alert.get("gif"))


def _fit(target: TargetConfig, alert: dict[str, Any]) -> dict[str, Any] | None:
    """The alert as ``target`` can show it (None: nothing left worth sending)."""
    payload = dict(alert)
    for media in ("photo", "gif"):
        if payload.get(media) and not can_show(target, media):
            if payload.pop("media_only", False):
                return None
            payload[media] = None
    return payload


class AlarmAlert:
    """One alarm: its alert goes out with the first photo, then the GIF follows."""

    def __init__(
        self,
        manager: AlertManager,
        cause: str,
        at: datetime,
        *,
        kind: AlarmKind | None = None,
        area: str | None = None,
    ) -> None:
        """An alarm of ``kind`` caused by ``cause`` at ``at``, in ``area``."""
        self._manager = manager
        self.cause = cause
        self.at = at
        self.kind = kind
        self.area = area
        self.sent = False
        self._timeout: CALLBACK_TYPE | None = None

    def wait_for_photo(self) -> None:
        """Hold the alert for the first photo, but not for long."""
        self._timeout = async_call_later(
            self._manager.hass, PHOTO_WAIT, self._photo_late
        )

    @callback
    def _photo_late(self, _now: datetime) -> None:
        self._timeout = None
        self.send(photo=None, note=self._manager.text("no_photo_late"))

    @callback
    def on_capture(self, result: CaptureResult) -> None:
        """A capture for this alarm is done (or failed)."""
        if result.kind is CaptureKind.PHOTO and not self.sent:
            if result.path is not None:
                self.send(photo=str(result.path), note=None)
            else:
                self.send(
                    photo=None, note=self._manager.text("no_photo", reason=result.error)
                )
        elif result.kind is CaptureKind.GIF and result.path is not None:
            manager = self._manager
            manager.send(
                AlertCategory.ALARM,
                {
                    "message": manager.in_area(
                        manager.text("alarm_gif", cause=self.cause), self.area
                    ),
                    "gif": str(result.path),
                    "media_only": True,
                },
            )

    @callback
    def send(self, *, photo: str | None, note: str | None) -> None:
        """Send the alarm alert (once)."""
        if self.sent:
            return
        self.sent = True
        if self._timeout is not None:
            self._timeout()
            self._timeout = None
        manager = self._manager
        time_text = dt_util.as_local(self.at).strftime("%H:%M:%S")
        if self.kind is AlarmKind.TAMPER:
            text = manager.text("alarm_tamper", cause=self.cause, time=time_text)
        elif self.kind is AlarmKind.ENVIRONMENTAL:
            text = manager.text("alarm_environmental", cause=self.cause, time=time_text)
        else:
            text = manager.text("alarm", cause=self.cause, time=time_text)
        message = manager.in_area(text, self.area)
        if note:
            message = f"{message} {note}"
        manager.send(
            AlertCategory.ALARM,
            {
                "message": message,
                "photo": photo,
                "urgent": True,
                # A Disarm button only where someone may use it.
                "disarm": bool(manager.settings.disarm_users),
                "disarm_title": manager.text("disarm_button"),
            },
        )
