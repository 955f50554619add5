"""Motion detection, retention and capture policy, without a camera or a disk."""

import numpy as np
from numpy.typing import NDArray
import pytest

from custom_components.rpi_security.engine.alarm import (
    AlarmEvent,
    AlarmState,
    EventType,
    SensorKind,
)
from custom_components.rpi_security.engine.capture_policy import (
    CaptureKind,
    CapturePolicy,
    CaptureRequest,
    CaptureSettings,
)
from custom_components.rpi_security.engine.motion import MotionDetector
from custom_components.rpi_security.engine.retention import (
    RetentionLimits,
    plan_pruning,
)

RNG = np.random.default_rng(20261121)


def scene(
    width: int = 320,
    height: int = 240,
    *,
    block_at: int | None = None,
    gain: float = 1.0,
    offset: float = 0.0,
    noise: float = 0.0,
) -> NDArray[np.uint8]:
    """A room (a gradient with texture), maybe a person-sized block, light, noise."""
    yy, xx = np.mgrid[0:height, 0:width]
    image = (40 + 80 * xx / width + 30 * np.sin(yy / 17)).astype(np.float32)
    if block_at is not None:
        size = width // 6
        image[height // 3 : height // 3 + size, block_at : block_at + size] = 200
    image = image * gain + offset + RNG.normal(0, noise, image.shape)
    return np.clip(image, 0, 255).astype(np.uint8)


@pytest.mark.parametrize(("width", "height"), [(320, 240), (640, 480)])
def test_a_moving_block_is_motion(width: int, height: int) -> None:
    detector = MotionDetector()
    assert not detector.process(scene(width, height, block_at=5, noise=6)).motion
    results = [
        detector.process(scene(width, height, block_at=5 + step * width // 40, noise=6))
        for step in range(1, 10)
    ]
    assert all(result.motion for result in results)
    assert min(result.changed for result in results) > detector.settings.min_area


def test_a_global_brightness_ramp_is_not_motion() -> None:
    detector = MotionDetector()
    frames = [scene(gain=1 + 0.02 * step, offset=step) for step in range(41)]
    assert not any(detector.process(frame).motion for frame in frames)


def test_lights_switched_at_once_are_not_motion() -> None:
    detector = MotionDetector()
    frames = [scene()] * 3 + [scene(gain=0.5)] * 3 + [scene(gain=1.4, offset=-10)] * 3
    assert not any(detector.process(frame).motion for frame in frames)


def test_sensor_noise_is_not_motion() -> None:
    detector = MotionDetector()
    assert not any(detector.process(scene(noise=12)).motion for _ in range(60))


def test_the_background_follows_a_scene_that_changed_for_good() -> None:
    detector = MotionDetector()
    detector.process(scene())
    assert detector.process(scene(block_at=100)).motion  # a chair moved
    for _ in range(60):
        last = detector.process(scene(block_at=100))
    assert not last.motion  # after a while it is part of the room
    detector.reset()
    assert not detector.process(scene(block_at=200)).motion  # new reference


def test_pruning_removes_the_old_then_the_oldest_until_it_fits() -> None:
    now = 1_000_000.0
    day = 86400.0
    files = [(f"f{n:04d}", 1000, now - n * 60) for n in range(3000)]  # 1 a minute
    limits = RetentionLimits(max_bytes=1_000_000, max_age=30 * day)
    doomed = plan_pruning(files, limits, now)
    assert len(doomed) == 2000  # 3000 kB, 1000 kB allowed
    assert doomed[0] == "f2999"  # oldest first
    assert set(doomed) == {f"f{n:04d}" for n in range(1000, 3000)}

    by_age = [(f"g{n}", 10, now - n * day) for n in range(40)]
    doomed = plan_pruning(by_age, RetentionLimits(10**9, 30 * day), now)
    assert set(doomed) == {f"g{n}" for n in range(31, 40)}
    assert plan_pruning([], limits, now) == []


def _trip(state: AlarmState, cause: str) -> AlarmEvent:
    return AlarmEvent(EventType.TRIGGER, state, state, cause=cause)


SENSORS = {"door": SensorKind.DOOR, "pir": SensorKind.MOTION}


def test_a_trigger_asks_for_photos_a_gif_and_maybe_a_clip() -> None:
    events = [
        _trip(AlarmState.ARMED_AWAY, "pir"),
        AlarmEvent(
            EventType.STATE_CHANGED, AlarmState.TRIGGERED, AlarmState.ARMED_AWAY, "pir"
        ),
    ]
    assert CapturePolicy().on_alarm(events, SENSORS, 0.0) == [
        CaptureRequest((CaptureKind.PHOTO, CaptureKind.GIF), "pir", burst=True)
    ]
    with_clip = CapturePolicy(CaptureSettings(gif=False, clip=True))
    assert with_clip.on_alarm(events, SENSORS, 0.0) == [
        CaptureRequest((CaptureKind.PHOTO, CaptureKind.CLIP), "pir", burst=True)
    ]


def test_motion_while_armed_gets_a_photo_at_most_once_per_cooldown() -> None:
    policy = CapturePolicy(CaptureSettings(motion_cooldown=30))
    assert policy.on_motion("pir", AlarmState.DISARMED, 0.0) is None
    evidence = CaptureRequest((CaptureKind.PHOTO, CaptureKind.GIF), "pir", burst=True)
    assert policy.on_motion("pir", AlarmState.ARMED_HOME, 1.0) == evidence
    assert policy.on_motion("pir", AlarmState.ARMED_HOME, 20.0) is None
    assert policy.on_motion("pir", AlarmState.ARMED_HOME, 31.0) is not None
    # A motion trip while pending is reported by the alarm as a trigger event.
    later = policy.on_alarm([_trip(AlarmState.PENDING, "pir")], SENSORS, 100.0)
    assert later == [evidence]
    assert policy.on_alarm([_trip(AlarmState.PENDING, "door")], SENSORS, 200.0) == []
