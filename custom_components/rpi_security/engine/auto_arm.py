"""Automatic arming: what presence asks of the alarm.

Pure Python. The alarm is armed when everyone *has just left* (not whenever
everyone is away: a remote disarm while away stays as it is), or when an
earlier attempt was refused and is to be retried. It is disarmed when someone
comes back in a way the tracker trusts as an arrival (joined the network, a
corroborating source arrived, or back after a real absence), as the disarm
policy allows.
"""

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .alarm import AlarmState, ArmMode
from .modes import GUARDING_STATES
from .presence import Presence, PresenceChange, PresenceTracker


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


# Arming, armed in any mode (custom bypass too), pending or triggered.
GUARDING = GUARDING_STATES


@dataclass(slots=True)
class AutoArm:
    """Arming and disarming by presence, when the "Automatic arming" switch is on."""

    departure_mode: ArmMode = ArmMode.AWAY
    disarm_policy: DisarmPolicy = DisarmPolicy.ALWAYS
    enabled: bool = True
    # Whether the current arming came from presence (for the disarm policy).
    armed_by_presence: bool = False
    # Arm as soon as it can be done (a refused attempt, or the switch turned on).
    retry_arm: bool = False
    # Whether everyone was away when last decided (kept across restarts, so
    # phones confirmed away again after a restart are not a new departure).
    everyone_was_away: bool = False

    def decide(
        self,
        tracker: PresenceTracker,
        changes: Iterable[PresenceChange],
        alarm_state: AlarmState | Collection[AlarmState],
    ) -> ArmDecision | DisarmDecision | None:
        """What presence asks of the alarm now, if anything.

        ``alarm_state`` may be the states of several areas: an arrival
        disarms when any of them guards, a departure arms when any is
        disarmed (the glue then acts on those areas only).
        """
        states = (
            {alarm_state} if isinstance(alarm_state, AlarmState) else set(alarm_state)
        )
        everyone_away = tracker.everyone_away
        unknown = any(
            o.presence is Presence.UNKNOWN for o in tracker.occupants.values()
        )
        just_left = everyone_away and not self.everyone_was_away
        if everyone_away or not unknown:
            # While someone is unknown (just started), the last answer stands.
            self.everyone_was_away = everyone_away
        if not everyone_away:
            self.retry_arm = False
        if not self.enabled:
            return None
        arrival = next((c for c in changes if c.arrived), None)
        if arrival is not None and states & GUARDING:
            if self.disarm_policy is DisarmPolicy.ALWAYS or self.armed_by_presence:
                return DisarmDecision(arrival.occupant_id)
            return None
        if (
            (just_left or self.retry_arm)
            and everyone_away
            and AlarmState.DISARMED in states
        ):
            return ArmDecision(self.departure_mode)
        return None

    def occupants_changed(self, tracker: PresenceTracker) -> None:
        """Phones or persons were added or removed: nobody left or came home.

        Removing the last phone that is home is no departure: it never arms.
        """
        if not any(o.presence is Presence.UNKNOWN for o in tracker.occupants.values()):
            self.everyone_was_away = tracker.everyone_away

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

    def snapshot(self) -> dict[str, Any]:
        """What to keep across a restart."""
        return {
            "enabled": self.enabled,
            "armed_by_presence": self.armed_by_presence,
            "everyone_away": self.everyone_was_away,
        }

    def restore(
        self, data: Mapping[str, Any], presence: Mapping[str, Any] | None = None
    ) -> None:
        """Take back a snapshot, before presence starts deciding.

        A snapshot from before "everyone_away" was kept says it through the
        occupants' stored states (``presence``: the tracker's snapshot).
        """
        self.enabled = bool(data.get("enabled", True))
        self.armed_by_presence = bool(data.get("armed_by_presence"))
        if "everyone_away" in data:
            self.everyone_was_away = bool(data["everyone_away"])
        else:
            states = [
                saved.get("presence")
                for saved in (presence or {}).values()
                if isinstance(saved, Mapping)
            ]
            self.everyone_was_away = bool(states) and all(
                state == Presence.AWAY for state in states
            )
