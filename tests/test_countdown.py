"""The countdown sensor of each area, and rpi_security.skip_delay."""

from datetime import datetime, timedelta

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.engine.codes import hash_code

from .areas import (
    GARAGE,
    GARAGE_DELAY_END,
    HOUSE,
    HOUSE_DELAY_END,
    WHOLE_HOUSE,
    areas_entry,
    call,
    house_and_garage,
    set_up,
    state,
)
from .helpers import advance, open_front_door

ARMED_AWAY = AlarmControlPanelState.ARMED_AWAY


@pytest.fixture
async def entry(hass: HomeAssistant) -> MockConfigEntry:
    return await set_up(hass, areas_entry(house_and_garage(exit_delay=10)))


def ends(hass: HomeAssistant, entity_id: str) -> datetime | None:
    value = state(hass, entity_id)
    return None if value == "unknown" else dt_util.parse_datetime(value)


async def skip(hass: HomeAssistant, entity_id: str) -> None:
    await hass.services.async_call(
        "rpi_security", "skip_delay", {"entity_id": entity_id}, blocking=True
    )
    await hass.async_block_till_done()


async def test_the_countdown_shows_when_the_exit_and_entry_delays_end(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    assert ends(hass, HOUSE_DELAY_END) is None
    armed_at = dt_util.utcnow()
    await call(hass, "alarm_arm_away", HOUSE)
    exit_end = ends(hass, HOUSE_DELAY_END)
    assert exit_end is not None
    assert abs(exit_end - (armed_at + timedelta(seconds=30))) < timedelta(seconds=1)
    assert hass.states.get(HOUSE_DELAY_END).attributes["device_class"] == "timestamp"
    assert ends(hass, GARAGE_DELAY_END) is None  # the garage's own
    await advance(hass, freezer, 30)
    assert state(hass, HOUSE) == ARMED_AWAY
    assert ends(hass, HOUSE_DELAY_END) is None  # armed: no delay
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    entry_end = ends(hass, HOUSE_DELAY_END)
    assert entry_end is not None
    assert abs(entry_end - (dt_util.utcnow() + timedelta(seconds=20))) < timedelta(
        seconds=1
    )
    await advance(hass, freezer, 20)
    # Triggered: the trigger time is no delay to count down.
    assert state(hass, HOUSE) == AlarmControlPanelState.TRIGGERED
    assert ends(hass, HOUSE_DELAY_END) is None


async def test_skip_delay_arms_now(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, "alarm_arm_away", HOUSE)
    await advance(hass, freezer, 3)
    await skip(hass, HOUSE)
    assert state(hass, HOUSE) == ARMED_AWAY
    assert ends(hass, HOUSE_DELAY_END) is None


async def test_the_entry_delay_cannot_be_skipped(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    with pytest.raises(ServiceValidationError) as err:
        await skip(hass, HOUSE)
    assert err.value.translation_key == "no_delay_to_skip"
    assert err.value.translation_placeholders == {"area": "House"}
    await call(hass, "alarm_arm_away", HOUSE)
    await advance(hass, freezer, 30)
    await open_front_door(hass, entry)
    await advance(hass, freezer, 0.1)
    with pytest.raises(ServiceValidationError) as err:
        await skip(hass, HOUSE)
    assert err.value.translation_key == "skip_entry_delay"
    assert str(err.value) == "The entry delay cannot be skipped: only disarming ends it"
    assert state(hass, HOUSE) == AlarmControlPanelState.PENDING


async def test_the_whole_house_skips_every_exit_delay_running(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await call(hass, "alarm_arm_away", WHOLE_HOUSE)
    assert state(hass, GARAGE) == AlarmControlPanelState.ARMING
    await skip(hass, WHOLE_HOUSE)
    assert state(hass, HOUSE) == ARMED_AWAY
    assert state(hass, GARAGE) == ARMED_AWAY
    assert state(hass, WHOLE_HOUSE) == ARMED_AWAY


async def test_skipping_needs_the_code_when_arming_does(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    owner = {
        "subentry_id": "user_owner",
        "subentry_type": "user",
        "title": "Owner",
        "unique_id": None,
        "data": {
            "code_hash": hash_code("2580", iterations=1000),
            "code_format": "number",
            "can_arm": True,
            "can_disarm": True,
            "enabled": True,
        },
    }
    await set_up(hass, areas_entry(house_and_garage(owner, code_arm_required=True)))
    await call(hass, "alarm_arm_away", GARAGE, code="2580")
    with pytest.raises(ServiceValidationError) as err:
        await skip(hass, GARAGE)
    assert err.value.translation_key == "code_required"
    await hass.services.async_call(
        "rpi_security",
        "skip_delay",
        {"entity_id": GARAGE, "code": "2580"},
        blocking=True,
    )
    assert state(hass, GARAGE) == ARMED_AWAY
    assert hass.states.get(GARAGE).attributes["changed_by"] == "Owner"
