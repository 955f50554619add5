"""Which captures to delete: too old, or over the size limit (oldest first)."""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RetentionLimits:
    """How much to keep."""

    max_bytes: int
    max_age: float  # seconds


def plan_pruning(
    files: Iterable[tuple[str, int, float]], limits: RetentionLimits, now: float
) -> list[str]:
    """The keys of the files to delete, oldest first.

    ``files`` holds (key, size in bytes, modification time). Everything older
    than ``max_age`` goes; then the oldest go until the rest fit ``max_bytes``.
    """
    oldest_first = sorted(files, key=lambda f: (f[2], f[0]))
    total = sum(size for _key, size, _mtime in oldest_first)
    doomed: list[str] = []
    for key, size, mtime in oldest_first:
        if now - mtime > limits.max_age or total > limits.max_bytes:
            doomed.append(key)
            total -= size
        else:
            break  # newer files are younger still, and the rest fits
    return doomed
