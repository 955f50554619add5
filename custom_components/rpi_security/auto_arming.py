"""Automatic arming: presence arms the alarm when everyone has left, and disarms it.

The glue between the presence monitor and the alarm machine: it hands the
engine's :class:`AutoArm` every presence change and carries out its decision;
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

from .const import CHANGED_BY_PRESENCE
from .engine.alarm import (
    AlarmEvent,
    AlarmMachine,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    ArmModeNotEnabledError,
    EventType,
    SensorKind,
)
from .engine.auto_arm import ArmDecision, AutoArm, DisarmDecision
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
        machine: AlarmMachine,
        auto_arm: AutoArm,
        *,
        apply: Callable[[list[AlarmEvent]], None],
        refused: Callable[[ArmMode, ArmingRefusedError], list[str]],
        notify: Callable[[str], None],
        save: Callable[[], None],
        run: Callable[[Coroutine[Any, Any, None]], None],
    ) -> None:
        """Work on ``machine`` through the system's own ways of acting."""
        self.presence = presence
        self.machine = machine
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

    @callback
    def presence_changed(self, changes: list[PresenceChange]) -> None:
        """Presence changed (or may now lead somewhere): act on the decision."""
        if changes:
            self._notify(OCCUPANCY_KEY)
            self._save()
        decision = self.auto_arm.decide(
            self.presence.tracker, changes, self.machine.state
        )
        now = time.time()
        if isinstance(decision, DisarmDecision):
            name = self.presence.name(decision.occupant_id)
            self.auto_arm.disarmed()
            self._apply(
                self.machine.disarm(now, changed_by=f"{name} ({CHANGED_BY_PRESENCE})")
            )
        elif isinstance(decision, ArmDecision):
            self._arm(decision.mode, now)

    def _arm(self, mode: ArmMode, now: float) -> None:
        try:
            events = self.machine.arm(mode, now, changed_by=CHANGED_BY_PRESENCE)
        except ArmingRefusedError as err:
            self.auto_arm.refused()
            doors = self._refused(mode, err)
            _LOGGER.warning(
                "Everyone has left, but arming waits for doors to close: %s",
                ", ".join(doors),
            )
            return
        except ArmModeNotEnabledError:
            _LOGGER.error(
                "Everyone has left, but the departure mode %s is not an enabled arm "
                "mode; change it in the presence options",
                mode.value,
            )
            return
        self.auto_arm.armed(by_presence=True)
        self._apply(events)

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
    def sensor_changed(self, kind: SensorKind, is_open: bool) -> None:
        """A door or motion sensor of the alarm changed."""
        now = time.time()
        tracker = self.presence.tracker
        if kind is SensorKind.DOOR and is_open:
            tracker.door_opened_now(now)
            self.presence.changed()
        elif kind is SensorKind.MOTION and is_open:
            if self.machine.state is AlarmState.DISARMED:
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
