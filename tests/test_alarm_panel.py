"""The alarm panel driven through Home Assistant, with sensors moved at the pins."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
)

from custom_components.rpi_security.engine.codes import hash_code

from .helpers import (
    FRONT_DOOR,
    HALLWAY,
    PANEL,
    PATIO_DOOR,
    PATIO_DOOR_PIN,
    advance,
    close_front_door,
    drive,
    motion,
    open_front_door,
    with_options,
)

DEBOUNCE = 0.1  # the test doors' debounce time


async def call_panel(
    hass: HomeAssistant,
    service: str,
    code: str | None = None,
    context: Context | None = None,
) -> None:
    data: dict[str, Any] = {"entity_id": PANEL}
    if code is not None:
        data["code"] = code
    await hass.services.async_call(
        "alarm_control_panel", service, data, blocking=True, context=context
    )


def panel_state(hass: HomeAssistant) -> str:
    return hass.states.get(PANEL).state


async def test_away_journey_from_arming_to_triggered_and_back(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_admin_user: MockUser,
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await call_panel(
        hass, "alarm_arm_away", context=Context(user_id=hass_admin_user.id)
    )
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.ARMING
    assert state.attributes["next_state"] == "armed_away"
    assert state.attributes["seconds_left"] == 30
    assert state.attributes["changed_by"] == hass_admin_user.name

    await advance(hass, freezer, 10)
    assert hass.states.get(PANEL).attributes["seconds_left"] == 20
    await advance(hass, freezer, 20)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY

    await open_front_door(hass, loaded_entry)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY  # debouncing
    await advance(hass, freezer, DEBOUNCE)
    assert hass.states.get(FRONT_DOOR).state == "on"
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.PENDING
    assert state.attributes["cause"] == "Front door"
    assert state.attributes["open_sensors"] == ["Front door"]
    assert state.attributes["next_state"] == "triggered"

    await advance(hass, freezer, 20)
    assert panel_state(hass) == AlarmControlPanelState.TRIGGERED
    await advance(hass, freezer, 60)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY

    kinds = [(e.data["type"], e.data["state"]) for e in events]
    assert kinds == [
        ("state_changed", "arming"),
        ("state_changed", "armed_away"),
        ("trigger", "armed_away"),
        ("state_changed", "pending"),
        ("state_changed", "triggered"),
        ("state_changed", "armed_away"),
    ]
    trigger = events[2].data
    assert trigger["cause"] == "Front door"
    assert trigger["cause_entity_id"] == FRONT_DOOR
    assert trigger["entity_id"] == PANEL
    assert events[3].data["previous_state"] == "armed_away"
    assert events[1].data["changed_by"] == hass_admin_user.name


@pytest.mark.parametrize("options", [with_options(exit_delay=0)])
async def test_home_mode_ignores_motion_but_not_doors(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    await call_panel(hass, "alarm_arm_home")
    await advance(hass, freezer, 30)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_HOME
    await motion(hass, loaded_entry, on=True)
    assert hass.states.get(HALLWAY).state == "on"
    assert panel_state(hass) == AlarmControlPanelState.ARMED_HOME
    # The patio door is normally open: its line goes low when it opens.
    await drive(hass, loaded_entry, PATIO_DOOR_PIN, high=False)
    await advance(hass, freezer, DEBOUNCE)
    assert hass.states.get(PATIO_DOOR).state == "on"
    assert panel_state(hass) == AlarmControlPanelState.PENDING


async def test_motion_triggers_away_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call_panel(hass, "alarm_arm_away")
    await advance(hass, freezer, 30)
    await motion(hass, loaded_entry, on=True)
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.TRIGGERED
    assert state.attributes["cause"] == "Hallway"


@pytest.mark.parametrize(
    "options", [with_options(pet_immune_minutes=5, entry_delay=0, trigger_time=10)]
)
async def test_pet_immune_window(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    config_entry = loaded_entry
    await call_panel(hass, "alarm_arm_away")
    await advance(hass, freezer, 30)

    # The cat: motion with no door.
    await motion(hass, config_entry, on=True)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY
    await motion(hass, config_entry, on=False)

    # A door opens (the alarm goes off, then re-arms) and motion follows.
    await open_front_door(hass, config_entry)
    await advance(hass, freezer, DEBOUNCE)
    assert panel_state(hass) == AlarmControlPanelState.TRIGGERED
    await advance(hass, freezer, 10)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY
    await motion(hass, config_entry, on=True)
    assert panel_state(hass) == AlarmControlPanelState.TRIGGERED
    await advance(hass, freezer, 10)
    await motion(hass, config_entry, on=False)

    # Five minutes after the door, motion is the cat again.
    await advance(hass, freezer, 5 * 60)
    await motion(hass, config_entry, on=True)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY


@pytest.mark.parametrize(
    "options", [with_options(pet_immune_minutes=5, entry_delay=20, exit_delay=0)]
)
async def test_disarming_closes_the_pet_immune_window(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Issue 12 (6): the door of before the disarm opened the window for the cat."""
    await call_panel(hass, "alarm_arm_away")
    # The owner comes home: the door opens, they disarm, and close it.
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, DEBOUNCE)
    assert panel_state(hass) == AlarmControlPanelState.PENDING
    await call_panel(hass, "alarm_disarm")
    await close_front_door(hass, loaded_entry)
    await advance(hass, freezer, 60)
    # A minute later they leave again; the cat walks by.
    await call_panel(hass, "alarm_arm_away")
    await motion(hass, loaded_entry, on=True)
    await advance(hass, freezer, DEBOUNCE)
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY


async def test_arming_with_a_door_open_is_refused_then_forced(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, DEBOUNCE)
    with pytest.raises(ServiceValidationError) as err:
        await call_panel(hass, "alarm_arm_away")
    assert err.value.translation_key == "doors_open"
    assert err.value.translation_placeholders == {"doors": "Front door", "area": "Home"}
    assert "Front door" in str(err.value)
    assert panel_state(hass) == AlarmControlPanelState.DISARMED
    assert [e.data["type"] for e in events] == ["arming_refused"]
    assert events[0].data["open_doors"] == ["Front door"]

    await hass.services.async_call(
        "rpi_security",
        "arm",
        {"entity_id": PANEL, "mode": "away", "force": True},
        blocking=True,
    )
    await advance(hass, freezer, 30)
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.ARMED_AWAY
    assert state.attributes["bypassed_sensors"] == ["Front door"]

    # Once it closes it guards again.
    await close_front_door(hass, loaded_entry)
    await advance(hass, freezer, DEBOUNCE)
    assert hass.states.get(PANEL).attributes["bypassed_sensors"] == []
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, DEBOUNCE)
    assert panel_state(hass) == AlarmControlPanelState.PENDING


async def test_arm_action_refuses_a_mode_that_is_not_enabled(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "rpi_security",
            "arm",
            {"entity_id": PANEL, "mode": "vacation"},
            blocking=True,
        )
    assert err.value.translation_key == "arm_mode_not_enabled"
    assert panel_state(hass) == AlarmControlPanelState.DISARMED


async def test_arming_while_triggered_is_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await call_panel(hass, "alarm_trigger")
    assert panel_state(hass) == AlarmControlPanelState.TRIGGERED
    with pytest.raises(ServiceValidationError) as err:
        await call_panel(hass, "alarm_arm_home")
    assert err.value.translation_key == "disarm_first"
    assert panel_state(hass) == AlarmControlPanelState.TRIGGERED
    await call_panel(hass, "alarm_disarm")
    assert panel_state(hass) == AlarmControlPanelState.DISARMED


CODED = with_options(
    exit_delay=0,
    code_hash=hash_code("4321", iterations=1000),
    code_format="number",
    code_arm_required=True,
)


@pytest.mark.parametrize("options", [CODED])
async def test_code_is_needed_to_arm_and_disarm(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    state = hass.states.get(PANEL)
    assert state.attributes["code_format"] == "number"
    assert state.attributes["code_arm_required"] is True

    with pytest.raises(ServiceValidationError):
        await call_panel(hass, "alarm_arm_away")  # Home Assistant's own check
    await call_panel(hass, "alarm_arm_away", code="4321")
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY

    with pytest.raises(ServiceValidationError) as err:
        await call_panel(hass, "alarm_disarm")
    assert err.value.translation_key == "code_required"
    with pytest.raises(ServiceValidationError) as err:
        await call_panel(hass, "alarm_disarm", code="0000")
    assert err.value.translation_key == "invalid_code"
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY
    await call_panel(hass, "alarm_disarm", code="4321")
    assert panel_state(hass) == AlarmControlPanelState.DISARMED


@pytest.mark.parametrize("options", [CODED])
async def test_wrong_codes_lock_out_for_five_minutes(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bad_codes = async_capture_events(hass, "rpi_security_bad_code")
    await call_panel(hass, "alarm_arm_away", code="4321")
    for attempt in range(5):
        with pytest.raises(ServiceValidationError) as err:
            await call_panel(hass, "alarm_disarm", code=f"999{attempt}")
        assert err.value.translation_key == "invalid_code"
        await advance(hass, freezer, 30)
    assert [e.data["failures"] for e in bad_codes] == [1, 2, 3, 4, 5]
    assert [e.data["locked_out"] for e in bad_codes] == [False] * 4 + [True]
    assert bad_codes[0].data["entity_id"] == PANEL
    assert "code" not in bad_codes[0].data

    # Even the right code is refused during the lock-out.
    with pytest.raises(ServiceValidationError) as err:
        await call_panel(hass, "alarm_disarm", code="4321")
    assert err.value.translation_key == "code_locked_out"
    assert err.value.translation_placeholders == {"minutes": "5"}  # 270 s left
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY

    await advance(hass, freezer, 5 * 60)
    await call_panel(hass, "alarm_disarm", code="4321")
    assert panel_state(hass) == AlarmControlPanelState.DISARMED
    # The wrong codes were logged, never the codes themselves.
    assert "Wrong alarm code" in caplog.text
    for attempt in range(5):
        assert f"999{attempt}" not in caplog.text


@pytest.mark.parametrize("options", [with_options(exit_delay=0)])
async def test_existing_entities_as_door_and_motion(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.states.async_set("binary_sensor.zigbee_back_door", "off")
    hass.states.async_set("binary_sensor.zigbee_kitchen_motion", "off")
    config_entry.add_to_hass(hass)
    for subentry_type, entity_id, title in (
        ("door", "binary_sensor.zigbee_back_door", "Back door"),
        ("motion", "binary_sensor.zigbee_kitchen_motion", "Kitchen"),
    ):
        hass.config_entries.async_add_subentry(
            config_entry,
            _subentry(subentry_type, entity_id, title),
        )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    events = async_capture_events(hass, "rpi_security_event")

    await call_panel(hass, "alarm_arm_home")
    hass.states.async_set("binary_sensor.zigbee_kitchen_motion", "on")
    await hass.async_block_till_done()
    assert panel_state(hass) == AlarmControlPanelState.ARMED_HOME
    hass.states.async_set("binary_sensor.zigbee_back_door", "on")
    await hass.async_block_till_done()
    assert panel_state(hass) == AlarmControlPanelState.PENDING
    trigger = next(e for e in events if e.data["type"] == "trigger")
    assert trigger.data["cause"] == "Back door"
    assert trigger.data["cause_entity_id"] == "binary_sensor.zigbee_back_door"


@pytest.mark.parametrize("options", [with_options(exit_delay=0)])
async def test_an_entity_that_drops_out_keeps_its_last_level(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.states.async_set("binary_sensor.zigbee_back_door", "off")
    config_entry.add_to_hass(hass)
    hass.config_entries.async_add_subentry(
        config_entry, _subentry("door", "binary_sensor.zigbee_back_door", "Back door")
    )
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await call_panel(hass, "alarm_arm_away")
    hass.states.async_set("binary_sensor.zigbee_back_door", "unavailable")
    await hass.async_block_till_done()
    assert panel_state(hass) == AlarmControlPanelState.ARMED_AWAY
    # It comes back open: the door opened meanwhile, which trips the alarm.
    hass.states.async_set("binary_sensor.zigbee_back_door", "on")
    await hass.async_block_till_done()
    assert panel_state(hass) == AlarmControlPanelState.PENDING


def _subentry(subentry_type: str, entity_id: str, title: str) -> Any:
    from homeassistant.config_entries import ConfigSubentry  # noqa: PLC0415

    return ConfigSubentry(
        data={"source": "entity", "entity_id": entity_id},
        subentry_type=subentry_type,
        title=title,
        unique_id=f"entity_{entity_id}",
    )
