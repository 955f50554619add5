"""A stand-in for ``picamera2`` (Raspberry Pi OS only): its API as our backend uses it.

``Picamera2()`` finds a camera (``IndexError``, as picamera2 raises, when
:attr:`Picamera2.cameras` is 0), takes a still configuration with a "main"
RGB888 stream and a "lores" YUV420 stream, and ``capture_array`` returns a
fresh array of each stream's size and layout, as the real one copies the
camera's buffer: "main" is pure red (B, G, R in memory), the Y plane of
"lores" an even grey.

In place (``sys.modules["picamera2"]`` is this module), ``from picamera2
import Picamera2`` gives the class below.
"""

from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

# The brightness of the low-resolution stream's Y plane.
LORES_GREY = 77


class Picamera2:
    """One camera; the class keeps what a test looks at afterwards."""

    cameras: ClassVar[int] = 1
    started: ClassVar[bool] = False
    closed: ClassVar[bool] = False

    def __init__(self) -> None:
        """Open the first camera."""
        if not Picamera2.cameras:
            raise IndexError("list index out of range")  # what picamera2 raises
        self.config: dict[str, Any] = {}
        self._frames: dict[str, NDArray[np.uint8]] = {}

    def create_still_configuration(self, **config: Any) -> dict[str, Any]:
        """The configuration asked for, as given."""
        return config

    def configure(self, config: dict[str, Any]) -> None:
        """Take the streams' sizes."""
        self.config = config
        main_width, main_height = config["main"]["size"]
        main = np.zeros((main_height, main_width, 3), dtype=np.uint8)
        main[..., 2] = 255  # "RGB888" is B, G, R in memory: this is pure red
        width, height = config["lores"]["size"]
        lores = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
        lores[:height, :width] = LORES_GREY
        self._frames = {"main": main, "lores": lores}

    def start(self) -> None:
        """Start streaming."""
        Picamera2.started = True

    def stop(self) -> None:
        """Stop streaming."""
        Picamera2.started = False

    def close(self) -> None:
        """Release the camera."""
        Picamera2.closed = True

    def capture_array(self, stream: str) -> NDArray[np.uint8]:
        """A copy of the stream's current buffer."""
        return self._frames[stream].copy()


def reset() -> None:
    """One camera attached, nothing started or closed yet."""
    Picamera2.cameras = 1
    Picamera2.started = Picamera2.closed = False
