"""Wall panels over MQTT, against a real mosquitto broker the tests start.

Home Assistant's own MQTT integration connects to the broker (on a free
loopback port); a second client, paho-mqtt in a thread, is the wall panel:
it publishes commands and reads the retained states and the events. Nothing
is mocked. Real time: the broker and both clients keep their own clocks.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from homeassistant.components import mqtt
from homeassistant.components.alarm_control_panel import AlarmControlPanelState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
)

from custom_components.rpi_security.engine.codes import hash_code

from .helpers import FRONT_DOOR_ID, FRONT_DOOR_PIN, PANEL, pin, with_options
from .mosquitto import MOSQUITTO, NO_MOSQUITTO, Message, WallPanel, mosquitto

pytestmark = pytest.mark.skipif(MOSQUITTO is None, reason=NO_MOSQUITTO)

ALICE_CODE = "0417"  # a leading zero: codes are text
BOB_CODE = "5678"  # Bob may disarm, never arm
STATE = "rpi_security/state"
AREA_STATE = "rpi_security/home/state"  # the one area: the system "Home"
EVENT = "rpi_security/event"
COMMAND = "rpi_security/command"

OPTIONS = with_options(exit_delay=0, entry_delay=0, mqtt_enabled=True)


@pytest.fixture
def options() -> dict[str, Any]:
    return dict(OPTIONS)


@pytest.fixture
def extra_subentries() -> list[dict[str, Any]]:
    def user(name: str, code: str, **rights: Any) -> dict[str, Any]:
        return {
            "subentry_type": "user",
            "title": name,
            "unique_id": None,
            "data": {
                "code_hash": hash_code(code, iterations=1000),
                "code_format": "number",
                **rights,
            },
        }

    return [user("Alice", ALICE_CODE), user("Bob", BOB_CODE, can_arm=False)]


@pytest.fixture
def broker(socket_enabled: None, tmp_path: Path) -> Iterator[int]:
    """Mosquitto on a free loopback port (skipped, saying why, if it cannot run)."""
    with ExitStack() as stack:
        try:
            port = stack.enter_context(mosquitto(tmp_path))
        except RuntimeError as err:
            pytest.skip(str(err))
        yield port


async def wait_for[T](check: Callable[[], T | None], what: str) -> T:
    """``check()``'s first true answer, within 10 s."""
    async with asyncio.timeout(10):
        # What the panel's thread heard, or the MQTT client's state: polled.
        while not (found := check()):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    assert found, what
    return found


@pytest.fixture
async def mqtt_entry(
    hass: HomeAssistant, broker: int, mock_hass_config: None
) -> AsyncIterator[None]:
    """Home Assistant's MQTT integration, connected to the broker.

    (The harness's configuration.yaml is empty: MQTT reads it at setup.)
    """
    entry = MockConfigEntry(
        domain="mqtt",
        version=2,
        minor_version=1,
        data={"broker": "127.0.0.1", "port": broker},
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await wait_for(lambda: mqtt.is_connected(hass), "MQTT connected")
    yield
    await hass.config_entries.async_unload(entry.entry_id)


async def subscribed(hass: HomeAssistant, topic: str) -> None:
    """Wait until Home Assistant's client has subscribed to ``topic``."""
    done = asyncio.Event()
    stop = mqtt.async_on_subscribe_done(hass, topic, 1, done.set)
    try:
        async with asyncio.timeout(10):
            await done.wait()
    finally:
        stop()


@pytest.fixture
async def entry(
    hass: HomeAssistant, mqtt_entry: None, config_entry: MockConfigEntry
) -> AsyncIterator[MockConfigEntry]:
    config_entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    # (Not all background tasks: MQTT's discovery cool-down lasts seconds.)
    await hass.async_block_till_done()
    await subscribed(hass, COMMAND)
    yield config_entry
    await hass.config_entries.async_unload(config_entry.entry_id)


@pytest.fixture
def panel(broker: int) -> Iterator[WallPanel]:
    client = WallPanel(broker)
    yield client
    client.close()


async def heard(
    panel: WallPanel, topic: str, matching: Callable[[Message], bool] = bool
) -> Message:
    """The first message on ``topic`` matching, once it arrives."""
    return await wait_for(
        lambda: next((m for m in panel.messages(topic) if matching(m)), None), topic
    )


async def event(panel: WallPanel, name: str) -> dict[str, Any]:
    """The first event called ``name`` heard since the panel last forgot."""
    message = await heard(panel, EVENT, lambda m: m.json.get("event") == name)
    payload: dict[str, Any] = message.json
    return payload


async def command(
    hass: HomeAssistant, panel: WallPanel, payload: str | bytes, answer: str
) -> dict[str, Any]:
    """Send a command; the event that answers it."""
    panel.forget()
    panel.publish(COMMAND, payload)
    found = await event(panel, answer)
    await hass.async_block_till_done()
    return found


async def wall_panel_options(
    hass: HomeAssistant, entry: MockConfigEntry, **changes: Any
) -> None:
    """Configure > Wall panel (MQTT): change some fields, submit."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "wall_panel"}
    )
    shown = {
        str(key): key.description["suggested_value"]
        for key in result["data_schema"].schema
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {**shown, **changes}
    )
    assert result["type"] == "create_entry", result.get("errors")
    await hass.async_block_till_done()


def state(hass: HomeAssistant) -> str:
    return hass.states.get(PANEL).state


async def test_a_wall_panel_finds_the_state_retained_for_the_house_and_the_area(
    hass: HomeAssistant, entry: MockConfigEntry, broker: int
) -> None:
    # A panel that connects later still finds the states.
    late = WallPanel(broker)
    try:
        house = await heard(late, STATE)
        area = await heard(late, AREA_STATE)
    finally:
        late.close()
    assert (house.text, house.retain) == ("disarmed", True)
    assert (area.text, area.retain) == ("disarmed", True)


async def test_arming_and_disarming_with_a_code(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    # A code is needed to arm over MQTT (the option's default).
    answer = await command(hass, panel, "ARM_AWAY", "NO_CODE_PROVIDED")
    assert answer == {"event": "NO_CODE_PROVIDED", "area": None, "command": "ARM_AWAY"}
    assert state(hass) == AlarmControlPanelState.DISARMED

    arm = f'{{"command": "arm_away", "code": "{ALICE_CODE}"}}'
    answer = await command(hass, panel, arm, "ARM_AWAY")
    assert answer == {"event": "ARM_AWAY", "area": "home", "delay": 0}
    assert state(hass) == AlarmControlPanelState.ARMED_AWAY
    assert hass.states.get(PANEL).attributes["changed_by"] == "Alice (MQTT)"
    await heard(panel, STATE, lambda m: m.text == "armed_away")
    await heard(panel, AREA_STATE, lambda m: m.text == "armed_away")

    await command(hass, panel, "disarm", "NO_CODE_PROVIDED")
    assert state(hass) == AlarmControlPanelState.ARMED_AWAY
    disarm = f'{{"command": "DISARM", "code": "{ALICE_CODE}", "area": "Home"}}'
    panel.forget()
    panel.publish(COMMAND, disarm)
    await heard(panel, STATE, lambda m: m.text == "disarmed")
    assert state(hass) == AlarmControlPanelState.DISARMED


@pytest.mark.parametrize(
    "options", [with_options(exit_delay=0, mqtt_enabled=True, mqtt_require_code=False)]
)
async def test_without_require_code_arming_needs_a_code_only_if_the_panel_does(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    panel.publish(COMMAND, "ARM_HOME")
    await heard(panel, STATE, lambda m: m.text == "armed_home")
    assert state(hass) == AlarmControlPanelState.ARMED_HOME
    # Disarming always needs a code once a user has one.
    await command(hass, panel, "DISARM", "NO_CODE_PROVIDED")
    assert state(hass) == AlarmControlPanelState.ARMED_HOME


async def test_wrong_codes_lock_codes_out_after_five_as_on_the_panel(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    bad_codes = async_capture_events(hass, "rpi_security_bad_code")
    for attempt in range(5):
        answer = await command(
            hass,
            panel,
            f'{{"command": "ARM_AWAY", "code": "99{attempt:02}"}}',
            "INVALID_CODE_PROVIDED",
        )
        assert answer["command"] == "ARM_AWAY"
    assert [e.data["failures"] for e in bad_codes] == [1, 2, 3, 4, 5]
    assert bad_codes[-1].data["locked_out"]
    # Now even the right code is refused, for a while.
    answer = await command(
        hass,
        panel,
        f'{{"command": "ARM_AWAY", "code": "{ALICE_CODE}"}}',
        "COMMAND_NOT_ALLOWED",
    )
    assert answer["reason"] == "locked_out"
    assert state(hass) == AlarmControlPanelState.DISARMED


async def test_a_user_may_only_do_what_their_rights_allow(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    answer = await command(
        hass,
        panel,
        f'{{"command": "ARM_NIGHT", "code": "{BOB_CODE}"}}',
        "COMMAND_NOT_ALLOWED",
    )
    assert answer == {
        "event": "COMMAND_NOT_ALLOWED",
        "area": None,
        "command": "ARM_NIGHT",
        "state": "disarmed",
        "reason": "user_not_allowed",
    }
    assert state(hass) == AlarmControlPanelState.DISARMED
    # A mode the panel does not offer is not allowed either.
    answer = await command(
        hass,
        panel,
        f'{{"command": "ARM_VACATION", "code": "{ALICE_CODE}"}}',
        "COMMAND_NOT_ALLOWED",
    )
    assert answer["reason"] == "mode_not_enabled"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b'{"command": "ARM_AWAY", "code": "0417"', "not_json"),
        (b"ARM_SIDEWAYS", "unknown_command"),
        (b'{"command": "ARM_AWAY", "code": "0417", "area": "garage"}', "unknown_area"),
        (b'{"command": "ARM_AWAY", "code": 417}', "bad_code"),
        (b'{"code": "0417"}', "missing_command"),
        (b'{"command": "ARM_AWAY", "code": "0417", "force": "yes"}', "bad_force"),
        (b"\xff\xfeARM_AWAY", "not_text"),
        (b"[1, 2]", "not_an_object"),
        (b"   ", "empty"),
        (b"ARM_AWAY " + b"x" * 2000, "too_large"),
    ],
)
async def test_bad_payloads_are_refused_and_change_nothing(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    panel: WallPanel,
    payload: bytes,
    reason: str,
) -> None:
    before = hass.states.get(PANEL)
    answer = await command(hass, panel, payload, "COMMAND_REJECTED")
    assert answer == {"event": "COMMAND_REJECTED", "reason": reason}
    assert hass.states.get(PANEL) == before


async def test_a_retained_command_is_obeyed_once_never_replayed(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    """A broker replays a retained command at every subscription: no command then."""
    arm = f'{{"command": "ARM_AWAY", "code": "{ALICE_CODE}"}}'
    panel.publish(COMMAND, arm, retain=True)  # as it is sent, it is a command
    await event(panel, "ARM_AWAY")
    panel.forget()
    panel.publish(COMMAND, f'{{"command": "DISARM", "code": "{ALICE_CODE}"}}')
    await heard(panel, STATE, lambda m: m.text == "disarmed")
    # Reloading subscribes again: the broker hands over the retained arm.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    await subscribed(hass, COMMAND)
    await asyncio.sleep(0.3)
    await hass.async_block_till_done()
    assert state(hass) == AlarmControlPanelState.DISARMED
    panel.publish(COMMAND, b"", retain=True)  # the broker forgets it


async def test_arming_refused_names_the_open_sensors_and_force_arms(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    pin(entry, FRONT_DOOR_PIN).drive_high()  # the front door stands open
    await hass.async_block_till_done()
    await asyncio.sleep(0.15)  # its debounce
    await hass.async_block_till_done()
    arm = f'{{"command": "ARM_AWAY", "code": "{ALICE_CODE}"'
    answer = await command(hass, panel, arm + "}", "FAILED_TO_ARM")
    # A command to the whole house: the refusal names the area that refused.
    assert answer == {
        "event": "FAILED_TO_ARM",
        "area": "home",
        "command": "ARM_AWAY",
        "sensors": [
            {
                "id": FRONT_DOOR_ID,
                "name": "Front door",
                "entity_id": "binary_sensor.front_door",
            }
        ],
    }
    assert state(hass) == AlarmControlPanelState.DISARMED
    await command(hass, panel, arm + ', "force": true}', "ARM_AWAY")
    assert state(hass) == AlarmControlPanelState.ARMED_AWAY


async def test_an_alarm_is_an_event_naming_the_sensor(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel
) -> None:
    await command(
        hass, panel, f'{{"command": "ARM_AWAY", "code": "{ALICE_CODE}"}}', "ARM_AWAY"
    )
    panel.forget()
    pin(entry, FRONT_DOOR_PIN).drive_high()
    answer = await event(panel, "TRIGGER")
    assert answer["area"] == "home"
    assert answer["alarm"] == "intrusion"
    assert [s["name"] for s in answer["sensors"]] == ["Front door"]
    await heard(panel, STATE, lambda m: m.text == "triggered")


async def test_topics_change_live_and_turning_it_off_stops_listening(
    hass: HomeAssistant, entry: MockConfigEntry, panel: WallPanel, broker: int
) -> None:
    system = entry.runtime_data
    await wall_panel_options(
        hass,
        entry,
        mqtt_command_topic="house/panel/set",
        mqtt_state_topic="house/alarm",
    )
    assert entry.runtime_data is system  # not reloaded
    await subscribed(hass, "house/panel/set")
    await heard(panel, "house/alarm", lambda m: m.text == "disarmed")
    await heard(panel, "house/home/alarm", lambda m: m.text == "disarmed")
    arm = f'{{"command": "ARM_HOME", "code": "{ALICE_CODE}"}}'
    panel.publish(COMMAND, arm)  # the old topic: nobody listens
    panel.publish("house/panel/set", arm)
    await heard(panel, "house/alarm", lambda m: m.text == "armed_home")
    assert state(hass) == AlarmControlPanelState.ARMED_HOME
    assert [m.text for m in panel.messages("house/alarm")] == ["disarmed", "armed_home"]

    # The states left on the old topics were cleared: a new panel finds none.
    late = WallPanel(broker)
    try:
        await heard(late, "house/alarm")
        assert late.messages(STATE) == []
        assert late.messages(AREA_STATE) == []
    finally:
        late.close()

    await wall_panel_options(hass, entry, mqtt_enabled=False)
    await heard(panel, "house/alarm", lambda m: m.text == "")  # cleared
    await asyncio.sleep(0.3)  # the unsubscription's cool-down
    panel.forget()
    panel.publish("house/panel/set", "DISARM")
    await asyncio.sleep(0.3)
    await hass.async_block_till_done()
    assert panel.messages(EVENT) == []
    assert state(hass) == AlarmControlPanelState.ARMED_HOME
