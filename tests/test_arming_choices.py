"""Retry and Arm anyway: the choices the alert of a refused arming offers."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser

from .areas import (
    GARAGE,
    HOUSE,
    WHOLE_HOUSE,
    areas_entry,
    call,
    house_and_garage,
    set_up,
    state,
)
from .helpers import PATIO_DOOR_PIN, advance, drive, open_front_door
from .outlets import (
    BOT_ENTRY_ID,
    FAMILY_CHAT,
    MOBILE,
    MOBILE_ID,
    SEND_MESSAGE,
    Outlets,
    target_subentry,
    telegram_target,
)

ALICE_USER_ID = "a1ice0000000000000000000000000"
ALICE_TELEGRAM = 7
ARMING = AlarmControlPanelState.ARMING
DISARMED = AlarmControlPanelState.DISARMED
REFUSED = "Arming (Away) by Home Assistant refused, in the way: House: Front door."


def alice() -> dict[str, Any]:
    """A user who may arm (no code needed) from the app and Telegram."""
    return {
        "subentry_id": "user_alice",
        "subentry_type": "user",
        "title": "Alice",
        "unique_id": None,
        "data": {
            "can_arm": True,
            "can_disarm": True,
            "enabled": True,
            "telegram_ids": [ALICE_TELEGRAM],
            "ha_user": ALICE_USER_ID,
        },
    }


def alice_s_phone() -> dict[str, Any]:
    return target_subentry(
        MOBILE_ID,
        "Alice's phone",
        kind="mobile_app",
        service="notify.mobile_app_alice_s_phone",
        receives=["state"],
    )


@pytest.fixture
def outlets(hass: HomeAssistant) -> Outlets:
    outlets = Outlets()
    outlets.register(hass)
    return outlets


@pytest.fixture
async def entry(hass: HomeAssistant, outlets: Outlets) -> MockConfigEntry:
    MockUser(id=ALICE_USER_ID, name="Alice").add_to_hass(hass)
    subentries = (alice(), telegram_target(receives=("state",)), alice_s_phone())
    return await set_up(hass, areas_entry(house_and_garage(*subentries)))


async def refused_with_the_front_door_open(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> str:
    """Arm the whole house with the front door open: the house refuses.

    The garage arms. Returns the token of the buttons the app alert offers.
    """
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    with pytest.raises(ServiceValidationError):
        await call(hass, "alarm_arm_away", WHOLE_HOUSE)
    await advance(hass, freezer, 0.1)  # the alerts go out
    assert state(hass, HOUSE) == DISARMED
    assert state(hass, GARAGE) == ARMING
    [alert] = [a for a in outlets.to(MOBILE) if a["message"] == REFUSED]
    retry, bypass = alert["data"]["actions"]
    assert retry["title"] == "Retry"
    assert bypass["title"] == "Arm anyway"
    token = retry["action"].removeprefix("RPI_SECURITY_RETRY_")
    assert bypass["action"] == f"RPI_SECURITY_BYPASS_{token}"
    return token


async def press(hass: HomeAssistant, action: str, user_id: str | None) -> None:
    """A button of an app notification, as mobile_app reports it."""
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": action},
        context=Context(user_id=user_id),
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def telegram(hass: HomeAssistant, event_type: str, text: str) -> None:
    """A command from Alice in the family chat: typed, or a button's data."""
    name, *args = text.split()
    hass.bus.async_fire(
        event_type,
        {
            "command": name,
            "args": args,
            "chat_id": FAMILY_CHAT,
            "user_id": ALICE_TELEGRAM,
            "bot": {"config_entry_id": BOT_ENTRY_ID, "username": "HomeGuardBot"},
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)


async def test_arm_anyway_in_the_app_bypasses_the_sensors_named(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: MockUser,
) -> None:
    token = await refused_with_the_front_door_open(hass, entry, outlets, freezer)
    # Someone not linked to a user of the alarm: nothing happens.
    await press(hass, f"RPI_SECURITY_BYPASS_{token}", hass_admin_user.id)
    assert state(hass, HOUSE) == DISARMED
    await press(hass, f"RPI_SECURITY_BYPASS_{token}", ALICE_USER_ID)
    # Only the area that refused is armed; the garage keeps its exit delay.
    assert state(hass, HOUSE) == ARMING
    assert hass.states.get(HOUSE).attributes["bypassed_sensors"] == ["Front door"]
    assert hass.states.get(HOUSE).attributes["changed_by"] == "Alice (notification)"
    await advance(hass, freezer, 29.9)  # the garage is armed
    await advance(hass, freezer, 0.2)  # then the house
    assert state(hass, GARAGE) == AlarmControlPanelState.ARMED_AWAY
    assert state(hass, HOUSE) == AlarmControlPanelState.ARMED_AWAY


async def test_retry_in_the_app_is_refused_again_while_the_door_is_open(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    token = await refused_with_the_front_door_open(hass, entry, outlets, freezer)
    outlets.calls.clear()
    await press(hass, f"RPI_SECURITY_RETRY_{token}", ALICE_USER_ID)
    assert state(hass, HOUSE) == DISARMED
    # Only the house was asked again (the garage is arming already).
    assert outlets.messages(MOBILE) == [
        "Arming (Away) by Alice (notification) refused, in the way: House: Front door."
    ]


async def test_arm_anyway_is_refused_when_another_sensor_opened_since(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    token = await refused_with_the_front_door_open(hass, entry, outlets, freezer)
    await drive(hass, entry, PATIO_DOOR_PIN, high=False)  # the patio door opens
    await advance(hass, freezer, 0.1)
    outlets.calls.clear()
    await press(hass, f"RPI_SECURITY_BYPASS_{token}", ALICE_USER_ID)
    assert state(hass, HOUSE) == DISARMED
    assert outlets.messages(MOBILE) == [
        (
            "Arming (Away) by Alice (notification) refused, "
            "in the way: House: Front door, Patio door."
        )
    ]


async def test_telegram_buttons_and_commands(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    token = await refused_with_the_front_door_open(hass, entry, outlets, freezer)
    [message] = [m for m in outlets.to(SEND_MESSAGE) if m["message"] == REFUSED]
    assert message["inline_keyboard"] == [
        [["Retry", f"/retry {token}"], ["Arm anyway", f"/bypass {token}"]]
    ]
    outlets.calls.clear()
    await telegram(hass, "telegram_callback", f"/retry {token}")
    assert state(hass, HOUSE) == DISARMED
    # The refusal's alert (with new buttons), then the answer.
    assert outlets.messages(SEND_MESSAGE) == [
        "Arming (Away) by Alice (Telegram) refused, in the way: House: Front door.",
        (
            "Cannot arm House: Front door open or not reporting. Close them, "
            "or arm anyway to bypass exactly these until they close."
        ),
    ]
    # Typed, without a token: the latest refusal.
    await telegram(hass, "telegram_command", "/bypass")
    assert state(hass, HOUSE) == ARMING
    assert hass.states.get(HOUSE).attributes["bypassed_sensors"] == ["Front door"]
    assert hass.states.get(HOUSE).attributes["changed_by"] == "Alice (Telegram)"


async def test_a_choice_expires_after_an_hour(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    token = await refused_with_the_front_door_open(hass, entry, outlets, freezer)
    await advance(hass, freezer, 3601)
    outlets.calls.clear()
    await telegram(hass, "telegram_command", f"/bypass {token}")
    assert state(hass, HOUSE) == DISARMED
    assert outlets.messages(SEND_MESSAGE) == ["That choice has expired: arm again."]
