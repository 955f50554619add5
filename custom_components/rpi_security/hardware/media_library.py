"""The captures on disk: one folder per day under the media directory.

``<media>/rpi_security/2026-11-21/143005_front_door.jpg``: scanning a day is
cheap, and no folder ever grows past a day's captures. No decisions here
(what to prune is the engine's); writes are atomic, so a half-written file is
never listed or sent. Only regular files really inside the library are
listed or served: a symbolic link (to a file, or as a day folder) is not a
capture, wherever it points. Blocking: run in an executor.
"""

import contextlib
from dataclasses import dataclass
from datetime import datetime
import os
from pathlib import Path
import re
import shutil
import stat

FOLDER = "rpi_security"
THUMBNAILS = ".thumbnails"
EXTENSIONS = frozenset({".jpg", ".gif", ".mp4"})
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def slug(text: str) -> str:
    """``Front door`` -> ``front_door``: safe in a file name."""
    cleaned = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return cleaned[:40] or "capture"


@dataclass(frozen=True, slots=True)
class MediaFile:
    """One capture: where it is (relative to the library), its size and time."""

    relative: str  # "2026-11-21/143005_front_door.jpg"
    size: int
    mtime: float

    @property
    def name(self) -> str:
        """The file's name."""
        return self.relative.rsplit("/", 1)[-1]


class MediaLibrary:
    """Per-day folders of captures."""

    def __init__(self, root: Path) -> None:
        """The library lives in ``root`` (created on first write)."""
        self.root = root

    def new_path(self, when: datetime, cause: str, extension: str) -> Path:
        """A free path for a capture taken at ``when`` (local time)."""
        day = self.root / when.strftime("%Y-%m-%d")
        stem = f"{when.strftime('%H%M%S')}_{slug(cause)}"
        candidate = day / f"{stem}{extension}"
        number = 2
        while candidate.exists():
            candidate = day / f"{stem}_{number}{extension}"
            number += 1
        return candidate

    def write(self, path: Path, data: bytes) -> None:
        """Write a capture atomically (it appears whole or not at all)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.part")
        temporary.write_bytes(data)
        temporary.replace(path)

    def temporary_path(self, path: Path) -> Path:
        """Where to build a file that :meth:`publish` then moves into place."""
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.with_name(f".{path.stem}.part{path.suffix}")

    def publish(self, temporary: Path, path: Path) -> None:
        """Move a file built at :meth:`temporary_path` into place."""
        temporary.replace(path)

    def days(self) -> list[str]:
        """The days with captures, newest first."""
        try:
            entries = os.scandir(self.root)
        except FileNotFoundError:
            return []
        with entries:
            return sorted(
                (
                    e.name
                    for e in entries
                    if e.is_dir(follow_symlinks=False) and _DAY.match(e.name)
                ),
                reverse=True,
            )

    def day_files(self, day: str) -> list[MediaFile]:
        """The captures of one day, newest first."""
        if not _DAY.match(day):
            raise ValueError(f"not a day folder: {day!r}")
        files: list[MediaFile] = []
        try:
            entries = os.scandir(self.root / day)
        except FileNotFoundError:
            return files
        with entries:
            for entry in entries:
                if (
                    entry.is_file(follow_symlinks=False)
                    and Path(entry.name).suffix in EXTENSIONS
                ):
                    if entry.name.startswith("."):
                        continue
                    stat = entry.stat()
                    files.append(
                        MediaFile(f"{day}/{entry.name}", stat.st_size, stat.st_mtime)
                    )
        files.sort(key=lambda f: (f.mtime, f.name), reverse=True)
        return files

    def files(self) -> list[MediaFile]:
        """Every capture, newest first."""
        return [file for day in self.days() for file in self.day_files(day)]

    def resolve(self, relative: str) -> Path:
        """The path of a capture; ``ValueError`` for anything outside the library."""
        day, _, name = relative.partition("/")
        if not _DAY.match(day) or not name or "/" in name or name.startswith("."):
            raise ValueError(f"not a capture: {relative!r}")
        path = self.root / day / name
        if path.suffix not in EXTENSIONS:
            raise ValueError(f"not a capture: {relative!r}")
        return path

    def capture_file(self, relative: str) -> Path:
        """The file of a capture, checked on disk, to serve.

        ``ValueError`` unless it is a regular file (not a link) whose real
        path is inside the library; ``FileNotFoundError`` if it is gone.
        """
        path = self.resolve(relative)
        if not stat.S_ISREG(path.lstat().st_mode):
            raise ValueError(f"not a regular file: {relative!r}")
        real = path.resolve(strict=True)
        if self.root.resolve(strict=True) not in real.parents:
            raise ValueError(f"outside the library: {relative!r}")
        return real

    def delete(self, relatives: list[str]) -> int:
        """Delete captures, their thumbnails and emptied days; return how many."""
        deleted = 0
        days = set()
        for relative in relatives:
            path = self.resolve(relative)
            try:
                path.unlink()
                deleted += 1
            except FileNotFoundError:
                pass
            self.thumbnail_path(relative).unlink(missing_ok=True)
            days.add(path.parent)
        for day in days:
            with contextlib.suppress(OSError):
                day.rmdir()  # only when empty
        return deleted

    def thumbnail_path(self, relative: str) -> Path:
        """Where a capture's thumbnail is cached."""
        return self.root / THUMBNAILS / f"{relative.replace('/', '_')}.jpg"

    def free_bytes(self) -> int:
        """Free space on the disk that holds the library."""
        probe = self.root if self.root.exists() else self.root.parent
        while not probe.exists():
            probe = probe.parent
        return shutil.disk_usage(probe).free
