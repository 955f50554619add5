"""The alert outbox: what waits to be delivered, and when to try again.

Pure Python, time passed in. Alerts for one target go out in the order they
were raised: while the oldest is failing, the ones behind it wait. A failed
delivery is retried after a delay that doubles from ``first_retry`` up to
``max_retry``; an alert older than ``max_age`` is given up. An alert is due
only once it has been saved (:meth:`Outbox.saved`): it is on disk before it
goes out. Every operation but the snapshot costs O(1) per alert (or per
target), so a long queue costs O(n) in all.
"""

from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
import itertools
from typing import Any


@dataclass(slots=True)
class OutboxEntry:
    """One alert for one target."""

    id: int
    target: str
    created: float
    payload: dict[str, Any]
    attempts: int = 0
    next_attempt: float = 0.0
    last_error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly, for the store."""
        return {
            "id": self.id,
            "target": self.target,
            "created": self.created,
            # A copy: the store serializes it in another thread.
            "payload": dict(self.payload),
            "attempts": self.attempts,
            "next_attempt": self.next_attempt,
            "last_error": self.last_error,
        }


@dataclass(slots=True)
class Outbox:
    """Alerts waiting for delivery, one queue per target."""

    first_retry: float = 1.0
    max_retry: float = 300.0
    max_age: float = 86400.0
    _queues: dict[str, deque[OutboxEntry]] = field(default_factory=dict)
    _in_flight: set[int] = field(default_factory=set)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    # The newest alert given an id, and the newest one known to be on disk.
    last_id: int = 0
    saved_through: int = 0

    def __len__(self) -> int:
        """How many alerts wait."""
        return sum(len(queue) for queue in self._queues.values())

    @property
    def unsaved(self) -> int:
        """How many alerts were raised since the last save (none may go out yet)."""
        return self.last_id - self.saved_through

    def add(self, target: str, payload: dict[str, Any], now: float) -> OutboxEntry:
        """Queue an alert for ``target``, behind any it already has."""
        self.last_id = next(self._ids)
        entry = OutboxEntry(self.last_id, target, now, payload, next_attempt=now)
        self._queues.setdefault(target, deque()).append(entry)
        return entry

    def saved(self, through: int) -> None:
        """Every alert up to id ``through`` is on disk now: it may go out."""
        self.saved_through = max(self.saved_through, through)

    def due(self, now: float) -> list[OutboxEntry]:
        """The alerts to send now: the oldest of each target, when its time has come."""
        due = (self.next_due(target, now) for target in self._queues)
        return [entry for entry in due if entry is not None]

    def next_due(self, target: str, now: float) -> OutboxEntry | None:
        """The oldest alert of ``target``, if its time has come."""
        queue = self._queues.get(target)
        if (
            queue
            and queue[0].id <= self.saved_through
            and queue[0].id not in self._in_flight
            and queue[0].next_attempt <= now
        ):
            return queue[0]
        return None

    def sending(self, entry: OutboxEntry) -> None:
        """A delivery of ``entry`` has started."""
        self._in_flight.add(entry.id)

    def delivered(self, entry: OutboxEntry) -> None:
        """``entry`` arrived: forget it."""
        self._in_flight.discard(entry.id)
        queue = self._queues.get(entry.target)
        if queue and queue[0].id == entry.id:
            queue.popleft()

    def interrupted(self, entry: OutboxEntry) -> None:
        """A delivery was cut short (shutting down): it stays first in line."""
        self._in_flight.discard(entry.id)

    def failed(self, entry: OutboxEntry, now: float, error: str) -> float:
        """A delivery failed; returns when it will be tried again."""
        self._in_flight.discard(entry.id)
        entry.attempts += 1
        entry.last_error = error
        delay = min(self.max_retry, self.first_retry * 2 ** (entry.attempts - 1))
        entry.next_attempt = now + delay
        return entry.next_attempt

    def expire(self, now: float) -> list[OutboxEntry]:
        """Give up alerts older than ``max_age`` (not while being sent).

        A queue is oldest first: only its head is looked at, until one is
        young enough (a long queue is not walked every time).
        """
        expired: list[OutboxEntry] = []
        for queue in self._queues.values():
            while (
                queue
                and now - queue[0].created > self.max_age
                and queue[0].id not in self._in_flight
            ):
                expired.append(queue.popleft())
        return expired

    def next_wakeup(self) -> float | None:
        """When the next alert falls due, or expires, if any waits."""
        times = [
            min(queue[0].next_attempt, queue[0].created + self.max_age)
            for queue in self._queues.values()
            if queue
            and queue[0].id not in self._in_flight
            and queue[0].id <= self.saved_through
        ]
        return min(times, default=None)

    def drop_target(self, target: str) -> int:
        """Forget everything queued for a target that was removed."""
        return len(self._queues.pop(target, ()))

    def entries(self) -> list[OutboxEntry]:
        """Everything waiting, target by target, oldest first."""
        return [entry for queue in self._queues.values() for entry in queue]

    def snapshot(self) -> list[dict[str, Any]]:
        """What must survive a restart."""
        return [entry.to_dict() for entry in self.entries()]

    def restore(self, saved: Iterable[Mapping[str, Any]]) -> None:
        """Take back a snapshot (unreadable entries are skipped); all on disk.

        May be called for one part of a snapshot after the other, in order.
        """
        highest = self.last_id
        for item in saved:
            try:
                entry = OutboxEntry(
                    id=int(item["id"]),
                    target=str(item["target"]),
                    created=float(item["created"]),
                    # The store's own dict (fewer objects for the collector).
                    payload=_mapping(item["payload"]),
                    attempts=int(item.get("attempts", 0)),
                    next_attempt=float(item.get("next_attempt", item["created"])),
                    last_error=item.get("last_error"),
                )
            except KeyError, TypeError, ValueError:
                continue
            highest = max(highest, entry.id)
            self._queues.setdefault(entry.target, deque()).append(entry)
        self._ids = itertools.count(highest + 1)
        self.last_id = self.saved_through = highest


def _mapping(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise TypeError("not a mapping")
    return value


@dataclass(slots=True)
class RateLimiter:
    """At most one alert per key in ``window`` seconds."""

    window: float
    _last: dict[str, float] = field(default_factory=dict)

    def allow(self, key: str, now: float) -> bool:
        """Whether an alert for ``key`` may go out now (and count it if so)."""
        last = self._last.get(key)
        if last is not None and now - last < self.window:
            return False
        self._last[key] = now
        return True
