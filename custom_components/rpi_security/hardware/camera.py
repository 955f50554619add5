"""Cameras: the Pi camera (picamera2), a USB/V4L2 webcam (ffmpeg), a simulated one.

No decisions here. Every method blocks (opening a camera, capturing, decoding)
and is meant for an executor. A backend gives full-resolution JPEG stills, RGB
frames (for GIFs and clips) and small grayscale frames (for motion detection),
the latter from the cheapest source there is: the Pi camera's low-resolution
stream, a JPEG decoded at an eighth of its size, the simulated scene drawn
small. numpy and Pillow are imported by the methods that use them (in the
executor): a system without a camera never loads them.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
import io
from pathlib import Path
import shutil
import subprocess
import threading
import time
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray
    from PIL import Image

# Motion frames are at least this wide (the motion detector's working grid).
MOTION_WIDTH = 80
# The Pi camera's low-resolution stream, which motion frames are reduced from.
LORES_WIDTH = 320
JPEG_QUALITY = 85


class CameraProblem(StrEnum):
    """Why a camera cannot be used."""

    NO_PICAMERA2 = "no_picamera2"  # the library is not installed here
    NO_DEVICE = "no_device"  # no camera connected or detected
    FAILED = "failed"  # the camera or ffmpeg refused or stopped


class CameraUnavailableError(Exception):
    """The camera cannot be used; ``problem`` says why."""

    def __init__(self, problem: CameraProblem, detail: str) -> None:
        """Keep the kind of problem and the library's own words."""
        super().__init__(detail)
        self.problem = problem
        self.detail = detail


@dataclass(frozen=True, slots=True)
class CameraSettings:
    """Picture size, orientation and frame rate."""

    width: int = 640
    height: int = 480
    rotation: int = 0  # degrees clockwise: 0, 90, 180 or 270
    hflip: bool = False
    vflip: bool = False
    frame_rate: float = 5.0

    def orient(self, image: Image.Image) -> Image.Image:
        """Apply flips and rotation to a frame."""
        from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

        if self.hflip:
            image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        if self.vflip:
            image = image.transpose(Image.Transpose.FLIP_TOP_BOTTOM)
        if self.rotation:
            image = image.rotate(-self.rotation, expand=True)
        return image


def to_jpeg(image: Image.Image, quality: int = JPEG_QUALITY) -> bytes:
    """Encode a frame as JPEG."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def motion_gray(image: Image.Image) -> NDArray[np.uint8]:
    """A small grayscale copy of a frame (block means), for motion detection."""
    import numpy as np  # noqa: PLC0415  (lazy: only a camera needs it)

    factor = image.width // MOTION_WIDTH
    small = image.reduce(factor) if factor > 1 else image
    return np.asarray(small.convert("L"), dtype=np.uint8)


def jpeg_motion_frame(jpeg: bytes) -> NDArray[np.uint8]:
    """A JPEG decoded small and gray: at 1/2 to 1/8 of its size, as JPEG allows.

    Decoding only the coarse coefficients costs a fraction of a full decode.
    """
    from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

    image = Image.open(io.BytesIO(jpeg))
    image.draft("L", (MOTION_WIDTH, MOTION_WIDTH * image.height // image.width))
    return motion_gray(image)


class CameraBackend(ABC):
    """A camera, through its blocking API."""

    def __init__(self, settings: CameraSettings) -> None:
        """Keep the settings; :meth:`open` starts the camera."""
        self.settings = settings

    @abstractmethod
    def open(self) -> None:
        """Start the camera. Raises :class:`CameraUnavailableError`."""

    @abstractmethod
    def close(self) -> None:
        """Stop the camera and release it."""

    @abstractmethod
    def frame(self) -> Image.Image:
        """The current picture, full size, oriented, RGB."""

    def still(self) -> bytes:
        """The current picture as JPEG."""
        return to_jpeg(self.frame())

    def motion_frame(self) -> NDArray[np.uint8]:
        """The current picture, small and grayscale, for motion detection.

        Not oriented: motion is motion whichever way up the picture is.
        """
        return motion_gray(self.frame())

    def record(self, seconds: float, fps: float) -> list[Image.Image]:
        """Frames over the next ``seconds``, ``fps`` a second."""
        interval = 1.0 / fps
        frames: list[Image.Image] = []
        start = time.monotonic()
        for index in range(max(1, round(seconds * fps))):
            delay = start + index * interval - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            frames.append(self.frame())
        return frames


# -- the simulated twin ------------------------------------------------------


class SimulatedCamera(CameraBackend):
    """Synthetic frames: a room, a clock, and an object that moves on demand."""

    def __init__(
        self, settings: CameraSettings, clock: Callable[[], float] = time.time
    ) -> None:
        """A still scene until :meth:`set_motion` starts the object moving."""
        super().__init__(settings)
        self._clock = clock
        self._moving = False
        self._position = 0.1
        self._lock = threading.Lock()
        self._background: Image.Image | None = None
        self._small_room: NDArray[np.uint8] | None = None
        self.fail_with: Exception | None = None  # tests: a broken camera

    def open(self) -> None:
        """Paint the room once."""
        if self.fail_with is not None:
            raise self.fail_with
        self._room()

    def _room(self) -> Image.Image:
        from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

        if self._background is None:
            rgb = _painted_room(self.settings.width, self.settings.height)
            self._background = Image.fromarray(rgb)
        return self._background

    def _step(self) -> float:
        """Where the object is now; it moves on at each picture while moving."""
        with self._lock:
            if self._moving:
                self._position = (self._position + 0.07) % 0.8
            return self._position

    def close(self) -> None:
        """Nothing to release."""

    def set_motion(self, moving: bool) -> None:
        """Someone walks through the room (or stops)."""
        with self._lock:
            self._moving = moving

    def frame(self) -> Image.Image:
        """Draw the room, the object and the time."""
        if self.fail_with is not None:
            raise self.fail_with
        from PIL import ImageDraw  # noqa: PLC0415  (lazy: only a camera needs it)

        room = self._room()
        position = self._step()
        image = room.copy()
        draw = ImageDraw.Draw(image)
        width, height = image.size
        left = int(width * (0.1 + position))
        top = int(height * 0.3)
        # Someone in dark clothes: they stand out from the wall in any light.
        draw.rectangle(
            (left, top, left + width // 6, top + height // 2), fill=(35, 40, 70)
        )
        stamp = datetime.fromtimestamp(self._clock(), UTC).strftime("%Y-%m-%d %H:%M:%S")
        draw.rectangle((4, 4, 4 + 7 * len(stamp), 18), fill=(0, 0, 0))
        draw.text((6, 5), stamp, fill=(255, 255, 255))
        return self.settings.orient(image)

    def motion_frame(self) -> NDArray[np.uint8]:
        """The scene drawn small and gray (as a camera's low-resolution stream)."""
        if self.fail_with is not None:
            raise self.fail_with
        if self._small_room is None:
            width = MOTION_WIDTH
            height = max(1, round(width * self.settings.height / self.settings.width))
            self._small_room = _painted_room(width, height).mean(axis=2).astype("u1")
        position = self._step()
        gray = self._small_room.copy()
        height, width = gray.shape
        left = int(width * (0.1 + position))
        top = int(height * 0.3)
        gray[top : top + height // 2 + 1, left : left + width // 6 + 1] = _PERSON_GRAY
        return gray


# The simulated person's dark clothes, in gray.
_PERSON_GRAY = 45


def _painted_room(width: int, height: int) -> NDArray[np.uint8]:
    """A wall with a gradient and a darker floor, as RGB."""
    import numpy as np  # noqa: PLC0415  (lazy: only a camera needs it)

    x = np.linspace(0, 1, width, dtype=np.float32)
    y = np.linspace(0, 1, height, dtype=np.float32)[:, None]
    wall = 70 + 90 * x + 25 * np.sin(y * 9)
    rgb = np.stack([wall, wall * 0.95, wall * 0.85], axis=-1)
    rgb[int(height * 0.75) :, :] *= 0.6  # the floor
    return np.clip(rgb, 0, 255).astype(np.uint8)


# -- the Pi camera -------------------------------------------------------------


class Picamera2Camera(CameraBackend):
    """The Raspberry Pi camera through picamera2 (Raspberry Pi OS only)."""

    def __init__(self, settings: CameraSettings) -> None:
        """Prepare; :meth:`open` imports picamera2 and starts the camera."""
        super().__init__(settings)
        self._camera: Any = None
        height = round(LORES_WIDTH * settings.height / settings.width) // 2 * 2
        self._lores_size = (LORES_WIDTH, height)

    def open(self) -> None:
        """Import picamera2, find the camera, configure two streams and start."""
        try:
            from picamera2 import Picamera2  # noqa: PLC0415  (Pi only, lazy)
        except ImportError as err:
            raise CameraUnavailableError(CameraProblem.NO_PICAMERA2, str(err)) from err
        try:
            camera = Picamera2()
        except (IndexError, RuntimeError) as err:  # no camera attached
            raise CameraUnavailableError(
                CameraProblem.NO_DEVICE, f"no camera detected: {err}"
            ) from err
        settings = self.settings
        config = camera.create_still_configuration(
            main={"size": (settings.width, settings.height), "format": "RGB888"},
            lores={"size": self._lores_size, "format": "YUV420"},
            buffer_count=2,
        )
        try:
            camera.configure(config)
            camera.start()
        except RuntimeError as err:
            camera.close()
            raise CameraUnavailableError(CameraProblem.FAILED, str(err)) from err
        self._camera = camera

    def close(self) -> None:
        """Stop and release the camera."""
        if self._camera is not None:
            self._camera.stop()
            self._camera.close()
            self._camera = None

    def frame(self) -> Image.Image:
        """The main stream as RGB (picamera2's "RGB888" is B, G, R in memory)."""
        import numpy as np  # noqa: PLC0415  (lazy: only a camera needs it)
        from PIL import Image  # noqa: PLC0415

        array = self._require().capture_array("main")
        return self.settings.orient(
            Image.fromarray(np.ascontiguousarray(array[..., 2::-1]))
        )

    def motion_frame(self) -> NDArray[np.uint8]:
        """The Y (brightness) plane of the low-resolution YUV420 stream, as is.

        Nothing to decode or convert: the detector averages it down itself.
        """
        yuv: NDArray[np.uint8] = self._require().capture_array("lores")
        width, height = self._lores_size
        return yuv[:height, :width]

    def _require(self) -> Any:
        if self._camera is None:
            raise CameraUnavailableError(CameraProblem.FAILED, "camera not started")
        return self._camera


# -- a webcam through ffmpeg ---------------------------------------------------


class FfmpegCamera(CameraBackend):
    """Any video source ffmpeg can read (a V4L2 webcam), decoded as MJPEG.

    ffmpeg runs for as long as the camera is open and writes JPEG frames to a
    pipe; a thread keeps the newest one.
    """

    def __init__(
        self,
        settings: CameraSettings,
        input_args: list[str],
        *,
        device: str | None = None,
        ffmpeg: str = "ffmpeg",
    ) -> None:
        """Prepare to read ``input_args`` (the part before ``-i`` and ``-i`` itself)."""
        super().__init__(settings)
        self._input_args = input_args
        self._device = device
        self._ffmpeg = ffmpeg
        self._process: subprocess.Popen[bytes] | None = None
        self._reader: threading.Thread | None = None
        self._latest: bytes | None = None
        self._sequence = 0
        self._error: str | None = None
        self._new_frame = threading.Condition()

    @classmethod
    def v4l2(
        cls, settings: CameraSettings, device: str, ffmpeg: str = "ffmpeg"
    ) -> FfmpegCamera:
        """A USB/V4L2 webcam such as /dev/video0."""
        size = f"{settings.width}x{settings.height}"
        args = [
            "-f",
            "v4l2",
            "-video_size",
            size,
            "-framerate",
            f"{settings.frame_rate:g}",
            "-i",
            device,
        ]
        return cls(settings, args, device=device, ffmpeg=ffmpeg)

    def open(self) -> None:
        """Start ffmpeg and wait for the first frame."""
        if self._device is not None and not Path(self._device).exists():
            raise CameraUnavailableError(
                CameraProblem.NO_DEVICE, f"{self._device} does not exist"
            )
        if shutil.which(self._ffmpeg) is None:
            raise CameraUnavailableError(
                CameraProblem.FAILED, f"{self._ffmpeg} not found"
            )
        command = [
            self._ffmpeg, "-hide_banner", "-loglevel", "error", "-nostdin",
            *self._input_args,
            "-r", f"{self.settings.frame_rate:g}",
            "-f", "image2pipe", "-c:v", "mjpeg", "-q:v", "4", "-",
        ]  # fmt: skip
        self._error, self._latest, self._sequence = None, None, 0
        self._process = subprocess.Popen(  # noqa: S603  (our own arguments)
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        self._reader = threading.Thread(
            target=self._read,
            args=(self._process,),
            name="rpi_security ffmpeg",
            daemon=True,
        )
        self._reader.start()
        self._wait_for_frame(after=0, timeout=10.0)

    def close(self) -> None:
        """Stop ffmpeg."""
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._process.kill()
            self._process = None
        if self._reader is not None:
            self._reader.join(timeout=5)
            self._reader = None

    def still(self) -> bytes:
        """The newest JPEG, as ffmpeg wrote it."""
        return self._wait_for_frame(after=self._sequence - 1, timeout=5.0)

    def frame(self) -> Image.Image:
        """The newest frame, decoded and oriented."""
        from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

        image = Image.open(io.BytesIO(self.still()))
        return self.settings.orient(image.convert("RGB"))

    def motion_frame(self) -> NDArray[np.uint8]:
        """The newest frame, decoded small and gray (JPEG's DCT scaling)."""
        return jpeg_motion_frame(self.still())

    def _wait_for_frame(self, *, after: int, timeout: float) -> bytes:
        """A frame newer than number ``after``; fails if ffmpeg stopped first."""
        with self._new_frame:
            fresh = self._new_frame.wait_for(
                lambda: self._sequence > after or self._error is not None, timeout
            )
            if self._latest is not None and self._sequence > after:
                return self._latest
            raise CameraUnavailableError(
                CameraProblem.FAILED,
                self._error
                or ("no frame from ffmpeg" if fresh else "ffmpeg timed out"),
            )

    def _read(self, process: subprocess.Popen[bytes]) -> None:
        """Split ffmpeg's MJPEG output into JPEG files (thread)."""
        if process.stdout is None:  # pragma: no cover  (stdout is a pipe)
            return
        stream, buffer = cast("io.BufferedReader", process.stdout), b""
        while chunk := stream.read1(65536):
            buffer += chunk
            while (end := buffer.find(b"\xff\xd9")) != -1:
                start = buffer.find(b"\xff\xd8")
                jpeg, buffer = buffer[start : end + 2], buffer[end + 2 :]
                if start != -1 and start < end:
                    with self._new_frame:
                        self._latest = jpeg
                        self._sequence += 1
                        self._new_frame.notify_all()
        stderr = (
            process.stderr.read().decode(errors="replace") if process.stderr else ""
        )
        with self._new_frame:
            self._error = (
                stderr.strip().splitlines()[-1] if stderr.strip() else "ffmpeg stopped"
            )
            self._new_frame.notify_all()
