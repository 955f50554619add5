"""What is known of each occupant: its state, how it was detected, the rules' settings.

Pure Python. The types the presence tracker works with, and how one
occupant is kept across a restart (:func:`occupant_snapshot`,
:func:`restore_occupant`).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .phone_habits import PhoneHabits


class Presence(StrEnum):
    """What is known of one occupant."""

    HOME = "home"
    AWAY = "away"
    UNKNOWN = "unknown"  # not determined yet: blocks "everyone has left"
    UNDETERMINED = "undetermined"  # cannot be determined now: left out


class Detection(StrEnum):
    """How an occupant was last detected."""

    PROBE_REQUEST = "probe_request"  # 802.11 probe request on the monitor interface
    ASSOCIATION = "association"  # 802.11 (re)association request: joining
    FRAME = "frame"  # a frame on the LAN sent to this host, or broadcast
    MULTICAST = "multicast"  # mDNS, SSDP, IPv6 neighbour discovery
    DHCP = "dhcp"  # a DHCP request: joining
    LINK_UP = "link_up"  # ARP probe, duplicate address detection: joining
    ARP = "arp"  # answered an ARP request
    ENTITY = "entity"  # a Home Assistant person or device_tracker
    NEW_ADDRESS = "new_address"  # a new MAC with the phone's DHCP host name
    SIMULATION = "simulation"


# What only a phone joining the network sends.
JOINING = frozenset({Detection.ASSOCIATION, Detection.DHCP, Detection.LINK_UP})
# What the phone sends by itself (not an answer to our question).
OWN_FRAMES = frozenset(
    {Detection.PROBE_REQUEST, Detection.FRAME, Detection.MULTICAST, *JOINING}
)


@dataclass(frozen=True, slots=True)
class ConfirmationRules:
    """When a silent phone is asked, and what it takes to call it away."""

    away_timeout: float = 600.0  # silence before the first round
    rounds: int = 3  # unanswered rounds in a row, at least
    round_spacing: float = 120.0
    arrival_poll: float = 120.0  # how often an away phone is asked if it is back
    # What learned silences may add to the silence needed, at most.
    max_learned_extra: float = 45 * 60.0


@dataclass(slots=True)
class Occupant:
    """One phone, or one Home Assistant presence entity."""

    id: str
    on_network: bool  # a phone: packets, timeouts and ARP confirmation
    presence: Presence = Presence.UNKNOWN
    last_seen: float | None = None  # anything heard from it (network or source)
    last_checked: float | None = None  # when a round last finished
    detection: Detection | None = None
    ip: str | None = None
    # Confirmation: unanswered rounds since it was last heard, from when.
    missed_rounds: int = 0
    first_missed: float | None = None
    # A corroborating source said it left (the phone is asked at once).
    departure_hint: float | None = None
    away_since: float | None = None
    # Unanswered arrival polls while away: evidence of a real absence.
    away_polls_missed: int = 0
    # Heard at least once since it was added (else unknown until it is).
    ever_seen: bool = False
    # When the phone was first known (added): for "gone quiet".
    known_since: float | None = None
    # The state before a restart, until it is confirmed again.
    restored: Presence | None = None
    # What the corroborating source says: home, away, or nothing (None).
    corroborator: bool | None = None
    habits: PhoneHabits = field(default_factory=PhoneHabits)
    last_own_frame: float | None = None
    # The last few gaps between its own frames (how chatty it is right now).
    recent_gaps: list[float] = field(default_factory=list)
    # DHCP host name the phone uses, and a new MAC found with it.
    hostname: str | None = None
    new_address: str | None = None


@dataclass(frozen=True, slots=True)
class PresenceChange:
    """An occupant's presence changed."""

    occupant_id: str
    presence: Presence
    previous: Presence
    detection: Detection | None
    # Back from away in a way that may disarm (not merely heard again).
    arrived: bool = False


def occupant_snapshot(occupant: Occupant) -> dict[str, Any]:
    """What is known and learned of an occupant, for a restart."""
    o = occupant
    return {
        "presence": (o.restored or o.presence).value,
        "last_seen": o.last_seen,
        "last_checked": o.last_checked,
        "detection": o.detection.value if o.detection else None,
        "ip": o.ip,
        "ever_seen": o.ever_seen,
        "known_since": o.known_since,
        "away_since": o.away_since,
        "first_missed": o.first_missed,
        "away_polls_missed": o.away_polls_missed,
        "hostname": o.hostname,
        "new_address": o.new_address,
        "habits": o.habits.snapshot(),
    }


def restore_occupant(occupant: Occupant, saved: Mapping[str, Any], now: float) -> None:
    """Take back a snapshot of an occupant; unreadable data changes nothing.

    A phone starts unknown, remembering what it was (a phone that was away
    and joins is an arrival).
    """
    try:
        presence = Presence(saved.get("presence", Presence.UNKNOWN))
        detection = saved.get("detection")
        occupant.detection = Detection(detection) if detection else None
        occupant.last_seen = _optional_float(saved.get("last_seen"))
        known_since = _optional_float(saved.get("known_since"))
        away_since = _optional_float(saved.get("away_since"))
        first_missed = _optional_float(saved.get("first_missed"))
        polls = int(saved.get("away_polls_missed") or 0)
    except TypeError, ValueError:
        return
    occupant.known_since = known_since if known_since is not None else now
    occupant.ever_seen = bool(saved.get("ever_seen", occupant.last_seen is not None))
    occupant.habits = PhoneHabits.restore(saved.get("habits"))
    if not occupant.on_network:
        return  # entities report their state again as soon as they are watched
    if presence in (Presence.HOME, Presence.AWAY):
        occupant.restored = presence
    if presence is Presence.AWAY:
        occupant.away_since = away_since
        # (Silent since it was last heard, if an older snapshot does not say.)
        occupant.first_missed = first_missed or away_since or occupant.last_seen
        occupant.away_polls_missed = polls
    for key in ("ip", "hostname", "new_address"):
        value = saved.get(key)
        setattr(occupant, key, value if isinstance(value, str) else None)


def _optional_float(value: Any) -> float | None:
    return None if value is None else float(value)
