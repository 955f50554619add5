"""Diagnostics: enough to debug from, nothing that identifies the home."""

import json
from pathlib import Path
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from custom_components.rpi_security.engine.codes import hash_code

from .helpers import (
    ALICE_ID,
    ALICE_MAC,
    BOB_ID,
    BOB_MAC,
    PANEL,
    advance,
    open_front_door,
    phone_subentries,
)
from .outlets import FAMILY_CHAT, Outlets, all_targets

HEARTBEAT_URL = "https://hc-ping.example/5f1d-secret"
OPTIONS: dict[str, Any] = {
    "exit_delay": 0,
    "entry_delay": 0,
    "camera_source": "picamera2",
    "camera_motion": False,
    "burst_photos": 1,
    "gif_seconds": 0,
    "capture_interval": 0,
    "code_hash": hash_code("4321", iterations=1000),
    "code_format": "number",
    "heartbeat_url": HEARTBEAT_URL,
    "disarm_users": ["a1ice0000000000000000000000000"],
}


@pytest.fixture
def options(options: dict[str, Any]) -> dict[str, Any]:
    return {**options, **OPTIONS}


DURESS_HASH = hash_code("9999", iterations=1000)
BOB_TELEGRAM_ID = 770077007


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    bob = {
        "subentry_id": "user_bob",
        "subentry_type": "user",
        "title": "Bob",
        "unique_id": None,
        "data": {"duress_hash": DURESS_HASH, "telegram_ids": [BOB_TELEGRAM_ID]},
    }
    return [*phone_subentries(), *all_targets(), bob]


async def test_diagnostics_show_health_events_and_outbox_redacted(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_client: ClientSessionGenerator,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
    tmp_path: Path,
    both_home: None,
) -> None:
    aioclient_mock.get(HEARTBEAT_URL, text="OK")
    hass.config.media_dirs = {"local": str(tmp_path)}
    assert await async_setup_component(hass, "diagnostics", {})
    outlets = Outlets()
    outlets.register(hass)
    outlets.failure = HomeAssistantError("Telegram is unreachable")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_arm_away",
        {"entity_id": PANEL, "code": "4321"},
        blocking=True,
    )
    await open_front_door(hass, config_entry)
    await advance(hass, freezer, 0.1)

    presence = config_entry.runtime_data.presence
    presence.occupant(ALICE_ID).hostname = "alices-phone"
    presence.occupant(BOB_ID).new_address = "02:00:00:00:99:42"
    diagnostics = await get_diagnostics_for_config_entry(
        hass, hass_client, config_entry
    )

    text = json.dumps(diagnostics)
    for secret in (
        ALICE_MAC,
        BOB_MAC,
        "02:00:00:00:99:42",
        "alices-phone",
        str(FAMILY_CHAT),
        HEARTBEAT_URL,
        "a1ice000",
        OPTIONS["code_hash"],
        DURESS_HASH,
        str(BOB_TELEGRAM_ID),
    ):
        assert secret not in text
    options = diagnostics["entry"]["options"]
    assert options["heartbeat_url"] == "**REDACTED**"
    # The alarm's options of earlier versions became the area Home.
    [area] = [s for s in diagnostics["entry"]["subentries"] if s["type"] == "area"]
    assert area["title"] == "Home"
    assert area["data"]["exit_delay"] == 0
    # The code of earlier versions became the user Owner's.
    users = {
        s["title"]: s["data"]
        for s in diagnostics["entry"]["subentries"]
        if s["type"] == "user"
    }
    assert users["Owner"]["code_hash"] == "**REDACTED**"
    assert users["Bob"]["telegram_ids"] == "**REDACTED**"

    assert diagnostics["areas"]["Home"]["state"] == "triggered"
    assert diagnostics["lockout"] == {
        "failures": [],
        "locked_until": None,
        "lockouts": 0,
        "last_lockout": None,
    }
    assert [e["state"] for e in diagnostics["recent_events"]][-2:] == [
        "armed_away",
        "triggered",
    ]
    assert diagnostics["recent_events"][-1]["cause"] == "Front door"
    assert diagnostics["problems"] == {}
    occupants = diagnostics["presence"]["occupants"]
    assert occupants["Alice's phone"]["presence"] == "home"
    assert occupants["Alice's phone"]["learned"]["first_round_miss_rate"] < 0.2
    assert diagnostics["camera"]["open"] is True
    assert diagnostics["camera"]["last_captures"][0]["kind"] == "photo"
    pending = diagnostics["alerts"]["pending"]
    assert {p["target"] for p in pending} >= {"Family chat", "Pushover"}
    assert pending[0]["last_error"] == "Telegram is unreachable"
    assert diagnostics["alerts"]["heartbeat"]["failing"] is False
