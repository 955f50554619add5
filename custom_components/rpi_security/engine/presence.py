"""Who is home: phones seen on the network, and other presence sources.

Pure Python, time passed in. A phone is home as soon as it is heard. When it
has been silent for a while (longer than its recent frames were apart) it is
asked by ARP, in *rounds* spread over minutes; it becomes away only when it
has been silent for the away timeout, enough rounds in a row went unanswered,
and it ignored them for longer than it ever does at home (both learned per
phone, see :mod:`.phone_habits`); stricter at night and shortly after someone
was seen inside. A corroborating source (a person, the Companion app's zone,
a router's tracker) must agree before a phone is away, and its arrival home
brings the phone home at once.

A phone never heard since it was added, or since start-up until it is first
heard or confirmed away, is *unknown*, and unknown never counts as away. A
phone that answers again after being marked away is back, but it is an
*arrival* (which may disarm) only when it joined the network (association,
DHCP, link-up frames), or after a real absence; otherwise it was probably
there all along, and its habits learn from it.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
import math
from typing import Any

from .occupants import (
    JOINING,
    OWN_FRAMES,
    ConfirmationRules,
    Detection,
    Occupant,
    Presence,
    PresenceChange,
    occupant_snapshot,
    restore_occupant,
)

__all__ = [
    "ConfirmationRules",
    "Detection",
    "Occupant",
    "Presence",
    "PresenceChange",
    "PresenceTracker",
]


# Rounds are spread over the time a phone must ignore them, but never closer.
MIN_ROUND_SPACING = 30.0
# A door opening: the phones not heard since are asked this soon after it
# (or after their last frame: a phone still talks as it walks out).
DOOR_ASK_DELAY = 120.0
DOOR_WALK_OUT = 120.0
# Nobody opened a door since the phone was last heard: it is more likely
# deaf than gone, so it must be deaf for longer.
NO_DOOR_FACTOR = 1.5
# Stricter at night: more silence and one more round before "away".
NIGHT_SILENCE_FACTOR = 1.5
# A phone is first asked after this many of its recent gaps between frames
# (within bounds): a chatty phone soon, a dozing one at twice the timeout.
ASK_AFTER_GAPS = 3.0
MIN_ASK_AFTER = 120.0
MAX_ASK_STRETCH = 2.0
RECENT_GAPS = 3
# Shortly after someone was seen inside (motion while disarmed), one more round.
SEEN_INSIDE_RECENTLY = 30 * 60.0
# A corroborating source leaving: the phone is asked at once (after this
# little silence, so the phone walking out of the door is not asked yet).
HINT_SILENCE = 60.0
# An away phone that answers again is an arrival without having joined only
# after a real absence: this long away with this many unanswered polls, and
# longer than it is ever silent at home.
REAL_ABSENCE = 20 * 60.0
REAL_ABSENCE_POLLS = 5
REAL_ABSENCE_MARGIN = 1.5
# A phone not heard for this long while others come and go has gone quiet
# (someone else must have been around this long after it was last heard).
GONE_QUIET = 24 * 3600.0
ACTIVITY_SINCE_QUIET = 3600.0
# Phones never heard are asked this often (their IP is unknown: sparingly).
NEVER_SEEN_POLL = 600.0


@dataclass(slots=True)
class PresenceTracker:
    """The presence of every occupant, and when phones need asking."""

    rules: ConfirmationRules
    occupants: dict[str, Occupant]
    # Whether a moment is night (local time): the glue knows the time zone.
    is_night: Callable[[float], bool] = lambda _now: False
    # Phones whose ARP round is under way, with when they were last heard as
    # it began (a packet since then settles the question).
    confirming: dict[str, float | None] = field(default_factory=dict)
    # When someone was last seen inside (motion while disarmed).
    seen_inside: float | None = None
    # Whether the system has door contacts, and when one last opened.
    watches_doors: bool = False
    door_opened: float | None = None
    # When someone other than a given phone was last around (for "gone quiet").
    household_activity: float | None = None

    @classmethod
    def for_occupants(
        cls,
        rules: ConfirmationRules,
        phones: Iterable[str],
        entities: Iterable[str] = (),
        *,
        is_night: Callable[[float], bool] = lambda _now: False,
    ) -> PresenceTracker:
        """A tracker for phones (on the network) and presence entities."""
        occupants = {p: Occupant(p, on_network=True) for p in phones}
        occupants |= {e: Occupant(e, on_network=False) for e in entities}
        return cls(rules=rules, occupants=occupants, is_night=is_night)

    # -- queries -------------------------------------------------------------

    @property
    def anyone_home(self) -> bool:
        """Whether at least one occupant is known to be home."""
        return any(o.presence is Presence.HOME for o in self.occupants.values())

    @property
    def everyone_away(self) -> bool:
        """Whether everyone who can be determined is away (and someone is)."""
        states = [o.presence for o in self.occupants.values()]
        return (
            Presence.AWAY in states
            and Presence.HOME not in states
            and Presence.UNKNOWN not in states
        )

    def candidates(self, now: float) -> list[str]:
        """Phones due for an ARP round that is not under way yet."""
        return [
            o.id
            for o in self.occupants.values()
            if o.on_network and o.id not in self.confirming and self._due_at(o) <= now
        ]

    def next_deadline(self) -> float | None:
        """When the next phone falls due (``-inf`` when one already is)."""
        return min(
            (
                self._due_at(o)
                for o in self.occupants.values()
                if o.on_network and o.id not in self.confirming
            ),
            default=None,
        )

    def due_at(self, occupant_id: str) -> float:
        """When a phone is next to be asked (``inf`` for an entity)."""
        occupant = self.occupants[occupant_id]
        return self._due_at(occupant) if occupant.on_network else math.inf

    def away_phones(self) -> list[str]:
        """Phones away, or away before a restart (an arrival would come from them)."""
        return [
            o.id
            for o in self.occupants.values()
            if o.on_network
            and (o.presence is Presence.AWAY or o.restored is Presence.AWAY)
        ]

    def ask_after(self, occupant: Occupant) -> float:
        """Silence before a phone is first asked: a few of its recent gaps."""
        timeout = self.rules.away_timeout
        if not occupant.recent_gaps:
            return timeout
        usual = sorted(occupant.recent_gaps)[len(occupant.recent_gaps) // 2]
        return min(
            max(usual * ASK_AFTER_GAPS, min(MIN_ASK_AFTER, timeout)),
            timeout * MAX_ASK_STRETCH,
        )

    def silence_needed(self, occupant: Occupant, now: float) -> float:
        """How long a phone must be silent before it may count as away."""
        if self._hint(occupant) is not None:
            return 0.0  # its corroborating source left: the rounds decide
        night = NIGHT_SILENCE_FACTOR if self.is_night(now) else 1.0
        return self.rules.away_timeout * night

    def deafness_needed(self, occupant: Occupant, now: float) -> float:
        """How long a phone must ignore ARP before it may count as away."""
        rules = self.rules
        base = (rules.rounds - 1) * rules.round_spacing
        needed = occupant.habits.deafness_needed(base, base + rules.max_learned_extra)
        if self.is_night(now):
            needed *= NIGHT_SILENCE_FACTOR
        if self.watches_doors and self._door_since_heard(occupant) is None:
            needed *= NO_DOOR_FACTOR
        return needed

    def _door_since_heard(self, occupant: Occupant) -> float | None:
        """When a door opened since (or just before) the phone was last heard."""
        door, seen = self.door_opened, occupant.last_seen
        if door is not None and (seen is None or door > seen - DOOR_WALK_OUT):
            return door
        return None

    def round_spacing(self, occupant: Occupant, now: float) -> float:
        """Time between rounds: the needed rounds spread over the needed deafness."""
        rounds = self.rounds_needed(occupant, now)
        spread = self.deafness_needed(occupant, now) / max(rounds - 1, 1)
        return min(self.rules.round_spacing, max(spread, MIN_ROUND_SPACING))

    def rounds_needed(self, occupant: Occupant, now: float) -> int:
        """How many rounds in a row a phone must miss before it may count as away."""
        needed = occupant.habits.rounds_needed(self.rules.rounds)
        if self.is_night(now):
            needed += 1
        if self.seen_inside is not None and now - self.seen_inside < (
            SEEN_INSIDE_RECENTLY
        ):
            needed += 1
        return needed

    def quiet_phones(self, now: float) -> list[str]:
        """Phones not heard for a day while others came and went since."""
        activity = self.household_activity
        if activity is None or now - activity > GONE_QUIET:
            return []
        quiet = []
        for o in self.occupants.values():
            since = o.last_seen if o.ever_seen else o.known_since
            if (
                o.on_network
                and since is not None
                and now - since >= GONE_QUIET
                and activity - since >= ACTIVITY_SINCE_QUIET
            ):
                quiet.append(o.id)
        return quiet

    # -- occupants coming and going -------------------------------------------

    def add_occupant(self, occupant_id: str, *, on_network: bool, now: float) -> None:
        """An occupant added while running: unknown until it is heard or told."""
        self.occupants[occupant_id] = Occupant(
            occupant_id, on_network=on_network, known_since=now
        )

    def remove_occupant(self, occupant_id: str) -> None:
        """An occupant removed: forgotten, with any round under way."""
        self.occupants.pop(occupant_id, None)
        self.confirming.pop(occupant_id, None)

    # -- what happened -------------------------------------------------------

    def heard(
        self,
        occupant_id: str,
        now: float,
        detection: Detection,
        ip: str | None = None,
    ) -> PresenceChange | None:
        """A packet from the phone, or its answer to ARP: it is here."""
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        previous = occupant.presence
        was_away = previous is Presence.AWAY or (
            previous is Presence.UNKNOWN and occupant.restored is Presence.AWAY
        )
        own = detection in OWN_FRAMES
        arrived = False
        if detection is Detection.NEW_ADDRESS:
            pass  # a host name proves too little to disarm, or to learn from
        elif was_away:
            arrived = detection in JOINING or self._real_absence(occupant, now)
            if not arrived and occupant.first_missed is not None:
                # Marked away, yet here without joining: it never left.
                occupant.habits.deaf_at_home(now - occupant.first_missed)
                occupant.habits.first_round_at_home(missed=True)
        elif previous is not Presence.UNDETERMINED:
            self._learn_presence(occupant, detection, now)
        if occupant.last_own_frame is not None and detection not in JOINING:
            # An answer to ARP says how long the phone has been quiet so far.
            occupant.recent_gaps.append(now - occupant.last_own_frame)
            del occupant.recent_gaps[:-RECENT_GAPS]
        if own:
            occupant.last_own_frame = now
        occupant.last_seen = now
        occupant.detection = detection
        occupant.ever_seen = True
        occupant.restored = None
        occupant.missed_rounds = 0
        occupant.first_missed = None
        occupant.departure_hint = None
        occupant.away_since = None
        occupant.away_polls_missed = 0
        if ip is not None:
            occupant.ip = ip
        self._someone_around(occupant_id, now)
        return self._set(occupant, Presence.HOME, detection, arrived=arrived)

    @staticmethod
    def _learn_presence(occupant: Occupant, detection: Detection, now: float) -> None:
        """A phone that was home (or unconfirmed) spoke again: learn its ways."""
        habits = occupant.habits
        if occupant.first_missed is not None and detection not in JOINING:
            habits.deaf_at_home(now - occupant.first_missed)
            habits.first_round_at_home(missed=True)
        elif detection is Detection.ARP and not occupant.missed_rounds:
            habits.first_round_at_home(missed=False)

    def heard_new_address(
        self, occupant_id: str, mac: str, now: float, ip: str | None = None
    ) -> PresenceChange | None:
        """A new MAC with this phone's DHCP host name: most likely the phone itself.

        It keeps the phone home (so nobody is armed around), but never counts
        as an arrival: a host name proves too little to disarm.
        """
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        occupant.new_address = mac
        return self.heard(occupant_id, now, Detection.NEW_ADDRESS, ip)

    def set_presence(
        self, occupant_id: str, home: bool | None, now: float
    ) -> PresenceChange | None:
        """A presence entity (an occupant itself) reports home, away or nothing."""
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        if home is None:
            return self._set(occupant, Presence.UNDETERMINED, Detection.ENTITY)
        if home:
            occupant.last_seen = now
            self._someone_around(occupant_id, now)
        occupant.detection = Detection.ENTITY
        arrived = home and occupant.presence is Presence.AWAY
        return self._set(
            occupant,
            Presence.HOME if home else Presence.AWAY,
            Detection.ENTITY,
            arrived=arrived,
        )

    def corroborate(
        self, occupant_id: str, home: bool | None, now: float
    ) -> PresenceChange | None:
        """A phone's corroborating source says home, away, or nothing (``None``).

        Home brings the phone home at once (an arrival if it was away); away
        lets the phone be asked at once, but it is away only once the network
        agrees.
        """
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        was = occupant.corroborator
        occupant.corroborator = home
        if home and not was:
            previous = occupant.presence
            arrived = previous is Presence.AWAY or (
                previous is Presence.UNKNOWN and occupant.restored is Presence.AWAY
            )
            occupant.restored = None
            occupant.away_since = None
            occupant.away_polls_missed = 0
            occupant.departure_hint = None
            if previous is not Presence.HOME:
                occupant.detection = Detection.ENTITY
                # Back by its source's word: its silence so far was an absence.
                occupant.missed_rounds = 0
                occupant.first_missed = None
            self._someone_around(occupant_id, now)
            return self._set(occupant, Presence.HOME, Detection.ENTITY, arrived=arrived)
        if home is False and was is not False and occupant.presence is Presence.HOME:
            occupant.departure_hint = now
        return None

    def saw_someone_inside(self, now: float) -> None:
        """Motion inside while disarmed: someone is home."""
        self.seen_inside = now
        self.household_activity = now

    def door_opened_now(self, now: float) -> None:
        """A door opened: whoever is silent since may have gone out."""
        self.door_opened = now

    def someone_around(self, now: float) -> None:
        """Someone used the alarm (armed or disarmed it by hand)."""
        self.household_activity = now

    def start_confirming(self, occupant_ids: Iterable[str]) -> None:
        """An ARP round of these phones has begun."""
        for occupant_id in occupant_ids:
            if (occupant := self.occupants.get(occupant_id)) is not None:
                self.confirming[occupant_id] = occupant.last_seen

    def confirmed(
        self,
        occupant_id: str,
        answered: bool | None,
        now: float,
        ip: str | None = None,
    ) -> PresenceChange | None:
        """The result of one ARP round.

        ``answered`` is ``True`` when the phone replied, ``False`` when requests
        went out and nothing came back, ``None`` when none could be sent.
        """
        seen_before = self.confirming.pop(occupant_id, None)
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        occupant.last_checked = now
        if answered:
            return self.heard(occupant_id, now, Detection.ARP, ip)
        if occupant.last_seen != seen_before:
            return None  # a packet arrived meanwhile: it is home after all
        if answered is None:
            occupant.missed_rounds = 0
            occupant.first_missed = None
            return self._set(occupant, Presence.UNDETERMINED, occupant.detection)
        if occupant.presence is Presence.AWAY:
            occupant.away_polls_missed += 1
            return None
        occupant.missed_rounds += 1
        if occupant.first_missed is None:
            occupant.first_missed = now
        if not self._gone(occupant, now):
            return None
        if occupant.restored is not Presence.AWAY or occupant.away_since is None:
            occupant.away_since = now  # (away before a restart: since then)
            occupant.away_polls_missed = 0
        occupant.restored = None
        occupant.missed_rounds = 0
        occupant.departure_hint = None
        return self._set(occupant, Presence.AWAY, occupant.detection)

    def not_asked(self, occupant_id: str, now: float) -> None:
        """A round that could not be sent to this phone (no address to ask)."""
        self.confirming.pop(occupant_id, None)
        if (occupant := self.occupants.get(occupant_id)) is not None:
            occupant.last_checked = now

    def _gone(self, occupant: Occupant, now: float) -> bool:
        """Whether the evidence says the phone has left."""
        if not occupant.ever_seen or occupant.corroborator:
            return False  # never heard: unknown; its source says home: home
        silence = math.inf if occupant.last_seen is None else now - occupant.last_seen
        deaf = 0.0 if occupant.first_missed is None else now - occupant.first_missed
        return (
            occupant.missed_rounds >= self.rounds_needed(occupant, now)
            and silence >= self.silence_needed(occupant, now)
            and deaf >= self.deafness_needed(occupant, now)
        )

    def _real_absence(self, occupant: Occupant, now: float) -> bool:
        """Whether an away phone was gone long enough to trust its return."""
        if occupant.away_since is None or occupant.first_missed is None:
            return False
        longest = occupant.habits.longest_deaf_spell() or 0.0
        return (
            now - occupant.away_since >= REAL_ABSENCE
            and occupant.away_polls_missed >= REAL_ABSENCE_POLLS
            and now - occupant.first_missed >= longest * REAL_ABSENCE_MARGIN
        )

    @staticmethod
    def _hint(occupant: Occupant) -> float | None:
        """When the corroborating source said the phone left, if since it was heard."""
        hint = occupant.departure_hint
        if hint is not None and (
            occupant.last_seen is None or hint >= occupant.last_seen
        ):
            return hint
        return None

    def _due_at(self, occupant: Occupant) -> float:
        checked = -math.inf if occupant.last_checked is None else occupant.last_checked
        rules = self.rules
        if occupant.presence is Presence.AWAY:
            return checked + rules.arrival_poll
        if occupant.presence is Presence.UNDETERMINED:
            return checked + rules.away_timeout
        if occupant.last_seen is None:
            return checked + NEVER_SEEN_POLL  # never heard: asked now and then
        if occupant.missed_rounds or occupant.restored is not None:
            if occupant.last_checked is None:
                return checked
            return checked + self.round_spacing(occupant, checked)
        if occupant.presence is Presence.UNKNOWN:
            return checked  # just started: asked at once
        due = occupant.last_seen + self.ask_after(occupant)
        if (hint := self._hint(occupant)) is not None:
            due = max(hint, occupant.last_seen + HINT_SILENCE)
        if (door := self._door_since_heard(occupant)) is not None:
            due = min(due, max(door, occupant.last_seen) + DOOR_ASK_DELAY)
        return due

    def _someone_around(self, occupant_id: str, now: float) -> None:
        """Someone is around: the other phones' silence now says more."""
        del occupant_id
        self.household_activity = now

    # -- persistence ---------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What is known and learned of each occupant, for a restart."""
        return {o.id: occupant_snapshot(o) for o in self.occupants.values()}

    def restore(self, data: Mapping[str, Any], now: float) -> None:
        """Take back what a snapshot knew of the occupants still configured.

        Phones start unknown until they are heard or confirmed away again.
        Phones that were not in the snapshot (just added) are known from now.
        """
        for occupant in self.occupants.values():
            occupant.known_since = now
            saved = data.get(occupant.id)
            if isinstance(saved, Mapping):
                restore_occupant(occupant, saved, now)

    def _set(
        self,
        occupant: Occupant,
        presence: Presence,
        detection: Detection | None,
        *,
        arrived: bool = False,
    ) -> PresenceChange | None:
        if occupant.presence is presence:
            return None
        previous, occupant.presence = occupant.presence, presence
        return PresenceChange(occupant.id, presence, previous, detection, arrived)
