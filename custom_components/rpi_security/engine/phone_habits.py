"""What one phone normally does at home: how long it ignores ARP.

Pure Python. Phones differ: an Android in Doze misses some ARP rounds here
and there, a locked iPhone is deaf to ARP for minutes at a time, a phone in
use answers every time. Instead of one rule for all, each phone's habits are
learned from what it actually did while it was at home, and kept across
restarts (:meth:`PhoneHabits.snapshot`):

- *deaf spells*: from the first unanswered confirmation round to the moment
  the phone was heard again without joining the network (so it had been
  there all along). A phone is away only after a silence longer than it has
  ever been deaf at home (a high quantile, with a margin).
- *first rounds*: of the questions asked while it was in fact at home, how
  often the first round went unanswered. That miss rate sets how many
  unanswered rounds it takes before missing them all at home is too unlikely
  (the deaf spells cover misses that come in runs).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
import math
from typing import Any

MAX_SPELLS = 40
# Longer spells are absences whose return was not seen as a join.
MAX_LEARNED_SPELL = 4 * 3600.0
# Spells needed before they stretch anything, and the margin past the
# longest (a spell is seen from the first unanswered round, which may fall
# anywhere in it, so the longest seen is shorter than the longest there is).
MIN_SPELLS = 10
SPELL_MARGIN = 1.25
# Until then (or until it answered the first round of this many questions at
# home: a phone that hardly ever misses one), a phone is assumed to ignore ARP
# for minutes at a time, as a locked iPhone does: slow to count as away.
SETTLED_QUESTIONS = 50
UNLEARNED_DEAFNESS = 15 * 60.0
# How unlikely a phone at home must be to miss every round of one question.
FALSE_AWAY_ODDS = 1e-4
MAX_ROUNDS = 10
# Round counts fade, so a phone that changes its ways is relearned.
ROUND_DECAY = 0.99
# Beta prior of the miss rate: a phone is assumed to miss one round in ten.
PRIOR_MISSED, PRIOR_ASKED = 1.0, 10.0


@dataclass(slots=True)
class PhoneHabits:
    """One phone's learned deaf spells and ARP miss rate."""

    deaf_spells: list[float] = field(default_factory=list)
    rounds_asked: float = 0.0
    rounds_missed: float = 0.0

    # -- learning --------------------------------------------------------------

    def deaf_at_home(self, seconds: float) -> None:
        """The phone ignored ARP this long, and was home all the while."""
        if 0 < seconds <= MAX_LEARNED_SPELL:
            self.deaf_spells.append(round(seconds))
            del self.deaf_spells[:-MAX_SPELLS]

    def first_round_at_home(self, *, missed: bool) -> None:
        """The first round of a question, sent while the phone was home."""
        self.rounds_asked = self.rounds_asked * ROUND_DECAY + 1
        self.rounds_missed = self.rounds_missed * ROUND_DECAY + missed

    # -- what it means ---------------------------------------------------------

    @property
    def miss_rate(self) -> float:
        """The share of questions at home whose first round this phone misses."""
        return (self.rounds_missed + PRIOR_MISSED) / (self.rounds_asked + PRIOR_ASKED)

    @property
    def learned(self) -> bool:
        """Whether enough was seen of this phone to go by what it does."""
        return (
            len(self.deaf_spells) >= MIN_SPELLS
            or self.rounds_asked >= SETTLED_QUESTIONS
        )

    def longest_deaf_spell(self) -> float | None:
        """How long this phone was seen to ignore ARP at home, at most."""
        if not self.learned:
            return None
        return max(self.deaf_spells, default=0.0)

    def deafness_needed(self, base: float, cap: float) -> float:
        """Unanswered time before the phone may count as away: past its deaf spells."""
        longest = self.longest_deaf_spell()
        needed = UNLEARNED_DEAFNESS if longest is None else longest * SPELL_MARGIN
        return min(max(base, needed), max(base, cap))

    def rounds_needed(self, base: int) -> int:
        """Unanswered rounds that make missing them all at home unlikely enough."""
        needed = math.ceil(math.log(FALSE_AWAY_ODDS) / math.log(self.miss_rate))
        return min(max(base, needed), max(base, MAX_ROUNDS))

    # -- persistence -----------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        """What was learned, for a restart."""
        return {
            "deaf_spells": list(self.deaf_spells),
            "rounds_asked": round(self.rounds_asked, 3),
            "rounds_missed": round(self.rounds_missed, 3),
        }

    @classmethod
    def restore(cls, data: Any) -> PhoneHabits:
        """Habits from a snapshot; anything unreadable starts afresh."""
        if not isinstance(data, Mapping):
            return cls()
        try:
            spells = [float(s) for s in data.get("deaf_spells", ())][-MAX_SPELLS:]
            asked = float(data.get("rounds_asked", 0.0))
            missed = float(data.get("rounds_missed", 0.0))
        except TypeError, ValueError:
            return cls()
        if not 0 <= missed <= asked:
            asked = missed = 0.0
        return cls([s for s in spells if 0 < s <= MAX_LEARNED_SPELL], asked, missed)
