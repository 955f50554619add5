"""Who is home: phones seen on the network, and other presence sources.

Pure Python, time passed in. A phone is home as soon as it is seen. After the
away timeout without a packet it becomes a *candidate*, and is marked away only
when an ARP confirmation was sent and went unanswered; when confirmation was not
possible at all, the phone is *undetermined* and left out of the decision rather
than guessed. Other sources (Home Assistant person or device_tracker entities)
report home or away directly.

:class:`AutoArm` turns presence into decisions for the alarm: arm when everyone
has left, disarm when someone who was away comes back.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
import math
from typing import Any

from .alarm import AlarmState, ArmMode


class Presence(StrEnum):
    """What is known of one occupant."""

    HOME = "home"
    AWAY = "away"
    UNKNOWN = "unknown"  # not determined yet: blocks "everyone has left"
    UNDETERMINED = "undetermined"  # cannot be determined now: left out


class Detection(StrEnum):
    """How an occupant was last detected."""

    PROBE_REQUEST = "probe_request"  # 802.11 probe request on the monitor interface
    FRAME = "frame"  # a frame on the LAN sent to this host
    ARP = "arp"  # answered an ARP request
    ENTITY = "entity"  # a Home Assistant person or device_tracker
    SIMULATION = "simulation"


@dataclass(slots=True)
class Occupant:
    """One phone, or one Home Assistant presence entity."""

    id: str
    on_network: bool  # a phone: packets, timeouts and ARP confirmation
    presence: Presence = Presence.UNKNOWN
    last_seen: float | None = None
    # When an ARP confirmation of this phone last finished.
    last_checked: float | None = None
    detection: Detection | None = None
    ip: str | None = None


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """An occupant's presence changed."""

    occupant_id: str
    presence: Presence
    previous: Presence
    detection: Detection | None

    @property
    def arrived(self) -> bool:
        """Someone known to be away is back (not merely first seen)."""
        return self.presence is Presence.HOME and self.previous is Presence.AWAY


@dataclass(slots=True)
class PresenceTracker:
    """The presence of every occupant, and when phones need confirming."""

    away_timeout: float
    occupants: dict[str, Occupant]
    # How often a phone that is away is asked by ARP whether it is back.
    arrival_poll: float = 60.0
    # Phones whose ARP confirmation is under way, with when they were last
    # seen as it began (a packet since then settles the question).
    confirming: dict[str, float | None] = field(default_factory=dict)

    @classmethod
    def for_occupants(
        cls,
        away_timeout: float,
        phones: Iterable[str],
        entities: Iterable[str] = (),
        *,
        arrival_poll: float = 60.0,
    ) -> PresenceTracker:
        """A tracker for phones (on the network) and presence entities."""
        occupants = {p: Occupant(p, on_network=True) for p in phones}
        occupants |= {e: Occupant(e, on_network=False) for e in entities}
        return cls(
            away_timeout=away_timeout, occupants=occupants, arrival_poll=arrival_poll
        )

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
        """Phones due for an ARP confirmation that is not under way yet.

        A phone not known to be away is due once it has been silent (and
        unconfirmed) for the away timeout; a phone that is away is due every
        ``arrival_poll`` seconds, to notice it coming back.
        """
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

    def _due_at(self, occupant: Occupant) -> float:
        checked = -math.inf if occupant.last_checked is None else occupant.last_checked
        if occupant.presence is Presence.AWAY:
            return checked + self.arrival_poll
        seen = -math.inf if occupant.last_seen is None else occupant.last_seen
        return max(seen, checked) + self.away_timeout

    def away_phones(self) -> list[str]:
        """Phones known to be away (the ones an arrival would come from)."""
        return [
            o.id
            for o in self.occupants.values()
            if o.on_network and o.presence is Presence.AWAY
        ]

    # -- what happened -------------------------------------------------------

    def seen(
        self, occupant_id: str, now: float, detection: Detection, ip: str | None = None
    ) -> PresenceChange | None:
        """A packet from the phone (or an answer to ARP): it is home."""
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        occupant.last_seen = now
        occupant.detection = detection
        if ip is not None:
            occupant.ip = ip
        return self._set(occupant, Presence.HOME, detection)

    def set_presence(
        self, occupant_id: str, home: bool | None, now: float
    ) -> PresenceChange | None:
        """A presence entity reports home, away, or nothing usable (``None``)."""
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        if home is None:
            return self._set(occupant, Presence.UNDETERMINED, Detection.ENTITY)
        if home:
            occupant.last_seen = now
        occupant.detection = Detection.ENTITY
        return self._set(
            occupant, Presence.HOME if home else Presence.AWAY, Detection.ENTITY
        )

    def start_confirming(self, occupant_ids: Iterable[str]) -> None:
        """ARP confirmation of these phones has begun."""
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
        """The result of an ARP confirmation.

        ``answered`` is ``True`` when the phone replied, ``False`` when requests
        went out and nothing came back, ``None`` when none could be sent.
        """
        seen_before = self.confirming.pop(occupant_id, None)
        occupant = self.occupants.get(occupant_id)
        if occupant is None:
            return None
        occupant.last_checked = now
        if answered:
            return self.seen(occupant_id, now, Detection.ARP, ip)
        if occupant.last_seen != seen_before:
            return None  # a packet arrived meanwhile: it is home after all
        if answered is None:
            return self._set(occupant, Presence.UNDETERMINED, occupant.detection)
        return self._set(occupant, Presence.AWAY, occupant.detection)

    # -- persistence ---------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """Last-seen times and states, for a restart."""
        return {
            o.id: {
                "presence": o.presence.value,
                "last_seen": o.last_seen,
                "last_checked": o.last_checked,
                "detection": o.detection.value if o.detection else None,
                "ip": o.ip,
            }
            for o in self.occupants.values()
        }

    def restore(self, data: Mapping[str, Any]) -> None:
        """Take back what a snapshot knew of the occupants still configured.

        An undetermined phone starts unknown again: it gets a new chance.
        """
        for occupant_id, saved in data.items():
            occupant = self.occupants.get(occupant_id)
            if occupant is None or not isinstance(saved, Mapping):
                continue
            try:
                presence = Presence(saved.get("presence", Presence.UNKNOWN))
                detection = saved.get("detection")
                occupant.detection = Detection(detection) if detection else None
                occupant.last_seen = _optional_float(saved.get("last_seen"))
                occupant.last_checked = _optional_float(saved.get("last_checked"))
            except TypeError, ValueError:
                continue
            occupant.presence = (
                Presence.UNKNOWN if presence is Presence.UNDETERMINED else presence
            )
            ip = saved.get("ip")
            occupant.ip = ip if isinstance(ip, str) else None

    def _set(
        self, occupant: Occupant, presence: Presence, detection: Detection | None
    ) -> PresenceChange | None:
        if occupant.presence is presence:
            return None
        previous, occupant.presence = occupant.presence, presence
        return PresenceChange(occupant.id, presence, previous, detection)


class DisarmPolicy(StrEnum):
    """When an arrival disarms the alarm."""

    ALWAYS = "always"
    IF_ARMED_BY_PRESENCE = "if_armed_by_presence"


@dataclass(frozen=True, slots=True)
class ArmDecision:
    """Arm in ``mode`` because everyone has left."""

    mode: ArmMode


@dataclass(frozen=True, slots=True)
class DisarmDecision:
    """Disarm because ``occupant_id`` came home."""

    occupant_id: str


_GUARDING = frozenset(
    {
        AlarmState.ARMING,
        AlarmState.ARMED_AWAY,
        AlarmState.ARMED_HOME,
        AlarmState.ARMED_NIGHT,
        AlarmState.ARMED_VACATION,
        AlarmState.PENDING,
        AlarmState.TRIGGERED,
    }
)


@dataclass(slots=True)
class AutoArm:
    """Arming and disarming by presence, when the "Automatic arming" switch is on.

    The alarm is armed when everyone *has just left* (not whenever everyone is
    away: a remote disarm while away stays as it is), or when an earlier
    attempt was refused and is to be retried. It is disarmed when someone who
    was away comes back, as the disarm policy allows.
    """

    departure_mode: ArmMode = ArmMode.AWAY
    disarm_policy: DisarmPolicy = DisarmPolicy.ALWAYS
    enabled: bool = True
    # Whether the current arming came from presence (for the disarm policy).
    armed_by_presence: bool = False
    # Arm as soon as it can be done (a refused attempt, or the switch turned on).
    retry_arm: bool = False
    _everyone_away: bool = False

    def observe(self, tracker: PresenceTracker) -> None:
        """Take the current presence as the starting point (after a restart)."""
        self._everyone_away = tracker.everyone_away

    def decide(
        self,
        tracker: PresenceTracker,
        changes: Iterable[PresenceChange],
        alarm_state: AlarmState,
    ) -> ArmDecision | DisarmDecision | None:
        """What presence asks of the alarm now, if anything."""
        everyone_away = tracker.everyone_away
        just_left = everyone_away and not self._everyone_away
        self._everyone_away = everyone_away
        if not everyone_away:
            self.retry_arm = False
        if not self.enabled:
            return None
        arrival = next((c for c in changes if c.arrived), None)
        if arrival is not None and alarm_state in _GUARDING:
            if self.disarm_policy is DisarmPolicy.ALWAYS or self.armed_by_presence:
                return DisarmDecision(arrival.occupant_id)
            return None
        if (
            (just_left or self.retry_arm)
            and everyone_away
            and alarm_state is AlarmState.DISARMED
        ):
            return ArmDecision(self.departure_mode)
        return None

    def armed(self, *, by_presence: bool) -> None:
        """The alarm was armed, by presence or by someone."""
        self.armed_by_presence = by_presence
        self.retry_arm = False

    def refused(self) -> None:
        """Arming by presence was refused (a door is open): try again later."""
        self.retry_arm = True

    def disarmed(self) -> None:
        """The alarm was disarmed."""
        self.armed_by_presence = False
        self.retry_arm = False

    def switched(self, enabled: bool) -> None:
        """The "Automatic arming" switch changed; turning it on arms if all are away."""
        self.enabled = enabled
        self.retry_arm = enabled


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
