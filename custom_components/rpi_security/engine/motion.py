"""Motion detection on a camera's low-resolution grayscale frames (numpy).

Each frame is shrunk to a coarse grid by averaging blocks of pixels (which
also averages away sensor noise), normalised to zero mean and unit spread
(so a global change of light, which scales and shifts every pixel alike,
disappears), and compared with a slowly adapting background. Motion is a
large enough fraction of grid cells that changed by more than the threshold.
"""

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

# Cells of the working grid across the frame's width (the height follows).
GRID_WIDTH = 80


@dataclass(frozen=True, slots=True)
class MotionSettings:
    """How sensitive the detector is."""

    # Change of a cell, in units of the frame's own contrast, that counts.
    threshold: float = 0.4
    # Fraction of the frame that must change to call it motion.
    min_area: float = 0.01
    # How fast the background follows the scene (0..1 per frame).
    adaptation: float = 0.1


@dataclass(frozen=True, slots=True)
class MotionResult:
    """What one frame showed."""

    motion: bool
    changed: float  # fraction of the frame that changed


@dataclass(slots=True)
class MotionDetector:
    """Feed it grayscale frames of one camera; it says when something moves."""

    settings: MotionSettings = MotionSettings()
    _background: NDArray[np.float32] | None = field(default=None, repr=False)

    def reset(self) -> None:
        """Forget the background (the camera moved, or restarted)."""
        self._background = None

    def process(self, gray: NDArray[np.uint8]) -> MotionResult:
        """Compare a frame (2-D uint8 array) with the background."""
        grid = _normalised_grid(gray)
        background = self._background
        if background is None or background.shape != grid.shape:
            self._background = grid
            return MotionResult(motion=False, changed=0.0)
        changed = (
            float(np.count_nonzero(np.abs(grid - background) > self.settings.threshold))
            / grid.size
        )
        # Follow slow changes; a moving object passes through without
        # becoming part of the background at once.
        background += self.settings.adaptation * (grid - background)
        return MotionResult(motion=changed >= self.settings.min_area, changed=changed)


def _normalised_grid(gray: NDArray[np.uint8]) -> NDArray[np.float32]:
    """Block-average to the working grid, then remove brightness and contrast."""
    height, width = gray.shape
    block = max(1, width // GRID_WIDTH)
    rows, cols = height // block, width // block
    cropped = gray[: rows * block, : cols * block].astype(np.float32)
    grid: NDArray[np.float32] = cropped.reshape(rows, block, cols, block).mean(
        axis=(1, 3), dtype=np.float32
    )
    grid -= grid.mean()
    spread = float(grid.std())
    grid /= max(spread, 1.0)
    return grid
