"""Camera motion: small frames looked at a few times a second, only while it counts.

What uses the camera's motion, and so keeps it sampled: its motion sensor
entity (unless a user disabled it), the alarm from the exit delay on, and
presence while disarmed (see :func:`.engine.capture_policy.camera_motion_wanted`).
When nothing does, no frame is taken at all. Each sample takes the backend's
smallest frame and runs the detector on it in one executor job; the event
loop only hears whether something moves.
"""

from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
import time
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_time_interval

from .engine.alarm import AlarmState
from .engine.capture_policy import camera_motion_wanted

if TYPE_CHECKING:
    from .engine.motion import MotionDetector

# Frames a second: someone in view for half a second is seen within half a
# second, and an idle Pi spends next to nothing on it.
MOTION_RATE = 2.0
# The camera motion sensor stays on this long after the last motion seen.
MOTION_HOLD = 10.0


class MotionSource(Protocol):
    """A camera that can be asked whether its picture moved."""

    async def async_motion(self, detector: MotionDetector) -> bool:
        """Take a small frame and give it to ``detector``: motion or not."""


def new_detector() -> MotionDetector:
    """A detector with no background yet (blocking: imports numpy)."""
    from .engine.motion import MotionDetector  # noqa: PLC0415  (lazy: numpy)

    return MotionDetector()


class MotionSampler:
    """Samples a camera for motion while anything uses it."""

    def __init__(
        self,
        hass: HomeAssistant,
        source: MotionSource,
        *,
        frame_rate: float,
        used_while_disarmed: bool,
        ready: Callable[[], bool],
        run: Callable[[Coroutine[Any, Any, None]], None],
        on_motion: Callable[[bool], None],
        on_error: Callable[[Exception], None],
    ) -> None:
        """Prepare; nothing is sampled until something uses the motion.

        ``ready`` says whether the camera can give frames now (it is open);
        ``run`` runs a sample in the background; ``on_motion`` hears every
        change of :attr:`motion`; ``on_error`` every failed sample.
        """
        self._hass = hass
        self._source = source
        self.interval = 1 / min(frame_rate, MOTION_RATE)
        self._used_while_disarmed = used_while_disarmed
        self._ready = ready
        self._run = run
        self._on_motion = on_motion
        self._on_error = on_error
        self.motion = False
        self._watchers = 0
        self._alarm_state = AlarmState.DISARMED
        self._cancel_timer: CALLBACK_TYPE | None = None
        self._detector: MotionDetector | None = None
        self._busy = False
        # A new run of sampling (after a pause) ignores frames of the last one.
        self._run_number = 0
        self._last_motion = 0.0

    @property
    def sampling(self) -> bool:
        """Whether frames are being looked at now."""
        return self._cancel_timer is not None

    @callback
    def watch(self) -> CALLBACK_TYPE:
        """Something shows the motion (the sensor entity): sample until it stops."""
        self._watchers += 1
        self._update()

        @callback
        def unwatch() -> None:
            self._watchers -= 1
            self._update()

        return unwatch

    @callback
    def alarm_changed(self, state: AlarmState) -> None:
        """The alarm's state, which decides whether its motion counts."""
        self._alarm_state = state
        self._update()

    @callback
    def presence_changed(self, used_while_disarmed: bool) -> None:
        """Presence started or stopped looking at motion while disarmed."""
        self._used_while_disarmed = used_while_disarmed
        self._update()

    @callback
    def stop(self) -> None:
        """Stop sampling for good (the camera closes)."""
        self._watchers = 0
        self._alarm_state = AlarmState.DISARMED
        self._used_while_disarmed = False
        self._update()

    @callback
    def _update(self) -> None:
        wanted = camera_motion_wanted(
            self._alarm_state,
            watched=self._watchers > 0,
            used_while_disarmed=self._used_while_disarmed,
        )
        if wanted and self._cancel_timer is None:
            self._run_number += 1
            self._detector = None  # a fresh background: the scene may have changed
            self._cancel_timer = async_track_time_interval(
                self._hass, self._tick, timedelta(seconds=self.interval)
            )
        elif not wanted and self._cancel_timer is not None:
            self._cancel_timer()
            self._cancel_timer = None
            self._run_number += 1
            if self.motion:  # nobody looks any more: no motion to show
                self.motion = False
                self._on_motion(False)

    @callback
    def _tick(self, _now: datetime) -> None:
        if self._busy or not self._ready():
            return  # the previous frame is still being looked at
        self._busy = True
        self._run(self._async_sample(self._run_number))

    async def _async_sample(self, run_number: int) -> None:
        try:
            if self._detector is None:
                self._detector = await self._hass.async_add_executor_job(new_detector)
            moved = await self._source.async_motion(self._detector)
        except Exception as err:  # the camera manager sorts them
            self._on_error(err)
            return
        finally:
            self._busy = False
        if run_number != self._run_number:
            return  # paused meanwhile
        now = time.monotonic()
        if moved:
            self._last_motion = now
        moving = moved or (self.motion and now - self._last_motion < MOTION_HOLD)
        if moving != self.motion:
            self.motion = moving
            self._on_motion(moving)
