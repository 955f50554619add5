"""Exponential back-off for retries (capture sockets, alert delivery)."""

from dataclasses import dataclass


@dataclass(slots=True)
class Backoff:
    """Delays that double from ``first`` up to ``maximum`` until reset."""

    first: float
    maximum: float
    factor: float = 2.0
    _next: float = 0.0

    def __post_init__(self) -> None:
        """Start at the first delay."""
        self._next = self.first

    def next_delay(self) -> float:
        """The delay before the next attempt; each call lengthens the next."""
        delay = self._next
        self._next = min(self.maximum, self._next * self.factor)
        return delay

    def reset(self) -> None:
        """An attempt succeeded: start from the first delay again."""
        self._next = self.first
