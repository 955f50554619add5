"""Custom bypass exists in the engine; the flows and actions offer it only later.

It watches the sensors the user picks for it, which the configuration cannot
ask yet (issue 13, phase 2): until then no flow or action may enable it, or
the panel would be asked for a mode it does not support.
"""

from typing import Any

from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .helpers import PANEL


def _selector_options(result: dict[str, Any], field: str) -> list[str]:
    for key, selector in result["data_schema"].schema.items():
        if str(key) == field:
            return list(selector.config["options"])
    raise AssertionError(f"no field {field}")


async def test_the_alarm_options_do_not_offer_custom_bypass(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "alarm"}
    )
    assert result["type"] is FlowResultType.FORM
    assert _selector_options(result, "arm_modes") == [
        "away",
        "home",
        "night",
        "vacation",
    ]
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"],
            {
                "exit_delay": 30,
                "entry_delay": 30,
                "trigger_time": 180,
                "disarm_after_trigger": False,
                "arm_modes": ["away", "custom_bypass"],
                "motion_uses_entry_delay": False,
            },
        )
    assert "custom_bypass" not in loaded_entry.options["arm_modes"]


async def test_the_arm_action_refuses_custom_bypass(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    with pytest.raises(probatio.Invalid, match="one of"):
        await hass.services.async_call(
            "rpi_security",
            "arm",
            {"entity_id": PANEL, "mode": "custom_bypass"},
            blocking=True,
        )
    state = hass.states.get(PANEL)
    assert state is not None
    assert state.state == AlarmControlPanelState.DISARMED
