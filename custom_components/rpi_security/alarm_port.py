"""The seam between the alarm and what it drives: sirens and wall panels.

Sirens (:mod:`.sirens`) and wall panels (:mod:`.mqtt_panel`) see the alarm
only through :class:`AlarmPort`:

* the areas, each with an id, a name and its state (:class:`AreaView`);
* the engine's :class:`.engine.events.AlarmEvent` batches, each event's
  ``area`` set to the id of the area it comes from;
* commands to an area (or, with no area, the whole house), carried out by
  the system's own ``async_arm`` / ``async_disarm``: the code rules, the
  users' rights and the lock-out (counted before the first ``await``)
  apply exactly as on the panel. A refusal comes back as a
  :class:`CommandRefusedError` saying why, in words a wall panel knows.

:class:`SystemAlarmPort` is today's system: one area, the system itself,
whose id is the config entry's id (never stored: with one area every siren
serves all areas and a panel says no area or the system's name).
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
import time
from typing import TYPE_CHECKING, Protocol

from homeassistant.core import CALLBACK_TYPE, Context, callback
from homeassistant.exceptions import ServiceValidationError

from .engine.alarm import AlarmEvent, AlarmState, ArmingRefusedError, ArmMode
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


# The system's translated errors, by the refusal each one is.
_REFUSAL_OF_ERROR = {
    "code_required": Refusal.NO_CODE,
    "invalid_code": Refusal.WRONG_CODE,
    "code_locked_out": Refusal.LOCKED_OUT,
    "user_may_not_arm": Refusal.USER_NOT_ALLOWED,
    "user_may_not_arm_mode": Refusal.USER_NOT_ALLOWED,
    "user_may_not_disarm": Refusal.USER_NOT_ALLOWED,
    "doors_open": Refusal.SENSORS_IN_THE_WAY,
    "arm_mode_not_enabled": Refusal.MODE_NOT_ENABLED,
    "disarm_first": Refusal.DISARM_FIRST,
}


class CommandRefusedError(Exception):
    """A command the alarm refused; nothing changed (but the lock-out's count)."""

    def __init__(
        self,
        reason: Refusal,
        *,
        area: str | None = None,
        state: AlarmState = AlarmState.DISARMED,
        sensors: tuple[str, ...] = (),
    ) -> None:
        """Keep why, the area asked for, its state, and the sensors in the way."""
        super().__init__(reason.value)
        self.reason = reason
        self.area = area
        self.state = state
        self.sensors = sensors


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
    """Today's system as an :class:`AlarmPort`: one area, the system itself."""

    def __init__(self, system: SecuritySystem) -> None:
        """Talk to ``system``."""
        self._system = system

    @property
    def primary_id(self) -> str:
        """The one area's id."""
        return self._system.entry.entry_id

    def areas(self) -> list[AreaView]:
        """The one area."""
        system = self._system
        machine = system.machine
        return [
            AreaView(
                id=self.primary_id,
                name=system.config.name,
                state=machine.state,
                armed_mode=machine.armed_mode,
                alarm_kind=machine.alarm_kind,
                seconds_left=machine.seconds_left(time.time()),
            )
        ]

    def area_states(self) -> Mapping[str | None, AreaState]:
        """The one area's machine."""
        return {self.primary_id: self._system.machine}

    @callback
    def listen(self, listener: EventListener) -> CALLBACK_TYPE:
        """Events of the one machine, named after the one area."""
        primary = self.primary_id

        @callback
        def forward(events: list[AlarmEvent]) -> None:
            listener(
                [
                    event if event.area is not None else event._replace(area=primary)
                    for event in events
                ]
            )

        listeners = self._system.event_listeners
        listeners.append(forward)
        return lambda: listeners.remove(forward)

    def describe_sensor(self, sensor_id: str) -> PanelSensor:
        """A sensor's name and entity."""
        system = self._system
        return PanelSensor(
            sensor_id, system.sensor_name(sensor_id), system.sensor_entity_id(sensor_id)
        )

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
        """Arm through the system's gate."""
        try:
            await self._system.async_arm(
                mode,
                code=code,
                force=force,
                context=context,
                via=via,
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
            await self._system.async_disarm(code=code, context=context, via=via)
        except ServiceValidationError as err:
            raise self._refused(err, area) from err

    def _refused(self, err: ServiceValidationError, area: str | None) -> Exception:
        reason = _REFUSAL_OF_ERROR.get(err.translation_key or "")
        if reason is None:
            return err  # not a refusal of ours: let it be seen
        cause = err.__cause__
        sensors = cause.sensors if isinstance(cause, ArmingRefusedError) else ()
        return CommandRefusedError(
            reason, area=area, state=self._system.machine.state, sensors=sensors
        )
