"""The seam between the alarm and what it drives: sirens and wall panels.

Sirens (:mod:`.sirens`) and wall panels (:mod:`.mqtt_panel`) see the alarm
only through :class:`AlarmPort`:

* the areas, each with its id, name, key (what a panel types), state, armed
  mode, kind of alarm and the seconds left in its delay (:class:`AreaView`);
* the engine's :class:`.engine.events.AlarmEvent` batches, each event
  naming its ``area`` (an area's id);
* commands to one area (or, with none, to every area: the whole house),
  carried out by the system's own ``async_arm`` / ``async_disarm``
  (:mod:`.area_commands`): the code rules, the users' rights (their areas
  too) and the one lock-out (counted before the first ``await``) apply
  exactly as on the panel, and a refused code is logged naming the wall
  panel. A refusal comes back as a :class:`CommandRefusedError` saying why,
  in words a wall panel knows, area by area when several were commanded.

:class:`SystemAlarmPort` is the running system with its areas.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
import time
from typing import TYPE_CHECKING, Protocol

from homeassistant.core import CALLBACK_TYPE, Context, callback
from homeassistant.exceptions import ServiceValidationError

from .area_commands import AreasRefusedError
from .code_log import CodeSource
from .engine.alarm import (
    AlarmEvent,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    ArmModeNotEnabledError,
    DisarmFirstError,
)
from .engine.events import AlarmError
from .engine.sensors import AlarmKind
from .engine.sirens import AreaState
from .engine.wall_panel import PanelSensor

if TYPE_CHECKING:
    from .system import SecuritySystem

type EventListener = Callable[[list[AlarmEvent]], None]


@dataclass(frozen=True, slots=True)
class AreaView:
    """One area as the outputs see it now."""

    id: str
    name: str
    # What a panel types for it and names it by: its name, slugged.
    key: str
    state: AlarmState
    # The mode armed or being armed (kept through pending and triggered).
    armed_mode: ArmMode | None = None
    alarm_kind: AlarmKind | None = None
    # Seconds left in the exit, entry or trigger delay running now.
    seconds_left: float | None = None


class Refusal(StrEnum):
    """Why a command was not carried out."""

    NO_CODE = "no_code"
    WRONG_CODE = "wrong_code"
    LOCKED_OUT = "locked_out"
    USER_NOT_ALLOWED = "user_not_allowed"
    SENSORS_IN_THE_WAY = "sensors_in_the_way"
    MODE_NOT_ENABLED = "mode_not_enabled"
    DISARM_FIRST = "disarm_first"
    UNKNOWN_AREA = "unknown_area"
    ARMING_FAILED = "arming_failed"


# The gate's translated errors (code, rights, areas), by the refusal each is.
_REFUSAL_OF_ERROR = {
    "code_required": Refusal.NO_CODE,
    "invalid_code": Refusal.WRONG_CODE,
    "code_locked_out": Refusal.LOCKED_OUT,
    "user_may_not_arm": Refusal.USER_NOT_ALLOWED,
    "user_may_not_arm_mode": Refusal.USER_NOT_ALLOWED,
    "user_may_not_disarm": Refusal.USER_NOT_ALLOWED,
    "user_may_not_area": Refusal.USER_NOT_ALLOWED,
    "unknown_area": Refusal.UNKNOWN_AREA,
    "no_areas": Refusal.UNKNOWN_AREA,
}


def _refusal_of_engine(err: AlarmError) -> Refusal:
    """Why one area's machine refused to arm."""
    if isinstance(err, ArmingRefusedError):
        return Refusal.SENSORS_IN_THE_WAY
    if isinstance(err, ArmModeNotEnabledError):
        return Refusal.MODE_NOT_ENABLED
    if isinstance(err, DisarmFirstError):
        return Refusal.DISARM_FIRST
    return Refusal.ARMING_FAILED


@dataclass(frozen=True, slots=True)
class AreaRefusal:
    """One area that refused: why, its state, the sensors in the way."""

    area: str | None
    reason: Refusal
    state: AlarmState
    sensors: tuple[str, ...] = ()


class CommandRefusedError(Exception):
    """A command refused (nothing changed but the lock-out's count), or in part.

    ``refusals`` names each area that refused; with several areas commanded,
    the others are armed all the same (``armed``). A refusal of the gate
    (code, rights) is one, for the area asked (``None``: the whole house).
    """

    def __init__(
        self, refusals: list[AreaRefusal], armed: tuple[str, ...] = ()
    ) -> None:
        """Keep the refusals, the first one's reason as the message."""
        super().__init__(refusals[0].reason.value)
        self.refusals = refusals
        self.armed = armed

    @property
    def reason(self) -> Refusal:
        """Why (the first area's reason)."""
        return self.refusals[0].reason


class AlarmPort(Protocol):
    """What sirens and wall panels need of the alarm (see the module)."""

    def areas(self) -> list[AreaView]:
        """Every area, the primary one first."""

    def area_states(self) -> Mapping[str | None, AreaState]:
        """Every area's machine state, by id (for restoring the sirens)."""

    def listen(self, listener: EventListener) -> CALLBACK_TYPE:
        """Call ``listener`` with each batch of events; returns the unsubscribe."""

    def describe_sensor(self, sensor_id: str) -> PanelSensor:
        """A sensor's name and entity, for events."""

    async def async_arm(
        self,
        area: str | None,
        mode: ArmMode,
        *,
        code: str | None,
        force: bool,
        via: str,
        code_required: bool = False,
        context: Context | None = None,
    ) -> None:
        """Arm ``area`` (``None``: the whole house); :class:`CommandRefusedError`."""

    async def async_disarm(
        self,
        area: str | None,
        *,
        code: str | None,
        via: str,
        context: Context | None = None,
    ) -> None:
        """Disarm ``area`` (``None``: the whole house); :class:`CommandRefusedError`."""


class SystemAlarmPort:
    """The running system as an :class:`AlarmPort`: its areas, its one gate."""

    def __init__(self, system: SecuritySystem) -> None:
        """Talk to ``system``."""
        self._system = system

    def areas(self) -> list[AreaView]:
        """Every area of the system, the primary one first."""
        now = time.time()
        return [
            AreaView(
                id=area.id,
                name=area.name,
                key=area.config.key,
                state=area.machine.state,
                armed_mode=area.machine.armed_mode,
                alarm_kind=area.machine.alarm_kind,
                seconds_left=area.machine.seconds_left(now),
            )
            for area in self._system.areas
        ]

    def area_states(self) -> Mapping[str | None, AreaState]:
        """Every area's machine, by area id."""
        return {area.id: area.machine for area in self._system.areas}

    @callback
    def listen(self, listener: EventListener) -> CALLBACK_TYPE:
        """The areas' events (each names its area)."""
        return self._system.subscribe_events(listener)

    def describe_sensor(self, sensor_id: str) -> PanelSensor:
        """A sensor's name and entity."""
        system = self._system
        return PanelSensor(
            sensor_id, system.sensor_name(sensor_id), system.sensor_entity_id(sensor_id)
        )

    def _panel_of(self, area: str | None) -> str | None:
        """The panel a wrong code is reported on: the area's, or the house's."""
        found = self._system.areas.get(area) if area is not None else None
        return found.panel_entity_id if found else self._system.panel_entity_id

    async def async_arm(
        self,
        area: str | None,
        mode: ArmMode,
        *,
        code: str | None,
        force: bool,
        via: str,
        code_required: bool = False,
        context: Context | None = None,
    ) -> None:
        """Arm through the system's gate (the areas one by one)."""
        try:
            await self._system.async_arm(
                mode,
                area=area,
                code=code,
                force=force,
                context=context,
                via=via,
                entity_id=self._panel_of(area),
                source=CodeSource.WALL_PANEL,
                code_required=code_required,
            )
        except ServiceValidationError as err:
            raise self._refused(err, area) from err

    async def async_disarm(
        self,
        area: str | None,
        *,
        code: str | None,
        via: str,
        context: Context | None = None,
    ) -> None:
        """Disarm through the system's gate."""
        try:
            await self._system.async_disarm(
                area=area,
                code=code,
                context=context,
                via=via,
                entity_id=self._panel_of(area),
                source=CodeSource.WALL_PANEL,
            )
        except ServiceValidationError as err:
            raise self._refused(err, area) from err

    def _state(self, area: str | None) -> AlarmState:
        found = self._system.areas.get(area) if area is not None else None
        if found is not None:
            return found.machine.state
        return self._system.house_state().state

    def _refused(self, err: ServiceValidationError, area: str | None) -> Exception:
        if isinstance(err, AreasRefusedError):
            return CommandRefusedError(
                [
                    AreaRefusal(
                        area_id,
                        _refusal_of_engine(cause),
                        self._state(area_id),
                        cause.sensors if isinstance(cause, ArmingRefusedError) else (),
                    )
                    for area_id, cause in err.refusals.items()
                ],
                err.armed,
            )
        reason = _REFUSAL_OF_ERROR.get(err.translation_key or "")
        if reason is None:
            return err  # not a refusal of ours: let it be seen
        return CommandRefusedError([AreaRefusal(area, reason, self._state(area))])
