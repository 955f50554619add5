"""Camera backends, encoders and the media library, with real images and files."""

from collections.abc import Iterator
from datetime import datetime
import io
import os
from pathlib import Path
import shutil
import subprocess
import sys

import numpy as np
from PIL import Image
import pytest

from custom_components.rpi_security.engine.motion import MotionDetector
from custom_components.rpi_security.engine.retention import (
    RetentionLimits,
    plan_pruning,
)
from custom_components.rpi_security.hardware.camera import (
    CameraProblem,
    CameraSettings,
    CameraUnavailableError,
    FfmpegCamera,
    Picamera2Camera,
    SimulatedCamera,
)
from custom_components.rpi_security.hardware.encoders import (
    encode_gif,
    encode_mp4,
    thumbnail,
)
from custom_components.rpi_security.hardware.media_library import MediaLibrary

from . import picamera2_stand_in
from .picamera2_stand_in import LORES_GREY, Picamera2

needs_ffmpeg = pytest.mark.skipif(
    shutil.which("ffmpeg") is None, reason="ffmpeg is not installed"
)


def test_simulated_camera_gives_real_jpegs_of_the_configured_size() -> None:
    camera = SimulatedCamera(CameraSettings(width=640, height=480))
    camera.open()
    still = Image.open(io.BytesIO(camera.still()))
    assert still.format == "JPEG"
    assert still.size == (640, 480)
    assert camera.motion_frame().shape == (60, 80)


def test_simulated_camera_turns_and_flips() -> None:
    camera = SimulatedCamera(CameraSettings(width=640, height=480, rotation=90))
    assert camera.frame().size == (480, 640)
    plain = SimulatedCamera(CameraSettings(width=64, height=48)).frame()
    mirrored = SimulatedCamera(CameraSettings(width=64, height=48, hflip=True)).frame()
    assert np.array_equal(
        np.asarray(plain)[30:, :], np.asarray(mirrored)[30:, ::-1]
    )  # below the clock


def test_simulated_scene_moves_only_on_demand() -> None:
    camera = SimulatedCamera(CameraSettings(width=320, height=240), clock=lambda: 0.0)
    detector = MotionDetector()
    for _ in range(3):
        assert not detector.process(camera.motion_frame()).motion
    camera.set_motion(True)
    assert all(detector.process(camera.motion_frame()).motion for _ in range(5))


def test_gif_has_every_frame_at_the_right_pace() -> None:
    camera = SimulatedCamera(CameraSettings(width=1280, height=720))
    camera.set_motion(True)
    frames = [camera.frame() for _ in range(10)]
    gif = Image.open(io.BytesIO(encode_gif(frames, fps=4)))
    assert gif.format == "GIF"
    assert gif.n_frames == 10
    assert gif.size == (640, 360)  # shrunk to 640 wide
    durations = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
    assert durations == [250] * 10
    assert gif.info.get("loop") == 0
    with pytest.raises(ValueError, match="frame"):
        encode_gif([], fps=4)


@needs_ffmpeg
def test_clip_is_an_mp4_with_every_frame(tmp_path: Path) -> None:
    camera = SimulatedCamera(CameraSettings(width=320, height=240))
    camera.set_motion(True)
    target = tmp_path / "clip.mp4"
    encode_mp4([camera.frame() for _ in range(12)], fps=6, target=target)
    probe = subprocess.run(
        ["ffprobe", "-v", "error", "-count_frames", "-select_streams", "v:0",
         "-show_entries", "stream=nb_read_frames,codec_name,width", "-of", "csv=p=0",
         str(target)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    codec, width, frames = probe.stdout.strip().split(",")
    assert codec in ("h264", "mpeg4")
    assert (width, frames) == ("320", "12")
    assert Image.open(io.BytesIO(thumbnail(target))).size[0] <= 320


@pytest.fixture
def test_pattern() -> Iterator[FfmpegCamera]:
    """Ffmpeg's own test source in place of a webcam's device."""
    settings = CameraSettings(width=320, height=240, frame_rate=10)
    camera = FfmpegCamera(
        settings, ["-f", "lavfi", "-i", "testsrc2=size=320x240:rate=10"]
    )
    camera.open()
    yield camera
    camera.close()


@needs_ffmpeg
def test_webcam_through_ffmpeg(test_pattern: FfmpegCamera) -> None:
    assert Image.open(io.BytesIO(test_pattern.still())).size == (320, 240)
    assert test_pattern.frame().size == (320, 240)
    assert test_pattern.motion_frame().ndim == 2
    frames = test_pattern.record(seconds=0.5, fps=4)
    assert len(frames) == 2


@needs_ffmpeg
def test_webcam_errors_are_explained() -> None:
    settings = CameraSettings()
    with pytest.raises(CameraUnavailableError) as err:
        FfmpegCamera.v4l2(settings, "/dev/video-nowhere").open()
    assert err.value.problem is CameraProblem.NO_DEVICE
    broken = FfmpegCamera(settings, ["-f", "lavfi", "-i", "nosuchsource"])
    with pytest.raises(CameraUnavailableError) as err:
        broken.open()
    assert err.value.problem is CameraProblem.FAILED
    broken.close()
    missing = FfmpegCamera(settings, ["-i", "x"], ffmpeg="no-such-ffmpeg")
    with pytest.raises(CameraUnavailableError, match="not found"):
        missing.open()


@pytest.fixture
def picamera2_module(monkeypatch: pytest.MonkeyPatch) -> type[Picamera2]:
    monkeypatch.setitem(sys.modules, "picamera2", picamera2_stand_in)
    picamera2_stand_in.reset()
    return Picamera2


def test_pi_camera_through_picamera2(picamera2_module: type[Picamera2]) -> None:
    camera = Picamera2Camera(CameraSettings(width=640, height=480, rotation=180))
    camera.open()
    assert picamera2_module.started
    frame = camera.frame()
    assert frame.size == (640, 480)
    assert frame.getpixel((10, 10)) == (255, 0, 0)  # red, not blue
    # Motion looks at the low-resolution stream's Y plane as it comes: no
    # decoding, no conversion, no turning (motion is motion either way up).
    gray = camera.motion_frame()
    assert gray.shape == (240, 320)
    assert int(gray.min()) == int(gray.max()) == LORES_GREY
    assert Image.open(io.BytesIO(camera.still())).size == (640, 480)
    camera.close()
    assert picamera2_module.closed


def test_pi_camera_not_connected(picamera2_module: type[Picamera2]) -> None:
    picamera2_module.cameras = 0
    with pytest.raises(CameraUnavailableError) as err:
        Picamera2Camera(CameraSettings()).open()
    assert err.value.problem is CameraProblem.NO_DEVICE


def test_picamera2_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "picamera2", None)  # import fails
    camera = Picamera2Camera(CameraSettings())
    with pytest.raises(CameraUnavailableError) as err:
        camera.open()
    assert err.value.problem is CameraProblem.NO_PICAMERA2
    with pytest.raises(CameraUnavailableError):
        camera.frame()


def test_captures_land_in_day_folders_with_unique_names(tmp_path: Path) -> None:
    library = MediaLibrary(tmp_path / "rpi_security")
    when = datetime(2026, 11, 21, 14, 30, 5)
    first = library.new_path(when, "Front door", ".jpg")
    assert first == tmp_path / "rpi_security/2026-11-21/143005_front_door.jpg"
    library.write(first, b"one")
    second = library.new_path(when, "Front door", ".jpg")
    assert second.name == "143005_front_door_2.jpg"
    library.write(second, b"two")
    library.write(library.new_path(datetime(2026, 11, 22, 8), "hall", ".gif"), b"g")
    assert library.days() == ["2026-11-22", "2026-11-21"]
    names = [f.name for f in library.day_files("2026-11-21")]
    assert sorted(names) == ["143005_front_door.jpg", "143005_front_door_2.jpg"]
    assert not list((tmp_path / "rpi_security/2026-11-21").glob(".*"))  # no .part
    assert library.resolve("2026-11-21/143005_front_door.jpg") == first


@pytest.mark.parametrize(
    "relative",
    [
        "../secrets.yaml",
        "2026-11-21/../../secrets.yaml",
        "2026-11-21/sub/x.jpg",
        ".thumbnails/x.jpg",
        "2026-11-21/.143005_x.jpg.part",
        "2026-11-21/notes.txt",
        "2026-11-21/",
        "/etc/passwd",
    ],
)
def test_only_captures_can_be_resolved(tmp_path: Path, relative: str) -> None:
    with pytest.raises(ValueError, match="capture"):
        MediaLibrary(tmp_path).resolve(relative)


def test_retention_prunes_thousands_of_files_by_size_and_age(tmp_path: Path) -> None:
    library = MediaLibrary(tmp_path / "rpi_security")
    now = datetime(2026, 11, 21, 12).timestamp()
    for number in range(3000):  # 3000 captures over 40 days, 1 kB each
        taken = now - number * (40 * 86400 / 3000)
        path = library.new_path(datetime.fromtimestamp(taken), f"c{number}", ".jpg")
        library.write(path, b"x" * 1000)
        os.utime(path, (taken, taken))
    files = library.files()
    assert len(files) == 3000
    limits = RetentionLimits(max_bytes=1_500_000, max_age=30 * 86400)
    doomed = plan_pruning(((f.relative, f.size, f.mtime) for f in files), limits, now)
    assert library.delete(doomed) == len(doomed)
    kept = library.files()
    assert len(kept) == 1500  # the size limit bites before the age limit here
    assert min(f.mtime for f in kept) > now - 30 * 86400
    assert max(f.mtime for f in kept) == max(f.mtime for f in files)
    assert len(library.days()) <= 21  # emptied day folders are gone
