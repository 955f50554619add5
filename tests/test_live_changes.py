"""Configuration changes apply live: only what changed moves.

Each test arms the system (or leaves it in a steady state), watches every
``state_changed`` event, makes a change the way the UI does (a subentry
flow, the delete button, the options flow), and checks that nothing but the
changed part's own entities moved: the panel keeps its state and the time
it last changed. Then it checks that the new part works.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from gpiozero import DigitalInputDevice
from gpiozero.exc import GPIOPinInUse
from homeassistant import config_entries
from homeassistant.components.alarm_control_panel import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
)
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.engine.codes import hash_code
from custom_components.rpi_security.sensor_inputs import SensorInputs

from .helpers import (
    ALICE,
    ALICE_ID,
    BOB,
    BOB_ID,
    FRONT_DOOR,
    HALLWAY,
    OCCUPANCY,
    PANEL,
    PATIO_DOOR,
    PATIO_DOOR_ID,
    PATIO_DOOR_PIN,
    advance,
    drive,
    open_front_door,
    phone_subentries,
    system_of,
    with_options,
)
from .outlets import PUSHOVER, Outlets, target_subentry

GARAGE_DOOR = "binary_sensor.garage_door"
GARAGE_DOOR_OPEN = "switch.garage_door_open"
GARAGE_PIN = 22
CAROL = "device_tracker.carol_s_phone"
CAROL_AT_HOME = "switch.carol_s_phone_at_home"
CAROL_MAC = "02:00:00:00:07:99"

LIVE_OPTIONS = with_options(exit_delay=10, entry_delay=10, away_timeout=10)


@pytest.fixture(autouse=True)
def daytime(freezer: FrozenDateTimeFactory) -> None:
    """Midday (the night's stricter presence rules do not apply)."""
    freezer.move_to("2026-06-10 19:00:00+00:00")


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(LIVE_OPTIONS)


class StateChanges:
    """The entities whose state was written anew, while watching."""

    def __init__(self) -> None:
        self.entity_ids: list[str] = []

    def others_than(self, *entity_ids: str) -> list[str]:
        return sorted({e for e in self.entity_ids if e not in entity_ids})


@contextmanager
def watching(hass: HomeAssistant) -> Iterator[StateChanges]:
    """Record every state_changed event meanwhile."""
    changes = StateChanges()

    def record(event: Event) -> None:
        changes.entity_ids.append(event.data["entity_id"])

    unsubscribe = hass.bus.async_listen(EVENT_STATE_CHANGED, record)
    try:
        yield changes
    finally:
        unsubscribe()


def pin_is_free(factory: Any, number: int) -> bool:
    """Whether another device could use the pin now."""
    try:
        DigitalInputDevice(number, pin_factory=factory).close()
    except GPIOPinInUse:
        return False
    return True


async def armed_away_long_ago(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> datetime:
    """Arm away, let it settle for minutes; when the panel last changed."""
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    for _ in range(8):
        await advance(hass, freezer, 60)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    return panel.last_changed


async def add_gpio_door(
    hass: HomeAssistant, entry: MockConfigEntry, name: str, pin_number: int
) -> None:
    """Add a door as a person does: Add door contact > Wired to a GPIO pin."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "door"), context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "gpio"}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": name,
            "pin": pin_number,
            "contact_type": "nc",
            "pull_up": True,
            "debounce_ms": 100,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)


async def add_phone(
    hass: HomeAssistant, entry: MockConfigEntry, name: str, mac: str
) -> str:
    """Add a phone through its flow; its subentry id."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "phone"), context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": name, "mac": mac}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    return next(s.subentry_id for s in entry.subentries.values() if s.title == name)


async def remove(hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str) -> None:
    """The subentry's Delete, as the integration page does it."""
    assert hass.config_entries.async_remove_subentry(entry, subentry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def save_options(
    hass: HomeAssistant, entry: MockConfigEntry, step: str, **changes: Any
) -> None:
    """Open Configure, choose ``step``, change some fields, submit."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )
    shown = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
        if key.description and "suggested_value" in key.description
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**shown, **changes}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    await hass.async_block_till_done(wait_background_tasks=True)


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
        await save_options(hass, loaded_entry, "alarm", exit_delay=45)
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
    await save_options(
        hass, loaded_entry, "alarm", arm_modes=["away", "home", "vacation"]
    )
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


async def test_the_first_phone_brings_presence_the_last_takes_it_away(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    assert hass.states.get(OCCUPANCY) is None
    assert await async_setup_component(hass, "zone", {})  # as in every install
    last_changed = await armed_away_long_ago(hass, freezer)
    with watching(hass) as changes:
        carol_id = await add_phone(hass, loaded_entry, "Carol's phone", CAROL_MAC)
    new = (
        CAROL,
        CAROL_AT_HOME,
        OCCUPANCY,
        "switch.home_automatic_arming",
        "binary_sensor.home_presence_detection",
    )
    assert changes.others_than(*new) == []
    assert hass.states.get(PANEL).last_changed == last_changed
    # Unknown until it is heard: nothing arms or disarms meanwhile.
    assert hass.states.get(CAROL).state == "unavailable"
    assert hass.states.get(OCCUPANCY).attributes["unknown"] == ["Carol's phone"]

    # The phone, its tracker and its simulation control share one device.
    registry = er.async_get(hass)
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, carol_id), loaded_entry.entry_id
    )
    assert device is not None
    assert device.name == "Carol's phone"
    assert (dr.CONNECTION_NETWORK_MAC, CAROL_MAC) in device.connections
    assert registry.async_get(CAROL).device_id == device.id
    assert registry.async_get(CAROL_AT_HOME).device_id == device.id

    # Carol's phone is heard: presence follows it at once. Its first frame is
    # not a homecoming (it was never away): the alarm stays as it is.
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": CAROL_AT_HOME}, blocking=True
    )
    await advance(hass, freezer, 1)
    assert hass.states.get(CAROL).state == "home"
    assert hass.states.get(OCCUPANCY).state == "on"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY

    await remove(hass, loaded_entry, carol_id)
    for entity_id in (*new, CAROL):
        assert hass.states.get(entity_id) is None, entity_id
        assert registry.async_get(entity_id) is None, entity_id
    assert dr.async_get(hass).async_get(device.id) is None
    assert system_of(loaded_entry).presence is None


@pytest.mark.parametrize("extra_subentries", [phone_subentries()])
async def test_removing_the_phone_at_home_is_no_departure(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    presence = system_of(loaded_entry).presence
    assert presence is not None
    presence.simulate(ALICE_ID, True)
    presence.simulate(BOB_ID, True)
    await advance(hass, freezer, 1)
    presence.simulate(BOB_ID, False)  # Bob goes out, for good
    for _ in range(60):
        await advance(hass, freezer, 60)
    assert hass.states.get(BOB).state == "not_home"
    assert hass.states.get(ALICE).state == "home"
    last_changed = hass.states.get(PANEL).last_changed
    with watching(hass) as changes:
        await remove(hass, loaded_entry, ALICE_ID)
        await advance(hass, freezer, 60)
    # Everyone left is away, yet nobody left: removing a phone never arms.
    # (The home zone lists the trackers in it: Alice's leaves the list.)
    alices = (ALICE, "switch.alice_s_phone_at_home", OCCUPANCY, "zone.home")
    assert changes.others_than(*alices) == []
    assert hass.states.get(OCCUPANCY).state == "off"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.last_changed == last_changed
    assert hass.states.get(BOB).state == "not_home"


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
    panel = hass.states.get(PANEL)
    assert panel.attributes["friendly_name"] == "Cottage"
    assert panel.state == AlarmControlPanelState.ARMED_AWAY
    assert panel.last_changed == last_changed


@pytest.mark.parametrize(
    ("step", "changes"),
    [
        ("camera", {"camera_source": "picamera2"}),
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


@pytest.mark.parametrize("extra_subentries", [phone_subentries()])
async def test_a_phone_given_a_new_address_stays_home_on_its_device(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    presence = system_of(loaded_entry).presence
    assert presence is not None
    presence.simulate(ALICE_ID, True)
    await advance(hass, freezer, 1)
    assert hass.states.get(ALICE).state == "home"
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, ALICE_ID), loaded_entry.entry_id
    )
    assert device is not None
    new_mac = "02:00:00:00:08:88"
    alice = loaded_entry.subentries[ALICE_ID]
    # As the repair issue of a new private address does when confirmed.
    hass.config_entries.async_update_subentry(
        loaded_entry, alice, data={**alice.data, "mac": new_mac}, unique_id=new_mac
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    # The same tracker, entity id and device, still home (not unknown again).
    state = hass.states.get(ALICE)
    assert state.state == "home"
    assert state.attributes["mac"] == new_mac
    assert er.async_get(hass).async_get(ALICE).unique_id == new_mac
    device = dr.async_get(hass).async_get(device.id)
    assert device is not None
    assert device.connections == {(dr.CONNECTION_NETWORK_MAC, new_mac)}
    assert er.async_get(hass).async_get(ALICE).device_id == device.id
    # It answers under its new address as time goes on.
    for _ in range(30):
        await advance(hass, freezer, 60)
    assert hass.states.get(ALICE).state == "home"


async def test_a_person_added_counts_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set("person.dana", "not_home")
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "presence_entity"),
        context={"source": config_entries.SOURCE_USER},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"entity_id": "person.dana", "name": "Dana"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    occupancy = hass.states.get(OCCUPANCY)
    assert occupancy.state == "off"
    assert occupancy.attributes["away"] == ["Dana"]
    hass.states.async_set("person.dana", "home")
    await hass.async_block_till_done()
    assert hass.states.get(OCCUPANCY).state == "on"


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


@pytest.mark.parametrize("extra_subentries", [phone_subentries()])
async def test_a_person_joins_and_leaves_the_phones(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    presence = system_of(loaded_entry).presence
    hass.states.async_set("person.dana", "home")
    hass.config_entries.async_add_subentry(
        loaded_entry,
        config_entries.ConfigSubentry(
            data={"entity_id": "person.dana"},
            subentry_type="presence_entity",
            title="Dana",
            unique_id=None,
        ),
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert system_of(loaded_entry).presence is presence  # the phones go on
    occupancy = hass.states.get(OCCUPANCY)
    assert occupancy.state == "on"
    assert occupancy.attributes["home"] == ["Dana"]
    dana = next(s for s in loaded_entry.subentries.values() if s.title == "Dana")
    await remove(hass, loaded_entry, dana.subentry_id)
    hass.states.async_set("person.dana", "not_home")
    await hass.async_block_till_done()
    occupancy = hass.states.get(OCCUPANCY)
    assert occupancy.state == "off"
    assert "Dana" not in occupancy.attributes["away"]


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
