"""Adding, changing and removing sirens as a person does, applied live."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from gpiozero import DigitalInputDevice
from homeassistant import config_entries
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import entity_registry as er, issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed_exact,
)

from custom_components.rpi_security.const import DOMAIN

from .areas import (
    GARAGE,
    GARAGE_ID,
    HOUSE,
    areas_entry,
    house_and_garage,
    set_up,
)
from .helpers import (
    FRONT_DOOR_PIN,
    PANEL,
    system_of,
)
from .live import pin_is_free, remove, save_options, watching

SIREN_PIN = 18
SIREN = "switch.hall_siren"
GPIO_SIREN = {
    "name": "Hall siren",
    "pin": SIREN_PIN,
    "active_level": "high",
    "alarms": ["intrusion", "tamper", "environmental", "manual"],
    "chirps": True,
}


async def siren_flow(
    hass: HomeAssistant, entry: MockConfigEntry, source: str
) -> dict[str, Any]:
    """Add siren or strobe > Wired to a GPIO pin, or an entity."""
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "siren"), context={"source": config_entries.SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["gpio", "entity"]
    return await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": source}
    )


async def submit(hass: HomeAssistant, flow_id: str, **data: Any) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_configure(flow_id, data)
    await hass.async_block_till_done(wait_background_tasks=True)
    return result


def siren_id(entry: MockConfigEntry, title: str) -> str:
    return next(s.subentry_id for s in entry.subentries.values() if s.title == title)


async def trigger(hass: HomeAssistant) -> None:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_trigger", {"entity_id": PANEL}, blocking=True
    )


async def test_a_gpio_siren_refuses_pins_in_use_reserved_or_out_of_range(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await siren_flow(hass, loaded_entry, "gpio")
    assert result["step_id"] == "gpio"
    flow_id = result["flow_id"]
    for changes, errors in (
        ({"pin": FRONT_DOOR_PIN}, {"pin": "pin_in_use"}),  # the front door's
        ({"pin": 1}, {"pin": "pin_reserved"}),
        ({"pin": 28}, {"pin": "pin_out_of_range"}),
        ({"pin": 18.5}, {"pin": "pin_out_of_range"}),
        ({"name": " "}, {"name": "name_required"}),
        ({"alarms": []}, {"alarms": "no_alarms"}),
    ):
        result = await submit(hass, flow_id, **{**GPIO_SIREN, **changes})
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == errors
    assert not [
        s for s in loaded_entry.subentries.values() if s.subentry_type == "siren"
    ]


async def test_a_siren_added_while_the_alarm_sounds_sounds_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    system = system_of(loaded_entry)
    await trigger(hass)
    last_changed = hass.states.get(PANEL).last_changed
    with watching(hass) as changes:
        result = await siren_flow(hass, loaded_entry, "gpio")
        result = await submit(hass, result["flow_id"], **GPIO_SIREN)
        assert result["type"] is FlowResultType.CREATE_ENTRY
    assert system_of(loaded_entry) is system  # not reloaded
    assert changes.others_than(SIREN) == []
    assert hass.states.get(PANEL).last_changed == last_changed
    assert hass.states.get(SIREN).state == "on"
    assert system.pin_factory.pin(SIREN_PIN).state is True

    # Disarming silences it.
    await hass.services.async_call(
        "alarm_control_panel", "alarm_disarm", {"entity_id": PANEL}, blocking=True
    )
    assert system.pin_factory.pin(SIREN_PIN).state is False
    assert hass.states.get(SIREN).state == "off"


async def test_a_sensor_may_not_take_a_sirens_pin(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await siren_flow(hass, loaded_entry, "gpio")
    await submit(hass, result["flow_id"], **GPIO_SIREN)
    result = await hass.config_entries.subentries.async_init(
        (loaded_entry.entry_id, "door"), context={"source": config_entries.SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": "gpio"}
    )
    result = await submit(
        hass,
        result["flow_id"],
        name="Garage door",
        pin=SIREN_PIN,
        contact_type="nc",
        pull_up=True,
        debounce_ms=100,
    )
    assert result["errors"] == {"pin": "pin_in_use"}


async def test_removing_a_sounding_siren_silences_and_releases_it(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await siren_flow(hass, loaded_entry, "gpio")
    await submit(hass, result["flow_id"], **{**GPIO_SIREN, "active_level": "low"})
    factory = system_of(loaded_entry).pin_factory
    siren_pin = factory.pin(SIREN_PIN)
    await trigger(hass)
    assert siren_pin.state is False  # active low: on
    assert not pin_is_free(factory, SIREN_PIN)

    await remove(hass, loaded_entry, siren_id(loaded_entry, "Hall siren"))
    assert [s.state for s in siren_pin.states][-2:] == [False, True]  # off first
    assert pin_is_free(factory, SIREN_PIN)
    assert hass.states.get(SIREN) is None
    assert er.async_get(hass).async_get(SIREN) is None
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED


async def test_reconfiguring_a_siren_keeps_its_entity(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await siren_flow(hass, loaded_entry, "gpio")
    await submit(hass, result["flow_id"], **GPIO_SIREN)
    subentry_id = siren_id(loaded_entry, "Hall siren")
    result = await loaded_entry.start_subentry_reconfigure_flow(hass, subentry_id)
    assert result["step_id"] == "gpio"
    suggested = {
        str(k): k.description.get("suggested_value")
        for k in result["data_schema"].schema
    }
    assert suggested["pin"] == SIREN_PIN
    # Its own pin is no clash; it moves to GPIO24, active low.
    result = await submit(
        hass, result["flow_id"], **{**GPIO_SIREN, "pin": 24, "active_level": "low"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    factory = system_of(loaded_entry).pin_factory
    assert pin_is_free(factory, SIREN_PIN)
    assert factory.pin(24).state is True  # off, active low
    assert hass.states.get(SIREN).state == "off"
    await trigger(hass)
    assert factory.pin(24).state is False
    assert hass.states.get(SIREN).state == "on"


async def test_an_entity_siren_is_checked_then_switched_by_the_alarm(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    made: list[tuple[str, str]] = []

    async def record(call: ServiceCall) -> None:
        made.append((call.service, call.data["entity_id"]))

    for service in ("turn_on", "turn_off"):
        hass.services.async_register("siren", service, record)
    hass.states.async_set("siren.porch", "off", {"friendly_name": "Porch siren"})

    result = await siren_flow(hass, loaded_entry, "entity")
    flow_id = result["flow_id"]
    result = await submit(
        hass, flow_id, entity_id="siren.gone", alarms=["intrusion"], chirps=False
    )
    assert result["errors"] == {"entity_id": "entity_not_found"}
    result = await submit(
        hass, flow_id, entity_id="siren.porch", alarms=["manual"], chirps=False
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert "Porch siren" in [s.title for s in loaded_entry.subentries.values()]

    result = await siren_flow(hass, loaded_entry, "entity")
    result = await submit(
        hass,
        result["flow_id"],
        entity_id="siren.porch",
        name="Again",
        alarms=["manual"],
        chirps=False,
    )
    assert result["errors"] == {"entity_id": "entity_in_use"}

    await trigger(hass)
    assert made == [("turn_on", "siren.porch")]


async def test_a_siren_whose_pin_is_taken_is_a_repair_issue(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    # Another program holds GPIO18.
    holder = DigitalInputDevice(
        SIREN_PIN, pin_factory=system_of(loaded_entry).pin_factory
    )
    try:
        result = await siren_flow(hass, loaded_entry, "gpio")
        await submit(hass, result["flow_id"], **GPIO_SIREN)
        assert hass.states.get(SIREN).state == "unavailable"
        issue = ir.async_get(hass).async_get_issue(DOMAIN, "siren_unavailable")
        assert issue is not None
        assert issue.translation_placeholders["sirens"] == "Hall siren (GPIO18)"
        # The alarm goes on without it.
        await trigger(hass)
        assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    finally:
        holder.close()
    await remove(hass, loaded_entry, siren_id(loaded_entry, "Hall siren"))
    assert ir.async_get(hass).async_get_issue(DOMAIN, "siren_unavailable") is None


@pytest.mark.parametrize("chirp", [-1, 5.5])
async def test_chirp_lengths_out_of_range_are_refused(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, chirp: float
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "sirens"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"arm_chirp_s": chirp, "disarm_chirp_s": 0}
    )
    assert result["errors"] == {"arm_chirp_s": "chirp_out_of_range"}


async def test_chirp_lengths_apply_at_once(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    result = await siren_flow(hass, loaded_entry, "gpio")
    await submit(hass, result["flow_id"], **GPIO_SIREN)
    system = system_of(loaded_entry)
    await save_options(hass, loaded_entry, "sirens", arm_chirp_s=0.3)
    assert loaded_entry.options["arm_chirp_s"] == 0.3
    assert system_of(loaded_entry) is system
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_home", {"entity_id": PANEL}, blocking=True
    )
    siren_pin = system.pin_factory.pin(SIREN_PIN)
    assert siren_pin.state is True
    # Timers fire at the first whole microsecond not before their deadline,
    # which a float timestamp plus 0.3 s can put just past 0.3 s: hence 1 ms.
    for seconds, sounding in ((0.2, True), (0.101, False)):
        freezer.tick(seconds)
        async_fire_time_changed_exact(hass)
        await hass.async_block_till_done()
        assert siren_pin.state is sounding


async def test_with_two_areas_a_siren_is_given_the_areas_it_serves(
    hass: HomeAssistant,
) -> None:
    entry = await set_up(hass, areas_entry(house_and_garage()))
    result = await siren_flow(hass, entry, "gpio")
    assert "areas" in {str(key) for key in result["data_schema"].schema}
    result = await submit(hass, result["flow_id"], **GPIO_SIREN, areas=[GARAGE_ID])
    assert result["type"] is FlowResultType.CREATE_ENTRY
    subentry = entry.subentries[siren_id(entry, "Hall siren")]
    assert subentry.data["areas"] == [GARAGE_ID]
    # The house's alarm leaves it quiet; the garage's sounds it.
    for panel, sounds in ((HOUSE, False), (GARAGE, True)):
        await hass.services.async_call(
            "alarm_control_panel", "alarm_trigger", {"entity_id": panel}, blocking=True
        )
        await hass.async_block_till_done()
        assert hass.states.get(SIREN).state == ("on" if sounds else "off")
    assert await hass.config_entries.async_unload(entry.entry_id)  # pins freed


async def test_with_one_area_the_siren_form_does_not_ask_for_areas(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await siren_flow(hass, loaded_entry, "gpio")
    assert "areas" not in {str(key) for key in result["data_schema"].schema}
