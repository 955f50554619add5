"""The wall-panel protocol: commands parsed with suspicion, payloads built."""

import json

import pytest

from custom_components.rpi_security.engine.alarm import (
    AlarmMachine,
    AlarmSettings,
    AlarmState,
    ArmMode,
)
from custom_components.rpi_security.engine.sensors import SensorType
from custom_components.rpi_security.engine.wall_panel import (
    MAX_PAYLOAD_BYTES,
    CommandRejectedError,
    PanelCommand,
    PanelRequest,
    PanelSensor,
    Rejection,
    alarm_event_payload,
    area_keys,
    area_slug,
    encode,
    failed_to_arm_payload,
    no_code_payload,
    not_allowed_payload,
    parse_command,
    rejected_payload,
    state_payload,
    wrong_code_payload,
)

T0 = 1_700_000_000.0
AREAS = area_keys({"a1b2": "Garage", "c3d4": "Garden office", "main": "House"})


def parse(payload: bytes | str) -> PanelRequest:
    return parse_command(payload, AREAS)


def rejection(payload: bytes | str) -> Rejection:
    with pytest.raises(CommandRejectedError) as err:
        parse(payload)
    return err.value.reason


# -- commands in -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("payload", "command"),
    [
        ("ARM_AWAY", PanelCommand.ARM_AWAY),
        ("arm_home", PanelCommand.ARM_HOME),
        (" Arm_Night\n", PanelCommand.ARM_NIGHT),
        (b"ARM_VACATION", PanelCommand.ARM_VACATION),
        ("ARM_CUSTOM_BYPASS", PanelCommand.ARM_CUSTOM_BYPASS),
        ("disarm", PanelCommand.DISARM),
        ('"DISARM"', PanelCommand.DISARM),
    ],
)
def test_a_plain_command(payload: bytes | str, command: PanelCommand) -> None:
    assert parse(payload) == PanelRequest(command)


def test_a_json_command_with_its_code_and_area() -> None:
    payload = '{"command": "ARM_AWAY", "code": "0012", "area": "garage"}'
    assert parse(payload) == PanelRequest(PanelCommand.ARM_AWAY, "0012", "a1b2")


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        ("garage", "a1b2"),
        ("Garage", "a1b2"),
        ("garden_office", "c3d4"),
        ("Garden office", "c3d4"),
        ("c3d4", "c3d4"),
        (None, None),
        ("", None),
    ],
)
def test_an_area_by_its_id_or_its_name(area: str | None, expected: str | None) -> None:
    payload = json.dumps({"command": "DISARM", "area": area})
    assert parse(payload).area == expected


def test_force_or_bypass_and_unknown_keys_ignored() -> None:
    assert parse('{"command": "arm_away", "force": true}').force
    assert parse('{"command": "arm_away", "bypass": true}').force
    assert parse('{"command": "arm_away", "force": true, "bypass": true}').force
    assert not parse('{"command": "arm_away", "force": false}').force
    assert parse('{"command": "DISARM", "panel": "hall", "battery": 80}') == (
        PanelRequest(PanelCommand.DISARM)
    )
    assert parse('{"command": "DISARM", "code": ""}').code is None


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"\xff\xfeARM_AWAY", Rejection.NOT_TEXT),
        ("", Rejection.EMPTY),
        ("   \n", Rejection.EMPTY),
        ('{"command": "ARM_AWAY"', Rejection.NOT_JSON),
        ("{command: ARM_AWAY}", Rejection.NOT_JSON),
        ('["ARM_AWAY"]', Rejection.NOT_AN_OBJECT),
        ("1234", Rejection.NOT_AN_OBJECT),
        ("-1", Rejection.NOT_AN_OBJECT),
        ("null", Rejection.UNKNOWN_COMMAND),
        ("ARM_SIDEWAYS", Rejection.UNKNOWN_COMMAND),
        ("TRIGGER", Rejection.UNKNOWN_COMMAND),
        ('"arm away"', Rejection.UNKNOWN_COMMAND),
        ('{"code": "1234"}', Rejection.MISSING_COMMAND),
        ('{"command": 1}', Rejection.BAD_COMMAND),
        ('{"command": null}', Rejection.BAD_COMMAND),
        ('{"command": ["ARM_AWAY"]}', Rejection.BAD_COMMAND),
        ('{"command": "ARM_WAY"}', Rejection.UNKNOWN_COMMAND),
        ('{"command": "DISARM", "code": 1234}', Rejection.BAD_CODE),
        ('{"command": "DISARM", "code": ["1234"]}', Rejection.BAD_CODE),
        (json.dumps({"command": "DISARM", "code": "1" * 65}), Rejection.BAD_CODE),
        ('{"command": "DISARM", "area": 3}', Rejection.BAD_AREA),
        ('{"command": "DISARM", "area": {"id": "garage"}}', Rejection.BAD_AREA),
        ('{"command": "DISARM", "area": "attic"}', Rejection.UNKNOWN_AREA),
        ('{"command": "ARM_AWAY", "force": "yes"}', Rejection.BAD_FORCE),
        ('{"command": "ARM_AWAY", "force": 1}', Rejection.BAD_FORCE),
        (
            '{"command": "ARM_AWAY", "force": true, "bypass": false}',
            Rejection.BAD_FORCE,
        ),
    ],
)
def test_every_bad_input_is_rejected_with_its_reason(
    payload: bytes | str, reason: Rejection
) -> None:
    assert rejection(payload) is reason


def test_an_oversized_payload_is_rejected_unread() -> None:
    padding = " " * MAX_PAYLOAD_BYTES
    assert rejection('{"command": "DISARM"}' + padding) is Rejection.TOO_LARGE
    assert rejection(b"x" * (MAX_PAYLOAD_BYTES + 1)) is Rejection.TOO_LARGE
    exactly = '{"command": "DISARM"}'.ljust(MAX_PAYLOAD_BYTES)
    assert parse(exactly).command is PanelCommand.DISARM


def test_a_rejection_is_a_value_error_with_its_reason() -> None:
    err = CommandRejectedError(Rejection.UNKNOWN_AREA)
    assert isinstance(err, ValueError)
    assert str(err) == "unknown_area"


def test_commands_and_modes() -> None:
    assert PanelCommand.ARM_CUSTOM_BYPASS.mode is ArmMode.CUSTOM_BYPASS
    assert PanelCommand.DISARM.mode is None
    for mode in ArmMode:
        assert PanelCommand.of_mode(mode).mode is mode


def test_area_slugs() -> None:
    assert area_slug("Garden office") == "garden_office"
    assert area_slug("  1st floor / east ") == "1st_floor_east"
    assert area_slug("Garage") == "garage"


# -- states and events out ------------------------------------------------------------

GARAGE_DOOR = PanelSensor("s1", "Garage door", "binary_sensor.garage_door")


def describe(sensor_id: str) -> PanelSensor:
    return {"s1": GARAGE_DOOR}.get(sensor_id, PanelSensor(sensor_id, sensor_id))


def test_state_payload_is_home_assistants_state() -> None:
    assert state_payload(AlarmState.ARMED_CUSTOM_BYPASS) == "armed_custom_bypass"
    assert state_payload(AlarmState.TRIGGERED) == "triggered"


def test_the_events_of_refusals() -> None:
    assert failed_to_arm_payload("a1b2", PanelCommand.ARM_AWAY, [GARAGE_DOOR]) == {
        "event": "FAILED_TO_ARM",
        "area": "a1b2",
        "command": "ARM_AWAY",
        "sensors": [
            {
                "id": "s1",
                "name": "Garage door",
                "entity_id": "binary_sensor.garage_door",
            }
        ],
    }
    assert wrong_code_payload(None, PanelCommand.DISARM) == {
        "event": "INVALID_CODE_PROVIDED",
        "area": None,
        "command": "DISARM",
    }
    assert no_code_payload("a1b2", PanelCommand.DISARM)["event"] == "NO_CODE_PROVIDED"
    assert not_allowed_payload(
        "a1b2", PanelCommand.ARM_HOME, AlarmState.TRIGGERED, "disarm_first"
    ) == {
        "event": "COMMAND_NOT_ALLOWED",
        "area": "a1b2",
        "command": "ARM_HOME",
        "state": "triggered",
        "reason": "disarm_first",
    }
    assert rejected_payload(Rejection.NOT_JSON) == {
        "event": "COMMAND_REJECTED",
        "reason": "not_json",
    }


def test_encode_is_compact_sorted_json() -> None:
    assert encode({"event": "ARM_AWAY", "area": None, "delay": 30}) == (
        '{"area":null,"delay":30,"event":"ARM_AWAY"}'
    )


def garage() -> AlarmMachine:
    return AlarmMachine(
        settings=AlarmSettings(exit_delay=30, entry_delay=20, trigger_time=60),
        sensors={"s1": SensorType.DOOR, "s2": SensorType.WINDOW},
        area="a1b2",
    )


def test_alarm_events_become_panel_events() -> None:
    alarm = garage()
    payloads = [
        alarm_event_payload(e, mode=ArmMode.AWAY, delay=30, describe=describe)
        for e in alarm.arm(ArmMode.AWAY, T0)
    ]
    assert payloads == [{"event": "ARM_AWAY", "area": "a1b2", "delay": 30}]
    # The end of the exit delay is no new arming.
    assert [
        alarm_event_payload(e, mode=ArmMode.AWAY, delay=None, describe=describe)
        for e in alarm.advance(T0 + 30)
    ] == [None]
    events = alarm.sensor_changed("s1", True, T0 + 40)
    payloads = [
        alarm_event_payload(e, mode=ArmMode.AWAY, delay=20, describe=describe)
        for e in events
    ]
    assert payloads == [
        None,  # the trip report itself
        {
            "event": "TRIGGER",
            "area": "a1b2",
            "alarm": "intrusion",
            "delay": 20,
            "sensors": [GARAGE_DOOR.payload()],
        },
    ]
    # The entry delay ending is the same alarm, not a new one.
    assert [
        alarm_event_payload(e, mode=ArmMode.AWAY, delay=60, describe=describe)
        for e in alarm.advance(T0 + 60)
    ] == [None]


def test_a_window_triggering_at_once_is_a_trigger_without_delay() -> None:
    alarm = garage()
    alarm.arm(ArmMode.HOME, T0, skip_delay=True)
    events = alarm.sensor_changed("s2", True, T0 + 1)
    payload = alarm_event_payload(
        events[-1], mode=ArmMode.HOME, delay=60, describe=describe
    )
    assert payload is not None
    assert payload["delay"] == 0
    assert payload["sensors"] == [{"id": "s2", "name": "s2", "entity_id": None}]


def test_disarming_is_told_by_the_state_topic_only() -> None:
    alarm = garage()
    alarm.arm(ArmMode.AWAY, T0)
    (event,) = alarm.disarm(T0 + 1)
    assert alarm_event_payload(event, mode=None, delay=None, describe=describe) is None
