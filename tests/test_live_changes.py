"""Configuration changes apply live: only what changed moves.

Each test arms the system (or leaves it in a steady state), watches every
``state_changed`` event, makes a change the way the UI does (a subentry
flow, the delete button, the options flow), and checks that nothing but the
changed part's own entities moved: the panel keeps its state and the time
it last changed. Then it checks that the new part works.
"""

from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant import config_entries
from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.engine.codes import hash_code
from custom_components.rpi_security.sensor_inputs import SensorInputs

from .helpers import (
    FRONT_DOOR,
    HALLWAY,
    PANEL,
    PATIO_DOOR,
    PATIO_DOOR_ID,
    PATIO_DOOR_PIN,
    advance,
    drive,
    open_front_door,
    system_of,
    with_options,
)
from .live import (
    LIVE_OPTIONS,
    add_gpio_door,
    armed_away_long_ago,
    pin_is_free,
    remove,
    save_area,
    save_options,
    watching,
)
from .outlets import PUSHOVER, Outlets, target_subentry

GARAGE_DOOR = "binary_sensor.garage_door"
GARAGE_DOOR_OPEN = "switch.garage_door_open"
GARAGE_PIN = 22


@pytest.fixture(autouse=True)
def daytime(freezer: FrozenDateTimeFactory) -> None:
    """Midday (the night's stricter presence rules do not apply)."""
    freezer.move_to("2026-06-10 19:00:00+00:00")


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(LIVE_OPTIONS)


async def test_adding_a_door_moves_nothing_else_and_the_door_guards_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    system = system_of(loaded_entry)
    last_changed = await armed_away_long_ago(hass, freezer)
    with watching(hass) as changes:
        await add_gpio_door(hass, loaded_entry, "Garage door", GARAGE_PIN)
    assert changes.others_than(GARAGE_DOOR, GARAGE_DOOR_OPEN) == []
    assert system_of(loaded_entry) is system  # not reloaded
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    assert panel.last_changed == last_changed
    assert hass.states.get(GARAGE_DOOR).state == "off"
    assert hass.states.get(GARAGE_DOOR_OPEN).state == "off"

    # The new door guards the house already: it opens, the entry delay runs.
    await drive(hass, loaded_entry, GARAGE_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(GARAGE_DOOR).state == "on"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.PENDING
    assert panel.attributes["cause"] == "Garage door"
    await advance(hass, freezer, 10)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


async def test_removing_a_sensor_takes_just_its_entities_device_and_pin(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    devices = dr.async_get(hass)
    patio_device = devices.async_get_device_by_identifier(
        (DOMAIN, PATIO_DOOR_ID), loaded_entry.entry_id
    )
    assert patio_device is not None
    factory = system_of(loaded_entry).pin_factory
    assert not pin_is_free(factory, PATIO_DOOR_PIN)
    last_changed = await armed_away_long_ago(hass, freezer)
    with watching(hass) as changes:
        await remove(hass, loaded_entry, PATIO_DOOR_ID)
    assert changes.others_than(PATIO_DOOR, "switch.patio_door_open") == []
    assert hass.states.get(PATIO_DOOR) is None
    assert er.async_get(hass).async_get(PATIO_DOOR) is None
    assert devices.async_get(patio_device.id) is None
    assert pin_is_free(factory, PATIO_DOOR_PIN)  # released
    assert hass.states.get(PANEL).last_changed == last_changed
    # The other sensors still guard.
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING


async def test_an_open_door_removed_no_longer_holds_up_arming(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    # The patio door's normally open contact opens: its line goes low.
    await drive(hass, loaded_entry, PATIO_DOOR_PIN, high=False)
    await advance(hass, freezer, 0.1)
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
        )
    await remove(hass, loaded_entry, PATIO_DOOR_ID)
    assert hass.states.get(PANEL).attributes["open_sensors"] == []
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMING


async def test_changing_a_sensor_keeps_its_entities_and_moves_its_pin(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    patio = loaded_entry.subentries[PATIO_DOOR_ID]
    last_changed = await armed_away_long_ago(hass, freezer)
    with watching(hass) as changes:
        hass.config_entries.async_update_subentry(
            loaded_entry,
            patio,
            title="Terrace door",
            data={**patio.data, "pin": 23, "contact_type": "nc"},
        )
        await hass.async_block_till_done(wait_background_tasks=True)
    assert changes.others_than(PATIO_DOOR, "switch.patio_door_open") == []
    assert hass.states.get(PANEL).last_changed == last_changed
    # The same entity (the user's entity id kept), on the new pin.
    state = hass.states.get(PATIO_DOOR)
    assert state.attributes["gpio_pin"] == 23
    assert state.attributes["friendly_name"] == "Terrace door"
    factory = system_of(loaded_entry).pin_factory
    assert pin_is_free(factory, PATIO_DOOR_PIN)
    assert not pin_is_free(factory, 23)
    await drive(hass, loaded_entry, 23, high=True)  # normally closed now
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PANEL).attributes["cause"] == "Terrace door"


async def test_saving_options_moves_nothing_and_the_next_delay_is_the_new_one(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    system = system_of(loaded_entry)
    last_changed = await armed_away_long_ago(hass, freezer)
    with watching(hass) as changes:
        await save_area(hass, loaded_entry, exit_delay=45)
        await save_options(hass, loaded_entry, "presence", away_timeout=20)
        await save_options(hass, loaded_entry, "alerts", rate_limit=60)
        await save_options(hass, loaded_entry, "captures", burst_photos=5)
    assert changes.entity_ids == []
    assert system_of(loaded_entry) is system
    assert hass.states.get(PANEL).last_changed == last_changed
    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
    )
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_home", {"entity_id": PANEL}, blocking=True
    )
    assert hass.states.get(PANEL).attributes["seconds_left"] == 45


async def test_arm_modes_change_what_the_panel_offers_not_its_state(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    last_changed = await armed_away_long_ago(hass, freezer)
    await save_area(hass, loaded_entry, arm_modes=["away", "home", "vacation"])
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    assert panel.last_changed == last_changed
    features = AlarmControlPanelEntityFeature(panel.attributes["supported_features"])
    assert AlarmControlPanelEntityFeature.ARM_VACATION in features
    assert AlarmControlPanelEntityFeature.ARM_NIGHT not in features


async def test_a_user_added_or_removed_changes_who_may_disarm(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    last_changed = await armed_away_long_ago(hass, freezer)
    hass.config_entries.async_add_subentry(
        loaded_entry,
        config_entries.ConfigSubentry(
            data={
                "code_hash": hash_code("2468", iterations=1000),
                "code_format": "number",
                "can_arm": True,
                "can_disarm": True,
                "enabled": True,
            },
            subentry_type="user",
            title="Dana",
            unique_id=None,
        ),
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    panel = hass.states.get(PANEL)
    assert panel.attributes["code_format"] == "number"
    assert panel.last_changed == last_changed
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
        )
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_disarm",
        {"entity_id": PANEL, "code": "2468"},
        blocking=True,
    )
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Dana"

    dana = next(s for s in loaded_entry.subentries.values() if s.title == "Dana")
    await remove(hass, loaded_entry, dana.subentry_id)
    assert hass.states.get(PANEL).attributes["code_format"] is None
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_home", {"entity_id": PANEL}, blocking=True
    )
    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
    )
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED


@pytest.mark.parametrize("options", [with_options(exit_delay=0, entry_delay=0)])
async def test_an_alert_target_added_gets_the_next_alarm_removed_gets_none(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    outlets = Outlets()
    outlets.register(hass)
    assert hass.states.get("sensor.home_pending_alerts") is None
    pushover = target_subentry(
        "target_pushover",
        "Pushover",
        kind="pushover",
        service="notify.pushover",
        receives=["alarm"],
    )
    hass.config_entries.async_add_subentry(
        loaded_entry,
        config_entries.ConfigSubentry(
            data=pushover["data"],
            subentry_type="alert_target",
            title="Pushover",
            unique_id=None,
        ),
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.home_pending_alerts").state == "0"
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert [m for m in outlets.messages(PUSHOVER) if m.startswith("Alarm!")]

    target = next(
        s for s in loaded_entry.subentries.values() if s.subentry_type == "alert_target"
    )
    registry = er.async_get(hass)
    # Disabled by default: in the registry only.
    assert registry.async_get("sensor.home_last_alert_delivered") is not None
    await remove(hass, loaded_entry, target.subentry_id)
    assert hass.states.get("sensor.home_pending_alerts") is None
    assert registry.async_get("sensor.home_pending_alerts") is None
    assert registry.async_get("sensor.home_last_alert_delivered") is None
    assert system_of(loaded_entry).alerts is None
    sent = len(outlets.calls)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert len(outlets.calls) == sent


async def test_renaming_the_system_renames_its_device_and_keeps_the_panel(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    last_changed = await armed_away_long_ago(hass, freezer)
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Cottage", "simulation": True}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done(wait_background_tasks=True)
    device = dr.async_get(hass).async_get(system_of(loaded_entry).device_id)
    assert device.name == "Cottage"
    # The panel is its area's, which keeps its own name.
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    assert panel.last_changed == last_changed
    with watching(hass) as changes:
        await save_area(hass, loaded_entry, name="Cottage")
    assert changes.others_than(PANEL, "sensor.home_delay_ends") == []
    panel = hass.states.get(PANEL)
    assert panel.attributes["friendly_name"] == "Cottage"
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    assert panel.last_changed == last_changed


@pytest.mark.parametrize(
    ("step", "changes"),
    [
        ("camera", {"camera_source": "simulated"}),
        ("presence", {"lan_interface": "lo"}),
    ],
)
async def test_the_camera_and_the_interfaces_still_reload(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    tmp_path: Any,
    step: str,
    changes: dict[str, Any],
) -> None:
    hass.config.media_dirs = {"local": str(tmp_path)}
    system = system_of(loaded_entry)
    await save_options(hass, loaded_entry, step, **changes)
    assert system_of(loaded_entry) is not system
    assert hass.states.get(FRONT_DOOR).state == "off"
    assert hass.states.get(HALLWAY).state == "off"


async def test_an_alarm_begun_by_a_sensor_removed_goes_on_and_names_it(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await armed_away_long_ago(hass, freezer)
    await drive(hass, loaded_entry, PATIO_DOOR_PIN, high=False)  # it opens
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.PENDING
    await remove(hass, loaded_entry, PATIO_DOOR_ID)
    # Never less guarded: removing the door does not stop what it began.
    await advance(hass, freezer, 10)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.TRIGGERED
    assert panel.attributes["cause"] == "Patio door"


async def test_a_change_that_fails_to_apply_reloads_the_whole_entry(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    system = system_of(loaded_entry)
    with patch.object(
        SensorInputs, "async_add", side_effect=OSError("the pin is stuck")
    ):
        await add_gpio_door(hass, loaded_entry, "Garage door", GARAGE_PIN)
    # Never half-configured: the system started anew with the whole entry.
    assert system_of(loaded_entry) is not system
    assert hass.states.get(GARAGE_DOOR).state == "off"
    await drive(hass, loaded_entry, GARAGE_PIN, high=True)
    await advance(hass, freezer, 0.1)
    assert hass.states.get(GARAGE_DOOR).state == "on"
