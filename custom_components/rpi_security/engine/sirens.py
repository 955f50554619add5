"""When sirens and strobes sound: a policy beside the alarm machines.

Pure Python, time passed in. Outputs are ids here (the glue drives a GPIO
relay or buzzer, or a Home Assistant ``siren``/``switch``). The controller
reads the events of every area (:meth:`SirenController.apply`) and answers
with the outputs to switch (:class:`OutputChange`), on only when that changes
something:

* an output sounds while one of its areas is triggered by a kind of alarm
  it is for (a water leak need not wake the street), and stops when none
  is: at the end of the trigger time, or on disarming;
* with ``arm_chirp`` / ``disarm_chirp`` (seconds, 0 for none), outputs that
  chirp sound that long when an area is armed by a command (not when an
  exit delay or a trigger time ends) or disarmed (not when disarming
  silences an alarm: the siren stopping says enough). Schedule
  :meth:`SirenController.advance` at :attr:`SirenController.deadline` to
  end a chirp;
* after a restart, :meth:`SirenController.restore` switches every output
  explicitly: on only if an area is still triggered, never a chirp. An
  output is never left on across a restart.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from .events import AlarmEvent, EventType
from .modes import ARMED_STATES, AlarmState
from .sensors import AlarmKind

EVERY_ALARM = frozenset(AlarmKind)


@dataclass(frozen=True, slots=True)
class Output:
    """A siren, buzzer or strobe, by id."""

    id: str
    # The areas it sounds for; empty: every area.
    areas: frozenset[str] = frozenset()
    # The kinds of alarm it sounds for.
    alarms: frozenset[AlarmKind] = EVERY_ALARM
    # Whether it chirps on arming and disarming (a strobe may not).
    chirps: bool = True

    def serves(self, area: str | None) -> bool:
        """Whether the output belongs to ``area``."""
        return not self.areas or area in self.areas


@dataclass(frozen=True, slots=True)
class SirenSettings:
    """The outputs and their chirps (seconds; 0: no chirp)."""

    outputs: tuple[Output, ...] = ()
    arm_chirp: float = 0.0
    disarm_chirp: float = 0.0


@dataclass(frozen=True, slots=True)
class OutputChange:
    """Switch output ``id`` on or off."""

    id: str
    on: bool


class AreaState(Protocol):
    """What restoring needs of an area (an :class:`.alarm.AlarmMachine`)."""

    @property
    def state(self) -> AlarmState:
        """The area's state."""

    @property
    def alarm_kind(self) -> AlarmKind | None:
        """Why the area is triggered, if it is."""


@dataclass(slots=True)
class SirenController:
    """Which outputs sound now, and until when a chirp lasts."""

    settings: SirenSettings
    # Area -> the kinds of alarm it sounds for now (triggered areas only).
    _sounding: dict[str | None, set[AlarmKind]] = field(default_factory=dict)
    # Area -> when its chirp ends.
    _chirps: dict[str | None, float] = field(default_factory=dict)
    _on: dict[str, bool] = field(default_factory=dict)

    def is_on(self, output_id: str) -> bool:
        """Whether the output was last switched on."""
        return self._on.get(output_id, False)

    @property
    def deadline(self) -> float | None:
        """When the next chirp ends (call :meth:`advance` then)."""
        return min(self._chirps.values(), default=None)

    def apply(self, events: Iterable[AlarmEvent], now: float) -> list[OutputChange]:
        """Take in what the areas did; return the outputs to switch."""
        for event in events:
            if event.type is EventType.STATE_CHANGED:
                self._state_changed(event, now)
            elif (
                event.state is AlarmState.TRIGGERED
                and event.alarm is not None
                and event.area in self._sounding
            ):  # another kind of alarm while sounding
                self._sounding[event.area].add(event.alarm)
        return self._switch(now)

    def advance(self, now: float) -> list[OutputChange]:
        """End the chirps that are over by ``now``."""
        return self._switch(now)

    def restore(
        self, areas: Mapping[str | None, AreaState], now: float
    ) -> list[OutputChange]:
        """After a start: every output, on only for an area still triggered."""
        self._chirps.clear()
        self._sounding = {
            area_id: {area.alarm_kind or AlarmKind.INTRUSION}
            for area_id, area in areas.items()
            if area.state is AlarmState.TRIGGERED
        }
        self._on.clear()
        wanted = self._wanted(now)
        self._on = dict(wanted)
        return [OutputChange(output_id, on) for output_id, on in wanted.items()]

    def _state_changed(self, event: AlarmEvent, now: float) -> None:
        area, state, previous = event.area, event.state, event.previous_state
        if state is AlarmState.TRIGGERED:
            self._sounding[area] = {event.alarm or AlarmKind.INTRUSION}
            self._chirps.pop(area, None)
            return
        self._sounding.pop(area, None)
        chirp = 0.0
        # Arming starts by a command; an armed state reached from disarmed
        # or another armed state too (no exit delay), not one reached when
        # a delay or the trigger time ends.
        if state is AlarmState.ARMING or (
            state in ARMED_STATES
            and (previous is AlarmState.DISARMED or previous in ARMED_STATES)
        ):
            chirp = self.settings.arm_chirp
        elif state is AlarmState.DISARMED and previous is not AlarmState.TRIGGERED:
            chirp = self.settings.disarm_chirp
        if chirp > 0:
            self._chirps[area] = now + chirp

    def _wanted(self, now: float) -> dict[str, bool]:
        for area, until in list(self._chirps.items()):
            if now >= until:
                del self._chirps[area]
        wanted: dict[str, bool] = {}
        for output in self.settings.outputs:
            sounding = any(
                output.serves(area) and kinds & output.alarms
                for area, kinds in self._sounding.items()
            )
            chirping = output.chirps and any(
                output.serves(area) for area in self._chirps
            )
            wanted[output.id] = sounding or chirping
        return wanted

    def _switch(self, now: float) -> list[OutputChange]:
        changes = []
        for output_id, on in self._wanted(now).items():
            if self._on.get(output_id, False) != on:
                self._on[output_id] = on
                changes.append(OutputChange(output_id, on))
        return changes
