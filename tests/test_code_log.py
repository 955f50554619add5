"""A refused code is logged once, as a warning naming its source, never the code.

Through the websocket, as the frontend's keypad and the developer tools send
actions: Home Assistant's own ERROR line for the refusal is not there.
"""

import logging
from typing import Any

from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry, MockUser
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.rpi_security.code_log import WEBSOCKET_LOGGER
from custom_components.rpi_security.engine.codes import hash_code

from .helpers import PANEL, with_options

CODE = "4321"
WRONG = "9876"


@pytest.fixture
def options() -> dict[str, Any]:
    return with_options(exit_delay=0, code_arm_required=True)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return [
        {
            "subentry_id": "user_alice",
            "subentry_type": "user",
            "title": "Alice",
            "unique_id": None,
            "data": {
                "code_hash": hash_code(CODE, iterations=1000),
                "code_format": "number",
            },
        }
    ]


async def _call(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    domain: str,
    service: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    """Call an action as the frontend does; return the answer."""
    client = await hass_ws_client(hass)
    await client.send_json(
        {
            "id": 1,
            "type": "call_service",
            "domain": domain,
            "service": service,
            "service_data": data,
            "target": {"entity_id": PANEL},
        }
    )
    answer: dict[str, Any] = await client.receive_json()
    return answer


def _logged(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    """What a user reads in the log: warnings and worse."""
    return [r for r in caplog.records if r.levelno >= logging.WARNING]


def _code_logged(caplog: pytest.LogCaptureFixture, code: str) -> bool:
    """Whether the code is in the log at INFO or worse, or anywhere in ours.

    (Home Assistant's websocket debug log shows every message it receives.)
    """
    return any(
        code in record.getMessage()
        for record in caplog.records
        if record.levelno >= logging.INFO or record.name.startswith("custom_comp")
    )


async def test_a_wrong_code_at_the_panel_is_one_warning_naming_the_user(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    hass_admin_user: MockUser,
    caplog: pytest.LogCaptureFixture,
) -> None:
    answer = await _call(
        hass, hass_ws_client, "alarm_control_panel", "alarm_arm_away", {"code": WRONG}
    )
    assert answer["error"]["translation_key"] == "invalid_code"  # the keypad says so
    (record,) = _logged(caplog)
    assert record.levelno == logging.WARNING
    assert record.getMessage() == (
        "Wrong alarm code from the alarm panel "
        f"(Home Assistant user {hass_admin_user.name}) (1 wrong in a row)"
    )
    assert not _code_logged(caplog, WRONG)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED


async def test_the_arm_action_and_the_lock_out_are_named_too(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for _ in range(6):  # five wrong codes lock out; the sixth is refused unread
        answer = await _call(
            hass,
            hass_ws_client,
            "rpi_security",
            "arm",
            {"mode": "away", "code": WRONG},
        )
        assert not answer["success"]
    messages = [record.getMessage() for record in _logged(caplog)]
    assert [r.levelno for r in _logged(caplog)] == [logging.WARNING] * 6
    assert messages[0].startswith(
        "Wrong alarm code from the rpi_security.arm action (Home Assistant user "
    )
    assert messages[4].endswith("(5 wrong in a row); codes are refused for a while")
    assert messages[5].startswith(
        "Alarm code from the rpi_security.arm action (Home Assistant user "
    )
    assert messages[5].endswith("refused: codes are locked out")
    assert not _code_logged(caplog, WRONG)


async def test_other_refusals_and_other_integrations_still_log_as_before(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    hass_ws_client: WebSocketGenerator,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Only code refusals are ours to log: the filter lets everything else by."""
    answer = await _call(
        hass,
        hass_ws_client,
        "rpi_security",
        "arm",
        {"mode": "vacation", "code": CODE},  # not an enabled arm mode
    )
    assert answer["error"]["translation_key"] == "arm_mode_not_enabled"
    (record,) = _logged(caplog)
    assert record.levelno == logging.ERROR
    assert record.name == WEBSOCKET_LOGGER


async def test_the_filter_leaves_with_the_system(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
) -> None:
    websocket = logging.getLogger(WEBSOCKET_LOGGER)
    assert len(websocket.filters) == 1
    assert await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert len(websocket.filters) == 1  # not one more per reload
    assert await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert websocket.filters == []
