"""The camera in the system: what the alarm asks it to capture, what it sees.

The capture policy (engine) turns the alarm's events and motion into capture
requests; this carries them out on the camera manager, photographs a
triggered alarm every so often, feeds the camera's own motion to the alarm
when it counts as a motion sensor, and reports captures and health.
"""

from datetime import datetime, timedelta
import time
from typing import TYPE_CHECKING

from homeassistant.core import CALLBACK_TYPE, callback
from homeassistant.helpers.event import async_call_later, async_track_time_interval

from .alerts import AlarmAlert
from .camera_manager import CameraManager, CaptureResult
from .config import CameraConfig
from .const import EVENT_CAPTURE
from .engine.alarm import AlarmEvent, AlarmState, SensorKind
from .engine.capture_policy import CaptureKind, CapturePolicy, CaptureRequest
from .issues import async_report_camera_problems

if TYPE_CHECKING:
    from .alarm_areas import Area
    from .system import SecuritySystem

# The camera's motion, when it counts as a motion sensor of the alarm.
CAMERA_MOTION_ID = "camera_motion"
DISARMED = AlarmState.DISARMED
# Key to subscribe to: the camera's state, motion and captures.
CAMERA_KEY = "camera"
# Simulation: someone walking past the camera is in view this long.
WALK_PAST_SECONDS = 5.0


class CameraGlue:
    """The system's camera: captures on request, motion into the alarm."""

    def __init__(self, system: SecuritySystem, camera: CameraConfig) -> None:
        """Prepare the camera; :meth:`async_start` opens it."""
        self._system = system
        self._hass = system.hass
        self.policy = CapturePolicy(camera.captures)
        self.manager = CameraManager(
            system.hass,
            camera,
            simulation=system.config.simulation,
            on_motion=self._motion_changed,
            on_health=self._health_changed,
            on_capture=self._capture_done,
            motion_used_while_disarmed=system.arming is not None,
        )
        self._cancel_interval: CALLBACK_TYPE | None = None
        self._cancel_walk: CALLBACK_TYPE | None = None

    async def async_start(self) -> None:
        """Open the camera and start looking for motion."""
        await self.manager.async_start()
        self.alarm_changed()

    async def async_stop(self) -> None:
        """Stop capturing and close the camera."""
        for cancel in (self._cancel_interval, self._cancel_walk):
            if cancel is not None:
                cancel()
        self._cancel_interval = self._cancel_walk = None
        await self.manager.async_stop()

    @callback
    def presence_changed(self) -> None:
        """Presence came or went: it looks at motion while disarmed."""
        self.manager.presence_changed(self._system.arming is not None)

    def update_captures(self, camera: CameraConfig) -> None:
        """What is captured and kept changed (the camera itself did not)."""
        self.manager.config = camera
        self.policy.settings = camera.captures
        if self._cancel_interval is not None:  # the new interval, from now
            self._cancel_interval()
            self._cancel_interval = None
        self.alarm_changed()

    # -- captures ------------------------------------------------------------

    async def async_capture(
        self, request: CaptureRequest, alarm: AlarmAlert | None = None
    ) -> list[CaptureResult]:
        """Capture what ``request`` asks; with ``alarm``, its alert gets the photo."""
        return await self.manager.async_capture(
            request.kinds,
            self._system.sensor_name(request.cause),
            burst=request.burst,
            on_result=alarm.on_capture if alarm is not None else None,
        )

    async def _async_capture_quietly(
        self, request: CaptureRequest, alarm: AlarmAlert | None = None
    ) -> None:
        await self.async_capture(request, alarm)

    @callback
    def alarm_changed(
        self, events: list[AlarmEvent] | None = None, alarm: AlarmAlert | None = None
    ) -> None:
        """The alarm moved: the captures it asks for, and the triggered interval."""
        areas = self._system.areas
        for request in self.policy.on_alarm(
            events or [], areas.sensor_types, time.time()
        ):
            self._system.run(self._async_capture_quietly(request, alarm))
        # Motion is sampled while any area is armed (it may trip it, and
        # motion while armed is captured).
        states = (area.machine.state for area in areas)
        self.manager.alarm_changed(
            next(
                (s for s in states if s is not AlarmState.DISARMED), AlarmState.DISARMED
            )
        )
        interval = self.manager.config.captures.interval
        triggered = areas.state.state is AlarmState.TRIGGERED
        if triggered and interval > 0 and self._cancel_interval is None:
            self._cancel_interval = async_track_time_interval(
                self._hass, self._interval_tick, timedelta(seconds=interval)
            )
        elif not triggered and self._cancel_interval is not None:
            self._cancel_interval()
            self._cancel_interval = None

    @callback
    def _interval_tick(self, _now: datetime) -> None:
        cause = next(
            (
                area.machine.cause
                for area in self._system.areas
                if area.machine.state is AlarmState.TRIGGERED and area.machine.cause
            ),
            "triggered",
        )
        self._system.run(
            self._async_capture_quietly(CaptureRequest((CaptureKind.PHOTO,), cause))
        )

    @callback
    def motion_seen(self, sensor_id: str) -> None:
        """Motion while armed: a photo, even when it does not trip the alarm."""
        # A sensor's own areas; the camera's motion when no area counts it
        # is still captured while any area is armed.
        areas = self._system.areas.areas_of(sensor_id) or list(self._system.areas)
        state = _armed_state(areas)
        request = self.policy.on_motion(sensor_id, state, time.time())
        if request is not None:
            self._system.run(self._async_capture_quietly(request))

    @callback
    def _capture_done(self, result: CaptureResult) -> None:
        self._system.notify(CAMERA_KEY)
        if not result.ok:
            self._system.health_changed()  # the camera problem sensor names it
        self._hass.bus.async_fire(
            EVENT_CAPTURE,
            {
                "kind": result.kind.value,
                "cause": result.cause,
                "path": str(result.path) if result.path else None,
                "error": result.error,
                "entity_id": self._system.panel_entity_id,
            },
        )

    # -- motion and health -----------------------------------------------------

    @callback
    def _motion_changed(self, moving: bool) -> None:
        system = self._system
        system.notify(CAMERA_KEY)
        areas = system.areas.areas_of(CAMERA_MOTION_ID)
        if areas:
            system.apply(
                system.areas.sensor_changed(CAMERA_MOTION_ID, moving, time.time())
            )
        if system.arming is not None:
            states = [a.machine.state for a in areas] or [system.areas.state.state]
            disarmed = all(state is AlarmState.DISARMED for state in states)
            system.arming.sensor_changed(SensorKind.MOTION, moving, disarmed=disarmed)
        if moving:
            self.motion_seen(CAMERA_MOTION_ID)

    @callback
    def _health_changed(self) -> None:
        manager = self.manager
        async_report_camera_problems(
            self._hass, manager.persistent_problems, manager.camera_problem
        )
        self._system.health_changed()
        self._system.notify(CAMERA_KEY)

    # -- simulation --------------------------------------------------------------

    @callback
    def walk_past(self, seconds: float = WALK_PAST_SECONDS) -> None:
        """Simulation: someone walks through the camera's view for ``seconds``."""
        self.manager.set_simulated_motion(True)
        if self._cancel_walk is not None:
            self._cancel_walk()
        self._cancel_walk = async_call_later(self._hass, seconds, self._walked_on)

    @callback
    def _walked_on(self, _now: datetime) -> None:
        self._cancel_walk = None
        self.manager.set_simulated_motion(False)


def _armed_state(areas: list[Area]) -> AlarmState:
    """The state of the first of ``areas`` not disarmed (else disarmed)."""
    armed = (a.machine.state for a in areas if a.machine.state is not DISARMED)
    return next(armed, DISARMED)
