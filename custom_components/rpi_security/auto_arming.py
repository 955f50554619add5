"""Automatic arming: presence arms the alarm when everyone has left, and disarms it.

The glue between the presence monitor and the areas presence controls (each
area says whether it is one): it hands the engine's :class:`AutoArm` every
presence change and carries out its decision, arming the controlled areas
that are disarmed and disarming those that guard;
it tells the presence tracker what the alarm's own sensors saw (a door
opening: someone may have gone out; motion while disarmed: someone is home;
a person arming or disarming by hand: someone is around); and when a door
opens while armed it asks the away phones at once, so an owner coming home
disarms before the entry delay ends.
"""

from collections.abc import Callable, Coroutine, Mapping
import logging
import time
from typing import Any

from homeassistant.core import callback

from .alarm_areas import AlarmAreas, Area
from .const import CHANGED_BY_PRESENCE
from .engine.alarm import (
    AlarmEvent,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    ArmModeNotEnabledError,
    EventType,
    SensorKind,
)
from .engine.auto_arm import ArmDecision, AutoArm, DisarmDecision
from .engine.modes import GUARDING_STATES
from .engine.presence import PresenceChange
from .presence import PresenceMonitor

_LOGGER = logging.getLogger(__name__)

# Keys the system's listeners subscribe to.
OCCUPANCY_KEY = "occupancy"
AUTO_ARM_KEY = "auto_arm"


class PresenceArming:
    """Carries out what presence asks of the alarm; tells it what the alarm saw."""

    def __init__(
        self,
        presence: PresenceMonitor,
        areas: AlarmAreas,
        auto_arm: AutoArm,
        *,
        apply: Callable[[list[AlarmEvent]], None],
        refused: Callable[[ArmMode, dict[str, ArmingRefusedError]], None],
        notify: Callable[[str], None],
        save: Callable[[], None],
        run: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        """Work on ``areas`` through the system's own ways of acting."""
        self.presence = presence
        self.areas = areas
        self.auto_arm = auto_arm
        self._apply = apply
        self._refused = refused
        self._notify = notify
        self._save = save
        self._run = run

    def restore(self, data: Mapping[str, Any], presence: Mapping[str, Any]) -> None:
        """Take back the switch and what was decided, before presence starts."""
        self.auto_arm.restore(data, presence)

    # -- presence --------------------------------------------------------------

    def controlled(self) -> list[Area]:
        """The areas presence arms and disarms."""
        return [area for area in self.areas if area.config.presence_controls]

    @callback
    def presence_changed(self, changes: list[PresenceChange]) -> None:
        """Presence changed (or may now lead somewhere): act on the decision."""
        if changes:
            self._notify(OCCUPANCY_KEY)
            self._save()
        controlled = self.controlled()
        decision = self.auto_arm.decide(
            self.presence.tracker, changes, [a.machine.state for a in controlled]
        )
        now = time.time()
        if isinstance(decision, DisarmDecision):
            name = self.presence.name(decision.occupant_id)
            self.auto_arm.disarmed()
            guarding = [a.id for a in controlled if a.machine.state in GUARDING_STATES]
            result = self.areas.disarm(
                now, areas=guarding, changed_by=f"{name} ({CHANGED_BY_PRESENCE})"
            )
            self._apply(result.events)
        elif isinstance(decision, ArmDecision):
            disarmed = [
                a.id for a in controlled if a.machine.state is AlarmState.DISARMED
            ]
            self._arm(decision.mode, now, disarmed)

    def _arm(self, mode: ArmMode, now: float, areas: list[str]) -> None:
        result = self.areas.arm(mode, now, areas=areas, changed_by=CHANGED_BY_PRESENCE)
        if result.done:
            self.auto_arm.armed(by_presence=True)
        in_the_way = {
            area_id: err
            for area_id, err in result.refused.items()
            if isinstance(err, ArmingRefusedError)
        }
        if in_the_way:
            self.auto_arm.refused()  # armed as soon as they close
            self._refused(mode, in_the_way)
            _LOGGER.warning(
                "Everyone has left, but arming %s waits for sensors to close",
                ", ".join(self.areas.house.name(a) for a in in_the_way)
                if self.areas.house is not None
                else "",
            )
        if any(isinstance(e, ArmModeNotEnabledError) for e in result.refused.values()):
            _LOGGER.error(
                "Everyone has left, but the departure mode %s is not enabled in "
                "every area presence arms; change it in the presence options or "
                "the areas",
                mode.value,
            )
        self._apply(result.events)

    async def async_switch(self, enabled: bool) -> None:
        """The "Automatic arming" switch; turning it on arms if all are away."""
        self.auto_arm.switched(enabled)
        self._save()
        self._notify(AUTO_ARM_KEY)
        self.presence_changed([])

    @callback
    def occupants_changed(self) -> None:
        """Phones or persons were added or removed: no one left or came home."""
        self.auto_arm.occupants_changed(self.presence.tracker)
        self._notify(OCCUPANCY_KEY)
        self._save()

    # -- what the alarm saw ------------------------------------------------------

    @callback
    def sensor_changed(
        self, kind: SensorKind, is_open: bool, *, disarmed: bool = False
    ) -> None:
        """A door or motion sensor of the alarm changed.

        ``disarmed``: the sensor's areas are all disarmed (motion then says
        someone is home).
        """
        now = time.time()
        tracker = self.presence.tracker
        if kind is SensorKind.DOOR and is_open:
            tracker.door_opened_now(now)
            self.presence.changed()
        elif kind is SensorKind.MOTION and is_open:
            if disarmed:
                tracker.saw_someone_inside(now)
        elif kind is SensorKind.DOOR and self.auto_arm.retry_arm:
            self.presence_changed([])  # a door closed: arming may work now

    @callback
    def by_hand(self) -> None:
        """Someone armed or disarmed the alarm: someone is around."""
        self.presence.tracker.someone_around(time.time())

    @callback
    def alarm_changed(self, events: list[AlarmEvent], *, by_a_sensor: bool) -> None:
        """The alarm changed; if a door began the entry delay, ask the away phones."""
        if not self.auto_arm.enabled or not by_a_sensor:
            return
        if any(
            e.type is EventType.STATE_CHANGED and e.state is AlarmState.PENDING
            for e in events
        ):
            self._run(self.presence.async_probe_arrivals())

    def snapshot(self) -> dict[str, Any]:
        """What to keep across a restart."""
        return self.auto_arm.snapshot()
