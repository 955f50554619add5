"""The wall-panel protocol: commands in, states and events out.

Pure Python, no I/O: the glue carries these payloads over MQTT (Home
Assistant's MQTT integration, an existing broker). Topics are the glue's
(configurable); what travels on them is decided here.

Command topic (never retained), either a plain command, case-insensitive::

    ARM_AWAY

or a JSON object::

    {"command": "ARM_AWAY", "code": "1234", "area": "garage", "force": false}

``command`` is one of ARM_AWAY, ARM_HOME, ARM_NIGHT, ARM_VACATION,
ARM_CUSTOM_BYPASS, DISARM (case-insensitive); ``code`` is text (a number
would lose its leading zeros, so it is refused); ``area`` is an area's id or
its name as a slug (``garden_office`` for "Garden office"), none meaning the
whole house; ``force`` (or ``bypass``) arms past the sensors in the way.
Other keys are ignored. :func:`parse_command` returns a :class:`PanelRequest`
or raises :class:`CommandRejectedError` with a :class:`Rejection` saying why;
payloads over :data:`MAX_PAYLOAD_BYTES` are refused unread. The code rules
and the lock-out apply to a request exactly as on the panel: that is the
glue's (:mod:`.access`).

State topic (retained), one per area and one for the whole house: the state
string (:func:`state_payload`), as Home Assistant shows it.

Event topic (JSON, :func:`encode`)::

    {"event": "ARM_AWAY", "area": "garage", "delay": 30}
    {"event": "TRIGGER", "area": "garage", "alarm": "intrusion", "delay": 30,
     "sensors": [{"id": "...", "name": "Garage door", "entity_id": "..."}]}
    {"event": "FAILED_TO_ARM", "area": "garage", "command": "ARM_AWAY",
     "sensors": [...]}
    {"event": "INVALID_CODE_PROVIDED", "area": "garage", "command": "DISARM"}
    {"event": "NO_CODE_PROVIDED", "area": "garage", "command": "DISARM"}
    {"event": "COMMAND_NOT_ALLOWED", "area": "garage", "command": "ARM_HOME",
     "state": "triggered", "reason": "disarm_first"}
    {"event": "COMMAND_REJECTED", "reason": "unknown_area"}

``area`` is null for the whole house. :func:`alarm_event_payload` turns an
:class:`.events.AlarmEvent` into its event payload, if it has one.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
import json
import re
from typing import Any

from .events import AlarmEvent, EventType
from .modes import ARMED_STATES, AlarmState, ArmMode

# A command is a few dozen bytes; anything much larger is not a panel's.
MAX_PAYLOAD_BYTES = 1024
MAX_CODE_LENGTH = 64


class PanelCommand(StrEnum):
    """What a wall panel may ask."""

    ARM_AWAY = "ARM_AWAY"
    ARM_HOME = "ARM_HOME"
    ARM_NIGHT = "ARM_NIGHT"
    ARM_VACATION = "ARM_VACATION"
    ARM_CUSTOM_BYPASS = "ARM_CUSTOM_BYPASS"
    DISARM = "DISARM"

    @property
    def mode(self) -> ArmMode | None:
        """The mode an arm command arms in; ``None`` for DISARM."""
        if self is PanelCommand.DISARM:
            return None
        return ArmMode(self.value.removeprefix("ARM_").lower())

    @classmethod
    def of_mode(cls, mode: ArmMode) -> PanelCommand:
        """The command that arms in ``mode``."""
        return cls(f"ARM_{mode.value.upper()}")


class Rejection(StrEnum):
    """Why a command payload was refused."""

    TOO_LARGE = "too_large"
    NOT_TEXT = "not_text"  # not UTF-8
    EMPTY = "empty"
    NOT_JSON = "not_json"  # looks like JSON, does not parse
    NOT_AN_OBJECT = "not_an_object"  # JSON, but not an object or a string
    MISSING_COMMAND = "missing_command"
    BAD_COMMAND = "bad_command"  # not text
    UNKNOWN_COMMAND = "unknown_command"
    BAD_CODE = "bad_code"  # not text, or too long
    BAD_AREA = "bad_area"  # not text
    UNKNOWN_AREA = "unknown_area"
    BAD_FORCE = "bad_force"  # not true or false, or force and bypass differ


class CommandRejectedError(ValueError):
    """A command payload that cannot be carried out as it is."""

    def __init__(self, reason: Rejection) -> None:
        """Keep the reason, for the log and the COMMAND_REJECTED event."""
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class PanelRequest:
    """A well-formed command, its area resolved to an id."""

    command: PanelCommand
    code: str | None = None
    # The area's id; ``None``: the whole house.
    area: str | None = None
    force: bool = False


def area_slug(name: str) -> str:
    """An area's name as panels write it: lower case, ``_`` between words."""
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def area_keys(names: Mapping[str, str]) -> dict[str, str]:
    """What a panel may call each area (id or slugged name) -> the area's id."""
    keys = {area_slug(name): area_id for area_id, name in names.items()}
    keys.update({area_id: area_id for area_id in names})
    return keys


def parse_command(payload: bytes | str, areas: Mapping[str, str]) -> PanelRequest:
    """Read a command payload; ``areas`` maps names a panel may use to ids.

    Raises :class:`CommandRejectedError` for anything but a well-formed
    command for a known area.
    """
    if isinstance(payload, str):
        payload = payload.encode()
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise CommandRejectedError(Rejection.TOO_LARGE)
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError as err:
        raise CommandRejectedError(Rejection.NOT_TEXT) from err
    if not text:
        raise CommandRejectedError(Rejection.EMPTY)
    if text[0] not in '{["' and not text[0].isdigit() and text[0] != "-":
        return PanelRequest(_command(text))
    try:
        data: Any = json.loads(text)
    except ValueError as err:
        raise CommandRejectedError(Rejection.NOT_JSON) from err
    if isinstance(data, str):
        return PanelRequest(_command(data))
    if not isinstance(data, dict):
        raise CommandRejectedError(Rejection.NOT_AN_OBJECT)
    if "command" not in data:
        raise CommandRejectedError(Rejection.MISSING_COMMAND)
    return PanelRequest(
        _command(data["command"]),
        code=_code(data.get("code")),
        area=_area(data.get("area"), areas),
        force=_force(data),
    )


def _command(value: Any) -> PanelCommand:
    if not isinstance(value, str):
        raise CommandRejectedError(Rejection.BAD_COMMAND)
    try:
        return PanelCommand(value.strip().upper())
    except ValueError as err:
        raise CommandRejectedError(Rejection.UNKNOWN_COMMAND) from err


def _code(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > MAX_CODE_LENGTH:
        raise CommandRejectedError(Rejection.BAD_CODE)
    return value


def _area(value: Any, areas: Mapping[str, str]) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise CommandRejectedError(Rejection.BAD_AREA)
    area = areas.get(value) or areas.get(area_slug(value))
    if area is None:
        raise CommandRejectedError(Rejection.UNKNOWN_AREA)
    return area


def _force(data: Mapping[str, Any]) -> bool:
    given = [data[key] for key in ("force", "bypass") if key in data]
    if not all(isinstance(value, bool) for value in given) or len(set(given)) > 1:
        raise CommandRejectedError(Rejection.BAD_FORCE)
    return bool(given and given[0])


# -- out -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PanelSensor:
    """A sensor as events name it."""

    id: str
    name: str
    entity_id: str | None = None

    def payload(self) -> dict[str, Any]:
        """The sensor in an event."""
        return {"id": self.id, "name": self.name, "entity_id": self.entity_id}


def state_payload(state: AlarmState) -> str:
    """What the retained state topic carries."""
    return state.value


def encode(payload: Mapping[str, Any]) -> str:
    """An event payload as compact JSON."""
    return json.dumps(payload, separators=(",", ":"), sort_keys=True)


def armed_payload(area: str | None, mode: ArmMode, delay: float) -> dict[str, Any]:
    """Armed (or arming) in ``mode``; ``delay``: the exit delay, in seconds."""
    return {
        "event": PanelCommand.of_mode(mode).value,
        "area": area,
        "delay": round(delay),
    }


def triggered_payload(
    area: str | None,
    sensors: Iterable[PanelSensor],
    *,
    alarm: str,
    delay: float,
) -> dict[str, Any]:
    """Tripped: ``delay`` is the entry delay (0 when triggered at once)."""
    return {
        "event": "TRIGGER",
        "area": area,
        "alarm": alarm,
        "delay": round(delay),
        "sensors": [sensor.payload() for sensor in sensors],
    }


def failed_to_arm_payload(
    area: str | None, command: PanelCommand, sensors: Iterable[PanelSensor]
) -> dict[str, Any]:
    """Arming refused by the sensors in the way."""
    return {
        "event": "FAILED_TO_ARM",
        "area": area,
        "command": command.value,
        "sensors": [sensor.payload() for sensor in sensors],
    }


def wrong_code_payload(area: str | None, command: PanelCommand) -> dict[str, Any]:
    """A wrong code (or one not allowed to do this)."""
    return {"event": "INVALID_CODE_PROVIDED", "area": area, "command": command.value}


def no_code_payload(area: str | None, command: PanelCommand) -> dict[str, Any]:
    """A code is needed and none came."""
    return {"event": "NO_CODE_PROVIDED", "area": area, "command": command.value}


def not_allowed_payload(
    area: str | None, command: PanelCommand, state: AlarmState, reason: str
) -> dict[str, Any]:
    """Refused in this state (``reason``: disarm_first, mode_not_enabled, ...)."""
    return {
        "event": "COMMAND_NOT_ALLOWED",
        "area": area,
        "command": command.value,
        "state": state.value,
        "reason": reason,
    }


def rejected_payload(reason: Rejection) -> dict[str, Any]:
    """A payload that was not a command at all."""
    return {"event": "COMMAND_REJECTED", "reason": reason.value}


def alarm_event_payload(
    event: AlarmEvent,
    *,
    mode: ArmMode | None,
    delay: float | None,
    describe: Callable[[str], PanelSensor],
) -> dict[str, Any] | None:
    """The event payload for an alarm event, if panels hear of it.

    An arming command (the change to arming, or straight to armed) and the
    start of an alarm (to pending, or to triggered other than at the end of
    the entry delay). ``mode`` is the mode armed, ``delay`` the seconds the
    new state lasts (the exit or entry delay), ``describe`` names a sensor.
    """
    if event.type is not EventType.STATE_CHANGED:
        return None
    state, previous = event.state, event.previous_state
    if (
        state is AlarmState.ARMING
        or (
            state in ARMED_STATES
            and (previous is AlarmState.DISARMED or previous in ARMED_STATES)
        )
    ) and mode is not None:
        return armed_payload(event.area, mode, delay or 0)
    if state is AlarmState.PENDING or (
        state is AlarmState.TRIGGERED and previous is not AlarmState.PENDING
    ):
        return triggered_payload(
            event.area,
            [describe(sensor_id) for sensor_id in event.sensors],
            alarm=(event.alarm.value if event.alarm else "intrusion"),
            delay=delay if state is AlarmState.PENDING and delay else 0,
        )
    return None
