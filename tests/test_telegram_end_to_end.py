"""Through Home Assistant's real telegram_bot integration to a stand-in Telegram.

Nothing of Home Assistant or python-telegram-bot is mocked here: the bot polls
and uploads over HTTP, to the Bot API stand-in on loopback (this machine has
no internet). Real time: no frozen clock.
"""

import asyncio
from collections.abc import AsyncGenerator, Callable
import io
from pathlib import Path
from typing import Any

from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.engine.codes import hash_code

from .helpers import FRONT_DOOR_PIN, PANEL, system_of, with_options
from .outlets import BOT_ENTRY_ID, FAMILY_CHAT, telegram_target
from .telegram_api import ALICE_ID, FakeBotApi, Request

CODE = "4321"

OPTIONS = with_options(
    exit_delay=0,
    entry_delay=0,
    camera_source="picamera2",  # the simulated camera in simulation mode
    camera_motion=False,
    frame_rate=4,
    burst_photos=1,
    gif_seconds=1,
    capture_interval=0,
)


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(OPTIONS)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    alice = {
        "subentry_type": "user",
        "title": "Alice",
        "unique_id": None,
        "data": {
            "telegram_ids": [ALICE_ID],
            "code_hash": hash_code(CODE, iterations=1000),
            "code_format": "number",
        },
    }
    return [telegram_target(), alice]


@pytest.fixture
async def bot_api(socket_enabled: None) -> AsyncGenerator[FakeBotApi]:
    """The stand-in Telegram, listening on loopback."""
    api = FakeBotApi()
    await api.start()
    yield api
    await api.stop()


@pytest.fixture
async def telegram_bot(
    hass: HomeAssistant, bot_api: FakeBotApi
) -> AsyncGenerator[MockConfigEntry]:
    """The telegram_bot integration, polling, allowed to talk to the family chat."""
    bot = MockConfigEntry(
        domain="telegram_bot",
        entry_id=BOT_ENTRY_ID,
        version=1,
        minor_version=3,
        title="HomeGuardBot",
        unique_id="123456:TEST",
        data={
            "platform": "polling",
            "api_key": "123456:TEST",
            "api_endpoint": bot_api.url,
        },
        options={"parse_mode": "plain_text"},
        subentries_data=[
            {
                "subentry_type": "allowed_chat_ids",
                "title": "Family",
                "unique_id": str(FAMILY_CHAT),
                "data": {"chat_id": FAMILY_CHAT},
            }
        ],
    )
    bot.add_to_hass(hass)
    assert await hass.config_entries.async_setup(bot.entry_id)
    await hass.async_block_till_done()
    yield bot
    await hass.config_entries.async_unload(bot.entry_id)


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    telegram_bot: MockConfigEntry,
    tmp_path: Path,
    config_entry: MockConfigEntry,
) -> MockConfigEntry:
    # As Home Assistant's core config does: the media folders may be sent.
    hass.config.media_dirs = {"local": str(tmp_path)}
    hass.config.allowlist_external_dirs = {str(tmp_path)}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return config_entry


async def wait_for(
    api: FakeBotApi, method: str, matching: Callable[[Request], bool]
) -> Request:
    """The first ``method`` call ``matching``, once it arrives (at most 10 s)."""
    async with asyncio.timeout(10):
        while True:
            for request in api.calls(method):
                if matching(request):
                    return request
            await asyncio.sleep(0.02)


async def test_the_alarm_photo_is_uploaded_to_the_family_chat(
    hass: HomeAssistant, entry: MockConfigEntry, bot_api: FakeBotApi
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    system_of(entry).pin_factory.pin(FRONT_DOOR_PIN).drive_high()  # the door opens

    photo = await wait_for(bot_api, "sendPhoto", lambda r: True)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    assert photo.fields["chat_id"] == str(FAMILY_CHAT)
    assert photo.fields["caption"].startswith("Alarm! Front door at ")
    image = Image.open(io.BytesIO(photo.files["photo"]))
    assert (image.format, image.size) == ("JPEG", (640, 480))
    gif = await wait_for(bot_api, "sendAnimation", lambda r: True)
    assert Image.open(io.BytesIO(gif.files["animation"])).format == "GIF"


async def test_a_command_from_the_family_chat_is_answered_there(
    hass: HomeAssistant, entry: MockConfigEntry, bot_api: FakeBotApi
) -> None:
    bot_api.send_command(FAMILY_CHAT, "/status@HomeGuardBot")
    status = await wait_for(
        bot_api, "sendMessage", lambda r: r.fields["text"].startswith("Home: ")
    )
    assert status.fields["chat_id"] == str(FAMILY_CHAT)
    assert "Home: disarmed." in status.fields["text"]

    bot_api.send_command(FAMILY_CHAT, "/arm")
    await wait_for(
        bot_api, "sendMessage", lambda r: r.fields["text"] == "Arming (Away)."
    )
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY

    bot_api.send_command(FAMILY_CHAT, "/photo")
    photo = await wait_for(
        bot_api, "sendPhoto", lambda r: r.fields.get("caption") == "Here it is."
    )
    assert Image.open(io.BytesIO(photo.files["photo"])).format == "JPEG"


async def test_a_hundred_guesses_at_once_from_telegram(
    hass: HomeAssistant, entry: MockConfigEntry, bot_api: FakeBotApi
) -> None:
    """Issue 12 (1): 50 /disarm sent at once got 49 wrong-code answers, then in."""
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    wrong = "Wrong alarm code."
    locked = "Too many wrong codes: codes are refused for 5 more minutes."
    # Telegram hands the bot everything waiting at once: the right code last.
    for number in range(99):
        bot_api.send_command(FAMILY_CHAT, f"/disarm {number:04d}")
    bot_api.send_command(FAMILY_CHAT, f"/disarm {CODE}")

    def answers() -> list[str]:
        texts = [r.fields["text"] for r in bot_api.calls("sendMessage")]
        return [text for text in texts if text in (wrong, locked)]

    async with asyncio.timeout(30):
        while True:
            if len(answers()) >= 100:
                break
            await asyncio.sleep(0.05)
    assert answers().count(wrong) == 5
    assert answers().count(locked) == 95
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    alerts = [r.fields["text"] for r in bot_api.calls("sendMessage")]
    assert "Too many wrong alarm codes: codes are refused for 5 minutes." in alerts
