"""Wall panels over MQTT with two areas, against a real mosquitto broker.

The house (two doors and a PIR) and the garage (its door), as the flows
write them; Alice has a code. Commands name an area by its key or id (none:
the whole house); every code goes through the one gate and its lock-out.
"""

import asyncio
from collections.abc import AsyncIterator
import logging
from typing import Any

from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.rpi_security.engine.codes import hash_code

from . import test_wall_panel_mqtt as mqtt_tests
from .areas import (
    GARAGE,
    GARAGE_DOOR_ID,
    GARAGE_DOOR_PIN,
    HOUSE,
    HOUSE_ID,
    areas_entry,
    house_and_garage,
    state,
)
from .helpers import drive
from .mosquitto import MOSQUITTO, NO_MOSQUITTO, WallPanel

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)

# The broker, Home Assistant's MQTT client and the wall panel: as for one area.
broker = mqtt_tests.broker
mqtt_entry = mqtt_tests.mqtt_entry
panel = mqtt_tests.panel
heard = mqtt_tests.heard
command = mqtt_tests.command
wait_for = mqtt_tests.wait_for

ALICE_CODE = "0417"
COMMAND = "rpi_security/command"
EVENT = "rpi_security/event"
HOUSE_STATE = "rpi_security/house/state"
GARAGE_STATE = "rpi_security/garage/state"
ARMED_AWAY = AlarmControlPanelState.ARMED_AWAY
DISARMED = AlarmControlPanelState.DISARMED


def alice() -> dict[str, Any]:
    return {
        "subentry_type": "user",
        "title": "Alice",
        "unique_id": None,
        "data": {
            "code_hash": hash_code(ALICE_CODE, iterations=1000),
            "code_format": "number",
        },
    }


@pytest.fixture
async def entry(
    hass: HomeAssistant, mqtt_entry: None
) -> AsyncIterator[MockConfigEntry]:
    """No exit delay anywhere: an arming is armed at once."""
    subentries = house_and_garage(alice(), exit_delay=0)
    subentries[0]["data"]["exit_delay"] = 0
    loaded = areas_entry(subentries, {"mqtt_enabled": True})
    loaded.add_to_hass(hass)
    assert await hass.config_entries.async_setup(loaded.entry_id)
    # (Not all background tasks: MQTT's discovery cool-down lasts seconds.)
    await hass.async_block_till_done()
    await mqtt_tests.subscribed(hass, COMMAND)
    yield loaded
    await hass.config_entries.async_unload(loaded.entry_id)


async def call(hass: HomeAssistant, service: str, entity_id: str, code: str) -> None:
    """An action on a panel (without waiting for MQTT's background tasks)."""
    await hass.services.async_call(
        "alarm_control_panel",
        service,
        {"entity_id": entity_id, "code": code},
        blocking=True,
    )
    await hass.async_block_till_done()


def arm(area: str | None, code: str = ALICE_CODE) -> str:
    where = f', "area": "{area}"' if area is not None else ""
    return f'{{"command": "ARM_AWAY", "code": "{code}"{where}}}'


async def test_each_area_has_its_retained_state_topic(
    hass: HomeAssistant, entry: MockConfigEntry, broker: int
) -> None:
    late = WallPanel(broker)
    try:
        house = await heard(late, HOUSE_STATE)
        garage = await heard(late, GARAGE_STATE)
        whole = await heard(late, "rpi_security/state")
    finally:
        late.close()
    assert (house.text, house.retain) == ("disarmed", True)
    assert (garage.text, garage.retain) == ("disarmed", True)
    assert (whole.text, whole.retain) == ("disarmed", True)


async def test_a_command_for_the_garage_arms_just_the_garage(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    answer = await command(hass, panel, arm("Garage"), "ARM_AWAY")
    assert answer == {"event": "ARM_AWAY", "area": "garage", "delay": 0}
    assert state(hass, GARAGE) == ARMED_AWAY
    assert state(hass, HOUSE) == DISARMED
    assert hass.states.get(GARAGE).attributes["changed_by"] == "Alice (MQTT)"
    await heard(panel, GARAGE_STATE, lambda m: m.text == "armed_away")
    # (The retained state may arrive late: it is still disarmed.)
    assert all(m.text == "disarmed" for m in panel.messages(HOUSE_STATE))

    # By the area's id too; DISARM for the garage leaves the house armed.
    await command(hass, panel, arm(HOUSE_ID), "ARM_AWAY")
    assert state(hass, HOUSE) == ARMED_AWAY
    disarm = f'{{"command": "DISARM", "code": "{ALICE_CODE}", "area": "garage"}}'
    panel.forget()
    panel.publish(COMMAND, disarm)
    await heard(panel, GARAGE_STATE, lambda m: m.text == "disarmed")
    assert state(hass, GARAGE) == DISARMED
    assert state(hass, HOUSE) == ARMED_AWAY


async def test_the_whole_house_arms_what_it_can_and_names_the_area_that_refused(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    await drive(hass, entry, GARAGE_DOOR_PIN, high=True)  # the garage door open
    answer = await command(hass, panel, arm(None), "FAILED_TO_ARM")
    assert answer["area"] == "garage"
    assert [s["id"] for s in answer["sensors"]] == [GARAGE_DOOR_ID]
    assert state(hass, GARAGE) == DISARMED
    await heard(panel, HOUSE_STATE, lambda m: m.text == "armed_away")
    assert state(hass, HOUSE) == ARMED_AWAY


async def test_wrong_codes_over_mqtt_count_in_the_one_lock_out(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    panel: WallPanel,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """100 guesses sent at once, the right code last: none gets past."""
    await call(hass, "alarm_arm_away", GARAGE, code=ALICE_CODE)
    assert state(hass, GARAGE) == ARMED_AWAY
    await heard(panel, EVENT, lambda m: m.json.get("event") == "ARM_AWAY")
    bad_codes = async_capture_events(hass, "rpi_security_bad_code")
    panel.forget()
    caplog.set_level(logging.WARNING)
    guesses = [f"{n:04}" for n in range(1000, 1099)] + [ALICE_CODE]
    for guess in guesses:
        disarm = f'{{"command": "DISARM", "code": "{guess}", "area": "garage"}}'
        panel.publish(COMMAND, disarm)

    def locked_out() -> bool:
        return any(m.json.get("reason") == "locked_out" for m in panel.messages(EVENT))

    await wait_for(locked_out, "a command refused for the lock-out")
    await asyncio.sleep(0.5)  # the rest of the burst arrives, or was dropped
    await hass.async_block_till_done()

    answers = [m.json for m in panel.messages(EVENT)]
    wrong = [a for a in answers if a["event"] == "INVALID_CODE_PROVIDED"]
    assert len(wrong) == 5  # then codes are locked out
    assert all(a["area"] == "garage" for a in wrong)
    assert {a["event"] for a in answers} == {
        "INVALID_CODE_PROVIDED",
        "COMMAND_NOT_ALLOWED",
    }
    assert [e.data["failures"] for e in bad_codes] == [1, 2, 3, 4, 5]
    assert state(hass, GARAGE) == ARMED_AWAY
    assert "Wrong alarm code from the MQTT wall panel" in caplog.text
    assert ALICE_CODE not in caplog.text

    # The lock-out is the panel's too: the right code is refused there now.
    with pytest.raises(ServiceValidationError) as refused:
        await call(hass, "alarm_disarm", GARAGE, code=ALICE_CODE)
    assert refused.value.translation_key == "code_locked_out"
    assert state(hass, GARAGE) == ARMED_AWAY
