"""An installation from before areas becomes one area, with nothing lost.

The entry and the state file below are what version 1.2 wrote: the alarm's
settings in the options, sensors without areas or options, and the one
alarm's state under ``alarm``. The panel was registered with the entry id as
its unique id, and its user gave it an entity id of their own.
"""

import time
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
)

from custom_components.rpi_security.const import DOMAIN

from .areas import area, areas_entry, house_and_garage, set_up
from .conftest import sensor_subentries
from .helpers import (
    FRONT_DOOR_ID,
    HALLWAY_PIR_ID,
    PATIO_DOOR_ID,
    advance,
    motion,
)

MY_PANEL = "alarm_control_panel.my_alarm"

# The options of version 1.2 (as its options flow saved them).
OPTIONS_1_2: dict[str, Any] = {
    "exit_delay": 45,
    "entry_delay": 20,
    "trigger_time": 60,
    "disarm_after_trigger": False,
    "arm_modes": ["away", "home", "night", "vacation"],
    "motion_uses_entry_delay": True,
    "pet_immune_minutes": 0,
    "code_arm_required": False,
    "lan_interface": None,
    "monitor_interface": None,
    "away_timeout": 10,
    "arp_tries": 3,
    "confirm_rounds": 3,
    "round_spacing": 1,
    "departure_mode": "away",
    "disarm_policy": "always",
    "camera_source": "none",
    "camera_device": "/dev/video0",
    "camera_entity": None,
    "resolution": "640x480",
    "rotation": "0",
    "hflip": False,
    "vflip": False,
    "frame_rate": 5,
    "camera_motion": True,
    "camera_motion_alarm": False,
    "burst_photos": 3,
    "gif_seconds": 3,
    "record_clip": False,
    "clip_seconds": 10,
    "capture_interval": 30,
    "retention_gb": 2,
    "retention_days": 30,
    "min_free_mb": 500,
    "rate_limit": 120,
    "heartbeat_url": None,
    "heartbeat_minutes": 5,
}


def old_state(now: float) -> dict[str, Any]:
    """The state file of 1.2: the front door opened while armed away, 12 s left."""
    return {
        "alarm": {
            "state": "pending",
            "previous_state": "armed_away",
            "return_state": "armed_away",
            "armed_mode": "away",
            "cause": FRONT_DOOR_ID,
            "cause_offline": False,
            "changed_by": "Owner",
            "delay_left": 12.0,
            "bypassed": [],
            "last_door_open": now - 8,
            "levels": {
                FRONT_DOOR_ID: True,
                PATIO_DOOR_ID: False,
                HALLWAY_PIR_ID: False,
            },
        },
        "auto_arm": {"enabled": True, "armed_by_presence": False},
    }


@pytest.fixture
def old_entry(hass: HomeAssistant, hass_storage: dict[str, Any]) -> MockConfigEntry:
    """Version 1.2's entry, its state file, and its registered panel."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data={"name": "Home", "simulation": True},
        options=OPTIONS_1_2,
        subentries_data=sensor_subentries(),
        version=1,
        minor_version=2,
    )
    entry.add_to_hass(hass)
    key = f"{DOMAIN}.{entry.entry_id}"
    hass_storage[key] = {"version": 1, "key": key, "data": old_state(time.time())}
    er.async_get(hass).async_get_or_create(
        "alarm_control_panel",
        DOMAIN,
        entry.entry_id,
        suggested_object_id="my_alarm",
        config_entry=entry,
    )
    return entry


async def test_the_options_become_one_area_and_the_sensors_join_it(
    hass: HomeAssistant, old_entry: MockConfigEntry
) -> None:
    await set_up(hass, old_entry)
    assert old_entry.minor_version == 3
    [home] = [s for s in old_entry.subentries.values() if s.subentry_type == "area"]
    assert home.title == "Home"
    assert dict(home.data) == {
        "arm_modes": ["away", "home", "night", "vacation"],
        "exit_delay": 45,
        "entry_delay": 20,
        "trigger_time": 60,
        "disarm_after_trigger": False,
        "pet_immune_minutes": 0,
        "code_arm_required": False,
        "presence_controls": True,
        "system_panel": True,
    }
    for key in ("exit_delay", "arm_modes", "motion_uses_entry_delay"):
        assert key not in old_entry.options
    assert old_entry.options["rate_limit"] == 120  # the rest stays
    for sensor_id in (FRONT_DOOR_ID, PATIO_DOOR_ID, HALLWAY_PIR_ID):
        assert old_entry.subentries[sensor_id].data["areas"] == [home.subentry_id]
    # "Motion uses the entry delay" became the PIR's own option.
    assert old_entry.subentries[HALLWAY_PIR_ID].data["use_entry_delay"] is True
    assert "use_entry_delay" not in old_entry.subentries[FRONT_DOOR_ID].data


async def test_the_panel_keeps_its_entity_id_and_its_state(
    hass: HomeAssistant,
    old_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    await set_up(hass, old_entry)
    panel = hass.states.get(MY_PANEL)
    # The entry delay goes on with the time it had left.
    assert panel.state == AlarmControlPanelState.PENDING
    assert panel.attributes["seconds_left"] == 12
    assert panel.attributes["cause"] == "Front door"
    assert panel.attributes["changed_by"] == "Owner"
    assert hass.states.get("alarm_control_panel.home") is None
    entity = er.async_get(hass).async_get(MY_PANEL)
    area_id = next(
        s.subentry_id
        for s in old_entry.subentries.values()
        if s.subentry_type == "area"
    )
    assert entity.config_subentry_id == area_id
    device = dr.async_get(hass).async_get(entity.device_id)
    assert (DOMAIN, area_id) in device.identifiers
    await advance(hass, freezer, 12.1)
    assert hass.states.get(MY_PANEL).state == AlarmControlPanelState.TRIGGERED
    await advance(hass, freezer, 0.1)  # the state file is written
    # Stored anew under "areas"; "alarm" too, for a version rolled back.
    stored = hass_storage[f"{DOMAIN}.{old_entry.entry_id}"]["data"]
    assert stored["areas"][area_id]["state"] == "triggered"
    assert stored["alarm"]["state"] == "triggered"


async def test_motion_keeps_using_the_entry_delay(
    hass: HomeAssistant,
    old_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    key = f"{DOMAIN}.{old_entry.entry_id}"
    hass_storage[key]["data"]["alarm"] = {
        "state": "armed_away",
        "previous_state": "arming",
        "return_state": "armed_away",
        "armed_mode": "away",
    }
    await set_up(hass, old_entry)
    assert hass.states.get(MY_PANEL).state == AlarmControlPanelState.ARMED_AWAY
    await motion(hass, old_entry, on=True)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(MY_PANEL).state == AlarmControlPanelState.PENDING


async def test_an_area_whose_state_is_unreadable_falls_back_on_its_panel(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Damaged storage never disarms: the other area is restored as stored."""
    entry = areas_entry(house_and_garage())
    entry.add_to_hass(hass)
    key = f"{DOMAIN}.{entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "key": key,
        "data": {
            "areas": {
                "area_house": {
                    "state": "armed_night",
                    "armed_mode": "night",
                    "return_state": "armed_night",
                },
                "area_garage": {"state": 42},
            }
        },
    }
    registry = er.async_get(hass)
    registry.async_get_or_create(
        "alarm_control_panel",
        DOMAIN,
        f"{entry.entry_id}_area_garage",
        suggested_object_id="garage",
        config_entry=entry,
    )
    mock_restore_cache(hass, [State("alarm_control_panel.garage", "armed_away", {})])
    await set_up(hass, entry)
    assert hass.states.get("alarm_control_panel.house").state == "armed_night"
    assert hass.states.get("alarm_control_panel.garage").state == "armed_away"
    issue = hass.data["issue_registry"].async_get_issue(DOMAIN, "storage_damaged")
    assert (
        "Garage: restored from the panel's last state"
        in (issue.translation_placeholders["detail"])
    )


async def test_an_entry_that_already_has_areas_is_not_migrated_again(
    hass: HomeAssistant,
) -> None:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Home",
        data={"name": "Home", "simulation": True},
        options=OPTIONS_1_2,
        subentries_data=[area("area_house", "House", system_panel=True)],
        version=1,
        minor_version=2,
    )
    await set_up(hass, entry)
    areas = [s for s in entry.subentries.values() if s.subentry_type == "area"]
    assert [a.title for a in areas] == ["House"]
    assert entry.minor_version == 3
