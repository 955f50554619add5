"""Simulated households: who is where, and what their phones do on the Wi-Fi.

A trace of one household over several days, generated from a seed. Nothing
here knows how presence is decided; the systems under test only see the
phones' frames, their answers to ARP, the doors, the motion sensor and, when
the household has it, the Companion app's zone.

People follow a schedule per day: commuters, people working from home,
schoolchildren, retirees on weekdays; errands and family outings at the
weekend; now and then a night or three away (a person or the whole household).
Phones follow their owner, or stay at home (left on the charger).

Phones (every parameter is drawn per phone across its range):
- Android in use: a visible frame (mDNS, SSDP, ARP, IPv6 ND; what a switched
  LAN shows the Pi) every 30-120 s on average; light idle: every 3-10 min;
  Doze (30-70 min after it was last used): frames only in maintenance windows
  every 30-60 min, and ARP answered 60-95 % of the time.
- iPhone in use: a frame every 20-90 s; locked: frames every 1 min to its own
  maximum of 5-20 min, and deaf to ARP for spells of 1 min to its own maximum
  of 3-15 min, between responsive spells of 5-30 min on average.
- Doors: every departure and return opens a door; one time in ten it is an
  exit without a door contact (the garage, the patio). People at home and
  awake also open doors without leaving (the bins, the garden, a parcel):
  0.1-0.6 times an hour, drawn per household.
- Every phone rejoins the Wi-Fi 5-120 s after its owner is in range (which is
  0-60 s before the door opens), sends what a joining phone sends (DHCP, ARP
  probe, IPv6 DAD) 97 % of the time, and reconnects now and then while lying
  at home (0-1.5 times a day: roaming, Wi-Fi restarts), which looks just like
  joining.
- The Companion app reports leaving the home zone 1-10 min after the door,
  and arriving mostly before the door opens (iPhone: 75 % 30-300 s before,
  13 % 0-30 s before, 7 % up to 2 min after, 3 % 2-15 min after, 2 % only at
  the next update 15-60 min later; Android later more often), and wrongly
  says "away" for 2-30 min about once a fortnight per person.
"""

from bisect import bisect_right
from dataclasses import dataclass, field
import math
import random

DAY = 86400.0
HOUR = 3600.0
MINUTE = 60.0

# Phone states on the network (index into a phone's answer probabilities).
OFF, ACTIVE, IDLE, DOZE, DEAF = range(5)

# Frame kinds in a trace.
FRAME, JOIN = "frame", "join"


@dataclass
class PhoneModel:
    """How one phone behaves (drawn once per phone)."""

    kind: str  # "android" or "iphone"
    active_gap: float  # mean seconds between visible frames in use
    idle_gap: float  # Android light idle mean gap; iPhone: most a locked gap
    doze_after: float  # Android: idle this long, then Doze
    doze_window: tuple[float, float]  # Android: between maintenance windows
    answer: tuple[float, ...]  # per state: chance an ARP round is answered
    deaf_max: float  # iPhone: longest deaf spell
    responsive_mean: float  # iPhone: mean responsive spell while locked
    reconnects_per_day: float

    @classmethod
    def draw(cls, rng: random.Random, kind: str) -> PhoneModel:
        """A phone of ``kind`` with its parameters drawn across their ranges."""
        if kind == "android":
            return cls(
                kind,
                active_gap=rng.uniform(30, 120),
                idle_gap=rng.uniform(3, 10) * MINUTE,
                doze_after=rng.uniform(30, 70) * MINUTE,
                doze_window=(30 * MINUTE, 60 * MINUTE),
                answer=(0.0, 0.99, rng.uniform(0.9, 0.99), rng.uniform(0.6, 0.95), 0),
                deaf_max=0.0,
                responsive_mean=0.0,
                reconnects_per_day=rng.uniform(0, 1.5),
            )
        return cls(
            kind,
            active_gap=rng.uniform(20, 90),
            idle_gap=rng.uniform(5, 20) * MINUTE,
            doze_after=0.0,
            doze_window=(0.0, 0.0),
            answer=(0.0, 0.99, rng.uniform(0.85, 0.99), 0.0, 0.0),
            deaf_max=rng.uniform(3, 15) * MINUTE,
            responsive_mean=rng.uniform(5, 30) * MINUTE,
            reconnects_per_day=rng.uniform(0, 1.5),
        )


@dataclass
class Phone:
    """One phone's trace: its state over time and the frames it sends."""

    id: str
    owner: int
    model: PhoneModel
    state_times: list[float] = field(default_factory=list)
    states: list[int] = field(default_factory=list)
    frames: list[tuple[float, str]] = field(default_factory=list)
    # When its MAC changes (at a join), and whether the DHCP host name stays.
    mac_change: float | None = None
    hostname_kept: bool = False

    def state_at(self, t: float) -> int:
        """The phone's state at ``t``."""
        index = bisect_right(self.state_times, t) - 1
        return self.states[index] if index >= 0 else OFF

    def answer_chance(self, t: float) -> float:
        """How likely an ARP round at ``t`` is answered."""
        return self.model.answer[self.state_at(t)]


@dataclass
class Outing:
    """One person out of the house (door to door)."""

    person: int
    leave: float
    back: float
    phone_left_home: bool = False


@dataclass
class Household:
    """A household's trace over ``days`` days."""

    people: int
    days: int
    phones: list[Phone]
    outings: list[Outing]
    sleep: list[list[tuple[float, float]]]  # per person
    motion: list[float]  # indoor motion (empty without a motion sensor)
    # Per person: (time, home?) reports of the Companion app's zone.
    zone_reports: list[list[tuple[float, bool]]]
    # Doors opening as people leave and come back, and whether the door used
    # has a contact (one time in ten it is an exit without one: the garage).
    doors: list[tuple[float, bool]] = field(default_factory=list)

    def home_intervals(self, person: int) -> list[tuple[float, float]]:
        """When ``person`` is out (sorted)."""
        return sorted((o.leave, o.back) for o in self.outings if o.person == person)

    def occupied_at(self, t: float) -> bool:
        """Whether anyone is home at ``t``."""
        out = {o.person for o in self.outings if o.leave <= t < o.back}
        return len(out) < self.people


# -- schedules ------------------------------------------------------------------


def _day_outings(
    rng: random.Random, day: int, role: str, weekend: bool
) -> list[tuple[float, float]]:
    """One person's outings on one day (seconds since the trace began)."""
    base = day * DAY
    outings: list[tuple[float, float]] = []

    def add(start_h: float, length_min: float) -> None:
        start = base + start_h * HOUR
        outings.append((start, start + length_min * MINUTE))

    if weekend:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            add(rng.uniform(9, 20), rng.uniform(20, 300))
    elif role == "commuter":
        leave = rng.uniform(6.5, 9.5)
        back = rng.uniform(16, 19.5)
        add(leave, (back - leave) * 60)
        if rng.random() < 0.2:
            add(rng.uniform(19.75, 21), rng.uniform(60, 180))
    elif role == "student":
        leave = rng.uniform(7.25, 8.25)
        add(leave, (rng.uniform(13, 17) - leave) * 60)
        if rng.random() < 0.3:
            add(rng.uniform(17.5, 19), rng.uniform(30, 120))
    else:  # working from home, retired
        for _ in range(rng.choice((0, 1, 1, 2))):
            add(rng.uniform(8, 19), rng.uniform(15, 180))
    return _without_overlaps(sorted(outings))


def _without_overlaps(outings: list[tuple[float, float]]) -> list[tuple[float, float]]:
    kept: list[tuple[float, float]] = []
    for start, end in outings:
        if kept and start < kept[-1][1] + 10 * MINUTE:
            continue
        kept.append((start, end))
    return kept


def _merge(outings: list[tuple[float, float]]) -> list[tuple[float, float]]:
    merged: list[tuple[float, float]] = []
    for start, end in sorted(outings):
        if merged and start <= merged[-1][1] + 5 * MINUTE:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _trips(
    rng: random.Random, days: int, people: int
) -> list[list[tuple[float, float]]]:
    """Nights away: the whole household, or one person, now and then."""
    per_person: list[list[tuple[float, float]]] = [[] for _ in range(people)]
    for week in range(days // 7 + 1):
        if rng.random() < 0.25:  # a household trip: leave Friday evening or Saturday
            start = (week * 7 + 4) * DAY + rng.uniform(17, 33) * HOUR
            end = start + rng.uniform(1, 2.5) * DAY
            for trips in per_person:
                trips.append((start, end))
        for trips in per_person:
            if rng.random() < 0.08:  # a business trip
                start = (week * 7 + rng.randrange(0, 4)) * DAY + rng.uniform(
                    6, 18
                ) * HOUR
                trips.append((start, start + rng.uniform(1, 3) * DAY))
    return per_person


def generate(
    seed: int,
    *,
    people: int,
    days: int,
    left_home_share: float = 0.0,
    mac_change: bool = False,
) -> Household:
    """A household trace from ``seed``."""
    rng = random.Random(seed)
    roles = [
        rng.choice(("commuter", "commuter", "home", "student")) for _ in range(people)
    ]
    if people == 1:
        roles = [rng.choice(("commuter", "commuter", "home"))]
    trips = _trips(rng, days, people)
    joint_weekend = [rng.random() < 0.4 for _ in range(days)]
    outings: list[Outing] = []
    per_person: list[list[tuple[float, float]]] = []
    for person in range(people):
        spans: list[tuple[float, float]] = []
        for day in range(days):
            weekend = day % 7 in (5, 6)
            if weekend and joint_weekend[day] and person > 0:
                continue  # copied from person 0 below
            spans += _day_outings(rng, day, roles[person], weekend)
        per_person.append(spans)
    for person in range(1, people):  # family outings at the weekend
        per_person[person] += [
            span
            for span in per_person[0]
            if joint_weekend[int(span[0] // DAY)] and int(span[0] // DAY) % 7 in (5, 6)
        ]
    for person in range(people):
        spans = _merge(per_person[person] + trips[person])
        spans = [
            (s, min(e, days * DAY - HOUR))
            for s, e in spans
            if s < days * DAY - 2 * HOUR
        ]
        for start, end in spans:
            if end - start < 3 * MINUTE:
                continue
            left = rng.random() < left_home_share
            outings.append(Outing(person, start, end, left))
    sleep = [_sleep(rng, days) for _ in range(people)]
    phones = [
        Phone(f"phone{p}", p, PhoneModel.draw(rng, rng.choice(("android", "iphone"))))
        for p in range(people)
    ]
    household = Household(people, days, phones, outings, sleep, [], [])
    for phone in phones:
        _phone_trace(rng, household, phone)
    _reconnects(rng, household)
    if mac_change:
        _change_a_mac(rng, household)
    if rng.random() < 0.6:
        household.motion = _motion(rng, household)
    household.zone_reports = [_zone(rng, household, p) for p in range(people)]
    moments = sorted({o.leave for o in outings} | {o.back for o in outings})
    household.doors = [(t, rng.random() < 0.9) for t in moments]
    household.doors += [(t, True) for t in _door_chores(rng, household)]
    household.doors.sort()
    return household


def _door_chores(rng: random.Random, household: Household) -> list[float]:
    """Doors opened by someone at home and awake, without going out."""
    rate = rng.uniform(0.1, 0.6) / HOUR
    moments = []
    t = 0.0
    while (t := t + rng.expovariate(rate)) < household.days * DAY:
        if any(
            not _out(household, p, t) and _resting_at(household.sleep[p], t) is None
            for p in range(household.people)
        ):
            moments.append(t)
    return moments


def _sleep(rng: random.Random, days: int) -> list[tuple[float, float]]:
    nights = []
    for day in range(days):
        weekend = day % 7 in (4, 5)
        start = day * DAY + rng.uniform(22, 24.5 + weekend) * HOUR
        end = (day + 1) * DAY + rng.uniform(5.5, 8.5 + weekend) * HOUR
        nights.append((start, end))
    return nights


# -- phones -------------------------------------------------------------------------


def _phone_trace(rng: random.Random, household: Household, phone: Phone) -> None:
    """The phone's states and frames, following its owner (or left at home)."""
    owner = phone.owner
    mine = sorted(
        (o for o in household.outings if o.person == owner), key=lambda o: o.leave
    )
    resting = sorted(
        [(o.leave, o.back) for o in mine if o.phone_left_home] + household.sleep[owner]
    )
    on_network: list[tuple[float, float, bool]] = []  # (start, end, joined)
    t, joined = 0.0, False
    for outing in (o for o in mine if not o.phone_left_home):
        off = outing.leave + rng.uniform(0, 90)
        if off > t:
            on_network.append((t, off, joined))
        in_range = outing.back - rng.uniform(0, 60)
        t, joined = max(in_range + rng.uniform(5, 120), off + 60), True
    on_network.append((t, household.days * DAY, joined))
    for start, stop, joined in on_network:
        if joined:
            if rng.random() < 0.97:
                phone.frames.append((start, JOIN))
            else:  # its joining frames were missed: only later chatter shows it
                phone.frames.append((start + rng.uniform(5, 60), FRAME))
        _on_network(rng, phone, start, stop, resting, just_joined=joined)
        _set(phone, stop, OFF)
    phone.frames.sort()


def _set(phone: Phone, t: float, state: int) -> None:
    if phone.states and phone.states[-1] == state:
        return
    if phone.state_times and phone.state_times[-1] >= t:
        phone.state_times[-1] = t
        phone.states[-1] = state
        return
    phone.state_times.append(t)
    phone.states.append(state)


def _resting_at(resting: list[tuple[float, float]], t: float) -> float | None:
    """Until when the phone lies unused at ``t`` (owner asleep, or out without it)."""
    for start, end in resting:
        if start <= t < end:
            return end
    return None


def _next_rest(resting: list[tuple[float, float]], t: float) -> float:
    return min((start for start, _ in resting if start > t), default=math.inf)


def _on_network(
    rng: random.Random,
    phone: Phone,
    start: float,
    stop: float,
    resting: list[tuple[float, float]],
    *,
    just_joined: bool,
) -> None:
    """States and frames while the phone is on the home Wi-Fi."""
    model = phone.model
    t = start
    in_use = just_joined and rng.random() < 0.6
    idle_since = t
    while t < stop:
        rest_until = _resting_at(resting, t)
        if in_use and rest_until is None:
            length = min(
                rng.expovariate(1 / (8 * MINUTE)), stop - t, _next_rest(resting, t) - t
            )
            _set(phone, t, ACTIVE)
            _frames(rng, phone, t, t + length, model.active_gap)
            t += length
            idle_since = t
            in_use = False
            continue
        if rest_until is not None:  # asleep, or out without it: until then
            until = min(rest_until, stop)
        else:  # lying on a table until picked up again
            pause = rng.expovariate(1 / rng.uniform(20 * MINUTE, 90 * MINUTE))
            until = min(t + pause, stop, _next_rest(resting, t))
        if model.kind == "android":
            _android_idle(rng, phone, t, until, idle_since)
        else:
            _iphone_locked(rng, phone, t, until)
        t = until
        in_use = rest_until is None or rng.random() < 0.7


def _frames(
    rng: random.Random, phone: Phone, start: float, end: float, gap: float
) -> None:
    t = start + rng.expovariate(1 / gap)
    while t < end:
        phone.frames.append((t, FRAME))
        t += rng.expovariate(1 / gap)


def _android_idle(
    rng: random.Random, phone: Phone, start: float, end: float, idle_since: float
) -> None:
    model = phone.model
    doze_at = max(start, idle_since + model.doze_after)
    light_end = min(doze_at, end)
    if light_end > start:
        _set(phone, start, IDLE)
        _frames(rng, phone, start, light_end, model.idle_gap)
    if doze_at < end:
        _set(phone, doze_at, DOZE)
        t = doze_at + rng.uniform(*model.doze_window)
        while t < end:
            for _ in range(rng.randint(1, 4)):
                phone.frames.append((t + rng.uniform(0, 20), FRAME))
            t += rng.uniform(*model.doze_window)


def _iphone_locked(rng: random.Random, phone: Phone, start: float, end: float) -> None:
    model = phone.model
    t = start
    while t < end:
        responsive = min(rng.expovariate(1 / model.responsive_mean), end - t)
        _set(phone, t, IDLE)
        frame = t + rng.uniform(MINUTE, model.idle_gap)
        while frame < t + responsive:
            phone.frames.append((frame, FRAME))
            frame += rng.uniform(MINUTE, model.idle_gap)
        t += responsive
        if t >= end:
            break
        deaf = min(rng.uniform(MINUTE, model.deaf_max), end - t)
        _set(phone, t, DEAF)
        t += deaf


def _change_a_mac(rng: random.Random, household: Household) -> None:
    phone = rng.choice(household.phones)
    joins = [t for t, kind in phone.frames if kind == JOIN and t > 2 * DAY]
    if joins:
        phone.mac_change = rng.choice(joins[: max(1, len(joins) // 2)])
        phone.hostname_kept = rng.random() < 0.5


def _motion(rng: random.Random, household: Household) -> list[float]:
    """A hall motion sensor: people moving while someone is home and awake."""
    events = []
    mean = rng.uniform(5, 30) * MINUTE
    t = 0.0
    end = household.days * DAY
    while t < end:
        t += rng.expovariate(1 / mean)
        awake_home = [
            p
            for p in range(household.people)
            if not _out(household, p, t) and _resting_at(household.sleep[p], t) is None
        ]
        if awake_home:
            events.append(t)
    return events


def _out(household: Household, person: int, t: float) -> bool:
    return any(o.person == person and o.leave <= t < o.back for o in household.outings)


def _zone(
    rng: random.Random, household: Household, person: int
) -> list[tuple[float, bool]]:
    """What the Companion app on the person's phone says about the home zone."""
    phone = household.phones[person]
    ios = phone.model.kind == "iphone"
    reports: list[tuple[float, bool]] = [(0.0, not _out(household, person, 0.0))]
    mine = sorted(
        (o for o in household.outings if o.person == person), key=lambda o: o.leave
    )
    for number, outing in enumerate(mine):
        if outing.phone_left_home:
            continue
        left = outing.leave + rng.uniform(1, 10) * MINUTE
        if left >= outing.back:
            continue  # too short a trip for the app to notice
        reports.append((left, False))
        when = outing.back + _zone_arrival_lag(rng, ios=ios)
        next_leave = mine[number + 1].leave if number + 1 < len(mine) else math.inf
        if when < next_leave:  # else it never noticed this stay at home
            reports.append((max(when, left + 30), True))
    t = 0.0
    while True:  # now and then the app wrongly says "away" while at home
        t += rng.expovariate(1 / (14 * DAY))
        if t >= household.days * DAY:
            break
        back = t + rng.uniform(2, 30) * MINUTE
        if not _out(household, person, t):
            reports.append((t, False))
            if not _out(household, person, back):
                reports.append((back, True))
    reports.sort()
    return reports


# When the app reports arriving, after the door opened (negative: before):
# (share of arrivals, earliest, latest), per platform.
ZONE_ARRIVAL_LAG = {
    True: ((0.75, -300, -30), (0.13, -30, 0), (0.07, 0, 120), (0.03, 120, 900)),
    False: ((0.60, -300, -30), (0.15, -30, 0), (0.12, 0, 120), (0.08, 120, 900)),
}
# Otherwise only at the app's next update.
ZONE_NEXT_UPDATE = (900, 3600)


def _zone_arrival_lag(rng: random.Random, *, ios: bool) -> float:
    r = rng.random()
    for share, earliest, latest in ZONE_ARRIVAL_LAG[ios]:
        if r < share:
            return rng.uniform(earliest, latest)
        r -= share
    return rng.uniform(*ZONE_NEXT_UPDATE)


def _reconnects(rng: random.Random, household: Household) -> None:
    """Phones lying at home reconnect now and then: it looks like joining."""
    for phone in household.phones:
        rate = phone.model.reconnects_per_day
        if rate <= 0:
            continue
        t = 0.0
        while True:
            t += rng.expovariate(rate / DAY)
            if t >= household.days * DAY:
                break
            if phone.state_at(t) in (IDLE, DOZE, DEAF):
                phone.frames.append((t, JOIN))
        phone.frames.sort()


def is_night(t: float) -> bool:
    """23:00 to 06:00 (the trace begins at midnight)."""
    hour = (t % DAY) / HOUR
    return hour >= 23 or hour < 6


def percentile(values: list[float], p: float) -> float:
    """The ``p``-th percentile (nearest rank); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]
