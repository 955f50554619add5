"""Users: codes and rights set up in the UI, and the codes of earlier versions."""

from typing import Any

from homeassistant import config_entries
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import Context, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.engine.codes import hash_code, verify_code

from .conftest import sensor_subentries
from .helpers import PANEL, the_area, with_options
from .live import save_area
from .outlets import (
    MOBILE,
    SEND_MESSAGE,
    Outlets,
    all_targets,
    target_subentry,
    telegram_target,
)

BOB_CODE = "1357"


def user(name: str, **data: Any) -> dict[str, Any]:
    return {
        "subentry_id": f"user_{name.lower()}",
        "subentry_type": "user",
        "title": name,
        "unique_id": None,
        "data": {"can_arm": True, "can_disarm": True, "enabled": True, **data},
    }


def bob() -> dict[str, Any]:
    return user(
        "Bob",
        code_hash=hash_code(BOB_CODE, iterations=1000),
        code_format="number",
        telegram_ids=[8],
    )


@pytest.fixture
def options() -> dict[str, Any]:
    return with_options(exit_delay=0)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return [bob()]


async def start_user_flow(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str | None = None
) -> dict[str, Any]:
    if subentry_id is None:
        return await hass.config_entries.subentries.async_init(
            (entry.entry_id, "user"), context={"source": config_entries.SOURCE_USER}
        )
    return await entry.start_subentry_reconfigure_flow(hass, subentry_id)


def answer(**changes: Any) -> dict[str, Any]:
    """The form filled in: a user with every right, no code, no accounts."""
    return {
        "name": "Alice",
        "can_arm": True,
        "can_disarm": True,
        "disarm_without_code": False,
        "enabled": True,
        **changes,
    }


def the_user(entry: MockConfigEntry, name: str) -> config_entries.ConfigSubentry:
    return next(s for s in entry.subentries.values() if s.title == name)


async def disarm(
    hass: HomeAssistant, code: str, context: Context | None = None
) -> None:
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_disarm",
        {"entity_id": PANEL, "code": code},
        blocking=True,
        context=context,
    )


async def arm(hass: HomeAssistant, mode: str, context: Context | None = None) -> None:
    await hass.services.async_call(
        "alarm_control_panel",
        f"alarm_arm_{mode}",
        {"entity_id": PANEL},
        blocking=True,
        context=context,
    )


async def test_add_a_user_with_a_code_and_rights(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    result = await start_user_flow(hass, loaded_entry)
    assert result["type"] is FlowResultType.FORM
    fields = {str(key) for key in result["data_schema"].schema}
    assert "clear_code" not in fields  # only when changing a user
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        answer(
            code="2468",
            duress_code="8642",
            arm_modes=["home", "night"],
            ha_user=hass_admin_user.id,
            telegram_ids=" 7, 70 ",
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    data = the_user(loaded_entry, "Alice").data
    assert "2468" not in str(data)
    assert "8642" not in str(data)
    assert verify_code("2468", data["code_hash"])
    assert verify_code("8642", data["duress_hash"])
    assert data["telegram_ids"] == [7, 70]
    assert hass.states.get(PANEL).attributes["code_format"] == "number"

    # Alice, logged in, may arm home and night only.
    admin = Context(user_id=hass_admin_user.id)
    with pytest.raises(ServiceValidationError) as refused:
        await arm(hass, "away", admin)
    assert refused.value.translation_key == "user_may_not_arm_mode"
    assert str(refused.value) == "Alice may not arm in mode away"
    await arm(hass, "night", admin)
    assert hass.states.get(PANEL).attributes["changed_by"] == "Alice"
    await disarm(hass, "2468")
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": " "}, {"name": "name_required"}),
        ({"name": "BOB"}, {"name": "name_in_use"}),
        ({"code": "123"}, {"code": "code_too_short"}),
        ({"code": BOB_CODE}, {"code": "code_in_use"}),
        ({"duress_code": BOB_CODE}, {"duress_code": "code_in_use"}),
        (
            {"code": "2468", "duress_code": "2468"},
            {"duress_code": "duress_same_as_code"},
        ),
        ({"telegram_ids": "@alice"}, {"telegram_ids": "invalid_telegram_ids"}),
        ({"telegram_ids": "-5"}, {"telegram_ids": "invalid_telegram_ids"}),
        ({"telegram_ids": "9, 8"}, {"telegram_ids": "telegram_id_in_use"}),
        (
            {"can_disarm": False, "disarm_without_code": True},
            {"disarm_without_code": "disarm_without_code_needs_disarm"},
        ),
    ],
)
async def test_user_errors_change_nothing(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    before = dict(loaded_entry.subentries)
    result = await start_user_flow(hass, loaded_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(**changes)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(loaded_entry.subentries) == before


async def test_one_home_assistant_user_is_one_user(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, hass_admin_user: MockUser
) -> None:
    result = await start_user_flow(hass, loaded_entry)
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(ha_user=hass_admin_user.id)
    )
    result = await start_user_flow(hass, loaded_entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(name="Carol", ha_user=hass_admin_user.id)
    )
    assert result["errors"] == {"ha_user": "ha_user_in_use"}


async def test_change_a_user_keeping_or_removing_codes(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    bob_id = the_user(loaded_entry, "Bob").subentry_id
    result = await start_user_flow(hass, loaded_entry, bob_id)
    # The form shows the user, never a code or its hash.
    suggested = {
        str(key): key.description.get("suggested_value")
        for key in result["data_schema"].schema
        if key.description
    }
    assert suggested["name"] == "Bob"
    assert suggested["telegram_ids"] == "8"
    assert suggested.get("code") is None
    assert "code_hash" not in suggested

    # Empty code fields keep the codes; a new duress code is added.
    stored = the_user(loaded_entry, "Bob").data["code_hash"]
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(name="Bob", duress_code="9753", telegram_ids="8")
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    data = the_user(loaded_entry, "Bob").data
    assert data["code_hash"] == stored
    assert verify_code("9753", data["duress_hash"])

    # A new code of letters: the keypad becomes a text field.
    result = await start_user_flow(hass, loaded_entry, bob_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(name="Bob", code="open sesame")
    )
    await hass.async_block_till_done()
    assert hass.states.get(PANEL).attributes["code_format"] == "text"

    # Without codes nobody needs one.
    result = await start_user_flow(hass, loaded_entry, bob_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        answer(name="Bob", clear_code=True, clear_duress_code=True),
    )
    await hass.async_block_till_done()
    assert hass.states.get(PANEL).attributes["code_format"] is None
    await arm(hass, "away")
    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
    )
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED


async def test_a_code_cannot_be_the_user_s_own_duress_code(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    bob_id = the_user(loaded_entry, "Bob").subentry_id
    result = await start_user_flow(hass, loaded_entry, bob_id)
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(name="Bob", duress_code="9753")
    )
    await hass.async_block_till_done()
    result = await start_user_flow(hass, loaded_entry, bob_id)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(name="Bob", code="9753")
    )
    assert result["errors"] == {"code": "code_in_use"}


async def test_a_disabled_user_s_code_is_wrong(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await arm(hass, "away")
    bob_id = the_user(loaded_entry, "Bob").subentry_id
    result = await start_user_flow(hass, loaded_entry, bob_id)
    await hass.config_entries.subentries.async_configure(
        result["flow_id"], answer(name="Bob", enabled=False)
    )
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as refused:
        await disarm(hass, BOB_CODE)
    assert refused.value.translation_key == "invalid_code"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY


@pytest.mark.parametrize(
    "extra_subentries",
    [
        [
            bob(),
            user(
                "Carol",
                code_hash=hash_code("2222", iterations=1000),
                duress_hash=hash_code("2229", iterations=1000),
            ),
            telegram_target(receives=("alarm",)),
            target_subentry(
                "target_state",
                "Kitchen tablet",
                kind="mobile_app",
                service="notify.mobile_app_alice_s_phone",
                receives=["state"],
            ),
        ]
    ],
)
async def test_a_duress_code_disarms_and_raises_a_silent_alarm(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    outlets = Outlets()
    outlets.register(hass)
    events = async_capture_events(hass, "rpi_security_event")
    await arm(hass, "away")
    await hass.async_block_till_done(wait_background_tasks=True)
    outlets.calls.clear()
    await disarm(hass, "2229")
    await hass.async_block_till_done(wait_background_tasks=True)
    # At the panel it looks like any disarm by Carol.
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.DISARMED
    assert state.attributes["changed_by"] == "Carol"
    assert outlets.messages(MOBILE) == ["Disarmed by Carol."]
    (silent,) = outlets.messages(SEND_MESSAGE)
    assert silent.startswith("Silent alarm: Carol entered the duress code at ")
    assert [e.data["type"] for e in events][-2:] == ["state_changed", "duress"]


async def test_require_a_code_to_arm(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await save_area(hass, loaded_entry, code_arm_required=True)
    assert result["reason"] == "reconfigure_successful"
    assert hass.states.get(PANEL).attributes["code_arm_required"] is True


@pytest.mark.parametrize("extra_subentries", [[user("Guest")]])
async def test_requiring_a_code_to_arm_needs_a_user_with_a_code(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    area = the_area(loaded_entry)
    before = dict(loaded_entry.subentries[area].data)
    result = await save_area(hass, loaded_entry, code_arm_required=True)
    assert result["errors"] == {"code_arm_required": "code_arm_required_without_code"}
    assert dict(loaded_entry.subentries[area].data) == before


async def test_the_code_of_an_earlier_version_keeps_working(
    hass: HomeAssistant, hass_admin_user: MockUser
) -> None:
    """Version 1.1 kept one code in the options: it becomes the user Owner."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data={"name": "Home", "simulation": True},
        options=with_options(
            exit_delay=0,
            code_hash=hash_code("4321", iterations=1000),
            code_format="number",
            code_arm_required=True,
            disarm_users=[hass_admin_user.id],
        ),
        subentries_data=[*sensor_subentries(), *all_targets()],
        version=1,
        minor_version=1,
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.minor_version == 3
    assert "code_hash" not in entry.options
    assert "disarm_users" not in entry.options
    owner = the_user(entry, "Owner")
    assert verify_code("4321", owner.data["code_hash"])
    notifier = the_user(entry, hass_admin_user.name)
    assert notifier.data["ha_user"] == hass_admin_user.id
    assert notifier.data["disarm_without_code"] is True
    assert "code_hash" not in notifier.data

    state = hass.states.get(PANEL)
    assert state.attributes["code_format"] == "number"
    assert state.attributes["code_arm_required"] is True
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_arm_away",
        {"entity_id": PANEL, "code": "4321"},
        blocking=True,
    )
    await disarm(hass, "4321")
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.DISARMED
    assert state.attributes["changed_by"] == "Owner"
    # The Disarm button is still offered: someone may use it.
    assert entry.runtime_data.config.alerts.disarm_users == {hass_admin_user.id}
