"""One gate for every code, wherever it comes from.

The panel and its actions, ``rpi_security.arm``, Telegram commands and the
app's Disarm button all ask :meth:`AccessControl.async_authorize`. The attempt
is counted by the lock-out before the first ``await`` (the slow hash check
runs in the executor afterwards) and the count is stored, so neither codes
sent in parallel nor a restart or reload give anyone more guesses.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
import logging
import math
import time
from typing import Any

from homeassistant.core import Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .alerts import AlertManager
from .config import AlertCategory
from .const import DOMAIN, EVENT_ALARM, EVENT_BAD_CODE, EVENT_DURESS
from .engine.access import (
    Action,
    LockedOutError,
    Lockout,
    LockoutPolicy,
    User,
    match_code,
)
from .engine.alarm import AlarmState, ArmMode

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1


def access_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where the lock-out is kept."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}.access")


@dataclass(frozen=True, slots=True)
class Grant:
    """Permission given: to whom (``None``: nobody in particular), and how."""

    user: User | None
    # The user's duress code was entered: do it, and raise a silent alarm.
    duress: bool = False


class AccessControl:
    """The users, their rights, and the one lock-out they all share."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        users: Sequence[User],
        *,
        code_arm_required: bool,
        panel_entity_id: Callable[[], str | None],
        policy: LockoutPolicy | None = None,
    ) -> None:
        """Prepare; :meth:`async_start` loads the stored lock-out."""
        self._hass = hass
        self.users = tuple(users)
        self.code_arm_required = code_arm_required
        self.lockout = Lockout(policy or LockoutPolicy())
        # Where lock-outs and duress codes are told (set by the system).
        self.alerts: AlertManager | None = None
        self._panel_entity_id = panel_entity_id
        self._store = access_store(hass, entry_id)
        self._stopped = False

    @property
    def code_needed(self) -> bool:
        """Whether any user has a code (then disarming needs one).

        Disabled users count: disabling the only user with a code must not
        leave the alarm open to anyone.
        """
        return any(user.has_code for user in self.users)

    def by_telegram_id(self, telegram_id: Any) -> User | None:
        """The enabled user whose Telegram account this is."""
        try:
            number = int(telegram_id)
        except TypeError, ValueError:
            return None
        return next(
            (u for u in self.users if u.enabled and number in u.telegram_ids), None
        )

    def linked_user(self, context: Context | None) -> User | None:
        """The enabled user linked to the Home Assistant user of ``context``."""
        return self.by_ha_user(context.user_id if context else None)

    def by_ha_user(self, ha_user_id: str | None) -> User | None:
        """The enabled user linked to a Home Assistant user."""
        if ha_user_id is None:
            return None
        return next(
            (u for u in self.users if u.enabled and u.ha_user_id == ha_user_id), None
        )

    # -- life cycle ----------------------------------------------------------

    async def async_start(self) -> None:
        """Take back the lock-out as it was when the system last stopped."""
        try:
            stored = await self._store.async_load()
        except HomeAssistantError as err:
            _LOGGER.error("The stored code lock-out is unreadable: %s", err)
            return
        if stored is None:
            return
        try:
            if not isinstance(stored, dict) or not isinstance(
                stored.get("lockout"), dict
            ):
                raise ValueError("not a lock-out")
            self.lockout.restore(stored["lockout"])
        except ValueError as err:
            _LOGGER.error("The stored code lock-out is unreadable: %s", err)

    async def async_stop(self) -> None:
        """Store the lock-out now; later checks store nothing."""
        self._stopped = True
        await self._store.async_save(self._snapshot())

    def _snapshot(self) -> dict[str, Any]:
        return {"lockout": self.lockout.snapshot()}

    @callback
    def _save(self) -> None:
        if not self._stopped:
            self._store.async_delay_save(self._snapshot, 0)

    # -- the gate ------------------------------------------------------------

    async def async_authorize(
        self,
        action: Action,
        *,
        mode: ArmMode | None = None,
        code: str | None,
        requester: User | None = None,
        trusted: bool = False,
        code_required: bool = False,
    ) -> Grant:
        """Allow ``action`` or raise a translated error saying why not.

        ``requester`` is the user known to be asking (by their Home Assistant
        login or Telegram account); only a ``trusted`` channel (Telegram, the
        app's Disarm button) lets them disarm without a code, if they may.
        With a code, the code's owner is who acts. ``code_required`` asks
        for a code to arm too, where the panel arms without one (MQTT).
        """
        needs_code = self.code_needed and (
            action is Action.DISARM or self.code_arm_required or code_required
        )
        if not needs_code:
            return self._grant(requester, action, mode, duress=False)
        if not code:
            if (
                trusted
                and action is Action.DISARM
                and requester is not None
                and requester.disarm_without_code
            ):
                return self._grant(requester, action, mode, duress=False)
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="code_required"
            )
        # Counted as wrong before anything is awaited: codes sent together
        # cannot all be checked before the first failure counts.
        now = time.time()
        try:
            attempt = self.lockout.reserve(now)
        except LockedOutError as err:
            raise _locked_out(err.until, now) from err
        self._save()
        match = await self._hass.async_add_executor_job(match_code, code, self.users)
        failures = self.lockout.settle(attempt, correct=match is not None)
        self._save()
        if match is None:
            locked_until = self.lockout.locked_until(time.time())
            if locked_until is not None:
                failures = self.lockout.policy.max_failures
            self._wrong_code(failures, locked_until)
            raise ServiceValidationError(
                translation_domain=DOMAIN, translation_key="invalid_code"
            )
        return self._grant(match.user, action, mode, duress=match.duress)

    @classmethod
    def require(cls, user: User, action: Action, mode: ArmMode | None = None) -> None:
        """Raise a translated error unless ``user`` may do ``action``."""
        cls._grant(user, action, mode, duress=False)

    @staticmethod
    def _grant(
        user: User | None, action: Action, mode: ArmMode | None, *, duress: bool
    ) -> Grant:
        if user is not None and not user.may(action, mode):
            if action is Action.DISARM:
                key = "user_may_not_disarm"
            elif user.can_arm and mode is not None:
                key = "user_may_not_arm_mode"
            else:
                key = "user_may_not_arm"
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={
                    "user": user.name,
                    "mode": mode.value if mode else "",
                },
            )
        return Grant(user, duress=duress)

    # -- who, and what to tell ----------------------------------------------

    async def async_who(
        self, grant: Grant, via: str | None, context: Context | None
    ) -> str | None:
        """Who acts: whose code was entered, or who asked (through ``via``)."""
        if grant.user is not None:
            return f"{grant.user.name} ({via})" if via else grant.user.name
        return await self.async_changed_by(context)

    async def async_changed_by(self, context: Context | None) -> str | None:
        """The Home Assistant user of ``context``, or "automation"."""
        if context is None:
            return None
        if context.user_id is None:
            return "automation" if context.parent_id else None
        user = await self._hass.auth.async_get_user(context.user_id)
        return user.name if user else None

    @callback
    def report_duress(
        self,
        grant: Grant,
        who: str | None,
        state: AlarmState,
        context: Context | None,
    ) -> None:
        """A duress code did what was asked; now the silent alarm.

        Nothing at the panel or in the reply shows it: the alert goes to the
        targets of the alarm, the event to automations.
        """
        if not grant.duress:
            return
        _LOGGER.warning("Duress code entered")  # never whose, never the code
        if self.alerts is not None:
            self.alerts.duress(who or self.alerts.text("home_assistant"), dt_util.now())
        self._hass.bus.async_fire(
            EVENT_ALARM,
            {
                "type": EVENT_DURESS,
                "state": state.value,
                "changed_by": who,
                "entity_id": self._panel_entity_id(),
            },
            context=context,
        )

    @callback
    def _wrong_code(self, failures: int, locked_until: float | None) -> None:
        """Tell the log, automations and, on a lock-out, the alarm's targets."""
        # Never log the code itself.
        _LOGGER.warning(
            "Wrong alarm code (%d wrong in a row)%s",
            failures,
            "; codes are refused for a while" if locked_until else "",
        )
        self._hass.bus.async_fire(
            EVENT_BAD_CODE,
            {
                "entity_id": self._panel_entity_id(),
                "failures": failures,
                "locked_out": locked_until is not None,
            },
        )
        if locked_until is not None and self.alerts is not None:
            minutes = max(1, math.ceil((locked_until - time.time()) / 60))
            self.alerts.send(
                AlertCategory.ALARM,
                {"message": self.alerts.text("locked_out", minutes=minutes)},
            )


def _locked_out(until: float, now: float) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="code_locked_out",
        translation_placeholders={
            "minutes": str(max(1, math.ceil((until - now) / 60)))
        },
    )
