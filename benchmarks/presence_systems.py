"""The systems the presence accuracy benchmark runs a household's trace through.

- :class:`OurSystem`: the integration's engine (PresenceTracker with the
  default options, AutoArm, the AlarmMachine with its delays) and the glue's
  rules (what a captured frame means, what a person's state means, the ARP
  question to away phones when a door opens while armed, motion while
  disarmed, repair issues), driven with simulated time;
- :func:`run_baseline`: a ping/ARP device tracker per phone polling every
  12 s with consider_home 180 s, and an automation that arms away when every
  tracker is not_home and disarms when one comes home.

People react as people do: someone at home disarms a wrong arming with the
code after 1-10 min; someone coming home to an armed house that presence does
not disarm types the code after 10 min at the latest (so the figures show
how late presence would have been). A user told by a repair issue that a
phone has a new address fixes its MAC 2-48 h later; nothing tells the
baseline's users.
"""

from dataclasses import dataclass, field
import heapq
from itertools import count
import math
import random
from typing import Any

from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import State
from household_model import DAY, JOIN, MINUTE, Household, is_night
import numpy as np

from custom_components.rpi_security.area_config import AREA_DEFAULTS, read_area
from custom_components.rpi_security.config import DEFAULT_OPTIONS, presence_settings
from custom_components.rpi_security.engine.alarm import (
    AlarmEvent,
    AlarmMachine,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    EventType,
    SensorKind,
)
from custom_components.rpi_security.engine.auto_arm import (
    GUARDING,
    ArmDecision,
    AutoArm,
    DisarmDecision,
)
from custom_components.rpi_security.engine.presence import (
    PresenceChange,
    PresenceTracker,
)
from custom_components.rpi_security.hardware.frames import FrameKind
from custom_components.rpi_security.presence import DETECTION_OF_FRAME, home_of

# The baseline: Home Assistant's ping/nmap tracker defaults.
POLL, CONSIDER_HOME = 12.0, 180.0
CODE_AT_THE_DOOR = 10 * MINUTE
DOOR = "front_door"
HOUR = 3600.0
# What the simulated phones' frames are, as the capture decodes them.
FRAME_KIND = {"frame": FrameKind.MULTICAST, JOIN: FrameKind.DHCP}
ZONE_STATE = {True: State("person.p", "home"), False: State("person.p", "not_home")}
SETTINGS = presence_settings(DEFAULT_OPTIONS)
# The area a new system starts with, with its default settings.
AREA = read_area(
    ConfigSubentry(
        data=AREA_DEFAULTS, subentry_type="area", title="Home", unique_id=None
    ),
    [DOOR],
)


@dataclass
class Record:
    """What a system did to the alarm, for the figures."""

    # (time, state) of every change of the panel.
    states: list[tuple[float, AlarmState]] = field(default_factory=list)
    presence_arms: list[float] = field(default_factory=list)
    presence_disarms: list[float] = field(default_factory=list)


class AlarmUnderTest:
    """The real alarm machine, with people reacting to it."""

    def __init__(self, household: Household, rng: random.Random) -> None:
        """A disarmed alarm with the front door, in ``household``."""
        self.household = household
        self.rng = rng
        self.machine = AlarmMachine(
            settings=AREA.settings, sensors={DOOR: SensorKind.DOOR}
        )
        self.record = Record()
        self.timers: list[tuple[float, int, str, Any]] = []
        self._sequence = count()

    def later(self, at: float, action: str, data: Any = None) -> None:
        """Something to do at ``at`` (a person's code, a door closing...)."""
        heapq.heappush(self.timers, (at, next(self._sequence), action, data))

    def apply(self, events: list[AlarmEvent], t: float) -> None:
        """Record what the machine did."""
        self.record.states += [
            (t, e.state) for e in events if e.type is EventType.STATE_CHANGED
        ]

    def arm_by_presence(self, mode: ArmMode, t: float) -> bool:
        """Arm as presence asks; someone at home disarms it with the code."""
        try:
            events = self.machine.arm(mode, t, changed_by="presence")
        except ArmingRefusedError:
            return False
        self.record.presence_arms.append(t)
        self.apply(events, t)
        if self.household.occupied_at(t):
            self.later(t + self.rng.uniform(1, 10) * MINUTE, "code")
        return True

    def disarm(self, t: float, *, by_presence: bool) -> None:
        """Disarm, by presence or by someone's code."""
        if self.machine.state is AlarmState.DISARMED:
            return
        if by_presence:
            self.record.presence_disarms.append(t)
        self.apply(self.machine.disarm(t), t)

    def door(self, t: float) -> bool:
        """The door opens (and closes 5 s later); whether an entry delay began."""
        before = self.machine.state
        self.apply(self.machine.sensor_changed(DOOR, True, t), t)
        self.later(t + 5, "door_closed")
        if self.machine.state in GUARDING:
            self.later(t + CODE_AT_THE_DOOR, "code")
        return before is not AlarmState.PENDING and (
            self.machine.state is AlarmState.PENDING
        )


class OurSystem:
    """The integration's engine and the glue's rules on one household's trace."""

    def __init__(self, household: Household, *, geofence: bool, seed: int) -> None:
        """Phones just added, automatic arming on, the alarm disarmed."""
        self.household = household
        self.phones = household.phones
        self.rng = random.Random(seed)
        self.alarm = AlarmUnderTest(household, self.rng)
        self.tracker = PresenceTracker.for_occupants(
            SETTINGS.rules, [p.id for p in self.phones], is_night=is_night
        )
        self.tracker.restore({}, 0.0)
        self.tracker.watches_doors = True
        self.auto = AutoArm(
            departure_mode=SETTINGS.departure_mode,
            disarm_policy=SETTINGS.disarm_policy,
        )
        self.events = _world_events(household, geofence=geofence)
        count_ = len(self.phones)
        self.new_address_found = [False] * count_
        self.fixed = [False] * count_
        self.reported = [False] * count_

    def run(self) -> Record:
        """Play the whole trace; return what the alarm did."""
        alarm, tracker = self.alarm, self.tracker
        end = self.household.days * DAY
        alarm.later(HOUR, "issues")
        position, t = 0, 0.0
        while True:
            world = self.events[position][0] if position < len(self.events) else end
            deadline = tracker.next_deadline()
            due = math.inf if deadline is None else max(deadline, t)
            machine = alarm.machine.deadline
            timer = alarm.timers[0][0] if alarm.timers else math.inf
            t = min(world, due, timer, math.inf if machine is None else max(machine, t))
            if t >= end:
                return alarm.record
            if machine is not None and machine <= t:
                alarm.apply(alarm.machine.advance(t), t)
            elif timer <= t:
                _, _, action, data = heapq.heappop(alarm.timers)
                self._timer(action, data, t)
            elif due <= t:
                indexes = self._indexes(tracker.candidates(t))
                self._decide(self._ask(indexes, t), t)
            else:
                _, _, kind, data = self.events[position]
                position += 1
                self._world(kind, data, t)

    def _indexes(self, phone_ids: list[str]) -> list[int]:
        return [i for i, p in enumerate(self.phones) if p.id in phone_ids]

    def _decide(self, changes: list[PresenceChange | None], t: float) -> None:
        """As the glue does: the engine decides, the alarm is armed or disarmed."""
        changed = [c for c in changes if c is not None]
        decision = self.auto.decide(self.tracker, changed, self.alarm.machine.state)
        if isinstance(decision, DisarmDecision):
            self.auto.disarmed()
            self.alarm.disarm(t, by_presence=True)
        elif isinstance(decision, ArmDecision):
            if self.alarm.arm_by_presence(decision.mode, t):
                self.auto.armed(by_presence=True)
            else:
                self.auto.refused()

    def _new_mac(self, index: int, t: float) -> bool:
        change = self.phones[index].mac_change
        return change is not None and t >= change and not self.fixed[index]

    def _ask(self, indexes: list[int], t: float) -> list[PresenceChange | None]:
        """One ARP round (directed at the old MAC and at any new one found)."""
        tracker = self.tracker
        ids = [self.phones[i].id for i in indexes]
        tracker.start_confirming(ids)
        changes = []
        for index, phone_id in zip(indexes, ids, strict=True):
            answers = self.rng.random() < self.phones[index].answer_chance(t)
            if self._new_mac(index, t):
                if answers and self.new_address_found[index]:
                    changes.append(tracker.heard_new_address(phone_id, "new", t))
                answers = False
            changes.append(tracker.confirmed(phone_id, answers, t))
        return changes

    def _world(self, kind: str, data: Any, t: float) -> None:
        tracker, alarm = self.tracker, self.alarm
        if kind == "frame":
            self._decide([self._frame(data[0], data[1], t)], t)
        elif kind == "door":
            tracker.door_opened_now(t)
            if alarm.door(t):  # an entry delay began: are away phones back?
                self._decide(self._ask(self._indexes(tracker.away_phones()), t), t)
        elif kind == "motion" and alarm.machine.state is AlarmState.DISARMED:
            tracker.saw_someone_inside(t)
        elif kind == "zone":
            person, home = data
            phone_id = self.phones[person].id
            change = tracker.corroborate(phone_id, home_of(ZONE_STATE[home]), t)
            self._decide([change], t)

    def _frame(self, index: int, kind: str, t: float) -> PresenceChange | None:
        phone_id = self.phones[index].id
        if self._new_mac(index, t):
            if not self.new_address_found[index]:
                if kind != JOIN or not self.phones[index].hostname_kept:
                    return None  # a stranger's MAC, as far as anyone can tell
                self.new_address_found[index] = True
            return self.tracker.heard_new_address(phone_id, "new", t)
        detection = DETECTION_OF_FRAME[FRAME_KIND[kind]]
        return self.tracker.heard(phone_id, t, detection)

    def _timer(self, action: str, data: Any, t: float) -> None:
        alarm, tracker = self.alarm, self.tracker
        if action == "door_closed":
            alarm.apply(alarm.machine.sensor_changed(DOOR, False, t), t)
            if self.auto.retry_arm:
                self._decide([], t)
        elif action == "code" and alarm.machine.state is not AlarmState.DISARMED:
            self.auto.disarmed()
            alarm.disarm(t, by_presence=False)
            tracker.someone_around(t)
        elif action == "issues":  # the glue looks for quiet phones every hour
            quiet = tracker.quiet_phones(t)
            for index, phone in enumerate(self.phones):
                issue = phone.id in quiet or self.new_address_found[index]
                if issue and not self.reported[index]:
                    self.reported[index] = True
                    alarm.later(t + self.rng.uniform(2, 48) * HOUR, "fix", index)
            alarm.later(t + HOUR, "issues")
        elif action == "fix":  # the user enters the phone's new MAC
            self.fixed[data] = True
            tracker.occupants[self.phones[data].id].new_address = None


def _world_events(
    household: Household, *, geofence: bool
) -> list[tuple[float, int, str, Any]]:
    events: list[tuple[float, int, str, Any]] = []
    for index, phone in enumerate(household.phones):
        events += [(t, 1, "frame", (index, kind)) for t, kind in phone.frames]
    events += [(t, 0, "door", None) for t, seen in household.doors if seen]
    events += [(t, 2, "motion", None) for t in household.motion]
    if geofence:
        for person, reports in enumerate(household.zone_reports):
            events += [(t, 3, "zone", (person, home)) for t, home in reports]
    events.sort(key=lambda e: (e[0], e[1]))
    return events


def run_baseline(household: Household, *, seed: int) -> Record:
    """A ping/ARP tracker per phone and an arm-when-all-away automation."""
    rng = np.random.default_rng(seed)
    alarm = AlarmUnderTest(household, random.Random(seed))
    end = household.days * DAY
    flips: list[tuple[float, int, bool]] = []
    for index, phone in enumerate(household.phones):
        polls = rng.uniform(0, POLL) + np.arange(0, end, POLL)
        states = np.array(phone.states)
        where = np.searchsorted(np.array(phone.state_times), polls, side="right") - 1
        chance = np.array(phone.model.answer)[states[np.clip(where, 0, None)]]
        chance[where < 0] = 0
        if phone.mac_change is not None:
            chance[polls >= phone.mac_change] = 0  # and nothing tells the user
        answered = rng.random(len(polls)) < chance
        last = np.maximum.accumulate(np.where(answered, polls, -np.inf))
        home = polls - last <= CONSIDER_HOME
        changed = np.flatnonzero(np.diff(home.astype(np.int8))) + 1
        flips.append((float(polls[0]), index, bool(home[0])))
        flips += [(float(polls[i]), index, bool(home[i])) for i in changed]
    flips.sort()
    home_now = [False] * len(household.phones)
    for t, index, is_home in flips:
        while alarm.timers and alarm.timers[0][0] <= t:
            at, _, action, _ = heapq.heappop(alarm.timers)
            if action == "code":
                alarm.disarm(at, by_presence=False)
        deadline = alarm.machine.deadline
        if deadline is not None and deadline <= t:
            alarm.apply(alarm.machine.advance(deadline), deadline)
        everyone_was_away = not any(home_now)
        home_now[index] = is_home
        if is_home and alarm.machine.state in GUARDING:
            alarm.disarm(t, by_presence=True)
        elif (
            not any(home_now)
            and not everyone_was_away
            and alarm.machine.state is AlarmState.DISARMED
        ):
            alarm.arm_by_presence(SETTINGS.departure_mode, t)
    return alarm.record
