"""Several areas, and the whole house they make together.

Pure Python, time passed in. Each area is an :class:`.alarm.AlarmMachine` of
its own (its sensors, modes, delays), armed and disarmed independently; a
:class:`House` holds them, routes sensor changes to the areas that have the
sensor (a sensor may belong to more than one), fans commands out to every
area, and says what state the whole house is in.

The whole house's state (:func:`combined_state`), first rule that applies:

1. any area triggered: ``triggered``;
2. any area pending: ``pending``;
3. any area arming: ``arming``;
4. every area armed in the same mode: that ``armed_*`` state;
5. every area disarmed: ``disarmed``;
6. anything else (some armed and some disarmed, or armed in different
   modes): ``armed_custom_bypass``, Home Assistant's "armed with some parts
   not guarded", with ``mixed`` true so the panel can say "partly armed".
   It depends on the areas alone, never on what came before, so it reads
   the same after a restart.

Fan-out (:meth:`House.arm_all`, :meth:`House.disarm_all`): each area is armed
on its own; an area that refuses (sensors open, mode not enabled there,
pending) is reported in :attr:`FanOut.refused` and the others are armed all
the same: a garage door left open never leaves the house unguarded. With
``all_or_nothing`` no area is armed when any would refuse. The modes the
whole house offers are those every area enables.

Snapshot (:meth:`House.snapshot`)::

    {"areas": {"<area id>": <AlarmMachine snapshot>, ...}}

:meth:`House.restore` also reads a snapshot of a single machine, as the
versions before areas stored it, into the primary area (the first one): an
existing installation migrates to one area with nothing lost.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .alarm import AlarmEvent, AlarmMachine
from .events import AlarmError
from .modes import AlarmSettings, AlarmState, ArmMode
from .sensors import Sensor


def area_machine(
    area_id: str, settings: AlarmSettings, sensors: Iterable[Sensor]
) -> AlarmMachine:
    """The alarm machine of one area, watching ``sensors``."""
    sensors = list(sensors)
    return AlarmMachine(
        settings=settings,
        sensors={sensor.id: sensor.type for sensor in sensors},
        options={s.id: s.options for s in sensors if s.options is not None},
        area=area_id,
    )


@dataclass(frozen=True, slots=True)
class HouseState:
    """The whole house's state, and whether its areas disagree."""

    state: AlarmState
    # Some areas armed and others not, or armed in different modes.
    mixed: bool = False


def combined_state(states: Iterable[AlarmState]) -> HouseState:
    """The whole house's state from its areas' (see the module's docstring)."""
    present = set(states)
    for state in (AlarmState.TRIGGERED, AlarmState.PENDING, AlarmState.ARMING):
        if state in present:
            return HouseState(state)
    if not present:
        return HouseState(AlarmState.DISARMED)
    if len(present) == 1:
        return HouseState(present.pop())
    return HouseState(AlarmState.ARMED_CUSTOM_BYPASS, mixed=True)


@dataclass(slots=True)
class FanOut:
    """What a command to several areas did, area by area."""

    events: list[AlarmEvent] = field(default_factory=list)
    # The areas the command changed, or that were already as asked.
    done: list[str] = field(default_factory=list)
    refused: dict[str, AlarmError] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RestoreResult:
    """What restoring the house did, and the areas it could not restore."""

    events: list[AlarmEvent]
    # Area id -> why its part of the snapshot could not be read; each of
    # those areas is left as it was (the glue falls back on the panel's
    # last state, as for a lost store).
    unreadable: dict[str, str]
    # Areas the snapshot does not mention: new since, or lost.
    missing: tuple[str, ...]


class House:
    """The areas of one system, and the whole house they make."""

    def __init__(
        self, areas: Iterable[AlarmMachine], names: Mapping[str, str] | None = None
    ) -> None:
        """Hold ``areas`` (each machine's ``area`` is its id; the first is primary)."""
        self.areas: dict[str, AlarmMachine] = {}
        for machine in areas:
            if machine.area is None or machine.area in self.areas:
                raise ValueError(f"area ids must be unique and set: {machine.area}")
            self.areas[machine.area] = machine
        if not self.areas:
            raise ValueError("a house needs at least one area")
        self.names = dict(names or {})
        self._areas_of: dict[str, list[AlarmMachine]] = {}
        for machine in self.areas.values():
            for sensor_id in machine.sensors:
                self._areas_of.setdefault(sensor_id, []).append(machine)

    @property
    def primary(self) -> AlarmMachine:
        """The first area: where a snapshot from before areas goes."""
        return next(iter(self.areas.values()))

    def name(self, area_id: str) -> str:
        """An area's name for people (its id when it has none)."""
        return self.names.get(area_id, area_id)

    def areas_of(self, sensor_id: str) -> list[AlarmMachine]:
        """The areas a sensor belongs to."""
        return self._areas_of.get(sensor_id, [])

    @property
    def state(self) -> HouseState:
        """The whole house's combined state."""
        return combined_state(machine.state for machine in self.areas.values())

    @property
    def arm_modes(self) -> frozenset[ArmMode]:
        """The modes every area enables: those the whole-house panel offers."""
        modes = [machine.settings.arm_modes for machine in self.areas.values()]
        return frozenset.intersection(*modes)

    @property
    def deadline(self) -> float | None:
        """The earliest deadline of any area: when to call :meth:`advance`."""
        deadlines = [m.deadline for m in self.areas.values() if m.deadline is not None]
        return min(deadlines, default=None)

    # -- sensors and time ----------------------------------------------------

    def sensor_changed(
        self, sensor_id: str, is_open: bool | None, now: float
    ) -> list[AlarmEvent]:
        """A sensor opened, closed or became unavailable, in each of its areas."""
        machines = self._areas_of.get(sensor_id, ())
        if len(machines) == 1:  # the usual case, and the quickest
            return machines[0].sensor_changed(sensor_id, is_open, now)
        events: list[AlarmEvent] = []
        for machine in machines:
            events += machine.sensor_changed(sensor_id, is_open, now)
        return events

    def sensor_seen(
        self, sensor_id: str, is_open: bool | None, now: float
    ) -> list[AlarmEvent]:
        """A sensor's first level since the start, in each of its areas."""
        events: list[AlarmEvent] = []
        for machine in self.areas_of(sensor_id):
            events += machine.sensor_seen(sensor_id, is_open, now)
        return events

    def advance(self, now: float) -> list[AlarmEvent]:
        """Carry out every area's delays that have ended by ``now``."""
        events: list[AlarmEvent] = []
        for machine in self.areas.values():
            if machine.deadline is not None and now >= machine.deadline:
                events += machine.advance(now)
        return events

    # -- commands to several areas -------------------------------------------

    def arm_all(
        self,
        mode: ArmMode,
        now: float,
        *,
        force: bool = False,
        bypass: Mapping[str, Collection[str]] | None = None,
        skip_delay: bool = False,
        changed_by: str | None = None,
        areas: Collection[str] | None = None,
        all_or_nothing: bool = False,
    ) -> FanOut:
        """Arm every area (or ``areas``) in ``mode``; see the module's docstring.

        ``bypass`` maps an area to the sensors it may bypass: the "Arm anyway"
        of a refusal, each refused area's ``err.sensors``.
        """
        chosen = self._chosen(areas)
        bypass = bypass or {}
        result = FanOut()
        if all_or_nothing and not force:
            for machine in chosen:
                try:
                    machine.check_arm(mode, bypass=bypass.get(_area(machine), ()))
                except AlarmError as err:
                    result.refused[_area(machine)] = err
            if result.refused:
                return result
        for machine in chosen:
            try:
                result.events += machine.arm(
                    mode,
                    now,
                    force=force,
                    bypass=bypass.get(_area(machine), ()),
                    skip_delay=skip_delay,
                    changed_by=changed_by,
                )
            except AlarmError as err:
                result.refused[_area(machine)] = err
            else:
                result.done.append(_area(machine))
        return result

    def disarm_all(
        self,
        now: float,
        *,
        changed_by: str | None = None,
        areas: Collection[str] | None = None,
    ) -> FanOut:
        """Disarm every area (or ``areas``); the machines never refuse it."""
        result = FanOut()
        for machine in self._chosen(areas):
            result.events += machine.disarm(now, changed_by=changed_by)
            result.done.append(_area(machine))
        return result

    def _chosen(self, areas: Collection[str] | None) -> list[AlarmMachine]:
        if areas is None:
            return list(self.areas.values())
        unknown = set(areas) - set(self.areas)
        if unknown:
            raise KeyError(f"unknown areas: {', '.join(sorted(unknown))}")
        return [m for area_id, m in self.areas.items() if area_id in areas]

    # -- persistence ---------------------------------------------------------

    def snapshot(self, now: float) -> dict[str, Any]:
        """Every area's snapshot, as JSON-friendly data."""
        return {
            "areas": {
                area_id: machine.snapshot(now)
                for area_id, machine in self.areas.items()
            }
        }

    def restore(
        self, data: Any, now: float, sensor_levels: Mapping[str, bool]
    ) -> RestoreResult:
        """Resume every area from ``data`` (or a snapshot from before areas).

        Each area gets the levels of its own sensors. ``ValueError`` when
        ``data`` is neither shape (nothing is changed then).
        """
        if not isinstance(data, Mapping):
            raise ValueError("the alarm state is not a mapping")
        if "areas" in data:
            parts = data["areas"]
            if not isinstance(parts, Mapping):
                raise ValueError("areas is not a mapping")
        elif "state" in data:
            parts = {_area(self.primary): data}  # from before areas
        else:
            raise ValueError("neither areas nor an alarm state")
        events: list[AlarmEvent] = []
        unreadable: dict[str, str] = {}
        for area_id, machine in self.areas.items():
            if area_id not in parts:
                continue
            levels = {
                sid: level
                for sid, level in sensor_levels.items()
                if sid in machine.sensors
            }
            try:
                events += machine.restore(parts[area_id], now, levels)
            except ValueError as err:
                unreadable[area_id] = str(err)
        missing = tuple(area_id for area_id in self.areas if area_id not in parts)
        return RestoreResult(events, unreadable, missing)


def _area(machine: AlarmMachine) -> str:
    return machine.area or ""
