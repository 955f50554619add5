"""Debounce for contacts: a level counts only once it has held long enough.

gpiozero's own ``bounce_time`` ignores edges for a while after an edge, which
lets a chattering contact through on its first edge. Here a change is accepted
only after the raw input has stayed at the new level for ``hold`` seconds
without a single edge in between.
"""

from dataclasses import dataclass

# Clocks and float sums are not exact; a check this close to due is due.
_TOLERANCE = 1e-9


@dataclass(slots=True)
class Debouncer:
    """The stable level of one input, fed with raw edges."""

    hold: float
    stable: bool
    _raw: bool | None = None
    _since: float = 0.0

    def edge(self, level: bool, now: float) -> float | None:
        """Record a raw level seen at ``now``.

        Returns when to call :meth:`settle` to learn whether the level held,
        or ``None`` when the input is back at its stable level.
        """
        if level == self._raw:
            return None  # not an edge: the input did not change
        self._raw, self._since = level, now
        if level == self.stable:
            return None
        return now + self.hold

    def settle(self, now: float) -> tuple[bool | None, float | None]:
        """Check the pending level at ``now``.

        Returns ``(new stable level, None)`` once the level has held, or
        ``(None, when to check again)`` while it is still young, or
        ``(None, None)`` when nothing is pending.
        """
        if self._raw is None or self._raw == self.stable:
            return None, None
        due = self._since + self.hold
        if now + _TOLERANCE < due:
            return None, due
        self.stable = self._raw
        return self.stable, None
