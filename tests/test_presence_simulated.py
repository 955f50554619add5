"""Presence through Home Assistant with simulated phones: leave, return, arm, disarm."""

from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant, State
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.presence import home_of

from .helpers import (
    ALICE,
    ALICE_ID,
    AUTOMATIC_ARMING,
    BOB,
    BOB_ID,
    OCCUPANCY,
    PANEL,
    advance,
    close_front_door,
    open_front_door,
    phone_subentries,
    system_of,
    with_options,
)

MINUTE = 60
PRESENCE_OPTIONS = with_options(exit_delay=30, entry_delay=20, away_timeout=10)


@pytest.fixture(autouse=True)
def daytime(freezer: FrozenDateTimeFactory) -> None:
    """Midday at home (US/Pacific): the night's stricter rules do not apply."""
    freezer.move_to("2026-06-10 19:00:00+00:00")


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    return phone_subentries()


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(PRESENCE_OPTIONS)


async def simulate(hass: HomeAssistant, entity_id: str, action: str) -> None:
    await hass.services.async_call(
        DOMAIN, "simulate", {"entity_id": entity_id, "action": action}, blocking=True
    )
    await hass.async_block_till_done()


def state(hass: HomeAssistant, entity_id: str) -> str:
    return hass.states.get(entity_id).state


async def minutes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, count: float
) -> None:
    """Let ``count`` minutes pass, a minute at a time (rounds fall due meanwhile)."""
    for _ in range(round(count)):
        await advance(hass, freezer, MINUTE)


async def walk_out(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Someone goes out of the front door."""
    await open_front_door(hass, entry)
    await advance(hass, freezer, 5)
    await close_front_door(hass, entry)
    await advance(hass, freezer, 1)


async def both_leave(
    hass: HomeAssistant, entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Alice and Bob leave together and the alarm arms itself."""
    await simulate(hass, ALICE, "silent")
    await simulate(hass, BOB, "silent")
    await walk_out(hass, entry, freezer)
    await minutes(hass, freezer, 20)
    assert state(hass, PANEL) == AlarmControlPanelState.ARMED_AWAY


async def test_phones_just_added_are_unknown_and_nothing_arms(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    # Never heard since they were added: asked now and then, never away.
    await minutes(hass, freezer, 120)
    assert state(hass, ALICE) == "unknown"
    assert state(hass, BOB) == "unknown"
    assert state(hass, OCCUPANCY) == "off"
    assert hass.states.get(OCCUPANCY).attributes["unknown"] == [
        "Alice's phone",
        "Bob's phone",
    ]
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    # Alice's phone turns up: home; Bob's is still unknown, so leaving arms nothing.
    await simulate(hass, ALICE, "present")
    assert state(hass, ALICE) == "home"
    await simulate(hass, ALICE, "silent")
    await walk_out(hass, loaded_entry, freezer)
    await minutes(hass, freezer, 60)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED


@pytest.mark.usefixtures("both_home")
async def test_everyone_leaves_the_alarm_arms_after_minutes_and_a_return_disarms(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await advance(hass, freezer, 0)
    assert state(hass, ALICE) == "home"  # still home after the restart
    assert hass.states.get(OCCUPANCY).attributes["home"] == [
        "Alice's phone",
        "Bob's phone",
    ]
    await simulate(hass, ALICE, "silent")
    await simulate(hass, BOB, "silent")
    await walk_out(hass, loaded_entry, freezer)
    # Asked two minutes after the door, then in rounds: a phone not known yet
    # must ignore them for 15 minutes before it counts as away.
    armed_after = None
    for minute in range(1, 26):
        await minutes(hass, freezer, 1)
        if state(hass, PANEL) != AlarmControlPanelState.DISARMED:
            armed_after = armed_after or minute
        else:
            assert state(hass, ALICE) == "home"
    assert armed_after is not None
    assert 17 <= armed_after <= 19
    assert state(hass, ALICE) == "not_home"
    assert state(hass, BOB) == "not_home"
    assert state(hass, OCCUPANCY) == "off"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMED_AWAY
    assert events[-1].data["changed_by"] == "presence"

    # Alice comes home: her phone joins the network (DHCP), and it disarms.
    await minutes(hass, freezer, 60)
    await simulate(hass, ALICE, "present")
    assert state(hass, ALICE) == "home"
    assert hass.states.get(ALICE).attributes["detected_by"] == "dhcp"
    assert hass.states.get(ALICE).attributes["ip"] == "192.0.2.10"
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Alice's phone (presence)"


@pytest.mark.usefixtures("both_home")
async def test_a_silent_phone_that_answers_arp_keeps_the_system_disarmed(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await simulate(hass, BOB, "silent")  # Bob went out; Alice is asleep on the sofa
    await walk_out(hass, loaded_entry, freezer)
    await minutes(hass, freezer, 60)
    assert state(hass, ALICE) == "home"
    assert hass.states.get(ALICE).attributes["detected_by"] == "arp"
    assert state(hass, BOB) == "not_home"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED


@pytest.mark.usefixtures("both_home")
async def test_a_doubtful_return_does_not_disarm(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await both_leave(hass, loaded_entry, freezer)
    # A few minutes later Bob's phone, left on the charger, answers ARP again
    # (but never joined the network): that is no arrival.
    system_of(loaded_entry).presence.simulate(BOB_ID, True, announce=False)
    await minutes(hass, freezer, 3)
    assert state(hass, BOB) == "home"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMED_AWAY
    # Nor when someone opens the door then: the entry delay runs out.
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == AlarmControlPanelState.PENDING
    await advance(hass, freezer, 20)
    assert state(hass, PANEL) == AlarmControlPanelState.TRIGGERED


@pytest.mark.usefixtures("both_home")
async def test_arrival_after_a_real_absence_disarms_during_the_entry_delay(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await both_leave(hass, loaded_entry, freezer)
    await minutes(hass, freezer, 45)  # out, and unanswered every two minutes
    events = async_capture_events(hass, "rpi_security_event")
    # Bob's phone answers ARP but has not said anything on its own yet.
    system_of(loaded_entry).presence.simulate(BOB_ID, True, announce=False)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Bob's phone (presence)"
    assert [(e.data["type"], e.data["state"]) for e in events] == [
        ("trigger", "armed_away"),
        ("state_changed", "pending"),
        ("state_changed", "disarmed"),
    ]


@pytest.mark.usefixtures("both_home")
async def test_an_intruder_during_the_entry_delay_still_triggers(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await both_leave(hass, loaded_entry, freezer)
    await minutes(hass, freezer, 45)
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == AlarmControlPanelState.PENDING
    await advance(hass, freezer, 20)
    assert state(hass, PANEL) == AlarmControlPanelState.TRIGGERED


@pytest.mark.usefixtures("both_home")
async def test_automatic_arming_switch(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    assert state(hass, AUTOMATIC_ARMING) == "on"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": AUTOMATIC_ARMING}, blocking=True
    )
    assert state(hass, AUTOMATIC_ARMING) == "off"
    await simulate(hass, ALICE, "silent")
    await simulate(hass, BOB, "silent")
    await walk_out(hass, loaded_entry, freezer)
    await minutes(hass, freezer, 20)
    assert state(hass, OCCUPANCY) == "off"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    # Turned back on while everyone is away: it arms now.
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": AUTOMATIC_ARMING}, blocking=True
    )
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING
    # The switch survives a reload.
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    assert state(hass, AUTOMATIC_ARMING) == "on"


@pytest.mark.usefixtures("both_home")
@pytest.mark.parametrize(
    "options", [with_options(away_timeout=10, disarm_policy="if_armed_by_presence")]
)
async def test_disarm_policy_leaves_a_manual_arming_alone(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    await simulate(hass, ALICE, "silent")  # Alice goes out, Bob stays in
    await walk_out(hass, loaded_entry, freezer)
    await minutes(hass, freezer, 20)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    await hass.services.async_call(
        "alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL}, blocking=True
    )
    await simulate(hass, ALICE, "present")
    assert state(hass, ALICE) == "home"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING  # the user armed it


@pytest.mark.usefixtures("both_home")
async def test_everyone_leaves_with_a_door_open_then_arms_when_it_closes(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    events = async_capture_events(hass, "rpi_security_event")
    await simulate(hass, ALICE, "silent")
    await simulate(hass, BOB, "silent")
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 0.1)
    await minutes(hass, freezer, 20)
    assert state(hass, OCCUPANCY) == "off"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    refused = [e for e in events if e.data["type"] == "arming_refused"]
    assert refused[0].data["open_doors"] == ["Front door"]
    assert refused[0].data["changed_by"] == "presence"

    await simulate(hass, "binary_sensor.front_door", "close")
    await advance(hass, freezer, 0.1)
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING


PERSONS = [
    {
        "subentry_type": "presence_entity",
        "title": "Carol",
        "unique_id": "person.carol",
        "data": {"entity_id": "person.carol"},
    }
]


@pytest.mark.parametrize("extra_subentries", [PERSONS])
async def test_a_person_entity_counts_as_presence(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    hass.states.async_set("person.carol", "home")
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, OCCUPANCY) == "on"
    assert hass.states.get("binary_sensor.home_presence_detection") is None  # no phones
    hass.states.async_set("person.carol", "work")
    await hass.async_block_till_done()
    assert state(hass, OCCUPANCY) == "off"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING
    hass.states.async_set("person.carol", "unavailable")
    await hass.async_block_till_done()
    hass.states.async_set("person.carol", "home")
    await hass.async_block_till_done()
    # Back from "undetermined" is not an arrival from away: the alarm stays.
    assert state(hass, PANEL) == AlarmControlPanelState.ARMING


def corroborated(entity_id: str) -> list[dict[str, Any]]:
    """Alice's phone, confirmed by ``entity_id``; Bob's, on its own."""
    phones = phone_subentries()
    phones[0]["data"] = {**phones[0]["data"], "corroborated_by": entity_id}
    return phones


@pytest.mark.usefixtures("both_home")
@pytest.mark.parametrize("extra_subentries", [corroborated("person.alice")])
async def test_a_geofence_arrival_disarms_during_the_entry_delay(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    hass.states.async_set("person.alice", "home")
    await hass.async_block_till_done()
    await simulate(hass, ALICE, "silent")
    await simulate(hass, BOB, "silent")
    await walk_out(hass, loaded_entry, freezer)
    # Alice's phone is silent, but her person is still home: nobody arms.
    await minutes(hass, freezer, 60)
    assert state(hass, ALICE) == "home"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED
    # The Companion app says she left: the network agrees within minutes.
    hass.states.async_set("person.alice", "not_home")
    await hass.async_block_till_done()
    await minutes(hass, freezer, 3)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, PANEL) == AlarmControlPanelState.ARMED_AWAY
    await minutes(hass, freezer, 90)
    # She opens the door before her phone is back on the Wi-Fi; the app's
    # zone arrives during the entry delay.
    await open_front_door(hass, loaded_entry)
    await advance(hass, freezer, 5)
    assert state(hass, PANEL) == AlarmControlPanelState.PENDING
    hass.states.async_set("person.alice", "home")
    await hass.async_block_till_done()
    panel = hass.states.get(PANEL)
    assert panel.state == AlarmControlPanelState.DISARMED
    assert panel.attributes["changed_by"] == "Alice's phone (presence)"
    assert hass.states.get(ALICE).attributes["detected_by"] == "entity"


@pytest.mark.usefixtures("both_home")
async def test_a_phone_gone_quiet_for_a_day_is_a_repair_issue(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    issue_id = f"phone_quiet_{BOB_ID}"
    await simulate(hass, BOB, "silent")  # a new private address, say
    for _ in range(24):  # Alice comes and goes every hour
        await simulate(hass, ALICE, "present")
        await minutes(hass, freezer, 30)
        await simulate(hass, ALICE, "silent")
        await minutes(hass, freezer, 30)
    issue = issue_registry.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_key == "phone_quiet"
    assert issue.translation_placeholders == {"phone": "Bob's phone"}
    assert not issue.is_fixable
    # Bob's phone turns up again: the issue clears at the next check.
    await simulate(hass, BOB, "present")
    await minutes(hass, freezer, 61)
    assert issue_registry.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.usefixtures("both_home")
async def test_a_removed_phone_takes_its_repair_issue_along(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
    issue_registry: ir.IssueRegistry,
) -> None:
    await simulate(hass, BOB, "silent")
    await simulate(hass, ALICE, "silent")
    await minutes(hass, freezer, 23 * 60)
    await simulate(hass, ALICE, "present")
    await minutes(hass, freezer, 61)
    assert issue_registry.async_get_issue(DOMAIN, f"phone_quiet_{BOB_ID}")
    hass.config_entries.async_remove_subentry(loaded_entry, BOB_ID)
    await hass.async_block_till_done(wait_background_tasks=True)  # the reload
    assert issue_registry.async_get_issue(DOMAIN, f"phone_quiet_{BOB_ID}") is None


@pytest.mark.usefixtures("both_home")
async def test_what_a_phone_taught_survives_a_restart(
    hass: HomeAssistant, loaded_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    presence = system_of(loaded_entry).presence
    # Alice's phone ignores ARP for a few minutes at a time, at home.
    for _ in range(12):
        presence.simulate(ALICE_ID, False)
        await minutes(hass, freezer, 14)
        presence.simulate(ALICE_ID, True, announce=False)
        await minutes(hass, freezer, 2)
    learned = presence.occupant(ALICE_ID).habits.snapshot()
    assert len(learned["deaf_spells"]) >= 10
    assert max(learned["deaf_spells"]) <= 6 * MINUTE
    assert learned["rounds_missed"] > 10
    await hass.config_entries.async_reload(loaded_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    restarted = system_of(loaded_entry).presence.occupant(ALICE_ID).habits
    assert restarted.deaf_spells == learned["deaf_spells"]
    # (and one more answered round: asked at once after the restart)
    assert restarted.rounds_asked == pytest.approx(
        learned["rounds_asked"] * 0.99 + 1, rel=1e-3
    )
    assert state(hass, ALICE) == "home"
    # Learned, it counts as away sooner than a phone not known yet would.
    await simulate(hass, ALICE, "silent")
    await simulate(hass, BOB, "silent")
    await walk_out(hass, loaded_entry, freezer)
    await minutes(hass, freezer, 12)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, BOB) == "home"  # a stranger to the rules still


OLD_OPTIONS = {
    key: value
    for key, value in PRESENCE_OPTIONS.items()
    if key not in ("confirm_rounds", "round_spacing")
}


@pytest.mark.parametrize("options", [OLD_OPTIONS])
async def test_an_entry_from_before_keeps_working_and_does_not_arm_on_restart(
    hass: HomeAssistant,
    config_entry: MockConfigEntry,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
) -> None:
    # Options and stored state as an earlier version left them: everyone away,
    # and the owner disarmed from the app (to let the cleaner in).
    gone = {"presence": "away", "last_seen": 1_781_000_000.0, "detection": "frame"}
    hass_storage[f"{DOMAIN}.{config_entry.entry_id}"] = {
        "version": 1,
        "key": f"{DOMAIN}.{config_entry.entry_id}",
        "data": {
            "presence": {
                ALICE_ID: {**gone, "ip": "192.0.2.10"},
                BOB_ID: {**gone, "ip": "192.0.2.11"},
            },
            "auto_arm": {"enabled": True, "armed_by_presence": False},
        },
    }
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done()
    presence = system_of(config_entry).config.presence
    assert presence.confirm_rounds == 3
    assert presence.round_spacing == MINUTE
    # Confirmed away again after the restart: not a new departure.
    await minutes(hass, freezer, 20)
    assert state(hass, ALICE) == "not_home"
    assert state(hass, PANEL) == AlarmControlPanelState.DISARMED


def test_a_person_in_a_zone_inside_home_is_home() -> None:
    assert home_of(State("person.alice", "home")) is True
    garden = {"in_zones": ["zone.home", "zone.garden"]}
    assert home_of(State("person.alice", "Garden", garden)) is True
    assert home_of(State("person.alice", "Work", {"in_zones": ["zone.work"]})) is False
    assert home_of(State("person.alice", "not_home")) is False
    assert home_of(State("person.alice", "unavailable")) is None
    assert home_of(None) is None
