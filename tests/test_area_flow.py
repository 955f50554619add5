"""An area's flow (settings, each mode's own, cross-zone groups) and their effect."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from .areas import (
    GARAGE_ID,
    HOUSE,
    HOUSE_ID,
    areas_entry,
    call,
    house_and_garage,
    sensor,
    set_up,
    state,
)
from .helpers import (
    FRONT_DOOR_PIN,
    HALLWAY_PIN,
    advance,
    drive,
)
from .live import save_area, shown_values

LANDING_PIN = 5
TRIGGERED = AlarmControlPanelState.TRIGGERED


@pytest.fixture
async def entry(hass: HomeAssistant) -> MockConfigEntry:
    landing = sensor("landing", "motion", "Landing", LANDING_PIN, areas=[HOUSE_ID])
    return await set_up(hass, areas_entry(house_and_garage(landing)))


async def start_adding(hass: HomeAssistant, entry: MockConfigEntry) -> dict[str, Any]:
    return await hass.config_entries.subentries.async_init(
        (entry.entry_id, "area"), context={"source": "user"}
    )


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"name": ""}, {"name": "name_required"}),
        ({"name": "garage"}, {"name": "name_in_use"}),
        ({"exit_delay": 601}, {"exit_delay": "delay_out_of_range"}),
        ({"trigger_time": 0}, {"trigger_time": "trigger_time_out_of_range"}),
        ({"pet_immune_minutes": 61}, {"pet_immune_minutes": "pet_immune_out_of_range"}),
        ({"arm_modes": []}, {"arm_modes": "no_arm_modes"}),
        # A new area has no sensor for custom bypass to watch yet.
        (
            {"arm_modes": ["custom_bypass"]},
            {"arm_modes": "custom_bypass_needs_sensors"},
        ),
        (
            {"code_arm_required": True},
            {"code_arm_required": "code_arm_required_without_code"},
        ),
    ],
)
async def test_adding_an_area_refuses_what_cannot_work(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    changes: dict[str, Any],
    errors: dict[str, str],
) -> None:
    before = dict(entry.subentries)
    result = await start_adding(hass, entry)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**shown_values(result), "name": "Office", **changes}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(entry.subentries) == before


async def test_a_new_area_starts_with_the_usual_settings(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await start_adding(hass, entry)
    assert shown_values(result) == {
        "arm_modes": ["away", "home", "night"],
        "exit_delay": 30,
        "entry_delay": 30,
        "trigger_time": 180,
        "disarm_after_trigger": False,
        "pet_immune_minutes": 0,
        "code_arm_required": False,
        "presence_controls": True,
    }


async def test_each_mode_has_its_own_delays(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    result = await save_area(
        hass,
        entry,
        "modes",
        area_id=HOUSE_ID,
        night={"exit_delay": 5, "entry_delay": 0, "trigger_time": 10},
    )
    assert result["reason"] == "reconfigure_successful"
    assert entry.subentries[HOUSE_ID].data["modes"] == {
        "night": {"exit_delay": 5, "entry_delay": 0, "trigger_time": 10}
    }
    await call(hass, "alarm_arm_night", HOUSE)
    assert hass.states.get(HOUSE).attributes["seconds_left"] == 5
    await advance(hass, freezer, 5)
    assert state(hass, HOUSE) == AlarmControlPanelState.ARMED_NIGHT
    await drive(hass, entry, FRONT_DOOR_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == TRIGGERED  # no entry delay at night
    await advance(hass, freezer, 10)  # the night's trigger time, not the area's 60 s
    assert state(hass, HOUSE) == AlarmControlPanelState.ARMED_NIGHT
    # Away keeps the area's.
    await call(hass, "alarm_disarm", HOUSE)
    await drive(hass, entry, FRONT_DOOR_PIN, high=False)
    await advance(hass, freezer, 0.1)
    await call(hass, "alarm_arm_away", HOUSE)
    assert hass.states.get(HOUSE).attributes["seconds_left"] == 30


async def test_custom_bypass_watches_the_sensors_picked_for_it(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    # Enabling it asks for its sensors first.
    result = await entry.start_subentry_reconfigure_flow(hass, HOUSE_ID)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "settings"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {**shown_values(result), "arm_modes": ["away", "custom_bypass"]},
    )
    assert result["step_id"] == "modes"
    shown = shown_values(result)
    assert set(shown) == {"away", "custom_bypass"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], shown
    )
    assert result["errors"] == {"base": "custom_bypass_needs_sensors"}
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {**shown, "custom_bypass": {"sensors": ["hallway_pir"]}},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    data = entry.subentries[HOUSE_ID].data
    assert data["arm_modes"] == ["away", "custom_bypass"]
    assert data["modes"] == {"custom_bypass": {"sensors": ["hallway_pir"]}}

    features = AlarmControlPanelEntityFeature(
        hass.states.get(HOUSE).attributes["supported_features"]
    )
    assert AlarmControlPanelEntityFeature.ARM_CUSTOM_BYPASS in features
    assert AlarmControlPanelEntityFeature.ARM_NIGHT not in features
    await call(hass, "alarm_arm_custom_bypass", HOUSE)
    await advance(hass, freezer, 30)
    assert state(hass, HOUSE) == AlarmControlPanelState.ARMED_CUSTOM_BYPASS
    # The front door is not watched in this mode; the hallway is.
    await drive(hass, entry, FRONT_DOOR_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == AlarmControlPanelState.ARMED_CUSTOM_BYPASS
    await drive(hass, entry, HALLWAY_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == TRIGGERED


async def test_the_arm_action_takes_custom_bypass_where_it_is_enabled(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "rpi_security",
            "arm",
            {"entity_id": HOUSE, "mode": "custom_bypass"},
            blocking=True,
        )
    assert err.value.translation_key == "arm_mode_not_enabled"
    assert err.value.translation_placeholders == {
        "mode": "custom_bypass",
        "area": "House",
    }
    assert state(hass, HOUSE) == AlarmControlPanelState.DISARMED


async def test_a_cross_zone_group_needs_two_sensors_to_agree(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    result = await save_area(
        hass,
        entry,
        "cross_zone",
        area_id=HOUSE_ID,
        group_1={"sensors": ["hallway_pir", "landing"], "window_s": 60},
    )
    assert result["reason"] == "reconfigure_successful"
    await call(hass, "alarm_arm_away", HOUSE)
    await advance(hass, freezer, 30)
    # One PIR alone: held, reported as unconfirmed.
    await drive(hass, entry, HALLWAY_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == AlarmControlPanelState.ARMED_AWAY
    assert [e.data["cause"] for e in events if e.data["type"] == "unconfirmed"] == [
        "Hallway"
    ]
    # The other one within the window: confirmed, naming both.
    await advance(hass, freezer, 20)
    await drive(hass, entry, LANDING_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert state(hass, HOUSE) == TRIGGERED
    (trip,) = [e.data for e in events if e.data["type"] == "trigger"]
    assert trip["sensors"] == ["Hallway", "Landing"]


@pytest.mark.parametrize(
    ("groups", "error"),
    [
        (
            {"group_1": {"sensors": ["hallway_pir"], "window_s": 60}},
            "cross_zone_needs_two",
        ),
        (
            {
                "group_1": {"sensors": ["hallway_pir", "landing"], "window_s": 60},
                "group_2": {"sensors": ["landing", "front_door"], "window_s": 60},
            },
            "cross_zone_sensor_twice",
        ),
        (
            {"group_1": {"sensors": ["hallway_pir", "landing"], "window_s": 0}},
            "cross_zone_window_out_of_range",
        ),
    ],
)
async def test_cross_zone_groups_that_could_never_work_are_refused(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    groups: dict[str, Any],
    error: str,
) -> None:
    before = dict(entry.subentries[HOUSE_ID].data)
    result = await save_area(hass, entry, "cross_zone", area_id=HOUSE_ID, **groups)
    assert result["errors"] == {"base": error}
    assert dict(entry.subentries[HOUSE_ID].data) == before


async def test_the_modes_page_offers_only_the_area_s_sensors(
    hass: HomeAssistant, entry: MockConfigEntry
) -> None:
    result = await entry.start_subentry_reconfigure_flow(hass, GARAGE_ID)
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "cross_zone"}
    )
    section = result["data_schema"].schema["group_1"]
    sensors = next(
        value for key, value in section.schema.schema.items() if str(key) == "sensors"
    )
    assert [o["label"] for o in sensors.config["options"]] == ["Garage door"]
