"""Camera motion is looked for at the rate needed, and only while something uses it."""

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
import subprocess
import sys
from types import MappingProxyType
from typing import Any
from unittest.mock import MagicMock, patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed_exact,
)

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.engine.alarm import AlarmState
from custom_components.rpi_security.engine.capture_policy import (
    camera_motion_wanted,
)
from custom_components.rpi_security.hardware.camera import SimulatedCamera

from .helpers import PANEL, advance, phone_subentries, with_options

CAMERA = "camera.home_camera"
CAMERA_MOTION = "binary_sensor.home_camera_motion"

CAMERA_OPTIONS = with_options(
    exit_delay=0,
    entry_delay=0,
    camera_source="picamera2",  # the simulated camera in simulation mode
    frame_rate=5,
    burst_photos=1,
    gif_seconds=0,
)


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(CAMERA_OPTIONS)


@pytest.fixture
def frames_taken() -> Iterator[MagicMock]:
    """Counts the small frames the (simulated) camera is asked for."""
    with patch.object(
        SimulatedCamera,
        "motion_frame",
        autospec=True,
        side_effect=SimulatedCamera.motion_frame,
    ) as taken:
        yield taken


@pytest.fixture
def motion_sensor_disabled(hass: HomeAssistant, config_entry: MockConfigEntry) -> None:
    """The user disabled the camera's motion sensor."""
    config_entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "binary_sensor",
        DOMAIN,
        f"{config_entry.entry_id}_camera_motion",
        config_entry=config_entry,
        suggested_object_id="home_camera_motion",
        disabled_by=er.RegistryEntryDisabler.USER,
    )


async def _set_up(hass: HomeAssistant, entry: MockConfigEntry, tmp_path: Path) -> None:
    hass.config.media_dirs = {"local": str(tmp_path)}
    if entry.entry_id not in {e.entry_id for e in hass.config_entries.async_entries()}:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)  # camera opened


async def _advance_exactly(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let ``seconds`` pass, firing only the timers due by then (none early)."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed_exact(hass)
    await hass.async_block_till_done(wait_background_tasks=True)


async def _walk_past(hass: HomeAssistant, moving: bool) -> None:
    await hass.services.async_call(
        DOMAIN,
        "simulate",
        {"entity_id": CAMERA, "action": "motion" if moving else "still"},
        blocking=True,
    )


def test_what_uses_camera_motion() -> None:
    disarmed = AlarmState.DISARMED
    assert not camera_motion_wanted(disarmed, watched=False, used_while_disarmed=False)
    assert camera_motion_wanted(disarmed, watched=True, used_while_disarmed=False)
    assert camera_motion_wanted(disarmed, watched=False, used_while_disarmed=True)
    for state in AlarmState:
        if state is not disarmed:  # the exit delay included: the scene is learnt
            assert camera_motion_wanted(state, watched=False, used_while_disarmed=False)


async def test_the_motion_sensor_is_sampled_twice_a_second(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    frames_taken: MagicMock,
    tmp_path: Path,
) -> None:
    await _set_up(hass, config_entry, tmp_path)
    for _ in range(40):
        await _advance_exactly(hass, freezer, 0.125)
    # Five frames a second from the camera, two looked at: enough to see
    # anyone in view for half a second.
    assert frames_taken.call_count == 10
    assert hass.states.get(CAMERA_MOTION).state == "off"
    await _walk_past(hass, True)
    for _ in range(4):
        await _advance_exactly(hass, freezer, 0.125)
    assert hass.states.get(CAMERA_MOTION).state == "on"


@pytest.mark.usefixtures("motion_sensor_disabled")
async def test_nothing_is_sampled_while_nothing_uses_the_motion(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    frames_taken: MagicMock,
    tmp_path: Path,
) -> None:
    captured = async_capture_events(hass, "rpi_security_capture")
    await _set_up(hass, config_entry, tmp_path)
    assert hass.states.get(CAMERA_MOTION) is None  # the user disabled it
    await _walk_past(hass, True)
    for _ in range(10):
        await advance(hass, freezer, 1)
    assert frames_taken.call_count == 0  # disarmed: nobody needs the motion
    assert captured == []

    # Armed, motion is captured: the camera looks again, from a new background.
    await _walk_past(hass, False)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await advance(hass, freezer, 1)
    assert frames_taken.call_count >= 1
    assert captured == []  # the first frames are the scene, not motion
    await _walk_past(hass, True)
    await advance(hass, freezer, 1)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [event.data["cause"] for event in captured] == ["Camera"]

    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
    )
    await advance(hass, freezer, 0.5)
    taken = frames_taken.call_count
    for _ in range(10):
        await advance(hass, freezer, 1)
    assert frames_taken.call_count == taken  # disarmed again: no more frames


@pytest.mark.parametrize("extra_subentries", [phone_subentries()])
@pytest.mark.usefixtures("motion_sensor_disabled")
async def test_presence_keeps_motion_sampled_while_disarmed(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    frames_taken: MagicMock,
    tmp_path: Path,
) -> None:
    """Motion while disarmed tells presence someone is home."""
    await _set_up(hass, config_entry, tmp_path)
    for _ in range(4):
        await advance(hass, freezer, 0.5)
    assert hass.states.get(PANEL).state == "disarmed"
    assert frames_taken.call_count >= 3


@pytest.mark.usefixtures("motion_sensor_disabled")
async def test_a_phone_added_or_removed_live_starts_or_stops_the_sampling(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    config_entry: MockConfigEntry,
    frames_taken: MagicMock,
    tmp_path: Path,
) -> None:
    """Presence comes and goes without a reload; the sampling follows it."""
    await _set_up(hass, config_entry, tmp_path)
    await advance(hass, freezer, 2)
    assert frames_taken.call_count == 0  # disarmed, nothing uses the motion

    phone = phone_subentries()[0]
    subentry = ConfigSubentry(
        subentry_type=phone["subentry_type"],
        title=phone["title"],
        unique_id=phone["unique_id"],
        data=MappingProxyType(phone["data"]),
    )
    hass.config_entries.async_add_subentry(config_entry, subentry)
    await hass.async_block_till_done(wait_background_tasks=True)
    for _ in range(4):
        await advance(hass, freezer, 0.5)
    assert frames_taken.call_count >= 3

    hass.config_entries.async_remove_subentry(config_entry, subentry.subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await advance(hass, freezer, 1)
    taken = frames_taken.call_count
    await advance(hass, freezer, 2)
    assert frames_taken.call_count == taken


def test_a_system_without_a_camera_loads_no_numpy_nor_camera_component() -> None:
    """The camera alone brings numpy (9 MiB) and Home Assistant's camera component.

    (Pillow comes with Home Assistant's own frontend, which media_source needs.)
    """
    program = """
import sys
import custom_components.rpi_security
from custom_components.rpi_security import (
    alarm_control_panel, binary_sensor, config_flow, device_tracker, diagnostics,
    sensor, services, switch,
)
heavy = ("numpy", "scapy", "homeassistant.components.camera")
print([name for name in heavy if name in sys.modules])
"""
    result = subprocess.run(
        [sys.executable, "-c", program],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
