"""Encoding captures: animated GIFs (Pillow), MP4 clips and thumbnails (ffmpeg).

Blocking: run in an executor (which also imports Pillow, the first time).
"""

from collections.abc import Sequence
import io
from pathlib import Path
import subprocess
from typing import TYPE_CHECKING

from .camera import to_jpeg

if TYPE_CHECKING:
    from PIL import Image

GIF_MAX_WIDTH = 640
GIF_COLORS = 128
THUMBNAIL_SIZE = (320, 240)


def decode_jpegs(jpegs: Sequence[bytes]) -> list[Image.Image]:
    """JPEG files as RGB frames."""
    from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

    return [Image.open(io.BytesIO(jpeg)).convert("RGB") for jpeg in jpegs]


def shrink(image: Image.Image, max_width: int) -> Image.Image:
    """A copy no wider than ``max_width`` (the same image if it already is)."""
    from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

    if image.width <= max_width:
        return image
    height = round(image.height * max_width / image.width)
    return image.resize((max_width, height), Image.Resampling.BILINEAR)


def encode_gif(
    frames: Sequence[Image.Image], fps: float, max_width: int = GIF_MAX_WIDTH
) -> bytes:
    """An endlessly looping GIF of ``frames`` played at ``fps``.

    One palette, taken from the first frame, serves every frame: the scene
    changes little in a few seconds, and quantizing against a fixed palette
    is several times faster than finding a palette per frame. Pillow's
    ``optimize`` pass (cropping each frame to what changed and trimming the
    palette) costs many times the encoding itself and saves about 3 % with
    a fixed 128-colour palette, so it is off.
    """
    from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

    if not frames:
        raise ValueError("a GIF needs at least one frame")
    scaled = [shrink(frame.convert("RGB"), max_width) for frame in frames]
    palette = scaled[0].quantize(colors=GIF_COLORS, method=Image.Quantize.FASTOCTREE)
    indexed = [
        frame.quantize(palette=palette, dither=Image.Dither.NONE) for frame in scaled
    ]
    buffer = io.BytesIO()
    indexed[0].save(
        buffer,
        "GIF",
        save_all=True,
        append_images=indexed[1:],
        duration=round(1000 / fps),
        loop=0,
        optimize=False,
    )
    return buffer.getvalue()


def encode_mp4(
    frames: Sequence[Image.Image], fps: float, target: Path, ffmpeg: str = "ffmpeg"
) -> None:
    """Write ``frames`` as an H.264 MP4 at ``target`` (MPEG-4 part 2 without x264)."""
    if not frames:
        raise ValueError("a clip needs at least one frame")
    stream = b"".join(to_jpeg(frame, quality=90) for frame in frames)
    errors = []
    for codec in (
        ["-c:v", "libx264", "-preset", "veryfast"],
        ["-c:v", "mpeg4", "-q:v", "5"],
    ):
        command = [
            ffmpeg, "-hide_banner", "-loglevel", "error", "-y",
            "-f", "image2pipe", "-framerate", f"{fps:g}", "-c:v", "mjpeg", "-i", "-",
            *codec, "-pix_fmt", "yuv420p", "-movflags", "+faststart", str(target),
        ]  # fmt: skip
        try:
            result = subprocess.run(  # noqa: S603  (our own arguments)
                command, input=stream, capture_output=True, check=False, timeout=120
            )
        except (OSError, subprocess.TimeoutExpired) as err:
            raise OSError(f"ffmpeg failed: {err}") from err
        if result.returncode == 0:
            return
        errors.append(result.stderr.decode(errors="replace").strip())
    raise OSError(f"ffmpeg could not encode the clip: {errors[-1]}")


def thumbnail(path: Path, ffmpeg: str = "ffmpeg") -> bytes:
    """A small JPEG of a photo, of a GIF's first frame, or of a clip's first frame."""
    from PIL import Image  # noqa: PLC0415  (lazy: only a camera needs it)

    if path.suffix == ".mp4":
        result = subprocess.run(  # noqa: S603  (our own arguments)
            [ffmpeg, "-hide_banner", "-loglevel", "error", "-i", str(path),
             "-frames:v", "1", "-f", "image2pipe", "-c:v", "mjpeg", "-"],
            capture_output=True,
            check=False,
            timeout=30,
        )  # fmt: skip
        if result.returncode != 0 or not result.stdout:
            raise OSError(f"no frame in {path.name}")
        source = Image.open(io.BytesIO(result.stdout))
    else:
        source = Image.open(path)
    source.draft("RGB", THUMBNAIL_SIZE)
    image = source.convert("RGB")
    image.thumbnail(THUMBNAIL_SIZE)
    return to_jpeg(image, quality=75)
