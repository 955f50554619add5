"""The lock-out holds: against codes sent together, and across reloads and restarts.

Issue 12, failures 1 and 2. An intruder sends a hundred guesses at once, the
right code last among them; none may get past the five wrong codes allowed.
"""

import asyncio
import copy
import threading
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.rpi_security.engine.access import match_code
from custom_components.rpi_security.engine.codes import hash_code

from .helpers import PANEL, advance, restarted, with_options
from .outlets import SEND_MESSAGE, Outlets, telegram_target

CODE = "4321"
GUESSES = 100
# The real, deliberately slow hash: a check takes as long as it will on a Pi
# (tens of ms), which is the window parallel guesses used to race through.
CODE_HASH = hash_code(CODE)


def alice(**data: Any) -> dict[str, Any]:
    return {
        "subentry_id": "user_alice",
        "subentry_type": "user",
        "title": "Alice",
        "unique_id": None,
        "data": {"code_hash": CODE_HASH, "code_format": "number", **data},
    }


@pytest.fixture
def options() -> dict[str, Any]:
    return with_options(exit_delay=0)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return [alice(), telegram_target(receives=("alarm",))]


@pytest.fixture
async def armed(hass: HomeAssistant, loaded_entry: MockConfigEntry) -> MockConfigEntry:
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    return loaded_entry


def guesses() -> list[str]:
    """Wrong codes, then the right one last."""
    return [f"{n:04d}" for n in range(GUESSES - 1)] + [CODE]


def error_keys(results: list[Any]) -> list[str | None]:
    return [
        r.translation_key if isinstance(r, ServiceValidationError) else None
        for r in results
    ]


async def disarm(hass: HomeAssistant, code: str) -> None:
    await hass.services.async_call(
        "alarm_control_panel",
        "alarm_disarm",
        {"entity_id": PANEL, "code": code},
        blocking=True,
    )


async def test_a_hundred_guesses_at_once_through_the_disarm_action(
    hass: HomeAssistant, armed: MockConfigEntry
) -> None:
    bad_codes = async_capture_events(hass, "rpi_security_bad_code")
    results = await asyncio.gather(
        *(disarm(hass, code) for code in guesses()), return_exceptions=True
    )
    keys = error_keys(results)
    assert keys.count("invalid_code") == 5
    assert keys.count("code_locked_out") == GUESSES - 5
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    assert len(bad_codes) == 5
    assert bad_codes[-1].data == {"entity_id": PANEL, "failures": 5, "locked_out": True}
    # Even alone, the right code now waits for the lock-out to end.
    with pytest.raises(ServiceValidationError) as refused:
        await disarm(hass, CODE)
    assert refused.value.translation_key == "code_locked_out"
    assert refused.value.translation_placeholders == {"minutes": "5"}


async def test_a_hundred_guesses_at_once_through_the_websocket(
    hass: HomeAssistant,
    armed: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """As the frontend's keypad sends them."""
    client = await hass_ws_client(hass)
    for number, code in enumerate(guesses(), start=1):
        await client.send_json(
            {
                "id": number,
                "type": "call_service",
                "domain": "alarm_control_panel",
                "service": "alarm_disarm",
                "service_data": {"code": code},
                "target": {"entity_id": PANEL},
            }
        )
    answers = [await client.receive_json() for _ in range(GUESSES)]
    assert not any(answer["success"] for answer in answers)
    keys = [answer["error"]["translation_key"] for answer in answers]
    assert keys.count("invalid_code") == 5
    assert keys.count("code_locked_out") == GUESSES - 5
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY


@pytest.mark.parametrize(
    "options", [with_options(exit_delay=0, code_arm_required=True)]
)
async def test_a_hundred_guesses_at_once_through_the_arm_action(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Arming needs a code too: the same lock-out counts it."""

    async def arm(code: str) -> None:
        await hass.services.async_call(
            "rpi_security",
            "arm",
            {"entity_id": PANEL, "mode": "away", "code": code},
            blocking=True,
        )

    results = await asyncio.gather(
        *(arm(code) for code in guesses()), return_exceptions=True
    )
    keys = error_keys(results)
    assert keys.count("invalid_code") == 5
    assert keys.count("code_locked_out") == GUESSES - 5
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED
    # The disarm action shares the lock-out.
    with pytest.raises(ServiceValidationError) as refused:
        await disarm(hass, CODE)
    assert refused.value.translation_key == "code_locked_out"


async def test_a_lock_out_is_told_to_the_alarm_s_targets(
    hass: HomeAssistant, armed: MockConfigEntry
) -> None:
    outlets = Outlets()
    outlets.register(hass)
    for code in ("0000", "1111", "2222", "3333", "4444"):
        with pytest.raises(ServiceValidationError):
            await disarm(hass, code)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert outlets.messages(SEND_MESSAGE) == [
        "Too many wrong alarm codes: codes are refused for 5 minutes."
    ]


async def test_a_reload_keeps_the_lock_out(
    hass: HomeAssistant, armed: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """An options change reloads the entry: it used to give five more guesses."""
    for code in ("0000", "1111", "2222"):
        with pytest.raises(ServiceValidationError):
            await disarm(hass, code)
    hass.config_entries.async_update_entry(
        armed, options={**armed.options, "trigger_time": 120}
    )
    await hass.async_block_till_done()
    for code in ("3333", "4444"):  # the count went on: these lock codes out
        with pytest.raises(ServiceValidationError):
            await disarm(hass, code)
    await hass.config_entries.async_reload(armed.entry_id)
    await hass.async_block_till_done()
    with pytest.raises(ServiceValidationError) as refused:
        await disarm(hass, CODE)
    assert refused.value.translation_key == "code_locked_out"
    await advance(hass, freezer, 300)
    await disarm(hass, CODE)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED


async def test_a_restart_keeps_the_lock_out_and_the_count(
    hass: HomeAssistant, armed: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    for code in ("0000", "1111", "2222"):
        with pytest.raises(ServiceValidationError):
            await disarm(hass, code)
    async with restarted(hass, armed, freezer, downtime=10) as second:
        for code in ("3333", "4444"):
            with pytest.raises(ServiceValidationError):
                await disarm(second, code)
        with pytest.raises(ServiceValidationError) as refused:
            await disarm(second, CODE)
        assert refused.value.translation_key == "code_locked_out"
        async with restarted(second, armed, freezer, downtime=60) as third:
            with pytest.raises(ServiceValidationError) as refused:
                await disarm(third, CODE)
            assert refused.value.translation_key == "code_locked_out"
            assert refused.value.translation_placeholders == {"minutes": "4"}
            await advance(third, freezer, 240)
            await disarm(third, CODE)
            assert third.states.get(PANEL).state == AlarmControlPanelState.DISARMED


async def test_a_guess_being_checked_when_home_assistant_stops_still_counts(
    hass: HomeAssistant,
    armed: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Pulling the plug during the hash check does not undo the guess."""
    for code in ("0000", "1111", "2222"):
        with pytest.raises(ServiceValidationError):
            await disarm(hass, code)
    release = threading.Event()

    def slow_check(code: str, users: Any) -> Any:
        release.wait(10)
        return match_code(code, users)

    with patch("custom_components.rpi_security.access.match_code", slow_check):
        checking = hass.async_create_task(disarm(hass, "3333"))
        await asyncio.sleep(0)  # reserved: the count's write is due now
        async_fire_time_changed(hass)  # (under freezer, timers need a nudge)
        for _ in range(10):
            await asyncio.sleep(0)
        at_the_cut = copy.deepcopy(hass_storage)
        release.set()
        with pytest.raises(ServiceValidationError):
            await checking
    async with restarted(
        hass,
        armed,
        freezer,
        storage_before_stop=at_the_cut,
        hass_storage=hass_storage,
    ) as new_hass:
        # The fourth, cut short, counted: the fifth locks codes out.
        with pytest.raises(ServiceValidationError):
            await disarm(new_hass, "4444")
        with pytest.raises(ServiceValidationError) as refused:
            await disarm(new_hass, CODE)
        assert refused.value.translation_key == "code_locked_out"
