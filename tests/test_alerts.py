"""Alerts through Home Assistant's actions: what each target gets, and the outbox."""

import asyncio
from pathlib import Path
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import Context, HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.hardware.camera import (
    CameraProblem,
    CameraUnavailableError,
)

from .helpers import (
    PANEL,
    advance,
    close_front_door,
    motion,
    open_front_door,
    restarted,
    system_of,
    with_options,
)
from .outlets import (
    BOT_ENTRY_ID,
    EMAIL,
    FAMILY_CHAT,
    LAST_ALERT,
    MOBILE,
    PENDING_ALERTS,
    PUSHOVER,
    PUSHOVER_ID,
    SEND_ANIMATION,
    SEND_MESSAGE,
    SEND_PHOTO,
    TELEGRAM_ID,
    Outlets,
    all_targets,
    target_subentry,
    telegram_target,
)

QUICK = with_options(exit_delay=0, entry_delay=0)
WITH_CAMERA = with_options(
    exit_delay=0,
    entry_delay=0,
    camera_source="picamera2",  # the simulated camera in simulation mode
    camera_motion=False,
    frame_rate=4,
    burst_photos=2,
    gif_seconds=1,
    capture_interval=0,
)
HEARTBEAT_URL = "https://hc-ping.example/5f1d"


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(QUICK)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return all_targets()


@pytest.fixture
def outlets(hass: HomeAssistant) -> Outlets:
    outlets = Outlets()
    outlets.register(hass)
    return outlets


@pytest.fixture
def media(hass: HomeAssistant, tmp_path: Path) -> Path:
    hass.config.media_dirs = {"local": str(tmp_path)}
    return tmp_path


@pytest.fixture
async def entry(
    hass: HomeAssistant, outlets: Outlets, media: Path, config_entry: MockConfigEntry
) -> MockConfigEntry:
    config_entry.add_to_hass(hass)
    enable_last_alert_sensor(hass, config_entry)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    return config_entry


def enable_last_alert_sensor(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Turn on "Last alert delivered" (off by default) as a user would."""
    er.async_get(hass).async_get_or_create(
        "sensor",
        DOMAIN,
        f"{entry.entry_id}_last_alert_delivered",
        config_entry=hass.config_entries.async_get_entry(entry.entry_id),
        suggested_object_id="home_last_alert_delivered",
    )


async def settle(hass: HomeAssistant) -> None:
    """Let captures and deliveries (background tasks) finish."""
    await hass.async_block_till_done(wait_background_tasks=True)


async def arm_away(hass: HomeAssistant, context: Context | None = None) -> None:
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_arm_away",
        {"entity_id": PANEL},
        blocking=True,
        context=context,
    )
    await settle(hass)


async def disarm(hass: HomeAssistant, context: Context | None = None) -> None:
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_disarm",
        {"entity_id": PANEL},
        blocking=True,
        context=context,
    )
    await settle(hass)


async def break_in(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> str:
    """The front door opens while armed; returns the time the alert names."""
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)  # the door's debounce
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    at = dt_util.now().strftime("%H:%M:%S")
    await settle(hass)
    return at


@pytest.mark.parametrize("options", [WITH_CAMERA])
async def test_the_alarm_reaches_every_target_with_its_photo_then_the_gif(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    media: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    await arm_away(hass)
    outlets.calls.clear()
    at = await break_in(hass, entry, freezer)
    alarm_text = f"Alarm! Front door at {at}."

    # Telegram: the photo with the door in its caption, then the GIF.
    (photo,) = outlets.to(SEND_PHOTO)
    assert photo == {
        "config_entry_id": BOT_ENTRY_ID,
        "chat_id": [FAMILY_CHAT],
        "parse_mode": "plain_text",
        "file": photo["file"],
        "caption": alarm_text,
    }
    photo_path = Path(photo["file"])
    assert photo_path.is_relative_to(media)
    assert photo_path.name.endswith("front_door.jpg")
    assert Image.open(photo_path).format == "JPEG"
    (gif,) = outlets.to(SEND_ANIMATION)
    assert gif["chat_id"] == [FAMILY_CHAT]
    assert gif["caption"] == "Front door: the seconds after the alarm."
    assert Image.open(gif["file"]).format == "GIF"

    # Pushover: the photo as attachment, emergency priority with a siren.
    assert outlets.to(PUSHOVER) == [
        {
            "title": "Home",
            "message": alarm_text,
            "data": {
                "priority": 2,
                "retry": 60,
                "expire": 3600,
                "sound": "siren",
                "attachment": photo["file"],
            },
        }
    ]

    # The app: critical, the photo as image, then the GIF; no Disarm button
    # because no user may disarm from a notification.
    alarm, gif_note = outlets.to(MOBILE)
    relative = photo_path.relative_to(media).as_posix()
    assert alarm == {
        "title": "Home",
        "message": alarm_text,
        "data": {
            "push": {"sound": {"name": "default", "critical": 1, "volume": 1.0}},
            "ttl": 0,
            "priority": "high",
            "channel": "alarm_stream",
            "image": f"/media/local/{relative}",
        },
    }
    assert gif_note["data"]["image"].endswith(".gif")

    # Any other notify action: the text.
    assert outlets.to(EMAIL) == [{"title": "Home", "message": alarm_text}]
    assert hass.states.get(PENDING_ALERTS).state == "0"
    delivered = dt_util.utcnow().replace(microsecond=0)
    assert hass.states.get(LAST_ALERT).state == delivered.isoformat()


async def test_without_a_camera_the_alarm_goes_out_as_text(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    await arm_away(hass)
    outlets.calls.clear()
    at = await break_in(hass, entry, freezer)

    assert outlets.to(SEND_PHOTO, SEND_ANIMATION) == []
    assert outlets.to(SEND_MESSAGE) == [
        {
            "config_entry_id": BOT_ENTRY_ID,
            "chat_id": [FAMILY_CHAT],
            "parse_mode": "plain_text",
            "message": f"Alarm! Front door at {at}.",
        }
    ]
    assert "attachment" not in outlets.to(PUSHOVER)[0]["data"]
    assert "image" not in outlets.to(MOBILE)[0]["data"]


ALICE_USER_ID = "a1ice0000000000000000000000000"


@pytest.mark.parametrize("options", [{**QUICK, "disarm_users": [ALICE_USER_ID]}])
async def test_the_app_shows_a_disarm_button_when_someone_may_use_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    await arm_away(hass)
    await break_in(hass, entry, freezer)
    assert outlets.to(MOBILE)[-1]["data"]["actions"] == [
        {"action": "RPI_SECURITY_DISARM", "title": "Disarm"}
    ]


@pytest.mark.parametrize("options", [with_options()])  # exit 30 s, entry 20 s
async def test_every_state_change_names_who_or_what_caused_it(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: MockUser,
) -> None:
    user = Context(user_id=hass_admin_user.id)
    name = hass_admin_user.name

    # Arming refused: a door is open.
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    with pytest.raises(ServiceValidationError):
        await arm_away(hass, user)
    await close_front_door(hass, entry)
    await advance(hass, freezer, 0.1)

    await arm_away(hass, user)
    await advance(hass, freezer, 30)
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    await advance(hass, freezer, 20)  # nobody disarms
    at = dt_util.now().strftime("%H:%M:%S")
    await advance(hass, freezer, 60)  # the trigger time ends
    await disarm(hass, user)

    expected = [
        f"Arming (Away) by {name} refused, in the way: Front door.",
        f"Arming (Away) by {name}: 30 s to leave.",
        f"Armed (Away) by {name}.",
        "Front door opened: disarm within 20 s.",
        f"Alarm! Front door at {at}.",
        "The alarm stopped; armed (Away) again.",
        f"Disarmed by {name}.",
    ]
    assert outlets.messages(SEND_MESSAGE) == expected
    assert outlets.messages(MOBILE) == expected
    # Targets that receive only the alarm get only the alarm.
    assert outlets.messages(PUSHOVER) == [f"Alarm! Front door at {at}."]
    assert outlets.messages(EMAIL) == [f"Alarm! Front door at {at}."]
    # Only the alarm is urgent.
    assert [call["data"].get("priority") for call in outlets.to(PUSHOVER)] == [2]
    # Only the alarm is urgent; the refusal offers Retry and Arm anyway.
    assert [call["data"].get("priority") for call in outlets.to(MOBILE)] == [
        None,
        None,
        None,
        None,
        "high",
        None,
        None,
    ]
    assert [a["title"] for a in outlets.to(MOBILE)[0]["data"]["actions"]] == [
        "Retry",
        "Arm anyway",
    ]


async def test_alarm_alerts_are_rate_limited_per_sensor(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    await arm_away(hass)
    first = await break_in(hass, entry, freezer)
    # Someone walks down the hallway while it sounds: a new cause, a new alert.
    await motion(hass, entry, on=True)
    await settle(hass)
    at_hallway = dt_util.now().strftime("%H:%M:%S")
    await motion(hass, entry, on=False)
    await advance(hass, freezer, 10)
    await motion(hass, entry, on=True)  # again: held back
    await settle(hass)

    # Disarmed and armed again, the door opens a minute later: held back too,
    # but the changes of state still go out.
    await disarm(hass)
    await close_front_door(hass, entry)
    await advance(hass, freezer, 50)
    await arm_away(hass)
    await break_in(hass, entry, freezer)
    assert outlets.messages(EMAIL) == [
        f"Alarm! Front door at {first}.",
        f"Alarm! Hallway at {at_hallway}.",
    ]
    assert outlets.messages(SEND_MESSAGE)[-2:] == [
        "Disarmed by Home Assistant.",
        "Armed (Away) by Home Assistant.",
    ]

    # Two minutes after the first alert the same door alerts again.
    await disarm(hass)
    await close_front_door(hass, entry)
    await advance(hass, freezer, 60)
    await arm_away(hass)
    third = await break_in(hass, entry, freezer)
    assert outlets.messages(EMAIL)[-1] == f"Alarm! Front door at {third}."
    assert len(outlets.messages(EMAIL)) == 3


ALARM_ONLY = [
    telegram_target(receives=("alarm",), commands=False),
    target_subentry(
        PUSHOVER_ID,
        "Pushover",
        kind="pushover",
        service="notify.pushover",
        receives=["alarm"],
    ),
]


@pytest.mark.parametrize("extra_subentries", [ALARM_ONLY])
@pytest.mark.parametrize(
    "options", [with_options(exit_delay=0, entry_delay=0, rate_limit=0)]
)
async def test_an_outage_with_a_restart_loses_nothing_and_keeps_the_order(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Thirty minutes without Telegram or Pushover, Home Assistant restarting."""
    raised: list[str] = []  # the times of the alarms

    async def alarm_and_reset(hass: HomeAssistant) -> None:
        entry = hass.config_entries.async_entries(DOMAIN)[0]
        await arm_away(hass)
        raised.append(await break_in(hass, entry, freezer))
        await disarm(hass)
        await close_front_door(hass, entry)
        await advance(hass, freezer, 89.9)

    outlets.failure = HomeAssistantError("Telegram is unreachable")
    for _ in range(10):  # 15 minutes
        await alarm_and_reset(hass)
    assert outlets.calls == []
    assert hass.states.get(PENDING_ALERTS).state == "20"  # 10 alerts, 2 targets

    # Home Assistant restarts; this time the actions do not even exist at first
    # (their integrations are still starting), then they fail.
    async with restarted(
        hass,
        entry,
        freezer,
        downtime=60,
        prepare=lambda new_hass: enable_last_alert_sensor(new_hass, entry),
    ) as new_hass:
        assert new_hass.states.get(PENDING_ALERTS).state == "20"
        for _ in range(4):
            await alarm_and_reset(new_hass)
        outlets.register(new_hass)
        for _ in range(6):
            await alarm_and_reset(new_hass)
        assert outlets.calls == []
        assert new_hass.states.get(PENDING_ALERTS).state == "40"

        # Thirty minutes after it began, the outage ends: within the longest
        # back-off (5 minutes) everything is delivered, in the order raised.
        outlets.failure = None
        for _ in range(10):
            await advance(new_hass, freezer, 30)
        assert len(raised) == 20
        expected = [f"Alarm! Front door at {at}." for at in raised]
        assert outlets.messages(SEND_MESSAGE) == expected
        assert outlets.messages(PUSHOVER) == expected
        assert new_hass.states.get(PENDING_ALERTS).state == "0"
        assert new_hass.states.get(LAST_ALERT).state != "unknown"


@pytest.mark.parametrize("extra_subentries", [[telegram_target(receives=("alarm",))]])
async def test_an_alert_is_stored_before_it_is_sent(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    media: Path,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    stored_when_sent: list[list[str]] = []

    async def send_message(call: ServiceCall) -> None:
        outbox = hass_storage[f"{DOMAIN}.{config_entry.entry_id}.alerts"]["data"]
        stored_when_sent.append([e["payload"]["message"] for e in outbox["outbox"]])

    hass.services.async_register("telegram_bot", "send_message", send_message)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await arm_away(hass)
    at = await break_in(hass, config_entry, freezer)
    assert stored_when_sent == [[f"Alarm! Front door at {at}."]]


@pytest.mark.parametrize("extra_subentries", [[telegram_target(receives=("alarm",))]])
async def test_an_alert_undeliverable_for_a_day_is_given_up_with_a_repair(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    outlets.failure = HomeAssistantError("Chat not found")
    await arm_away(hass)
    at = await break_in(hass, entry, freezer)
    for _ in range(23):
        await advance(hass, freezer, 3600)
    assert hass.states.get(PENDING_ALERTS).state == "1"
    assert issue_registry.async_get_issue(DOMAIN, "alerts_expired") is None

    for _ in range(2):
        await advance(hass, freezer, 3600)
    assert hass.states.get(PENDING_ALERTS).state == "0"
    issue = issue_registry.async_get_issue(DOMAIN, "alerts_expired")
    assert issue is not None
    assert issue.translation_placeholders == {"count": "1", "target": "Family chat"}
    assert f"Alarm! Front door at {at}." in caplog.text
    assert "given up after 24 h" in caplog.text

    outlets.failure = None  # too late: it stays given up
    await advance(hass, freezer, 3600)
    assert outlets.calls == []


@pytest.mark.parametrize("extra_subentries", [[telegram_target(receives=("alarm",))]])
async def test_an_action_that_hangs_counts_as_failed_and_is_retried(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    # Real time here: the time-out and the first retry (1 s) are short.
    outlets.hang = True
    with patch("custom_components.rpi_security.targets.DELIVERY_TIMEOUT", 0.05):
        await hass.services.async_call(
            "alarm_control_panel", "alarm_trigger", {"entity_id": PANEL}, blocking=True
        )
        await asyncio.sleep(0.2)
        assert hass.states.get(PENDING_ALERTS).state == "1"
        (waiting,) = system_of(entry).alerts.outbox.entries()
        assert (waiting.attempts, waiting.last_error) == (1, "TimeoutError")
        outlets.hang = False
        await asyncio.sleep(1.2)
        await settle(hass)
    assert len(outlets.to(SEND_MESSAGE)) == 1
    assert hass.states.get(PENDING_ALERTS).state == "0"


@pytest.mark.parametrize("options", [WITH_CAMERA])
async def test_a_refused_picture_does_not_hold_back_the_text(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    async def refuse(call: ServiceCall) -> None:
        # What telegram_bot says of a file outside allowlist_external_dirs.
        raise ServiceValidationError("File path is not allowed")

    for action in ("send_photo", "send_animation"):
        hass.services.async_register("telegram_bot", action, refuse)
    await arm_away(hass)
    at = await break_in(hass, entry, freezer)
    assert outlets.messages(SEND_MESSAGE)[-1] == f"Alarm! Front door at {at}."
    assert hass.states.get(PENDING_ALERTS).state == "0"


@pytest.mark.parametrize(
    "options",
    [{**WITH_CAMERA, "heartbeat_url": HEARTBEAT_URL, "heartbeat_minutes": 5}],
)
async def test_problems_are_alerted_and_hold_back_the_heartbeat(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    outlets: Outlets,
    media: Path,
    freezer: FrozenDateTimeFactory,
) -> None:
    aioclient_mock.get(HEARTBEAT_URL, text="OK")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    assert aioclient_mock.call_count == 1  # a ping when it starts
    await advance(hass, freezer, 300)
    assert aioclient_mock.call_count == 2

    # The camera fails: the targets that receive problems hear of it, and the
    # pings stop so the dead man's switch tells the owner too.
    backend = system_of(config_entry).camera.source.backend
    backend.fail_with = CameraUnavailableError(CameraProblem.FAILED, "sensor timed out")
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.home_take_photo"}, blocking=True
    )
    await settle(hass)
    problem = "Problem: the camera fails (sensor timed out)."
    assert outlets.messages(SEND_MESSAGE) == [problem]
    assert outlets.messages(PUSHOVER) == [problem]
    assert outlets.messages(MOBILE, EMAIL) == []  # they do not receive problems
    for _ in range(3):
        await advance(hass, freezer, 300)
    assert aioclient_mock.call_count == 2

    # It recovers: said once, and the pings resume.
    backend.fail_with = None
    await hass.services.async_call(
        "button", "press", {"entity_id": "button.home_take_photo"}, blocking=True
    )
    await settle(hass)
    fixed = "Fixed: the camera works again."
    assert outlets.messages(SEND_MESSAGE) == [problem, fixed]
    await advance(hass, freezer, 300)
    assert aioclient_mock.call_count == 3
    assert str(aioclient_mock.mock_calls[-1][1]) == HEARTBEAT_URL


@pytest.mark.parametrize(
    "options", [{**QUICK, "heartbeat_url": HEARTBEAT_URL, "heartbeat_minutes": 1}]
)
async def test_a_failing_heartbeat_never_disturbs_the_alarm(
    hass: HomeAssistant,
    aioclient_mock: AiohttpClientMocker,
    config_entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    aioclient_mock.get(HEARTBEAT_URL, status=503)
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    await advance(hass, freezer, 60)
    assert aioclient_mock.call_count == 2
    assert caplog.text.count("Heartbeat ping failed") == 1  # said once
    await arm_away(hass)
    await break_in(hass, config_entry, freezer)
    assert outlets.to(EMAIL)


SPEAKER = target_subentry(
    "target_speaker",
    "Kitchen speaker",
    kind="notify",
    service="notify.kitchen_speaker",  # a notify entity, not an action
    receives=["alarm"],
)


@pytest.mark.parametrize("extra_subentries", [[SPEAKER]])
async def test_a_notify_entity_gets_the_text_through_send_message(
    hass: HomeAssistant, config_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set("notify.kitchen_speaker", "unknown")
    calls = async_mock_service(hass, "notify", "send_message")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await arm_away(hass)
    at = await break_in(hass, config_entry, freezer)
    assert [call.data for call in calls] == [
        {
            "entity_id": "notify.kitchen_speaker",
            "title": "Home",
            "message": f"Alarm! Front door at {at}.",
        }
    ]


@pytest.mark.parametrize("extra_subentries", [ALARM_ONLY])
async def test_removing_a_target_drops_only_its_waiting_alerts(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    outlets.failure = HomeAssistantError("down")
    await arm_away(hass)
    at = await break_in(hass, entry, freezer)
    assert hass.states.get(PENDING_ALERTS).state == "2"

    hass.config_entries.async_remove_subentry(entry, TELEGRAM_ID)
    await settle(hass)  # the entry reloads without the chat
    assert hass.states.get(PENDING_ALERTS).state == "1"
    outlets.failure = None
    await advance(hass, freezer, 300)
    assert outlets.messages(PUSHOVER) == [f"Alarm! Front door at {at}."]
    assert outlets.telegram() == []


@pytest.mark.parametrize("options", [with_options()])  # a 30 s exit delay
async def test_a_change_of_state_while_starting_is_worded_like_any_other(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    await arm_away(hass)
    # Home Assistant stops just as the exit delay ends: the new start ends it
    # while it is still starting.
    freezer.tick(30)
    async with restarted(hass, entry, freezer, prepare=outlets.register) as new_hass:
        await settle(new_hass)
        assert new_hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    assert outlets.messages(SEND_MESSAGE) == [
        "Arming (Away) by Home Assistant: 30 s to leave.",
        "Armed (Away) by Home Assistant.",
    ]
