"""When the camera captures: on a trigger, and on motion while armed."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from .alarm import ARMED_STATES, AlarmEvent, AlarmState, EventType, SensorKind


class CaptureKind(StrEnum):
    """What a capture makes."""

    PHOTO = "photo"
    GIF = "gif"
    CLIP = "clip"


@dataclass(frozen=True, slots=True)
class CaptureRequest:
    """Capture ``kinds`` because of ``cause`` (a sensor id, or a word).

    With ``burst`` a photo is a burst of several; otherwise a single shot.
    """

    kinds: tuple[CaptureKind, ...]
    cause: str
    burst: bool = False


@dataclass(frozen=True, slots=True)
class CaptureSettings:
    """What to capture when."""

    gif: bool = True
    clip: bool = False
    # Between photos while the alarm stays triggered (0: none).
    interval: float = 30.0
    # At least this long between photos of motion while armed.
    motion_cooldown: float = 30.0


_WATCHING = ARMED_STATES | {AlarmState.PENDING, AlarmState.TRIGGERED}


def camera_motion_wanted(
    state: AlarmState, *, watched: bool, used_while_disarmed: bool
) -> bool:
    """Whether the camera must look for motion now; when nothing uses it, it need not.

    It must while its motion sensor is shown (``watched``: the entity is
    enabled); from the exit delay until disarmed (motion is captured while
    armed and trips the alarm where the camera counts as a motion sensor;
    starting at the exit delay, the scene is learnt before the alarm is
    armed); and while disarmed if presence uses it (``used_while_disarmed``:
    motion inside says someone is home).
    """
    return watched or used_while_disarmed or state is not AlarmState.DISARMED


@dataclass(slots=True)
class CapturePolicy:
    """Turns what the alarm and the sensors do into capture requests."""

    settings: CaptureSettings = CaptureSettings()
    _last_motion_capture: float | None = field(default=None)

    def on_alarm(
        self,
        events: Iterable[AlarmEvent],
        sensors: Mapping[str, SensorKind],
        now: float,
    ) -> list[CaptureRequest]:
        """Captures for what the alarm just did."""
        events = list(events)
        triggered = next(
            (
                e
                for e in events
                if e.type is EventType.STATE_CHANGED and e.state is AlarmState.TRIGGERED
            ),
            None,
        )
        if triggered is not None:
            self._last_motion_capture = now
            return [
                CaptureRequest(
                    self._evidence(clip=self.settings.clip),
                    triggered.cause or "triggered",
                    burst=True,
                )
            ]
        motion_trips = (
            e
            for e in events
            if e.type is EventType.TRIGGER
            and e.cause is not None
            and sensors.get(e.cause) is SensorKind.MOTION
        )
        return [
            request
            for e in motion_trips
            if e.cause is not None
            and (request := self.on_motion(e.cause, e.state, now)) is not None
        ]

    def on_motion(
        self, cause: str, alarm_state: AlarmState, now: float
    ) -> CaptureRequest | None:
        """Photos and a GIF of motion seen while armed, at most once per cool-down."""
        if alarm_state not in _WATCHING:
            return None
        last = self._last_motion_capture
        if last is not None and now - last < self.settings.motion_cooldown:
            return None
        self._last_motion_capture = now
        return CaptureRequest(self._evidence(clip=False), cause, burst=True)

    def _evidence(self, *, clip: bool) -> tuple[CaptureKind, ...]:
        """A burst of photos first (the quickest to send), then a GIF and a clip."""
        kinds = [CaptureKind.PHOTO]
        if self.settings.gif:
            kinds.append(CaptureKind.GIF)
        if clip:
            kinds.append(CaptureKind.CLIP)
        return tuple(kinds)
