"""Areas: each armed on its own, the whole house together, alerts naming them."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.engine.codes import hash_code

from .areas import (
    GARAGE,
    GARAGE_DOOR,
    GARAGE_DOOR_ID,
    GARAGE_DOOR_PIN,
    GARAGE_ID,
    HOUSE,
    HOUSE_ID,
    WHOLE_HOUSE,
    areas_entry,
    call,
    house_and_garage,
    set_up,
    state,
)
from .helpers import (
    advance,
    drive,
    open_front_door,
    system_of,
)
from .live import remove, save_area, shown_values, watching
from .outlets import SEND_MESSAGE, Outlets, telegram_target

ARMED_AWAY = AlarmControlPanelState.ARMED_AWAY
DISARMED = AlarmControlPanelState.DISARMED


@pytest.fixture
async def entry(hass: HomeAssistant) -> MockConfigEntry:
    return await set_up(hass, areas_entry(house_and_garage(telegram_target())))


@pytest.fixture
def outlets(hass: HomeAssistant) -> Outlets:
    outlets = Outlets()
    outlets.register(hass)
    return outlets


async def open_garage_door(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    await drive(hass, entry, GARAGE_DOOR_PIN, high=True)


async def test_each_area_has_its_panel_device_and_countdown(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    registry = er.async_get(hass)
    devices = dr.async_get(hass)
    for panel, area_id, name in (
        (HOUSE, HOUSE_ID, "House"),
        (GARAGE, GARAGE_ID, "Garage"),
    ):
        assert state(hass, panel) == DISARMED
        entity = registry.async_get(panel)
        device = devices.async_get(entity.device_id)
        assert device.name == name
        assert (DOMAIN, area_id) in device.identifiers
        # Via the system's device, and removed with the area's subentry.
        assert device.via_device_id == system_of(entry).device_id
        assert entity.config_subentry_id == area_id
    # The house's panel is the system's first one (its unique id, the entry's).
    assert registry.async_get(HOUSE).unique_id == entry.entry_id
    assert state(hass, "sensor.house_delay_ends") == "unknown"
    assert state(hass, WHOLE_HOUSE) == DISARMED


async def test_areas_are_armed_and_go_off_on_their_own(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await call(hass, "alarm_arm_away", GARAGE)
    await advance(hass, freezer, 30)
    assert state(hass, GARAGE) == ARMED_AWAY
    assert state(hass, HOUSE) == DISARMED
    # Partly armed: the whole house says so.
    whole = hass.states.get(WHOLE_HOUSE)
    assert whole.state == AlarmControlPanelState.ARMED_CUSTOM_BYPASS
    assert whole.attributes["mixed"] is True
    assert whole.attributes["areas"] == {"House": "disarmed", "Garage": "armed_away"}

    # The front door (the house) changes nothing; the garage door sets the
    # garage off after its entry delay.
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == DISARMED
    await open_garage_door(hass, entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, GARAGE) == AlarmControlPanelState.PENDING
    assert state(hass, WHOLE_HOUSE) == AlarmControlPanelState.PENDING
    await advance(hass, freezer, 20)
    assert state(hass, GARAGE) == AlarmControlPanelState.TRIGGERED
    assert state(hass, WHOLE_HOUSE) == AlarmControlPanelState.TRIGGERED
    assert state(hass, HOUSE) == DISARMED
    # Events name the area and its panel.
    triggered = [
        e.data
        for e in events
        if e.data["type"] == "state_changed" and e.data["state"] == "triggered"
    ]
    assert triggered == [
        {
            "type": "state_changed",
            "state": "triggered",
            "previous_state": "pending",
            "cause": "Garage door",
            "cause_entity_id": GARAGE_DOOR,
            "sensors": ["Garage door"],
            "alarm": "intrusion",
            "changed_by": None,
            "area": GARAGE_ID,
            "area_name": "Garage",
            "entity_id": GARAGE,
            "offline": False,
        }
    ]


async def test_alerts_name_the_area(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    await call(hass, "alarm_arm_away", GARAGE)
    await advance(hass, freezer, 30)
    await open_garage_door(hass, entry)
    await advance(hass, freezer, 20.1)
    messages = outlets.messages(SEND_MESSAGE)
    assert messages[:3] == [
        "Garage: Arming (Away) by Home Assistant: 30 s to leave.",
        "Garage: Armed (Away) by Home Assistant.",
        "Garage: Garage door opened: disarm within 20 s.",
    ]
    assert messages[3].startswith("Garage: Alarm! Garage door at ")


async def test_the_whole_house_arms_every_area_and_names_those_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await open_garage_door(hass, entry)
    await advance(hass, freezer, 0.1)
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "alarm_arm_away", WHOLE_HOUSE)
    # The garage door never leaves the house unguarded.
    assert err.value.translation_key == "areas_refused"
    assert err.value.translation_placeholders == {
        "armed": "House",
        "refused": "Garage (Garage door)",
    }
    await advance(hass, freezer, 30)
    assert state(hass, HOUSE) == ARMED_AWAY
    assert state(hass, GARAGE) == DISARMED
    refused = [e.data for e in events if e.data["type"] == "arming_refused"]
    assert [(r["area"], r["open_doors"], r["entity_id"]) for r in refused] == [
        (GARAGE_ID, ["Garage door"], GARAGE)
    ]
    assert (
        "Arming (Away) by Home Assistant refused, in the way: Garage: Garage door."
        in outlets.messages(SEND_MESSAGE)
    )
    # Disarming the whole house disarms every area.
    await call(hass, "alarm_disarm", WHOLE_HOUSE)
    assert state(hass, HOUSE) == DISARMED
    await drive(hass, entry, GARAGE_DOOR_PIN, high=False)
    await advance(hass, freezer, 0.1)
    await call(hass, "alarm_arm_night", WHOLE_HOUSE)
    await advance(hass, freezer, 30)
    assert state(hass, WHOLE_HOUSE) == AlarmControlPanelState.ARMED_NIGHT
    assert hass.states.get(WHOLE_HOUSE).attributes["mixed"] is False


async def test_the_whole_house_offers_the_modes_every_area_has(
    hass: HomeAssistant,
) -> None:
    await set_up(hass, areas_entry(house_and_garage(arm_modes=["away", "vacation"])))
    features = AlarmControlPanelEntityFeature(
        hass.states.get(WHOLE_HOUSE).attributes["supported_features"]
    )
    assert AlarmControlPanelEntityFeature.ARM_AWAY in features
    assert AlarmControlPanelEntityFeature.ARM_HOME not in features
    assert AlarmControlPanelEntityFeature.ARM_VACATION not in features


async def test_without_the_option_there_is_no_whole_house_panel(
    hass: HomeAssistant,
) -> None:
    await set_up(hass, areas_entry(house_and_garage(), {"house_panel": False}))
    assert hass.states.get(WHOLE_HOUSE) is None
    assert state(hass, HOUSE) == DISARMED


async def add_area(hass: HomeAssistant, entry: MockConfigEntry, name: str) -> str:
    """Add an area as a person does; its id."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "area"), context={"source": "user"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**shown_values(result), "name": name}
    )
    assert result["type"] == "create_entry", result.get("errors")
    await hass.async_block_till_done(wait_background_tasks=True)
    return next(s.subentry_id for s in entry.subentries.values() if s.title == name)


async def test_areas_come_and_go_live(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    system = system_of(entry)
    await call(hass, "alarm_arm_away", HOUSE)
    await advance(hass, freezer, 30)
    last_changed = hass.states.get(HOUSE).last_changed
    with watching(hass) as changes:
        office = await add_area(hass, entry, "Garden office")
    assert system_of(entry) is system  # not reloaded
    assert state(hass, "alarm_control_panel.garden_office") == DISARMED
    assert set(changes.entity_ids) <= {
        "alarm_control_panel.garden_office",
        "sensor.garden_office_delay_ends",
        WHOLE_HOUSE,
    }
    assert hass.states.get(HOUSE).last_changed == last_changed
    assert set(hass.states.get(WHOLE_HOUSE).attributes["areas"]) == {
        "House",
        "Garage",
        "Garden office",
    }

    # The garage goes: its panel and device with it; its door guards the
    # first area rather than nothing.
    await remove(hass, entry, GARAGE_ID)
    assert hass.states.get(GARAGE) is None
    assert er.async_get(hass).async_get(GARAGE) is None
    assert state(hass, HOUSE) == ARMED_AWAY
    await open_garage_door(hass, entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == AlarmControlPanelState.PENDING

    # Down to one area: no whole-house panel.
    await call(hass, "alarm_disarm", HOUSE)
    await remove(hass, entry, office)
    assert hass.states.get(WHOLE_HOUSE) is None
    assert er.async_get(hass).async_get(WHOLE_HOUSE) is None


async def test_the_last_area_removed_raises_an_issue(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await remove(hass, entry, GARAGE_ID)
    await remove(hass, entry, HOUSE_ID)
    assert (DOMAIN, "no_areas") in ir.async_get(hass).issues
    # The sensors are still shown; nothing guards.
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, "binary_sensor.front_door") == "on"
    await add_area(hass, entry, "Cottage")
    assert state(hass, "alarm_control_panel.cottage") == DISARMED
    assert (DOMAIN, "no_areas") not in ir.async_get(hass).issues


async def test_a_sensor_moved_to_another_area_keeps_its_pin_and_entity(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, "alarm_arm_away", HOUSE)
    await advance(hass, freezer, 30)
    result = await entry.start_subentry_reconfigure_flow(hass, GARAGE_DOOR_ID)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], shown_values(result)
    )
    assert result["step_id"] == "behaviour"
    with watching(hass) as changes:
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {**shown_values(result), "areas": [HOUSE_ID]}
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    assert result["reason"] == "reconfigure_successful"
    assert GARAGE_DOOR not in changes.entity_ids
    await open_garage_door(hass, entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == AlarmControlPanelState.PENDING
    assert state(hass, GARAGE) == DISARMED


async def test_an_area_s_settings_change_live(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await save_area(hass, entry, area_id=GARAGE_ID, exit_delay=5, name="Workshop")
    assert hass.states.get(GARAGE).attributes["friendly_name"] == "Workshop"
    await call(hass, "alarm_arm_away", GARAGE)
    assert hass.states.get(GARAGE).attributes["seconds_left"] == 5
    # The house kept its own.
    await call(hass, "alarm_arm_away", HOUSE)
    assert hass.states.get(HOUSE).attributes["seconds_left"] == 30


@pytest.mark.parametrize(
    "user_data",
    [{"areas": [GARAGE_ID]}],
)
async def test_a_user_limited_to_an_area(
    hass: HomeAssistant, user_data: dict[str, Any]
) -> None:
    garage_user = {
        "subentry_id": "user_gary",
        "subentry_type": "user",
        "title": "Gary",
        "unique_id": None,
        "data": {
            "code_hash": hash_code("1357", iterations=1000),
            "code_format": "number",
            "can_arm": True,
            "can_disarm": True,
            "enabled": True,
            **user_data,
        },
    }
    subentries = house_and_garage(garage_user, code_arm_required=True)
    subentries[0]["data"]["code_arm_required"] = True  # the house too
    await set_up(hass, areas_entry(subentries))
    await call(hass, "alarm_arm_away", GARAGE, code="1357")
    assert state(hass, GARAGE) == AlarmControlPanelState.ARMING
    with pytest.raises(ServiceValidationError) as err:
        await call(hass, "alarm_arm_away", HOUSE, code="1357")
    assert err.value.translation_key == "user_may_not_area"
    assert err.value.translation_placeholders == {"user": "Gary", "area": "House"}
    # Nor the whole house: the house is not theirs.
    with pytest.raises(ServiceValidationError):
        await call(hass, "alarm_disarm", WHOLE_HOUSE, code="1357")
    assert state(hass, GARAGE) == AlarmControlPanelState.ARMING
    assert state(hass, HOUSE) == DISARMED


async def test_presence_arms_and_disarms_only_the_areas_it_controls(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set("person.carol", "home")
    carol = {
        "subentry_id": "presence_carol",
        "subentry_type": "presence_entity",
        "title": "Carol",
        "unique_id": "person.carol",
        "data": {"entity_id": "person.carol"},
    }
    await set_up(hass, areas_entry(house_and_garage(carol, presence_controls=False)))
    await call(hass, "alarm_arm_home", GARAGE)
    hass.states.async_set("person.carol", "work")
    await hass.async_block_till_done()
    assert state(hass, HOUSE) == AlarmControlPanelState.ARMING
    assert hass.states.get(HOUSE).attributes["changed_by"] == "presence"
    assert state(hass, GARAGE) == AlarmControlPanelState.ARMING  # as it was
    await advance(hass, freezer, 30)
    assert state(hass, GARAGE) == AlarmControlPanelState.ARMED_HOME
    hass.states.async_set("person.carol", "home")
    await hass.async_block_till_done()
    assert state(hass, HOUSE) == DISARMED
    # The garage, armed by hand and not presence's to control, stays armed.
    assert state(hass, GARAGE) == AlarmControlPanelState.ARMED_HOME
