"""Reading the stored state with suspicion, and what to do when it is damaged.

Pure Python. The stored state is split into its parts, each checked for its
type; a part that cannot be read is named, never guessed at. When the alarm's
own part is lost, the alarm comes back as the panel last showed it, or armed
away when nothing tells: damaged storage never disarms the house.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .alarm import ARMED_STATES, AlarmSettings, AlarmState, ArmMode


@dataclass(frozen=True, slots=True)
class StoredParts:
    """The parts of the stored state that could be read, and those that could not."""

    alarm: Mapping[str, Any] | None = None
    # Each area's alarm state, by area id (since areas; ``alarm`` before).
    areas: Mapping[str, Any] | None = None
    auto_arm_enabled: bool = True
    armed_by_presence: bool = False
    # The rest of automatic arming's part (what it learned), when readable.
    auto_arm: Mapping[str, Any] = field(default_factory=dict)
    presence: Mapping[str, Any] | None = None
    # The parts that were there but could not be read ("file" for all of it).
    damaged: tuple[str, ...] = ()
    # What was wrong with them, for the log and the repair issue.
    notes: tuple[str, ...] = ()


def read_parts(raw: Any) -> StoredParts:
    """Split what the store returned into parts, checking each one's type."""
    if raw is None:
        return StoredParts()
    if not isinstance(raw, Mapping):
        return StoredParts(damaged=("file",), notes=(f"a {type(raw).__name__}",))
    damaged: list[str] = []
    notes: list[str] = []
    alarm = raw.get("alarm")
    if alarm is not None and not isinstance(alarm, Mapping):
        damaged.append("alarm")
        notes.append(f"alarm is a {type(alarm).__name__}")
        alarm = None
    areas = raw.get("areas")
    if areas is not None and not isinstance(areas, Mapping):
        damaged.append("areas")
        notes.append(f"areas is a {type(areas).__name__}")
        areas = None
    enabled, by_presence = True, False
    auto_arm_rest: Mapping[str, Any] = {}
    auto_arm = raw.get("auto_arm", {})
    if (
        not isinstance(auto_arm, Mapping)
        or not isinstance(auto_arm.get("enabled", True), bool)
        or not isinstance(auto_arm.get("armed_by_presence", False), bool)
    ):
        damaged.append("auto_arm")
        notes.append("automatic arming is unreadable")
    else:
        enabled = auto_arm.get("enabled", True)
        by_presence = auto_arm.get("armed_by_presence", False)
        auto_arm_rest = auto_arm
    presence = raw.get("presence")
    if not isinstance(presence, Mapping):
        # Presence starts afresh (every phone unknown): nothing unsafe.
        presence = None
    return StoredParts(
        alarm=alarm,
        areas=areas,
        auto_arm_enabled=enabled,
        armed_by_presence=by_presence,
        auto_arm=auto_arm_rest,
        presence=presence,
        damaged=tuple(damaged),
        notes=tuple(notes),
    )


def fallback_alarm(
    last_state: str | None,
    attributes: Mapping[str, Any],
    settings: AlarmSettings,
    now: float,
) -> dict[str, Any]:
    """A snapshot to restore when the stored alarm state is lost.

    From the panel's last state (Home Assistant's restore state) when there is
    one, else armed away. A delay's time left is unknown: it starts again,
    with the length the mode armed in has.
    """
    mode = _mode_of(attributes.get("previous_state")) or _mode_of(
        attributes.get("next_state")
    )
    if last_state == AlarmState.DISARMED:
        return {"state": AlarmState.DISARMED.value}
    if last_state in ARMED_STATES:
        mode = ArmMode(str(last_state).removeprefix("armed_"))
    mode = mode or ArmMode.AWAY
    delays = settings.delays(mode)
    armed = {
        "armed_mode": mode.value,
        "return_state": mode.armed_state.value,
        "previous_state": mode.armed_state.value,
    }
    if last_state == AlarmState.PENDING:
        return {**armed, "state": "pending", "delay_left": delays.entry_delay}
    if last_state == AlarmState.TRIGGERED:
        return {
            **armed,
            "state": "triggered",
            "deadline": now + delays.trigger_time,
        }
    # Armed, arming (its exit delay long over), or nothing known.
    return {**armed, "state": mode.armed_state.value}


def _mode_of(state: Any) -> ArmMode | None:
    if isinstance(state, str) and state in ARMED_STATES:
        return ArmMode(state.removeprefix("armed_"))
    return None
