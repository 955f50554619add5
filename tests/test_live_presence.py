"""Phones and persons added, changed and removed while the system runs.

As in test_live_changes: nothing but the phone's own entities moves, and
what is known of the other phones stays.
"""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant import config_entries
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.const import DOMAIN

from .helpers import (
    ALICE,
    ALICE_ID,
    BOB,
    BOB_ID,
    OCCUPANCY,
    PANEL,
    advance,
    phone_subentries,
    system_of,
)
from .live import LIVE_OPTIONS, add_phone, armed_away_long_ago, remove, watching

CAROL = "device_tracker.carol_s_phone"
CAROL_AT_HOME = "switch.carol_s_phone_at_home"
CAROL_MAC = "02:00:00:00:07:99"


@pytest.fixture(autouse=True)
def daytime(freezer: FrozenDateTimeFactory) -> None:
    """Midday (the night's stricter presence rules do not apply)."""
    freezer.move_to("2026-06-10 19:00:00+00:00")


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(LIVE_OPTIONS)


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
    assert hass.states.get(CAROL).state == "unknown"
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
