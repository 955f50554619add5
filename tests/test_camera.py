"""The camera through Home Assistant: entity, captures, media library, health."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
import errno
import io
import os
from pathlib import Path
import shutil
import time
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.components.camera import Camera
from homeassistant.components.media_source import (
    async_browse_media,
    async_resolve_media,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockModule,
    MockPlatform,
    async_capture_events,
    async_fire_time_changed,
    mock_integration,
    mock_platform,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.hardware.camera import (
    CameraProblem,
    CameraUnavailableError,
)

from .helpers import PANEL, advance, motion, open_front_door, system_of, with_options
from .outlets import SEND_MESSAGE, Outlets, telegram_target

CAMERA = "camera.home_camera"
CAMERA_MOTION = "binary_sensor.home_camera_motion"
CAMERA_PROBLEM = "binary_sensor.home_camera"
TAKE_PHOTO = "button.home_take_photo"
RECORD_GIF = "button.home_record_gif"

CAMERA_OPTIONS = with_options(
    exit_delay=0,
    entry_delay=0,
    camera_source="picamera2",  # the simulated camera in simulation mode
    frame_rate=4,
    burst_photos=2,
    gif_seconds=1,
    capture_interval=30,
)


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(CAMERA_OPTIONS)


@pytest.fixture
def media(hass: HomeAssistant, tmp_path: Path) -> Path:
    """Home Assistant's media folder, in the test's own directory."""
    hass.config.media_dirs = {"local": str(tmp_path)}
    return tmp_path / "rpi_security"


@pytest.fixture
async def camera_entry(
    hass: HomeAssistant, media: Path, config_entry: MockConfigEntry
) -> MockConfigEntry:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)  # camera opened
    return config_entry


def captures(media: Path) -> list[Path]:
    return sorted(p for p in media.glob("*/*") if p.suffix in (".jpg", ".gif", ".mp4"))


def day_folders(media: Path) -> set[Path]:
    return {day for day in media.iterdir() if day.name != ".thumbnails"}


async def settle(hass: HomeAssistant) -> None:
    """Let captures (background tasks in the executor) finish."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_camera_entity_serves_stills_and_an_mjpeg_stream(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
) -> None:
    assert hass.states.get(CAMERA).state == "idle"
    client = await hass_client()
    response = await client.get(f"/api/camera_proxy/{CAMERA}")
    assert response.status == 200
    image = Image.open(io.BytesIO(await response.read()))
    assert (image.format, image.size) == ("JPEG", (640, 480))

    response = await client.get(f"/api/camera_proxy_stream/{CAMERA}")
    assert response.status == 200
    assert response.content_type == "multipart/x-mixed-replace"
    chunk = await response.content.read(200_000)
    assert chunk.count(b"\xff\xd8") >= 1  # a JPEG in the stream
    response.close()


@pytest.mark.parametrize("options", [{**CAMERA_OPTIONS, "camera_motion": False}])
async def test_a_trigger_captures_photos_and_a_gif_into_a_day_folder(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    captured = async_capture_events(hass, "rpi_security_capture")
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    # Someone comes in and walks through the camera's view.
    system_of(camera_entry).camera.set_simulated_motion(True)
    await open_front_door(hass, camera_entry)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    await settle(hass)

    files = captures(media)
    day = datetime.now().strftime("%Y-%m-%d")
    assert [f.parent.name for f in files] == [day] * 3
    photos = [f for f in files if f.suffix == ".jpg"]
    assert [f.name.split("_", 1)[1] for f in photos] == [
        "front_door.jpg",
        "front_door_2.jpg",
    ]
    for photo in photos:
        assert Image.open(photo).size == (640, 480)
    gif = Image.open(next(f for f in files if f.suffix == ".gif"))
    assert gif.n_frames == 4  # 1 s at 4 frames a second
    durations = []
    for index in range(gif.n_frames):
        gif.seek(index)
        durations.append(gif.info["duration"])
    assert durations == [250] * 4
    assert [(e.data["kind"], e.data["cause"]) for e in captured] == [
        ("photo", "Front door"),
        ("photo", "Front door"),
        ("gif", "Front door"),
    ]
    assert all(e.data["path"] and not e.data["error"] for e in captured)

    # While it stays triggered, a photo every 30 s.
    await advance(hass, freezer, 30)
    await settle(hass)
    assert len([f for f in captures(media) if f.suffix == ".jpg"]) == 3


@pytest.mark.parametrize("options", [{**CAMERA_OPTIONS, "exit_delay": 0}])
async def test_motion_while_armed_gets_a_photo_even_if_it_does_not_trip(
    hass: HomeAssistant, camera_entry: MockConfigEntry, media: Path
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_home", {"entity_id": PANEL}, blocking=True
    )
    await motion(hass, camera_entry, on=True)  # home mode: the PIR does not trip
    await settle(hass)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_HOME
    assert sorted(f.name.split("_", 1)[1] for f in captures(media)) == [
        "hallway.gif",
        "hallway.jpg",
        "hallway_2.jpg",
    ]


async def test_nothing_is_captured_while_disarmed(
    hass: HomeAssistant, camera_entry: MockConfigEntry, media: Path
) -> None:
    await motion(hass, camera_entry, on=True)
    await settle(hass)
    assert captures(media) == []


async def test_buttons_and_the_capture_action(
    hass: HomeAssistant, camera_entry: MockConfigEntry, media: Path
) -> None:
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    await hass.services.async_call(
        "button", "press", {"entity_id": RECORD_GIF}, blocking=True
    )
    assert [f.suffix for f in captures(media)] == [".gif", ".jpg"]  # one photo

    response = await hass.services.async_call(
        DOMAIN,
        "capture",
        {"entity_id": CAMERA, "kind": "gif"},
        blocking=True,
        return_response=True,
    )
    path = Path(response[CAMERA]["path"])
    assert path in captures(media)
    assert path.suffix == ".gif"
    assert "_manual" in path.name
    assert response[CAMERA]["files"] == [str(path)]


@pytest.mark.parametrize("options", [{**CAMERA_OPTIONS, "camera_motion_alarm": True}])
async def test_camera_motion_sensor_and_as_an_alarm_sensor(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    camera_entry: MockConfigEntry,
) -> None:
    await advance(hass, freezer, 1)
    assert hass.states.get(CAMERA_MOTION).state == "off"
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    # Someone walks through the simulated camera's view.
    await hass.services.async_call(
        DOMAIN, "simulate", {"entity_id": CAMERA, "action": "motion"}, blocking=True
    )
    for _ in range(3):
        await advance(hass, freezer, 0.25)
    assert hass.states.get(CAMERA_MOTION).state == "on"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.TRIGGERED
    assert panel.attributes["cause"] == "Camera"
    await settle(hass)
    await hass.services.async_call(
        DOMAIN, "simulate", {"entity_id": CAMERA, "action": "still"}, blocking=True
    )
    for _ in range(60):
        await advance(hass, freezer, 0.25)
    assert hass.states.get(CAMERA_MOTION).state == "off"


async def test_a_failing_camera_never_stops_the_alarm(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    captured = async_capture_events(hass, "rpi_security_capture")
    source = system_of(camera_entry).camera.source
    source.backend.fail_with = CameraUnavailableError(
        CameraProblem.FAILED, "sensor timed out"
    )
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await open_front_door(hass, camera_entry)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    await settle(hass)
    assert captures(media) == []
    assert [(e.data["kind"], e.data["error"]) for e in captured] == [
        ("photo", "sensor timed out"),
        ("gif", "sensor timed out"),
    ]
    problem = hass.states.get(CAMERA_PROBLEM)
    assert problem.state == "on"
    assert problem.attributes["problems"] == {"camera": "sensor timed out"}
    assert problem.attributes["last_failed_capture"] == "gif (sensor timed out)"
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "capture",
            {"entity_id": CAMERA, "kind": "photo"},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "capture_failed"

    # It recovers by itself once pictures come again.
    source.backend.fail_with = None
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    assert hass.states.get(CAMERA_PROBLEM).state == "off"


@contextmanager
def disk_full(media: Path) -> Iterator[None]:
    """Writes into the media library fail as on a full disk (ENOSPC)."""
    real_write = Path.write_bytes

    def write_bytes(path: Path, data: Any) -> int:
        if media in path.parents:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        return real_write(path, data)

    with patch.object(Path, "write_bytes", write_bytes):
        yield


@pytest.mark.parametrize(
    "extra_subentries", [[telegram_target(receives=("alarm", "problems"))]]
)
async def test_captures_that_cannot_be_saved_are_a_problem_everyone_sees(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Issue 12 (7): ENOSPC left the problem sensor off (only an attribute said so)."""
    outlets = Outlets()
    outlets.register(hass)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    with disk_full(media):
        await hass.services.async_call(
            "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
        )
        await settle(hass)
        problem = hass.states.get(CAMERA_PROBLEM)
        assert problem.state == "on"
        detail = "saving captures fails: No space left on device"
        assert problem.attributes["problems"] == {"write": detail}
        assert outlets.messages(SEND_MESSAGE) == [
            f"Problem: the camera fails ({detail})."
        ]
        # Once is not yet a repair issue; failing again is.
        assert issue_registry.async_get_issue(DOMAIN, "camera_write_failed") is None
        await open_front_door(hass, camera_entry)  # the burst fails too
        await advance(hass, freezer, 0.1)
        await settle(hass)
        assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
        issue = issue_registry.async_get_issue(DOMAIN, "camera_write_failed")
        assert issue is not None
        assert issue.translation_placeholders == {"detail": detail}
    assert captures(media) == []
    await advance(hass, freezer, 5)  # the alarm alert went without a photo
    assert any(
        m.startswith("Alarm! Front door") for m in outlets.messages(SEND_MESSAGE)
    )
    # Room again: the next capture clears it all.
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    await settle(hass)
    assert hass.states.get(CAMERA_PROBLEM).state == "off"
    assert issue_registry.async_get_issue(DOMAIN, "camera_write_failed") is None
    assert outlets.messages(SEND_MESSAGE)[-1] == "Fixed: the camera works again."


@pytest.mark.parametrize("options", [{**CAMERA_OPTIONS, "camera_motion": False}])
@pytest.mark.parametrize(
    "extra_subentries", [[telegram_target(receives=("problems",))]]
)
async def test_an_unexpected_camera_error_is_reported_not_lost(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    """Issue 12 (7): a backend's own exception was never retrieved from its task."""
    outlets = Outlets()
    outlets.register(hass)
    captured = async_capture_events(hass, "rpi_security_capture")
    backend = system_of(camera_entry).camera.source.backend
    backend.fail_with = RuntimeError("libcamera: dequeue failed")
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await open_front_door(hass, camera_entry)
    await advance(hass, freezer, 0.1)
    await settle(hass)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    detail = (
        "unexpected error while capturing a photo: "
        "RuntimeError('libcamera: dequeue failed')"
    )
    assert captured[0].data["error"] == detail
    problem = hass.states.get(CAMERA_PROBLEM)
    assert problem.state == "on"
    assert problem.attributes["problems"]["camera"].startswith("unexpected error")
    assert outlets.messages(SEND_MESSAGE)[0] == f"Problem: the camera fails ({detail})."
    # The photo and the GIF both failed: it persists, a repair issue says so.
    issue = issue_registry.async_get_issue(DOMAIN, "camera_failed")
    assert issue is not None


@pytest.mark.parametrize("options", [{**CAMERA_OPTIONS, "min_free_mb": 10**9}])
async def test_capturing_stops_before_the_disk_fills(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    issue_registry: ir.IssueRegistry,
) -> None:
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    assert captures(media) == []
    assert (
        hass.states.get(CAMERA_PROBLEM)
        .attributes["problems"]["disk"]
        .endswith("under the floor of 1000000000 MB")
    )
    assert issue_registry.async_get_issue(DOMAIN, "camera_disk_full") is not None


@pytest.mark.parametrize("simulation", [False])
async def test_no_picamera2_here_is_explained_and_the_alarm_works(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue = issue_registry.async_get_issue(DOMAIN, "camera_no_picamera2")
    assert issue is not None
    assert "picamera2" in issue.translation_placeholders["detail"]
    assert hass.states.get(CAMERA).state == "unavailable"
    assert hass.states.get(CAMERA_PROBLEM).state == "on"
    await hass.services.async_call(
        "alarm_control_panel", "alarm_trigger", {"entity_id": PANEL}, blocking=True
    )
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


async def test_media_source_lists_days_and_files_and_serves_them_to_users(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    hass_client: ClientSessionGenerator,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    assert await async_setup_component(hass, "media_source", {})
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    await hass.services.async_call(
        "button", "press", {"entity_id": RECORD_GIF}, blocking=True
    )
    root = await async_browse_media(hass, "media-source://rpi_security")
    day = datetime.now().strftime("%Y-%m-%d")
    assert [child.title for child in root.children] == [day]
    listing = await async_browse_media(hass, f"media-source://rpi_security/{day}")
    names = [child.title for child in listing.children]
    assert len(names) == 2
    assert names[0].endswith("manual GIF")  # the GIF, newest first
    assert names[1].endswith("manual")  # the photo
    gif_item = listing.children[0]
    assert gif_item.media_content_id.endswith(".gif")

    resolved = await async_resolve_media(hass, gif_item.media_content_id, None)
    assert resolved.mime_type == "image/gif"

    client = await hass_client()
    response = await client.get(resolved.url.split("?")[0])
    assert response.status == 200
    assert Image.open(io.BytesIO(await response.read())).format == "GIF"
    response = await client.get(gif_item.thumbnail)
    assert response.status == 200
    assert Image.open(io.BytesIO(await response.read())).size[0] <= 320

    # Identifiers that are not captures get a clear error.
    with pytest.raises(HomeAssistantError) as err:
        await async_resolve_media(hass, "media-source://rpi_security/../x.jpg", None)
    assert err.value.translation_key == "not_a_capture"
    with pytest.raises(HomeAssistantError) as err:
        await async_resolve_media(
            hass, f"media-source://rpi_security/{day}/000000_gone.jpg", None
        )
    assert err.value.translation_key == "no_such_capture"
    with pytest.raises(HomeAssistantError) as err:
        await async_browse_media(hass, "media-source://rpi_security/yesterday")
    assert err.value.translation_key == "not_a_capture_day"

    anonymous = await hass_client_no_auth()
    assert (await anonymous.get(resolved.url.split("?")[0])).status == 401
    for sneaky in ("../secrets.yaml", f"{day}/..%2F..%2Fsecrets.yaml", f"{day}/x.txt"):
        response = await client.get(f"/api/rpi_security/media/{sneaky}")
        assert response.status in (400, 404)  # refused either way


async def test_links_in_the_capture_folder_are_not_served(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    tmp_path: Path,
    hass_client: ClientSessionGenerator,
) -> None:
    """Issue 12 (8): a symlink named like a capture served the file it points to."""
    assert await async_setup_component(hass, "media_source", {})
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    (photo,) = captures(media)
    day = photo.parent.name
    secret = tmp_path / "secrets.yaml"
    secret.write_text("api_password: hunter2")
    # A link to a file outside, named like a capture; a day folder that is a link.
    (photo.parent / "235959_front_door.jpg").symlink_to(secret)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "120000_front_door.jpg").write_bytes(photo.read_bytes())
    (media / "2001-01-01").symlink_to(elsewhere, target_is_directory=True)

    client = await hass_client()
    for relative in (
        f"{day}/235959_front_door.jpg",
        "2001-01-01/120000_front_door.jpg",
    ):
        response = await client.get(f"/api/rpi_security/media/{relative}")
        assert response.status == 404
        assert "hunter2" not in await response.text()
        thumbnail = await client.get(
            f"/api/rpi_security/media/{relative}", params={"thumbnail": "1"}
        )
        assert thumbnail.status == 404
        with pytest.raises(HomeAssistantError) as err:
            await async_resolve_media(
                hass, f"media-source://rpi_security/{relative}", None
            )
        assert err.value.translation_key == "not_a_capture"
    # Not listed either; the real capture still is, and is served.
    root = await async_browse_media(hass, "media-source://rpi_security")
    assert [child.title for child in root.children] == [day]
    listing = await async_browse_media(hass, f"media-source://rpi_security/{day}")
    assert [child.identifier for child in listing.children] == [f"{day}/{photo.name}"]
    response = await client.get(f"/api/rpi_security/media/{day}/{photo.name}")
    assert response.status == 200


async def test_old_captures_are_pruned_after_a_capture(
    hass: HomeAssistant, camera_entry: MockConfigEntry, media: Path
) -> None:
    old_day = media / "2025-01-01"
    old_day.mkdir(parents=True)
    old = old_day / "120000_front_door.jpg"
    old.write_bytes(b"old")
    long_ago = datetime(2025, 1, 1, 12).timestamp()
    os.utime(old, (long_ago, long_ago))
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    await settle(hass)
    assert not old.exists()
    assert not old_day.exists()
    assert len(captures(media)) == 1


DAYS_OF_CAPTURES = 60
CAPTURES_A_DAY = 50


def _fill_library(media: Path, size: int) -> list[Path]:
    """60 days of 50 captures each (sparse files of ``size`` bytes), newest first."""
    now = time.time()
    paths = []
    for days_ago in range(DAYS_OF_CAPTURES):
        for minute in range(CAPTURES_A_DAY):
            taken = now - days_ago * 86400 - 3600 - minute * 60
            folder = media / datetime.fromtimestamp(taken).strftime("%Y-%m-%d")
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{days_ago:02d}{minute:02d}00_front_door.jpg"
            with path.open("wb") as file:
                file.truncate(size)  # sparse: the size counts, the disk is not used
            os.utime(path, (taken, taken))
            paths.append(path)
    return paths


@pytest.mark.parametrize(
    ("options", "capture_size"),
    [
        # Small files: only age prunes (30 days are kept, 2 GB allowed).
        ({**CAMERA_OPTIONS, "retention_days": 30, "retention_gb": 2}, 10_000),
        # Big files: the size limit (0.1 GB) prunes deeper than age does.
        ({**CAMERA_OPTIONS, "retention_days": 30, "retention_gb": 0.1}, 100_000),
    ],
    ids=["by_age", "by_size"],
)
async def test_thousands_of_captures_are_pruned_oldest_first(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    options: dict[str, Any],
    capture_size: int,
) -> None:
    old = await hass.async_add_executor_job(_fill_library, media, capture_size)
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    await settle(hass)

    remaining = captures(media)
    (photo,) = set(remaining) - set(old)
    limit = int(options["retention_gb"] * 1024**3)
    # The newest that are at most 30 days old and fit next to the photo.
    kept = min(30 * CAPTURES_A_DAY, (limit - photo.stat().st_size) // capture_size)
    assert kept < len(old)
    assert [p for p in old if p.exists()] == old[:kept]
    assert len(remaining) == kept + 1
    assert sum(p.stat().st_size for p in remaining) <= limit
    # Days left without captures are gone too.
    assert {p.parent for p in remaining} == day_folders(media)


class StillCamera(Camera):
    """A camera another integration provides (an IP camera, say)."""

    _attr_name = "Porch"

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes:
        buffer = io.BytesIO()
        Image.new("RGB", (800, 600), (20, 120, 200)).save(buffer, "JPEG")
        return buffer.getvalue()


@pytest.mark.parametrize(
    "options",
    [{**CAMERA_OPTIONS, "camera_source": "entity", "camera_entity": "camera.porch"}],
)
async def test_a_camera_home_assistant_already_has(
    hass: HomeAssistant, media: Path, config_entry: MockConfigEntry
) -> None:
    mock_integration(hass, MockModule("porch"))

    async def setup_platform(
        hass: HomeAssistant, config: Any, add_entities: Any, discovery_info: Any = None
    ) -> None:
        add_entities([StillCamera()])

    mock_platform(
        hass, "porch.camera", MockPlatform(async_setup_platform=setup_platform)
    )
    assert await async_setup_component(
        hass, "camera", {"camera": {"platform": "porch"}}
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    await hass.services.async_call(
        "button", "press", {"entity_id": TAKE_PHOTO}, blocking=True
    )
    photos = captures(media)
    assert len(photos) == 1
    assert Image.open(photos[0]).size == (800, 600)


@pytest.mark.skipif(not shutil.which("ffmpeg"), reason="ffmpeg is not installed")
@pytest.mark.parametrize(
    "options",
    [{**CAMERA_OPTIONS, "record_clip": True, "clip_seconds": 1, "gif_seconds": 0}],
)
async def test_a_trigger_can_also_record_a_clip(
    hass: HomeAssistant,
    camera_entry: MockConfigEntry,
    media: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_trigger", {"entity_id": PANEL}, blocking=True
    )
    await settle(hass)
    files = captures(media)
    assert [f.suffix for f in files].count(".mp4") == 1
    assert not any(f.suffix == ".gif" for f in files)  # GIFs turned off
    clip = next(f for f in files if f.suffix == ".mp4")
    assert clip.read_bytes()[4:8] == b"ftyp"  # an MP4 container
    assert not list(clip.parent.glob(".*"))  # no half-written file left


@pytest.mark.parametrize(
    "options",
    [{**CAMERA_OPTIONS, "camera_source": "entity", "camera_entity": "camera.porch"}],
)
async def test_a_gif_from_a_camera_home_assistant_already_has(
    hass: HomeAssistant, media: Path, config_entry: MockConfigEntry
) -> None:
    mock_integration(hass, MockModule("porch"))

    async def setup_platform(
        hass: HomeAssistant, config: Any, add_entities: Any, discovery_info: Any = None
    ) -> None:
        add_entities([StillCamera()])

    mock_platform(
        hass, "porch.camera", MockPlatform(async_setup_platform=setup_platform)
    )
    assert await async_setup_component(
        hass, "camera", {"camera": {"platform": "porch"}}
    )
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    task = hass.async_create_task(
        hass.services.async_call(
            "button", "press", {"entity_id": RECORD_GIF}, blocking=True
        )
    )
    # Frames of an entity camera are fetched on the event loop, a quarter second apart.
    for _ in range(8):
        await asyncio.sleep(0)
        async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
        await hass.async_block_till_done()
    await task
    gifs = [f for f in captures(media) if f.suffix == ".gif"]
    assert len(gifs) == 1
    assert Image.open(gifs[0]).size == (640, 480)  # 800x600 shrunk to 640 wide


@pytest.mark.parametrize("options", [with_options()])
async def test_without_a_camera_there_are_no_camera_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert hass.states.get(CAMERA) is None
    assert hass.states.get(TAKE_PHOTO) is None
    assert hass.states.get(CAMERA_PROBLEM) is None
