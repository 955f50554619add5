"""Commands from Telegram chats and the Disarm button of app notifications."""

from logging import WARNING
from pathlib import Path
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import issue_registry as ir
from PIL import Image
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.engine.codes import hash_code

from .helpers import (
    AUTOMATIC_ARMING,
    PANEL,
    advance,
    open_front_door,
    phone_subentries,
    system_of,
    with_options,
)
from .outlets import (
    BOT_ENTRY_ID,
    FAMILY_CHAT,
    SEND_ANIMATION,
    SEND_MESSAGE,
    SEND_PHOTO,
    STRANGER_CHAT,
    Outlets,
    telegram_target,
)

CODE = "4321"
BOB_CODE = "8765"
ALICE_USER_ID = "a1ice0000000000000000000000000"
# The Telegram accounts of the family.
ALICE_TELEGRAM = 7
BOB_TELEGRAM = 8
STRANGER_TELEGRAM = 66612345
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
HELP_FIRST_LINE = "Commands:"


def user_subentry(name: str, **data: Any) -> dict[str, Any]:
    """A user as the user flow stores them."""
    return {
        "subentry_id": f"user_{name.lower()}",
        "subentry_type": "user",
        "title": name,
        "unique_id": None,
        "data": {"can_arm": True, "can_disarm": True, "enabled": True, **data},
    }


def family() -> list[dict[str, Any]]:
    """Alice may disarm without a code (Telegram, the app); Bob needs his."""
    return [
        user_subentry(
            "Alice",
            code_hash=hash_code(CODE, iterations=1000),
            code_format="number",
            telegram_ids=[ALICE_TELEGRAM],
            ha_user=ALICE_USER_ID,
            disarm_without_code=True,
        ),
        user_subentry(
            "Bob",
            code_hash=hash_code(BOB_CODE, iterations=1000),
            code_format="number",
            telegram_ids=[BOB_TELEGRAM],
        ),
    ]


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(OPTIONS)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    # The family chat hears of changes of state, and may give commands.
    return [*phone_subentries(), telegram_target(receives=("state",)), *family()]


@pytest.fixture
def outlets(hass: HomeAssistant) -> Outlets:
    outlets = Outlets()
    outlets.register(hass)
    return outlets


@pytest.fixture
async def entry(
    hass: HomeAssistant,
    outlets: Outlets,
    tmp_path: Path,
    config_entry: MockConfigEntry,
    both_home: None,
) -> MockConfigEntry:
    hass.config.media_dirs = {"local": str(tmp_path)}
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await settle(hass)
    return config_entry


async def settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def command(
    hass: HomeAssistant,
    text: str,
    *,
    chat: int = FAMILY_CHAT,
    bot: str = BOT_ENTRY_ID,
    sender: int = ALICE_TELEGRAM,
) -> None:
    """A message to the bot, as the telegram_bot integration reports it."""
    name, *args = text.split()
    hass.bus.async_fire(
        "telegram_command",
        {
            "command": name,
            "args": args,
            "chat_id": chat,
            "user_id": sender,
            "from_first": "Somebody",
            "bot": {"config_entry_id": bot, "id": 42, "username": "HomeGuardBot"},
        },
    )
    await settle(hass)


def panel(hass: HomeAssistant) -> str:
    return hass.states.get(PANEL).state


async def ask(
    hass: HomeAssistant, outlets: Outlets, text: str, sender: int = ALICE_TELEGRAM
) -> list[str]:
    """What the family chat receives after ``text`` (alerts, then the answer)."""
    outlets.calls.clear()
    await command(hass, text, sender=sender)
    return outlets.messages(SEND_MESSAGE, SEND_PHOTO, SEND_ANIMATION)


async def test_status_tells_state_people_doors_last_alarm_and_problems(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    assert await ask(hass, outlets, "/status") == [
        (
            "Home: disarmed.\n"
            "Automatic arming: on.\n"
            "Home: Alice's phone, Bob's phone.\n"
            "Open: none.\n"
            "Last alarm: never.\n"
            "Problems: none."
        )
    ]
    (reply,) = outlets.to(SEND_MESSAGE)
    assert (reply["chat_id"], reply["config_entry_id"]) == ([FAMILY_CHAT], BOT_ENTRY_ID)

    await ask(hass, outlets, "/arm")
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    at = system_of(entry).last_trigger[1]
    # In a group the command comes as /status@BotName.
    (status,) = await ask(hass, outlets, "/status@HomeGuardBot")
    assert status.splitlines()[0] == "Home: TRIGGERED."
    assert status.splitlines()[3:5] == [
        "Open: Front door.",
        f"Last alarm: Front door {at:%Y-%m-%d %H:%M}.",
    ]


async def test_photo_and_gif_come_back_to_the_chat(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    assert await ask(hass, outlets, "/photo") == ["Here it is."]
    (photo,) = outlets.to(SEND_PHOTO)
    assert photo["chat_id"] == [FAMILY_CHAT]
    assert Image.open(photo["file"]).format == "JPEG"

    assert await ask(hass, outlets, "/gif") == ["Here it is."]
    (gif,) = outlets.to(SEND_ANIMATION)
    assert Image.open(gif["file"]).format == "GIF"


async def test_arm_and_disarm_from_the_chat_with_the_code(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    caplog: pytest.LogCaptureFixture,
) -> None:
    assert await ask(hass, outlets, "/arm") == [
        "Armed (Away) by Alice (Telegram).",
        "Arming (Away).",
    ]
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY
    assert hass.states.get(PANEL).attributes["changed_by"] == "Alice (Telegram)"

    bob = BOB_TELEGRAM
    assert await ask(hass, outlets, "/disarm 0000", bob) == ["Wrong alarm code."]
    # Logged once, naming the source (the user, not their account), not the code.
    assert [r.getMessage() for r in caplog.records if r.levelno >= WARNING] == [
        "Wrong alarm code from Telegram (user Bob) (1 wrong in a row)"
    ]
    assert "0000" not in caplog.text
    assert await ask(hass, outlets, "/disarm", bob) == ["Enter the alarm code."]
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY

    # The code names its user: Alice's code, sent from Bob's account.
    assert await ask(hass, outlets, f"/disarm {CODE}", bob) == [
        "Disarmed by Alice (Telegram).",
        "Disarmed.",
    ]
    assert panel(hass) == AlarmControlPanelState.DISARMED

    await ask(hass, outlets, "/arm", bob)
    assert hass.states.get(PANEL).attributes["changed_by"] == "Bob (Telegram)"
    # Alice may disarm without her code.
    assert await ask(hass, outlets, "/disarm") == [
        "Disarmed by Alice (Telegram).",
        "Disarmed.",
    ]

    await ask(hass, outlets, "/arm night")
    assert panel(hass) == AlarmControlPanelState.ARMED_NIGHT


async def test_malformed_and_unknown_commands_change_nothing(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    usage_arm = (
        "Use /arm, followed by the mode (away, home, night, vacation, custom_bypass), "
        "the area (none: the whole house) and the code if arming needs one."
    )
    assert await ask(hass, outlets, "/arm sideways") == [usage_arm]
    assert await ask(hass, outlets, f"/arm home {CODE} now") == [usage_arm]
    assert panel(hass) == AlarmControlPanelState.DISARMED

    await ask(hass, outlets, "/arm")
    assert await ask(hass, outlets, "/disarm 43 21") == [
        (
            "Use /disarm, followed by the area (none: the whole house) and the alarm "
            "code (or nothing, if you may disarm without one)."
        )
    ]
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY

    # Anything else (the original project's /reboot included) gets the help.
    for text in ("/reboot", "/HELP"):
        (reply,) = await ask(hass, outlets, text)
        assert reply.startswith(HELP_FIRST_LINE)
        assert "/disarm [area] CODE" in reply
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY


async def test_enable_and_disable_automatic_arming(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    await ask(hass, outlets, "/arm")
    assert await ask(hass, outlets, "/disable") == [
        "Disarmed by Alice (Telegram).",
        "Automatic arming is off, and the alarm is disarmed.",
    ]
    assert hass.states.get(AUTOMATIC_ARMING).state == "off"
    assert panel(hass) == AlarmControlPanelState.DISARMED

    assert await ask(hass, outlets, "/enable") == ["Automatic arming is on."]
    assert hass.states.get(AUTOMATIC_ARMING).state == "on"


async def test_disable_needs_the_code_unless_the_user_may_disarm_without(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    """Issue 12 (3): /disable disarmed without any code, for anyone in the chat."""
    await ask(hass, outlets, "/arm")
    assert await ask(hass, outlets, "/disable", BOB_TELEGRAM) == [
        "Enter the alarm code."
    ]
    assert await ask(hass, outlets, "/disable 1111", BOB_TELEGRAM) == [
        "Wrong alarm code."
    ]
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY
    assert hass.states.get(AUTOMATIC_ARMING).state == "on"  # nothing changed
    assert await ask(hass, outlets, f"/disable {BOB_CODE}", BOB_TELEGRAM) == [
        "Disarmed by Bob (Telegram).",
        "Automatic arming is off, and the alarm is disarmed.",
    ]
    assert panel(hass) == AlarmControlPanelState.DISARMED


async def test_commands_only_from_the_system_s_users(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Issue 12 (3): any member of an allowed group could command the system."""
    await ask(hass, outlets, "/arm")
    for text in (f"/disarm {CODE}", "/disable", "/status"):
        assert await ask(hass, outlets, text, STRANGER_TELEGRAM) == [
            (
                "You may not command this system. An administrator can add your "
                f"Telegram user id {STRANGER_TELEGRAM} to your user in RPi Security."
            )
        ]
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY
    assert hass.states.get(AUTOMATIC_ARMING).state == "on"
    assert system_of(entry).remote.rejected == 3
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= WARNING]
    assert any("Telegram user ***345 is not one" in w for w in warnings)
    assert not any(str(STRANGER_TELEGRAM) in w for w in warnings)  # shortened


async def test_a_command_for_another_bot_is_ignored(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    """Issue 12 (3): /disable@OtherBot was obeyed (the suffix was dropped)."""
    await ask(hass, outlets, "/arm")
    for text in ("/disable@OtherBot", f"/disarm@HomeGuardBotX {CODE}"):
        assert await ask(hass, outlets, text) == []
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY
    assert hass.states.get(AUTOMATIC_ARMING).state == "on"
    # Ours, in any case.
    (status,) = await ask(hass, outlets, "/status@homeguardbot")
    assert status.startswith("Home: armed away.")


async def test_a_disabled_user_and_a_user_without_rights(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
) -> None:
    await ask(hass, outlets, "/arm")
    entry_users = {s.title: s for s in entry.subentries.values()}
    hass.config_entries.async_update_subentry(
        entry,
        entry_users["Bob"],
        data={**entry_users["Bob"].data, "can_disarm": False, "can_arm": False},
    )
    await settle(hass)
    assert await ask(hass, outlets, f"/disarm {BOB_CODE}", BOB_TELEGRAM) == [
        "Bob may not disarm the alarm."
    ]
    assert await ask(hass, outlets, "/enable", BOB_TELEGRAM) == [
        "Bob may not arm the alarm."
    ]
    hass.config_entries.async_update_subentry(
        entry,
        entry_users["Alice"],
        data={**entry_users["Alice"].data, "enabled": False},
    )
    await settle(hass)
    # Alice's code is a wrong code now, and her account is nobody's.
    assert await ask(hass, outlets, f"/disarm {CODE}", BOB_TELEGRAM) == [
        "Wrong alarm code."
    ]
    (refused,) = await ask(hass, outlets, "/disarm")
    assert refused.startswith("You may not command this system.")
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY


async def test_other_chats_and_bots_get_no_answer_and_no_effect(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    caplog: pytest.LogCaptureFixture,
) -> None:
    await ask(hass, outlets, "/arm")
    outlets.calls.clear()

    await command(hass, f"/disarm {CODE}", chat=STRANGER_CHAT)
    await command(hass, "/status", chat=STRANGER_CHAT)
    # The family chat id, but through another bot.
    await command(hass, f"/disarm {CODE}", bot="01ANOTHERBOTENTRY00000000")

    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY
    assert outlets.calls == []
    assert system_of(entry).remote.rejected == 3
    assert "Ignored a Telegram command: chat ***111" in caplog.text
    assert str(STRANGER_CHAT) not in caplog.text  # chat ids are not logged whole
    assert CODE not in caplog.text


@pytest.mark.parametrize(
    "extra_subentries",
    [[*phone_subentries(), telegram_target(receives=("state",), commands=False)]],
)
async def test_a_chat_that_only_receives_alerts_cannot_command(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await settle(hass)
    outlets.calls.clear()
    await command(hass, f"/disarm {CODE}")
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY
    assert outlets.calls == []


async def notification_action(
    hass: HomeAssistant, action: str, user_id: str | None
) -> None:
    """A button of an app notification pressed, as mobile_app reports it."""
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": action},
        context=Context(user_id=user_id),
    )
    await settle(hass)


async def test_the_disarm_button_works_only_for_the_users_allowed(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    hass_admin_user: MockUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    MockUser(id=ALICE_USER_ID, name="Alice").add_to_hass(hass)
    await ask(hass, outlets, "/arm")
    outlets.calls.clear()

    # Not allowed: an admin who is not on the list, a button without a user,
    # and some other notification's button.
    await notification_action(hass, "RPI_SECURITY_DISARM", hass_admin_user.id)
    await notification_action(hass, "RPI_SECURITY_DISARM", None)
    await notification_action(hass, "OPEN_GARAGE", ALICE_USER_ID)
    assert panel(hass) == AlarmControlPanelState.ARMED_AWAY
    assert outlets.calls == []
    assert caplog.text.count("Ignored the Disarm button") == 2

    await notification_action(hass, "RPI_SECURITY_DISARM", ALICE_USER_ID)
    assert panel(hass) == AlarmControlPanelState.DISARMED
    assert outlets.messages(SEND_MESSAGE) == ["Disarmed by Alice (notification)."]


async def test_changed_by_names_the_user_whose_code_was_entered(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    hass_admin_user: MockUser,
) -> None:
    context = Context(user_id=hass_admin_user.id)
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_arm_away",
        {"entity_id": PANEL},
        blocking=True,
        context=context,
    )
    await settle(hass)
    # Arming needs no code: the Home Assistant user (no user of ours) acts.
    assert hass.states.get(PANEL).attributes["changed_by"] == hass_admin_user.name
    outlets.calls.clear()
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_disarm",
        {"entity_id": PANEL, "code": BOB_CODE},
        blocking=True,
        context=context,
    )
    await settle(hass)
    assert hass.states.get(PANEL).attributes["changed_by"] == "Bob"
    assert outlets.messages(SEND_MESSAGE) == ["Disarmed by Bob."]


@pytest.mark.parametrize(
    "extra_subentries",
    # Updated from a version that checked only the chat: no user has an id yet.
    [[*phone_subentries(), telegram_target(receives=("state",))]],
)
async def test_commands_without_any_user_with_a_telegram_id_are_a_repair_issue(
    hass: HomeAssistant, entry: MockConfigEntry, outlets: Outlets
) -> None:
    issues = ir.async_get(hass)
    issue = issues.async_get_issue(DOMAIN, "telegram_commands_without_users")
    assert issue is not None
    assert issue.translation_placeholders == {"chats": "Family chat"}
    # Ignored, as the issue says: the sender is told how to become a user.
    (reply,) = await ask(hass, outlets, "/status")
    assert not reply.startswith("Home:")
    assert str(ALICE_TELEGRAM) in reply

    # The owner adds a user with their Telegram id: the issue goes away.
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            subentry_type="user",
            title="Alice",
            unique_id=None,
            data=MappingProxyType(
                {"can_arm": True, "can_disarm": True, "enabled": True}
                | {"telegram_ids": [ALICE_TELEGRAM]}
            ),
        ),
    )
    await settle(hass)
    assert issues.async_get_issue(DOMAIN, "telegram_commands_without_users") is None
    (reply,) = await ask(hass, outlets, "/status")
    assert reply.startswith("Home: disarmed.")
