"""The camera at work: stills, motion sampling, captures into the media library.

Pictures come from a backend (the Pi camera, a webcam, the simulated camera)
whose blocking calls run in the executor, or from a camera entity Home
Assistant already has. Captures are written to per-day folders; what to keep
is decided by the engine. A failing camera is reported and retried; it never
holds up the alarm. Motion is looked for by :mod:`.camera_motion`.
"""

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
import logging
from pathlib import Path
import time
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_call_later, async_track_time_interval
from homeassistant.util import dt as dt_util

from .camera_motion import MotionSampler
from .config import CameraConfig, CameraSource
from .engine.alarm import AlarmState
from .engine.backoff import Backoff
from .engine.capture_policy import CaptureKind
from .engine.retention import plan_pruning
from .hardware.camera import (
    CameraBackend,
    CameraProblem,
    CameraUnavailableError,
    FfmpegCamera,
    Picamera2Camera,
    SimulatedCamera,
    jpeg_motion_frame,
)
from .hardware.encoders import decode_jpegs, encode_gif, encode_mp4
from .hardware.media_library import FOLDER, MediaLibrary

if TYPE_CHECKING:
    from PIL import Image

    from .engine.motion import MotionDetector

_LOGGER = logging.getLogger(__name__)

BURST_SPACING = 0.5
PRUNE_EVERY = timedelta(hours=1)


class CameraHealth(StrEnum):
    """The parts of the camera that can fail on their own."""

    CAMERA = "camera"  # opening it or taking pictures
    DISK = "disk"  # free space under the floor: capturing stopped
    WRITE = "write"  # captures cannot be saved (a full disk, a read-only card)


# A capture problem is a repair issue once it failed this many times in a row.
PERSISTENT_FAILURES = 2


@dataclass(frozen=True, slots=True)
class CaptureResult:
    """One capture: a file written, or why not."""

    kind: CaptureKind
    cause: str
    at: datetime
    path: Path | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the file was written."""
        return self.path is not None


class PictureSource(Protocol):
    """Where the manager gets pictures."""

    async def async_open(self) -> None:
        """Start; raises CameraUnavailableError."""

    async def async_close(self) -> None:
        """Stop."""

    async def async_still(self) -> bytes:
        """A JPEG of what the camera sees now."""

    async def async_record(self, seconds: float, fps: float) -> list[Image.Image]:
        """Frames over the next ``seconds``."""

    async def async_motion(self, detector: MotionDetector) -> bool:
        """Whether the picture moved, by ``detector`` on a small frame."""


class BackendSource:
    """A camera backend, its blocking calls in the executor."""

    def __init__(self, hass: HomeAssistant, backend: CameraBackend) -> None:
        """Wrap ``backend``."""
        self._hass = hass
        self.backend = backend

    async def async_open(self) -> None:
        """Open the camera."""
        await self._hass.async_add_executor_job(self.backend.open)

    async def async_close(self) -> None:
        """Close the camera."""
        await self._hass.async_add_executor_job(self.backend.close)

    async def async_still(self) -> bytes:
        """A JPEG now."""
        return await self._hass.async_add_executor_job(self.backend.still)

    async def async_record(self, seconds: float, fps: float) -> list[Image.Image]:
        """Frames for a GIF or a clip."""
        return await self._hass.async_add_executor_job(
            self.backend.record, seconds, fps
        )

    async def async_motion(self, detector: MotionDetector) -> bool:
        """The smallest frame the camera gives, and the detector, in one job."""
        return await self._hass.async_add_executor_job(self._motion, detector)

    def _motion(self, detector: MotionDetector) -> bool:
        return detector.process(self.backend.motion_frame()).motion


class EntitySource:
    """A camera Home Assistant already has (an IP camera, the one on HA OS)."""

    def __init__(self, hass: HomeAssistant, entity_id: str) -> None:
        """Use ``entity_id``."""
        self._hass = hass
        self._entity_id = entity_id

    async def async_open(self) -> None:
        """Check that the camera answers."""
        await self.async_still()

    async def async_close(self) -> None:
        """Nothing to release."""

    async def async_still(self) -> bytes:
        """The camera entity's current image."""
        # Loaded already: the entity exists.
        from homeassistant.components.camera import async_get_image  # noqa: PLC0415

        try:
            image = await async_get_image(self._hass, self._entity_id, timeout=10)
        except HomeAssistantError as err:
            raise CameraUnavailableError(CameraProblem.NO_DEVICE, str(err)) from err
        return image.content

    async def _async_stills(self, count: int, spacing: float) -> list[bytes]:
        """Images ``spacing`` seconds apart."""
        stills = []
        for index in range(count):
            if index:
                await asyncio.sleep(spacing)
            stills.append(await self.async_still())
        return stills

    async def async_record(self, seconds: float, fps: float) -> list[Image.Image]:
        """Images fetched ``fps`` times a second, decoded in the executor."""
        jpegs = await self._async_stills(max(1, round(seconds * fps)), 1 / fps)
        return await self._hass.async_add_executor_job(decode_jpegs, jpegs)

    async def async_motion(self, detector: MotionDetector) -> bool:
        """The current image, decoded small, and the detector on it."""
        jpeg = await self.async_still()
        return await self._hass.async_add_executor_job(
            lambda: detector.process(jpeg_motion_frame(jpeg)).motion
        )


def library_of(hass: HomeAssistant) -> MediaLibrary:
    """The captures' library, in Home Assistant's (local) media directory."""
    root = hass.config.media_dirs.get("local") or hass.config.path("media")
    return MediaLibrary(Path(root) / FOLDER)


def picture_source(
    hass: HomeAssistant, camera: CameraConfig, simulation: bool
) -> PictureSource:
    """The source for the configured camera (the simulated one in simulation mode)."""
    if camera.source is CameraSource.ENTITY and camera.entity_id:
        return EntitySource(hass, camera.entity_id)
    if simulation or camera.source is CameraSource.SIMULATED:
        return BackendSource(hass, SimulatedCamera(camera.picture))
    if camera.source is CameraSource.PICAMERA2:
        return BackendSource(hass, Picamera2Camera(camera.picture))
    return BackendSource(hass, FfmpegCamera.v4l2(camera.picture, camera.device))


class CameraManager:
    """Runs the camera for the system."""

    def __init__(
        self,
        hass: HomeAssistant,
        camera: CameraConfig,
        *,
        simulation: bool,
        on_motion: Callable[[bool], None],
        on_health: Callable[[], None],
        on_capture: Callable[[CaptureResult], None],
        motion_used_while_disarmed: bool = False,
    ) -> None:
        """Prepare; :meth:`async_start` opens the camera.

        ``motion_used_while_disarmed``: presence looks at motion while the
        alarm is disarmed (someone moving inside is home).
        """
        self._hass = hass
        self.config = camera
        self.source = picture_source(hass, camera, simulation)
        self.library = library_of(hass)
        self._on_motion = on_motion
        self._on_health = on_health
        self._on_capture = on_capture
        self.problems: dict[CameraHealth, str] = {}
        # Failures in a row, per part: a one-off does not make a repair issue.
        self._failures: dict[CameraHealth, int] = {}
        self.camera_problem: CameraProblem | None = None
        self.is_open = False
        self.captures: deque[CaptureResult] = deque(maxlen=50)
        self.motion_sampler: MotionSampler | None = None
        if camera.motion_detection:
            self.motion_sampler = MotionSampler(
                hass,
                self.source,
                frame_rate=camera.picture.frame_rate,
                used_while_disarmed=motion_used_while_disarmed,
                ready=lambda: self.is_open,
                run=self._start,
                on_motion=on_motion,
                on_error=self._motion_failed,
            )
        self._backoff = Backoff(first=30, maximum=300)
        self._capture_lock = asyncio.Lock()
        self._unsubscribe: list[CALLBACK_TYPE] = []
        self._retry: CALLBACK_TYPE | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopped = False

    # -- life cycle ----------------------------------------------------------

    async def async_start(self) -> None:
        """Start opening the camera (in the background), and pruning.

        Motion is looked for once something uses it (:meth:`watch_motion`,
        :meth:`alarm_changed`).
        """
        self._start(self._async_open())
        self._unsubscribe.append(
            async_track_time_interval(self._hass, self._prune_tick, PRUNE_EVERY)
        )

    async def async_stop(self) -> None:
        """Stop everything and close the camera."""
        self._stopped = True
        if self.motion_sampler is not None:
            self.motion_sampler.stop()
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        if self._retry is not None:
            self._retry()
            self._retry = None
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(self._tasks)
        async with self._capture_lock:
            if self.is_open:
                self.is_open = False
                await self.source.async_close()

    async def _async_open(self) -> None:
        self._retry = None
        if self._stopped:
            return
        try:
            try:
                await self.source.async_open()
            except CameraUnavailableError:
                raise
            except Exception as err:
                _LOGGER.exception("Unexpected camera error while opening it")
                raise _unexpected("opening the camera", err) from err
        except CameraUnavailableError as err:
            self.camera_problem = err.problem
            self._failed(CameraHealth.CAMERA, err.detail, persistent=True)
            delay = self._backoff.next_delay()
            if not self._stopped:
                self._retry = async_call_later(self._hass, delay, self._reopen)
            return
        self.is_open = True
        self.camera_problem = None
        self._backoff.reset()
        self.problems.pop(CameraHealth.CAMERA, None)
        self._on_health()  # the camera's entities become available

    @callback
    def _reopen(self, _now: datetime) -> None:
        self._start(self._async_open())

    def _start(self, work: Coroutine[Any, Any, None]) -> None:
        task = self._hass.async_create_background_task(work, "rpi_security camera")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- health ----------------------------------------------------------------

    @property
    def persistent_problems(self) -> dict[CameraHealth, str]:
        """The problems worth a repair issue: not one-off failures."""
        return {
            part: detail
            for part, detail in self.problems.items()
            if self._failures.get(part, 0) >= PERSISTENT_FAILURES
        }

    @callback
    def _failed(
        self, part: CameraHealth, detail: str, *, persistent: bool = False
    ) -> None:
        """``part`` failed; ``persistent``: a lasting state, not a one-off."""
        failures = self._failures.get(part, 0) + 1
        self._failures[part] = max(failures, PERSISTENT_FAILURES if persistent else 0)
        if self.problems.get(part) != detail or failures == PERSISTENT_FAILURES:
            if part not in self.problems:
                _LOGGER.warning("Camera problem (%s): %s", part.value, detail)
            self.problems[part] = detail
            self._on_health()

    @callback
    def _recovered(self, part: CameraHealth) -> None:
        self._failures.pop(part, None)
        if self.problems.pop(part, None) is not None:
            _LOGGER.info("Camera %s works again", part.value)
            self._on_health()

    # -- stills and motion -------------------------------------------------------

    async def async_snapshot(self) -> bytes | None:
        """What the camera sees now (for the camera entity), or None."""
        if not self.is_open:
            return None
        try:
            still = await self.source.async_still()
        except CameraUnavailableError as err:
            self._failed(CameraHealth.CAMERA, err.detail)
            return None
        except Exception as err:  # a backend's bug is a problem too
            self._unexpected_failure("taking a still", err)
            return None
        self._recovered(CameraHealth.CAMERA)
        return still

    def set_simulated_motion(self, moving: bool) -> None:
        """Simulation mode: someone walks through the camera's view (or stops)."""
        source = self.source
        if not (
            isinstance(source, BackendSource)
            and isinstance(source.backend, SimulatedCamera)
        ):
            raise TypeError("only the simulated camera can be moved")
        source.backend.set_motion(moving)

    @property
    def motion(self) -> bool:
        """Whether the camera sees something move (False while not looking)."""
        return self.motion_sampler is not None and self.motion_sampler.motion

    @callback
    def watch_motion(self) -> CALLBACK_TYPE:
        """Keep looking for motion until the returned callback is called."""
        if self.motion_sampler is None:
            return lambda: None
        return self.motion_sampler.watch()

    @callback
    def alarm_changed(self, state: AlarmState) -> None:
        """The alarm's state changed (it decides whether motion counts)."""
        if self.motion_sampler is not None:
            self.motion_sampler.alarm_changed(state)

    @callback
    def presence_changed(self, used_while_disarmed: bool) -> None:
        """Presence started or stopped (it looks at motion while disarmed)."""
        if self.motion_sampler is not None:
            self.motion_sampler.presence_changed(used_while_disarmed)

    @callback
    def _motion_failed(self, err: Exception) -> None:
        if isinstance(err, CameraUnavailableError):
            self._failed(CameraHealth.CAMERA, err.detail)
        else:  # a backend's bug is a problem too
            self._unexpected_failure("looking for motion", err)

    # -- captures ----------------------------------------------------------------

    async def async_capture(
        self,
        kinds: tuple[CaptureKind, ...],
        cause: str,
        *,
        burst: bool = False,
        on_result: Callable[[CaptureResult], None] | None = None,
    ) -> list[CaptureResult]:
        """Take photos, a GIF and a clip, in that order; never raises.

        Each result is reported the moment it exists (to ``on_result`` and to
        the manager's listener): an alert need not wait for the whole burst.
        """
        results: list[CaptureResult] = []

        def report(result: CaptureResult) -> None:
            results.append(result)
            self.captures.append(result)
            self._on_capture(result)
            if on_result is not None:
                on_result(result)

        photos = self.config.burst if burst else 1
        async with self._capture_lock:
            for kind in kinds:
                await self._async_capture_kind(kind, cause, photos, report)
        self._start(self._async_prune())
        return results

    async def _async_capture_kind(
        self,
        kind: CaptureKind,
        cause: str,
        photos: int,
        report: Callable[[CaptureResult], None],
    ) -> None:
        at = dt_util.now()
        if (reason := await self._async_cannot_capture()) is not None:
            report(CaptureResult(kind, cause, at, error=reason))
            return
        for index in range(photos if kind is CaptureKind.PHOTO else 1):
            if index:
                await self._hass.async_add_executor_job(time.sleep, BURST_SPACING)
            try:
                path = await self._async_make(kind, cause, at)
            except CameraUnavailableError as err:
                self._failed(CameraHealth.CAMERA, err.detail)
                report(CaptureResult(kind, cause, at, error=err.detail))
                return
            except OSError as err:  # the file could not be written
                detail = f"saving captures fails: {err.strerror or err}"
                _LOGGER.error("Capture (%s) failed: %s", kind.value, err)
                self._failed(CameraHealth.WRITE, detail)
                report(CaptureResult(kind, cause, at, error=detail))
                return
            except Exception as err:  # never lost in a task
                detail = self._unexpected_failure(f"capturing a {kind.value}", err)
                report(CaptureResult(kind, cause, at, error=detail))
                return
            self._recovered(CameraHealth.CAMERA)
            self._recovered(CameraHealth.WRITE)
            report(CaptureResult(kind, cause, at, path=path))

    @callback
    def _unexpected_failure(self, doing: str, err: Exception) -> str:
        """A backend raised what it should not: logged whole, made a problem."""
        _LOGGER.error("Unexpected camera error while %s", doing, exc_info=err)
        self.camera_problem = CameraProblem.FAILED
        detail = _unexpected(doing, err).detail
        self._failed(CameraHealth.CAMERA, detail)
        return detail

    async def _async_cannot_capture(self) -> str | None:
        """Why nothing can be captured now (no camera, a full disk), if so."""
        if not self.is_open:
            return "camera unavailable"
        free = await self._hass.async_add_executor_job(self.library.free_bytes)
        if free < self.config.min_free_bytes:
            self._failed(
                CameraHealth.DISK,
                f"{free // 1024**2} MB free, under the floor of "
                f"{self.config.min_free_bytes // 1024**2} MB",
                persistent=True,
            )
            return "disk almost full"
        self._recovered(CameraHealth.DISK)
        return None

    async def _async_make(self, kind: CaptureKind, cause: str, at: datetime) -> Path:
        """Take the picture(s) and write the file; raises on failure."""
        if kind is CaptureKind.PHOTO:
            still = await self.source.async_still()
            return await self._async_write(at, cause, ".jpg", still)
        gif = kind is CaptureKind.GIF
        seconds = self.config.gif_seconds if gif else self.config.clip_seconds
        fps = min(self.config.picture.frame_rate, 5.0 if gif else 30.0)
        frames = await self.source.async_record(seconds, fps)
        if gif:
            data = await self._hass.async_add_executor_job(encode_gif, frames, fps)
            return await self._async_write(at, cause, ".gif", data)
        return await self._hass.async_add_executor_job(
            self._write_clip, at, cause, frames, fps
        )

    async def _async_write(
        self, at: datetime, cause: str, extension: str, data: bytes
    ) -> Path:
        return await self._hass.async_add_executor_job(
            self._write, at, cause, extension, data
        )

    def _write(self, at: datetime, cause: str, extension: str, data: bytes) -> Path:
        path = self.library.new_path(at, cause, extension)
        self.library.write(path, data)
        return path

    def _write_clip(
        self, at: datetime, cause: str, frames: list[Image.Image], fps: float
    ) -> Path:
        path = self.library.new_path(at, cause, ".mp4")
        temporary = self.library.temporary_path(path)
        try:
            encode_mp4(frames, fps, temporary)
            self.library.publish(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
        return path

    # -- retention -----------------------------------------------------------------

    @callback
    def _prune_tick(self, _now: datetime) -> None:
        self._start(self._async_prune())

    async def _async_prune(self) -> None:
        deleted = await self._hass.async_add_executor_job(self._prune)
        if deleted:
            _LOGGER.debug("Pruned %d old captures", deleted)

    def _prune(self) -> int:
        files = self.library.files()
        doomed = plan_pruning(
            ((f.relative, f.size, f.mtime) for f in files),
            self.config.retention,
            time.time(),
        )
        return self.library.delete(doomed)


def _unexpected(doing: str, err: Exception) -> CameraUnavailableError:
    """An unexpected exception of a backend, as the camera failing."""
    return CameraUnavailableError(
        CameraProblem.FAILED, f"unexpected error while {doing}: {err!r}"
    )
