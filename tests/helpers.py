"""Helpers shared by the tests: the sensors of the test system and time."""

from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant import loader
from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
)

from custom_components.rpi_security.config import DEFAULT_OPTIONS
from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.system import SecuritySystem

FRONT_DOOR_ID = "front_door"
PATIO_DOOR_ID = "patio_door"
HALLWAY_PIR_ID = "hallway_pir"

PANEL = "alarm_control_panel.home"
FRONT_DOOR = "binary_sensor.front_door"
PATIO_DOOR = "binary_sensor.patio_door"
HALLWAY = "binary_sensor.hallway"

# The test system's options: short delays that are easy to follow.
BASE_OPTIONS: dict[str, Any] = {
    **DEFAULT_OPTIONS,
    "exit_delay": 30,
    "entry_delay": 20,
    "trigger_time": 60,
}


def with_options(**changes: Any) -> dict[str, Any]:
    """The test system's options with some changed (for ``parametrize``)."""
    return {**BASE_OPTIONS, **changes}


# The test household's phones.
ALICE_ID = "alice_phone"
BOB_ID = "bob_phone"
ALICE_MAC = "02:00:00:00:07:17"
BOB_MAC = "02:00:00:00:07:42"
ALICE = "device_tracker.alice_s_phone"
BOB = "device_tracker.bob_s_phone"
OCCUPANCY = "binary_sensor.home_occupancy"
AUTOMATIC_ARMING = "switch.home_automatic_arming"


def phone_subentries() -> list[dict[str, Any]]:
    """Alice's and Bob's phones."""
    return [
        {
            "subentry_id": phone_id,
            "subentry_type": "phone",
            "title": title,
            "unique_id": mac,
            "data": {"mac": mac, "ip": None},
        }
        for phone_id, title, mac in (
            (ALICE_ID, "Alice's phone", ALICE_MAC),
            (BOB_ID, "Bob's phone", BOB_MAC),
        )
    ]


# BCM pins of the test system's sensors.
FRONT_DOOR_PIN = 17  # normally closed, pull-up: the line goes high when it opens
PATIO_DOOR_PIN = 27  # normally open, pull-up: the line goes low when it opens
HALLWAY_PIN = 4  # PIR, active high


async def advance(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    """Let ``seconds`` pass, firing every timer that falls due."""
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    # Presence confirmations run as background tasks.
    await hass.async_block_till_done(wait_background_tasks=True)


def area_ids(entry: MockConfigEntry) -> list[str]:
    """The ids of the entry's areas, in order (the first is the primary one)."""
    return [
        s.subentry_id for s in entry.subentries.values() if s.subentry_type == "area"
    ]


def the_area(entry: MockConfigEntry) -> str:
    """The id of the entry's only area (made from the options of before areas)."""
    [area_id] = area_ids(entry)
    return area_id


def system_of(entry: MockConfigEntry) -> SecuritySystem:
    """The running system of a loaded entry."""
    system: SecuritySystem = entry.runtime_data
    return system


def pin(entry: MockConfigEntry, number: int):
    """The mock pin with BCM ``number`` of the entry's simulated Pi."""
    return system_of(entry).pin_factory.pin(number)


async def drive(
    hass: HomeAssistant, entry: MockConfigEntry, number: int, *, high: bool
) -> None:
    """Move a pin's line and let the event loop take the edge."""
    if high:
        pin(entry, number).drive_high()
    else:
        pin(entry, number).drive_low()
    await hass.async_block_till_done()


async def open_front_door(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The front door's NC contact opens: the pulled-up line goes high."""
    await drive(hass, entry, FRONT_DOOR_PIN, high=True)


async def close_front_door(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """The front door's NC contact closes: the line is pulled to ground."""
    await drive(hass, entry, FRONT_DOOR_PIN, high=False)


async def motion(hass: HomeAssistant, entry: MockConfigEntry, *, on: bool) -> None:
    """The PIR drives its output high on motion, low when it clears."""
    await drive(hass, entry, HALLWAY_PIN, high=on)


@asynccontextmanager
async def restarted(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    *,
    downtime: float = 0,
    simulation: bool = True,
    storage_before_stop: dict[str, Any] | None = None,
    hass_storage: dict[str, Any] | None = None,
    prepare: Callable[[HomeAssistant], None] | None = None,
) -> AsyncGenerator[HomeAssistant]:
    """Stop Home Assistant, let ``downtime`` pass, start a new one on the same storage.

    With ``storage_before_stop`` the new instance finds the storage as it was
    then: the stop's own save is lost, as in a power cut. ``prepare`` readies
    the new instance before the entry is set up (registers actions, say).
    """
    await hass.async_stop()
    freezer.tick(downtime)
    if storage_before_stop is not None and hass_storage is not None:
        hass_storage.clear()
        hass_storage.update(storage_before_stop)
    async with async_test_home_assistant(
        hass.loop, config_dir=hass.config.config_dir
    ) as new_hass:
        # As the enable_custom_integrations fixture does for the first instance.
        new_hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        new_entry = MockConfigEntry(
            domain=DOMAIN,
            entry_id=entry.entry_id,
            version=entry.version,
            minor_version=entry.minor_version,
            title=entry.title,
            data={**entry.data, "simulation": simulation},
            options=dict(entry.options),
            subentries_data=[
                {
                    "subentry_id": subentry.subentry_id,
                    "subentry_type": subentry.subentry_type,
                    "title": subentry.title,
                    "unique_id": subentry.unique_id,
                    "data": dict(subentry.data),
                }
                for subentry in entry.subentries.values()
            ],
        )
        new_entry.add_to_hass(new_hass)
        if prepare is not None:
            prepare(new_hass)
        try:
            assert await new_hass.config_entries.async_setup(new_entry.entry_id)
            await new_hass.async_block_till_done()
            yield new_hass
        finally:
            await new_hass.config_entries.async_unload(new_entry.entry_id)
            await new_hass.async_stop(force=True)
