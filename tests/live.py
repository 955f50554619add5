"""For the tests of live changes: watching state changes, changing as the UI does."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from gpiozero import DigitalInputDevice
from gpiozero.exc import GPIOPinInUse
from homeassistant import config_entries
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.const import EVENT_STATE_CHANGED
from homeassistant.core import Event, HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .helpers import PANEL, advance, the_area, with_options

LIVE_OPTIONS = with_options(exit_delay=10, entry_delay=10, away_timeout=10)


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
    # Where it guards and how: a door's usual options, as offered.
    assert result["step_id"] == "behaviour"
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], shown_values(result)
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
    answers = dict(changes)
    # A step may lead to another (the camera: its source, then its fields):
    # each is submitted with what it shows and the changes it has fields for.
    while result["type"] is FlowResultType.FORM and not result.get("errors"):
        fields = {str(key): key for key in result["data_schema"].schema}
        shown = {
            name: key.description["suggested_value"]
            for name, key in fields.items()
            if key.description and "suggested_value" in key.description
        }
        mine = {name: answers.pop(name) for name in list(answers) if name in fields}
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {**shown, **mine}
        )
    assert result["type"] is FlowResultType.CREATE_ENTRY, result.get("errors")
    assert not answers, f"no field for {answers}"
    await hass.async_block_till_done(wait_background_tasks=True)


def shown_values(result: dict[str, Any]) -> dict[str, Any]:
    """What a form shows filled in (sections included)."""
    shown: dict[str, Any] = {}
    for key, value in result["data_schema"].schema.items():
        if hasattr(value, "schema") and hasattr(value, "options"):  # a section
            shown[str(key)] = shown_values({"data_schema": value.schema})
        elif key.description and "suggested_value" in key.description:
            shown[str(key)] = key.description["suggested_value"]
    return shown


async def save_area(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    page: str = "settings",
    area_id: str | None = None,
    **changes: Any,
) -> dict[str, Any]:
    """Reconfigure an area as a person does: choose ``page``, change, submit."""
    result = await entry.start_subentry_reconfigure_flow(
        hass, area_id or the_area(entry)
    )
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"next_step_id": page}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {**shown_values(result), **changes}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    return result
