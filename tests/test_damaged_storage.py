"""A damaged state file never disarms the house silently (issue 12, failure 5).

Each test stores what a damaged disk might hold, sets the system up as Home
Assistant would at start-up, and checks what the user sees: the panel, the
repair issue, the problem alert.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest.mock import patch

from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import (
    entity_registry as er,
    issue_registry as ir,
    restore_state as rs,
    storage,
)
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    mock_restore_cache,
)

from custom_components.rpi_security.const import DOMAIN

from .helpers import AUTOMATIC_ARMING, PANEL, phone_subentries, system_of
from .outlets import SEND_MESSAGE, Outlets, telegram_target

ARMED_HOME = {
    "state": "armed_home",
    "previous_state": "arming",
    "armed_mode": "home",
    "return_state": "armed_home",
}


PROBLEMS_CHAT = telegram_target(receives=("problems",))


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    # Problems reach the family chat.
    return [PROBLEMS_CHAT]


@pytest.fixture
def outlets(hass: HomeAssistant) -> Outlets:
    outlets = Outlets()
    outlets.register(hass)
    return outlets


def store_key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}"


def stored(hass_storage: dict[str, Any], entry: MockConfigEntry, data: Any) -> None:
    """What the state file holds when Home Assistant starts."""
    hass_storage[store_key(entry)] = {
        "version": 1,
        "key": store_key(entry),
        "data": data,
    }


def panel_was(
    hass: HomeAssistant, entry: MockConfigEntry, state: str, **attributes: Any
) -> None:
    """The system ran before: its panel is registered, with its last state."""
    entry.add_to_hass(hass)
    er.async_get(hass).async_get_or_create(
        "alarm_control_panel",
        DOMAIN,
        entry.entry_id,
        suggested_object_id="home",
        config_entry=entry,
    )
    mock_restore_cache(hass, [State(PANEL, state, attributes)])


async def start(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    if hass.config_entries.async_get_entry(entry.entry_id) is None:
        entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


def damage_issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, "storage_damaged")


def problem_alerts(outlets: Outlets) -> list[str]:
    return [m for m in outlets.messages(SEND_MESSAGE) if "stored alarm state" in m]


@pytest.mark.parametrize(
    "data",
    [["alarm", "armed_away"], "armed_away", 42],
    ids=["a list", "a string", "a number"],
)
async def test_a_store_that_is_not_a_mapping_keeps_the_house_armed(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    outlets: Outlets,
    data: Any,
) -> None:
    """Setup used to fail with AttributeError: no sensor watched at all."""
    stored(hass_storage, config_entry, data)
    await start(hass, config_entry)
    # Nothing tells how it was: armed away, never disarmed.
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    assert hass.states.get("binary_sensor.front_door").state == "off"  # watched
    issue = damage_issue(hass)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_placeholders["state"] == "armed away"
    (alert,) = problem_alerts(outlets)
    assert alert.startswith("Problem: the stored alarm state could not be read (a ")
    assert alert.endswith("the alarm was restored as armed away. Check it.")


@pytest.mark.parametrize("extra_subentries", [[PROBLEMS_CHAT, *phone_subentries()]])
@pytest.mark.parametrize("auto_arm", [["enabled"], "on", {"enabled": "yes"}])
async def test_unreadable_automatic_arming_keeps_the_alarm_and_says_so(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    outlets: Outlets,
    auto_arm: Any,
) -> None:
    stored(hass_storage, config_entry, {"alarm": ARMED_HOME, "auto_arm": auto_arm})
    await start(hass, config_entry)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_HOME
    assert hass.states.get(AUTOMATIC_ARMING).state == "on"  # the default
    assert damage_issue(hass) is not None
    assert problem_alerts(outlets)


# Phones have a part of the stored state too.
@pytest.mark.parametrize("extra_subentries", [[PROBLEMS_CHAT, *phone_subentries()]])
async def test_an_unreadable_presence_part_starts_presence_afresh(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    outlets: Outlets,
) -> None:
    stored(hass_storage, config_entry, {"alarm": ARMED_HOME, "presence": ["x"]})
    await start(hass, config_entry)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_HOME
    assert system_of(config_entry).presence is not None
    assert damage_issue(hass) is None  # nothing unsafe: phones are asked again


@pytest.mark.parametrize(
    "alarm",
    [
        {"state": "melted"},
        {},
        {"state": "armed_away", "bypassed": "front_door"},
        {"state": "triggered", "deadline": "soon"},
        {"state": "armed_away", "levels": ["front_door"]},
        "armed_away",
    ],
)
async def test_wrong_types_inside_restore_the_panel_s_last_state(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    outlets: Outlets,
    alarm: Any,
) -> None:
    stored(hass_storage, config_entry, {"alarm": alarm})
    panel_was(hass, config_entry, "armed_night")
    await start(hass, config_entry)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_NIGHT
    issue = damage_issue(hass)
    assert issue is not None
    assert (
        "restored from the panel's last state"
        in issue.translation_placeholders["detail"]
    )
    assert problem_alerts(outlets)


async def test_the_panel_s_last_state_may_be_disarmed(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    outlets: Outlets,
) -> None:
    stored(hass_storage, config_entry, {"alarm": {"state": "melted"}})
    panel_was(hass, config_entry, "disarmed")
    await start(hass, config_entry)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED
    # Disarmed as the owner left it, but not silently.
    assert damage_issue(hass) is not None
    assert problem_alerts(outlets)


async def test_an_entry_delay_running_at_the_stop_starts_again(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    outlets: Outlets,
) -> None:
    stored(hass_storage, config_entry, {"alarm": {"state": "pending"}})
    panel_was(hass, config_entry, "pending", previous_state="armed_home")
    await start(hass, config_entry)
    state = hass.states.get(PANEL)
    assert state.state == AlarmControlPanelState.PENDING
    assert state.attributes["seconds_left"] == 20  # the whole entry delay
    assert state.attributes["next_state"] == "triggered"


async def test_a_missing_file_of_a_system_that_ran_before(
    hass: HomeAssistant, config_entry: MockConfigEntry, outlets: Outlets
) -> None:
    panel_was(hass, config_entry, "armed_away")
    await start(hass, config_entry)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    issue = damage_issue(hass)
    assert issue is not None
    assert "the file is missing" in issue.translation_placeholders["detail"]


async def test_a_first_start_is_disarmed_and_raises_nothing(
    hass: HomeAssistant, config_entry: MockConfigEntry, outlets: Outlets
) -> None:
    await start(hass, config_entry)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.DISARMED
    assert damage_issue(hass) is None
    assert problem_alerts(outlets) == []


@contextmanager
def real_file_for(key: str) -> Iterator[None]:
    """Load ``key`` from its file on disk, as Home Assistant does outside tests."""
    mocked = storage.Store._async_load

    async def load(store: storage.Store[Any]) -> Any:
        if store.key == key:
            return await store._async_load_data()
        return await mocked(store)

    with patch.object(storage.Store, "_async_load", load):
        yield


async def test_a_truncated_file_restores_the_panel_s_last_state(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    outlets: Outlets,
    tmp_path: Path,
) -> None:
    """It used to bring an armed system back disarmed, with no notice of ours."""
    hass.config.config_dir = str(tmp_path)
    state_file = tmp_path / ".storage" / store_key(config_entry)
    state_file.parent.mkdir()
    # Cut off mid-write by the power cut.
    state_file.write_text('{"version": 1, "key": "x", "data": {"alarm": {"state": "ar')
    panel_was(hass, config_entry, "armed_away")
    with real_file_for(store_key(config_entry)):
        await start(hass, config_entry)
    assert hass.states.get(PANEL).state == AlarmControlPanelState.ARMED_AWAY
    issue = damage_issue(hass)
    assert issue is not None
    assert "the file was corrupt" in issue.translation_placeholders["detail"]
    (alert,) = problem_alerts(outlets)
    assert "restored as armed away" in alert
    # Home Assistant kept the damaged file aside.
    kept = await hass.async_add_executor_job(
        lambda: list(tmp_path.glob(".storage/*.corrupt.*"))
    )
    assert kept


async def test_home_assistant_keeps_the_panel_s_last_state_for_us(
    hass: HomeAssistant, config_entry: MockConfigEntry, outlets: Outlets
) -> None:
    """The fallback exists: the panel's state is among those Home Assistant keeps."""
    await start(hass, config_entry)
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_night", {"entity_id": PANEL}, blocking=True
    )
    kept = {
        stored.state.entity_id: stored.state.state
        for stored in rs.async_get(hass).async_get_stored_states()
    }
    assert kept[PANEL] == "arming"
