"""The rpi_security.simulate action, and its refusals."""

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .helpers import FRONT_DOOR, HALLWAY, PANEL, PATIO_DOOR, advance, with_options


async def simulate(hass: HomeAssistant, entity_id: str, action: str) -> None:
    await hass.services.async_call(
        "rpi_security",
        "simulate",
        {"entity_id": entity_id, "action": action},
        blocking=True,
    )
    await hass.async_block_till_done()  # the pin's edge reaches the event loop


@pytest.mark.parametrize("options", [with_options(exit_delay=0)])
async def test_simulated_sensors_move_through_the_real_pins(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await simulate(hass, PATIO_DOOR, "open")
    # Through the pin and its 100 ms debounce, as a real contact.
    assert hass.states.get(PATIO_DOOR).state == "off"
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PATIO_DOOR).state == "on"
    await simulate(hass, PATIO_DOOR, "close")
    await advance(hass, freezer, 0.1)
    assert hass.states.get(PATIO_DOOR).state == "off"

    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await simulate(hass, HALLWAY, "motion")
    assert hass.states.get(HALLWAY).state == "on"
    assert hass.states.get(PANEL).state == AlarmControlPanelState.TRIGGERED
    await simulate(hass, HALLWAY, "still")
    assert hass.states.get(HALLWAY).state == "off"


@pytest.mark.parametrize(
    ("entity_id", "action", "error"),
    [
        (HALLWAY, "open", "action_not_for_sensor"),
        (FRONT_DOOR, "motion", "action_not_for_sensor"),
        (PANEL, "open", "not_a_simulated_sensor"),
        ("binary_sensor.somebody_elses", "open", "not_a_simulated_sensor"),
        ("binary_sensor.home_gpio", "open", "not_a_simulated_sensor"),
    ],
)
async def test_simulate_refuses_what_it_cannot_do(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    entity_id: str,
    action: str,
    error: str,
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await simulate(hass, entity_id, action)
    assert err.value.translation_key == error
    assert hass.states.get(FRONT_DOOR).state == "off"
    assert hass.states.get(HALLWAY).state == "off"


async def test_simulate_needs_simulation_mode(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    hass.config_entries.async_update_entry(
        loaded_entry, data={**loaded_entry.data, "simulation": False}
    )
    await hass.async_block_till_done()  # reloaded in real-hardware mode
    with pytest.raises(ServiceValidationError) as err:
        await simulate(hass, FRONT_DOOR, "open")
    assert err.value.translation_key == "not_simulation"


async def test_simulate_needs_a_running_system(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    with pytest.raises(ServiceValidationError) as err:
        await simulate(hass, FRONT_DOOR, "open")
    assert err.value.translation_key == "not_loaded"


async def test_unknown_action_is_refused_by_the_schema(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(Exception, match="action"):
        await simulate(hass, FRONT_DOOR, "explode")
