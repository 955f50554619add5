"""The outbox on disk: written together, not once per alert (issue 12, failure 10).

Each alert is on disk within a second of being raised (an alarm at once),
whatever is left is written when the system stops, and draining a long queue
lets the event loop run between alerts.
"""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import pairwise
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, ServiceCall
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.storage import Store
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.rpi_security.alerts import LONG_OUTBOX
from custom_components.rpi_security.config import AlertCategory
from custom_components.rpi_security.const import DOMAIN

from .helpers import PANEL, advance, open_front_door, system_of, with_options
from .outlets import SEND_MESSAGE, Outlets, telegram_target

OUTAGE = 1000


@pytest.fixture
def options() -> dict[str, Any]:
    return with_options(exit_delay=0, entry_delay=0)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return [telegram_target(receives=("alarm",))]


@pytest.fixture
def outlets(hass: HomeAssistant) -> Outlets:
    outlets = Outlets()
    outlets.register(hass)
    outlets.failure = HomeAssistantError("Telegram is unreachable")  # an outage
    return outlets


def on_disk(hass_storage: dict[str, Any], entry: MockConfigEntry) -> list[str]:
    """The messages of the alerts in the outbox's file."""
    stored = hass_storage.get(f"{DOMAIN}.{entry.entry_id}.alerts")
    if stored is None:
        return []
    return [alert["payload"]["message"] for alert in stored["data"]["outbox"]]


@contextmanager
def counted_saves() -> Iterator[list[int]]:
    """How often the outbox was saved whole (each a write of the file)."""
    saves = [0]
    save = Store.async_save

    async def counting(store: Store[Any], data: Any) -> None:
        if store.key.endswith(".alerts"):
            saves[0] += 1
        await save(store, data)

    with patch.object(Store, "async_save", counting):
        yield saves


async def raise_alerts(hass: HomeAssistant, entry: MockConfigEntry, count: int) -> None:
    """``count`` alerts, one per turn of the event loop, as events raise them."""
    alerts = system_of(entry).alerts
    for number in range(count):
        alerts.send(AlertCategory.ALARM, {"message": f"alert {number}"})
        await asyncio.sleep(0)


async def test_an_outage_s_alerts_are_written_together_within_a_second(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    """Every queued alert rewrote the whole store: O(n²), and the SD card worn."""
    with counted_saves() as saves:
        await raise_alerts(hass, loaded_entry, OUTAGE)
        await hass.async_block_till_done()
        await advance(hass, freezer, 1)  # a second later: every one is on disk
    assert on_disk(hass_storage, loaded_entry) == [
        f"alert {number}" for number in range(OUTAGE)
    ]
    # A short outbox is written as alerts come (one write at a time); a long
    # one at most once a second: not a thousand writes of a growing file.
    assert saves[0] <= LONG_OUTBOX + 10


async def test_an_alarm_is_written_at_once_even_behind_a_long_queue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    await raise_alerts(hass, loaded_entry, 300)
    await advance(hass, freezer, 1)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)  # well within the second
    assert on_disk(hass_storage, loaded_entry)[-1].startswith("Alarm! Front door")


async def test_what_waits_is_written_when_the_system_stops(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
) -> None:
    await raise_alerts(hass, loaded_entry, 300)
    await advance(hass, freezer, 1)
    await raise_alerts(hass, loaded_entry, 5)  # within the second: not written yet
    assert len(on_disk(hass_storage, loaded_entry)) < 305
    await hass.config_entries.async_unload(loaded_entry.entry_id)
    assert len(on_disk(hass_storage, loaded_entry)) == 305


async def test_draining_a_long_queue_lets_the_event_loop_run(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    outlets: Outlets,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An action that answers without waiting held the loop for the whole queue."""
    await raise_alerts(hass, loaded_entry, 300)
    await advance(hass, freezer, 1)
    turns = 0
    seen_at: list[int] = []

    async def instant(call: ServiceCall) -> None:  # a local notify, say
        seen_at.append(turns)

    hass.services.async_register("telegram_bot", "send_message", instant)
    done = asyncio.Event()

    async def count_turns() -> None:
        nonlocal turns
        while not done.is_set():
            turns += 1
            await asyncio.sleep(0)

    # A plain task: Home Assistant's waiting for its own tasks would wait on it.
    counter = asyncio.get_running_loop().create_task(count_turns())
    await advance(hass, freezer, 10)  # the next retry: the outage is over
    done.set()
    await counter
    assert len(seen_at) == 300
    # Between any two alerts the loop turned: other work got its chance.
    assert all(later > earlier for earlier, later in pairwise(seen_at))
    assert not outlets.to(SEND_MESSAGE)  # the stand-in that failed got nothing
