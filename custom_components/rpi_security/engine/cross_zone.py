"""Cross-zoning: two different sensors must agree before the alarm goes off.

Pure Python, time passed in. A :class:`CrossZoneGroup` names sensors that
confirm each other within ``window`` seconds: the first trip of a group is
held (the machine reports it as unconfirmed), and a trip of a *different*
sensor of the same group within the window confirms it. The same sensor
tripping again only renews its own time: one noisy PIR never raises the
alarm alone.

Tamper and environmental sensors are never held, whatever group they are
put in (the alarm machine does not ask). Held trips are forgotten when the
area is armed or disarmed, and kept in the snapshot (with their wall-clock
times) so that a restart inside the window loses nothing.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class CrossZoneGroup:
    """Sensors that must confirm each other within ``window`` seconds."""

    id: str
    sensors: frozenset[str]
    window: float = 60.0


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Two sensors of ``group`` tripped within its window."""

    group: str
    # The sensor that tripped first (the cause), then the one that confirmed.
    sensors: tuple[str, str]


@dataclass(slots=True)
class CrossZone:
    """The trips each group holds, waiting for a second sensor."""

    groups: tuple[CrossZoneGroup, ...] = ()
    _group_of: dict[str, CrossZoneGroup] = field(default_factory=dict, repr=False)
    # group id -> sensor id -> when it last tripped
    _held: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Index the groups by sensor (a sensor belongs to one group at most)."""
        for group in self.groups:
            for sensor_id in group.sensors:
                if sensor_id in self._group_of:
                    raise ValueError(f"{sensor_id} is in two cross-zone groups")
                self._group_of[sensor_id] = group

    def group_of(self, sensor_id: str) -> CrossZoneGroup | None:
        """The group ``sensor_id`` belongs to, if any."""
        return self._group_of.get(sensor_id)

    def trip(self, sensor_id: str, now: float) -> Confirmation | None:
        """A group member tripped: the confirmation, or ``None`` while held."""
        group = self._group_of[sensor_id]
        held = self._held.setdefault(group.id, {})
        for other, at in list(held.items()):
            if now - at > group.window:
                del held[other]
        earlier = sorted(
            (at, other) for other, at in held.items() if other != sensor_id
        )
        if earlier:
            self._held.pop(group.id)
            return Confirmation(group.id, (earlier[0][1], sensor_id))
        held[sensor_id] = now
        return None

    def clear(self) -> None:
        """Forget every held trip (armed again, or disarmed)."""
        self._held.clear()

    def snapshot(self) -> dict[str, dict[str, float]]:
        """The held trips, as JSON-friendly data."""
        return {group: dict(held) for group, held in self._held.items() if held}

    def restore(self, data: Any) -> None:
        """Take back held trips; ``ValueError`` (changing nothing) if unreadable.

        Trips of groups or sensors that no longer exist are dropped.
        """
        if not isinstance(data, Mapping):
            raise ValueError("cross_zone is not a mapping")
        restored: dict[str, dict[str, float]] = {}
        for group_id, held in data.items():
            if not isinstance(held, Mapping):
                raise ValueError("cross_zone holds a group that is not a mapping")
            for sensor_id, at in held.items():
                if isinstance(at, bool) or not isinstance(at, (int, float)):
                    raise ValueError("cross_zone holds a time that is not a number")
                group = self._group_of.get(sensor_id)
                if group is not None and group.id == group_id:
                    restored.setdefault(group_id, {})[sensor_id] = float(at)
        self._held = restored


def check_groups(groups: Iterable[CrossZoneGroup], sensors: Iterable[str]) -> None:
    """Raise ``ValueError`` for a group that could never confirm anything."""
    known = set(sensors)
    for group in groups:
        members = group.sensors & known
        if len(members) < 2:
            raise ValueError(f"cross-zone group {group.id} needs two sensors")
        if group.window <= 0:
            raise ValueError(f"cross-zone group {group.id} needs a window")
