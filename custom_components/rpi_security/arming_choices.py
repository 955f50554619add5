"""A refused arming, and the choices its alert offers: Retry, or Arm anyway.

When arming is refused (sensors open or unavailable), the alert names them
and offers two buttons, in the Companion app and in Telegram: *Retry* arms
as asked again (refused again if still in the way), *Arm anyway* bypasses
exactly the sensors the alert named; a sensor that opened since refuses it
again. Each refusal gets a short token that the buttons carry; typed
``/retry`` and ``/bypass`` commands take the latest one. Refusals are kept in
memory for a while: after that, or after a restart, the buttons say the
choice has expired.
"""

from collections.abc import Mapping
from dataclasses import dataclass
import secrets
import string

from .engine.alarm import ArmMode

# How long the buttons of a refused arming stay usable.
CHOICE_LIFETIME = 3600.0
# The refusals kept at most (the oldest go first).
MAX_CHOICES = 20
TOKEN_LENGTH = 6


@dataclass(frozen=True, slots=True)
class RefusedArming:
    """An arming refused: what was asked, and what was in the way."""

    token: str
    mode: ArmMode
    # The areas asked for (every area for the whole house).
    areas: tuple[str, ...]
    # Whether the whole house was asked for (its panel, a command without area).
    whole_house: bool
    # Area id -> the sensors in the way: what "Arm anyway" bypasses.
    bypass: Mapping[str, tuple[str, ...]]
    at: float


def new_token() -> str:
    """A token for the buttons: letters only, so it is never taken for a code."""
    return "".join(secrets.choice(string.ascii_lowercase) for _ in range(TOKEN_LENGTH))


class ArmingChoices:
    """The refused armings whose buttons still work."""

    def __init__(self) -> None:
        """None yet."""
        self._refusals: dict[str, RefusedArming] = {}

    def offer(
        self,
        mode: ArmMode,
        areas: tuple[str, ...],
        bypass: Mapping[str, tuple[str, ...]],
        now: float,
        *,
        whole_house: bool = False,
    ) -> RefusedArming:
        """Keep a refusal; its token goes into the alert's buttons."""
        token = new_token()
        while token in self._refusals:
            token = new_token()
        refusal = RefusedArming(token, mode, areas, whole_house, dict(bypass), now)
        self._refusals[token] = refusal
        while len(self._refusals) > MAX_CHOICES:
            del self._refusals[next(iter(self._refusals))]
        return refusal

    def find(self, token: str | None, now: float) -> RefusedArming | None:
        """The refusal of ``token`` (the latest without one), if not expired."""
        self._expire(now)
        if token is None:
            return next(reversed(self._refusals.values()), None)
        return self._refusals.get(token)

    def is_token(self, word: str) -> bool:
        """Whether ``word`` is the token of a refusal kept now."""
        return word in self._refusals

    def _expire(self, now: float) -> None:
        for token in [
            t for t, r in self._refusals.items() if now - r.at > CHOICE_LIFETIME
        ]:
            del self._refusals[token]
