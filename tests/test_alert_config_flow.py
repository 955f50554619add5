"""Setting up alerts in the UI: the targets (subentries) and the alert options."""

from typing import Any

from homeassistant import config_entries
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_mock_service,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from .outlets import (
    BOT_ENTRY_ID,
    FAMILY_CHAT,
    PENDING_ALERTS,
    STRANGER_CHAT,
    telegram_target,
)

TARGET = "alert_target"


@pytest.fixture
def telegram_bot(hass: HomeAssistant) -> MockConfigEntry:
    """A Telegram bot set up in Home Assistant, allowed to talk to the family chat."""
    bot = MockConfigEntry(
        domain="telegram_bot",
        entry_id=BOT_ENTRY_ID,
        title="HomeGuardBot",
        data={"platform": "polling", "api_key": "123:abc"},
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
    return bot


@pytest.fixture(autouse=True)
def notify_actions(hass: HomeAssistant) -> None:
    """Pushover, a phone's app and a smart speaker, as their integrations offer."""
    async_mock_service(hass, "notify", "pushover")
    async_mock_service(hass, "notify", "mobile_app_alice_s_phone")
    hass.states.async_set("notify.kitchen_speaker", "unknown")


async def start(
    hass: HomeAssistant, entry: MockConfigEntry, kind: str
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, TARGET), context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["telegram", "pushover", "mobile_app", "notify"]
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": kind}
    )


async def submit(hass: HomeAssistant, flow_id: str, **data: Any) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_configure(flow_id, data)


def targets(entry: MockConfigEntry) -> dict[str, dict[str, Any]]:
    return {
        s.title: dict(s.data)
        for s in entry.subentries.values()
        if s.subentry_type == TARGET
    }


@pytest.mark.usefixtures("telegram_bot")
async def test_add_a_telegram_chat_refusing_what_cannot_work(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    assert hass.states.get(PENDING_ALERTS) is None  # no targets, no outbox
    result = await start(hass, loaded_entry, "telegram")
    assert result["step_id"] == "telegram"
    flow = result["flow_id"]
    good = {
        "name": "Family chat",
        "bot_entry": BOT_ENTRY_ID,
        "chat_id": str(FAMILY_CHAT),
        "receives": ["alarm", "state"],
        "commands": True,
    }
    for changes, errors in (
        ({"name": " "}, {"name": "name_required"}),
        ({"bot_entry": "no_such_entry"}, {"bot_entry": "bot_not_found"}),
        ({"chat_id": "family"}, {"chat_id": "invalid_chat_id"}),
        ({"chat_id": str(STRANGER_CHAT)}, {"chat_id": "chat_not_allowed"}),
        ({"receives": [], "commands": False}, {"receives": "nothing_to_receive"}),
    ):
        result = await submit(hass, flow, **{**good, **changes})
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
    assert targets(loaded_entry) == {}

    result = await submit(hass, flow, **good)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert targets(loaded_entry) == {
        "Family chat": {
            "kind": "telegram",
            "receives": ["alarm", "state"],
            "bot_entry": BOT_ENTRY_ID,
            "chat_id": FAMILY_CHAT,
            "commands": True,
        }
    }
    # The entry reloaded with its outbox.
    assert hass.states.get(PENDING_ALERTS).state == "0"

    # The same chat cannot be added twice.
    result = await start(hass, loaded_entry, "telegram")
    result = await submit(hass, result["flow_id"], **{**good, "name": "Again"})
    assert result["errors"] == {"chat_id": "chat_in_use"}


async def test_add_pushover_the_app_and_a_notify_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await start(hass, loaded_entry, "pushover")
    # The notify actions are offered to choose from.
    schema = result["data_schema"].schema
    service_selector = next(v for k, v in schema.items() if str(k) == "service")
    assert service_selector.config["options"] == [
        "notify.mobile_app_alice_s_phone",
        "notify.pushover",
    ]
    result = await submit(
        hass,
        result["flow_id"],
        name="Pushover",
        service="notify.pushovr",
        receives=["alarm"],
    )
    assert result["errors"] == {"service": "service_not_found"}
    result = await submit(
        hass,
        result["flow_id"],
        name="Pushover",
        service="notify.pushover",
        receives=["alarm", "problems"],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY

    result = await start(hass, loaded_entry, "mobile_app")
    result = await submit(
        hass,
        result["flow_id"],
        name="Phone",
        service="notify.pushover",
        receives=["alarm"],
    )
    assert result["errors"] == {"service": "not_mobile_app"}
    result = await submit(
        hass,
        result["flow_id"],
        name="Pushover",  # taken
        service="notify.mobile_app_alice_s_phone",
        receives=["alarm"],
    )
    assert result["errors"] == {"name": "name_in_use"}
    result = await submit(
        hass,
        result["flow_id"],
        name="Alice's phone",
        service="notify.mobile_app_alice_s_phone",
        receives=["alarm"],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY

    # Only "any other notify" takes a notify entity.
    result = await start(hass, loaded_entry, "notify")
    result = await submit(
        hass,
        result["flow_id"],
        name="Kitchen speaker",
        service="notify.kitchen_speaker",
        receives=["alarm"],
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert {title: data["kind"] for title, data in targets(loaded_entry).items()} == {
        "Pushover": "pushover",
        "Alice's phone": "mobile_app",
        "Kitchen speaker": "notify",
    }


@pytest.mark.parametrize("extra_subentries", [[telegram_target()]])
@pytest.mark.usefixtures("telegram_bot")
async def test_reconfigure_a_target_keeps_its_kind(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, "target_telegram")
    assert result["step_id"] == "telegram"
    result = await submit(
        hass,
        result["flow_id"],
        name="Family",
        bot_entry=BOT_ENTRY_ID,
        chat_id=str(FAMILY_CHAT),
        receives=["alarm"],
        commands=False,
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert targets(loaded_entry)["Family"]["commands"] is False
    assert targets(loaded_entry)["Family"]["receives"] == ["alarm"]


async def _alerts_options(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[str, Any]:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "alerts"}
    )


async def test_alert_options(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    aioclient_mock.get("https://hc-ping.example/5f1d", text="OK")
    result = await _alerts_options(hass, loaded_entry)
    assert result["step_id"] == "alerts"
    # Who may disarm from a notification is a right of each user now.
    assert "disarm_users" not in {str(k) for k in result["data_schema"].schema}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "rate_limit": 300,
            "heartbeat_url": " https://hc-ping.example/5f1d ",
            "heartbeat_minutes": 10,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    settings = loaded_entry.runtime_data.config.alerts
    assert settings.rate_limit == 300
    assert settings.heartbeat_url == "https://hc-ping.example/5f1d"
    assert settings.heartbeat_interval == 600
    await hass.async_block_till_done(wait_background_tasks=True)
    assert aioclient_mock.call_count == 1  # the first ping, once reloaded


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"rate_limit": 3601}, {"rate_limit": "rate_limit_out_of_range"}),
        ({"rate_limit": -1}, {"rate_limit": "rate_limit_out_of_range"}),
        ({"heartbeat_minutes": 0}, {"heartbeat_minutes": "heartbeat_out_of_range"}),
        ({"heartbeat_url": "ftp://example.org/"}, {"heartbeat_url": "invalid_url"}),
        ({"heartbeat_url": "hc-ping.example"}, {"heartbeat_url": "invalid_url"}),
    ],
)
async def test_alert_option_errors_change_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    before = dict(loaded_entry.options)
    result = await _alerts_options(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"rate_limit": 120, "heartbeat_minutes": 5, **changes},
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(loaded_entry.options) == before
