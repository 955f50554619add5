"""Several areas and the whole house: combined state, fan-out, snapshots."""

import json

import pytest

from custom_components.rpi_security.engine.alarm import (
    AlarmMachine,
    AlarmSettings,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    ArmModeNotEnabledError,
    EventType,
)
from custom_components.rpi_security.engine.areas import (
    House,
    HouseState,
    combined_state,
)
from custom_components.rpi_security.engine.sensors import AlarmKind, SensorType

T0 = 1_700_000_000.0
S = AlarmState

# What the store held before areas: written by the alarm machine of the
# previous release (pending, the patio door forced past at arming), as it
# sits in the store file beside the other parts.
STORE_BEFORE_AREAS = json.loads(
    '{"alarm": {"state": "pending", "previous_state": "armed_night", '
    '"armed_mode": "night", "return_state": "armed_night", "cause": "front", '
    '"cause_offline": false, "changed_by": "Alice", "delay_left": 15.0, '
    '"deadline": 1700000120.0, "bypassed": ["patio"], '
    '"last_door_open": 1700000100.0, '
    '"levels": {"front": true, "patio": true, "hall": false}}, '
    '"auto_arm": {"enabled": true, "armed_by_presence": false}, '
    '"presence": {}}'
)


def area(
    area_id: str, *sensors: tuple[str, SensorType], **settings: object
) -> AlarmMachine:
    defaults: dict[str, object] = {
        "exit_delay": 30,
        "entry_delay": 20,
        "trigger_time": 60,
    }
    return AlarmMachine(
        settings=AlarmSettings(**(defaults | settings)),  # type: ignore[arg-type]
        sensors=dict(sensors),
        area=area_id,
    )


def house() -> House:
    return House(
        [
            area(
                "house",
                ("front", SensorType.DOOR),
                ("patio", SensorType.DOOR),
                ("hall", SensorType.MOTION),
            ),
            area(
                "garage", ("garage_door", SensorType.DOOR), ("shared", SensorType.DOOR)
            ),
            area(
                "office",
                ("office_door", SensorType.DOOR),
                ("shared", SensorType.DOOR),
                arm_modes=frozenset({ArmMode.AWAY}),
            ),
        ],
        names={"house": "House", "garage": "Garage", "office": "Garden office"},
    )


# -- the combined state ------------------------------------------------------------


@pytest.mark.parametrize(
    ("areas", "expected"),
    [
        ([S.TRIGGERED, S.PENDING, S.DISARMED], HouseState(S.TRIGGERED)),
        ([S.ARMED_AWAY, S.PENDING, S.ARMING], HouseState(S.PENDING)),
        ([S.ARMED_AWAY, S.ARMING], HouseState(S.ARMING)),
        ([S.DISARMED, S.ARMING], HouseState(S.ARMING)),
        ([S.ARMED_AWAY, S.ARMED_AWAY], HouseState(S.ARMED_AWAY)),
        ([S.ARMED_NIGHT], HouseState(S.ARMED_NIGHT)),
        ([S.ARMED_CUSTOM_BYPASS] * 2, HouseState(S.ARMED_CUSTOM_BYPASS)),
        ([S.DISARMED, S.DISARMED], HouseState(S.DISARMED)),
        ([S.ARMED_AWAY, S.DISARMED], HouseState(S.ARMED_CUSTOM_BYPASS, mixed=True)),
        ([S.ARMED_AWAY, S.ARMED_HOME], HouseState(S.ARMED_CUSTOM_BYPASS, mixed=True)),
        ([], HouseState(S.DISARMED)),
    ],
)
def test_the_whole_house_state(areas: list[AlarmState], expected: HouseState) -> None:
    assert combined_state(areas) == expected


def test_areas_are_armed_and_disarmed_independently() -> None:
    home = house()
    home.areas["garage"].arm(ArmMode.AWAY, T0, skip_delay=True)
    assert home.areas["house"].state is S.DISARMED
    assert home.state == HouseState(S.ARMED_CUSTOM_BYPASS, mixed=True)
    events = home.sensor_changed("garage_door", True, T0 + 1)
    assert [(e.area, e.state) for e in events if e.type is EventType.STATE_CHANGED] == [
        ("garage", S.PENDING)
    ]
    assert home.state.state is S.PENDING
    assert home.sensor_changed("front", True, T0 + 2) == []  # house disarmed


def test_a_sensor_in_two_areas_counts_in_each() -> None:
    home = house()
    home.arm_all(ArmMode.AWAY, T0, skip_delay=True)
    events = home.sensor_changed("shared", True, T0 + 1)
    assert {e.area for e in events if e.type is EventType.STATE_CHANGED} == {
        "garage",
        "office",
    }
    assert [m.area for m in home.areas_of("shared")] == ["garage", "office"]


def test_the_whole_house_offers_the_modes_every_area_enables() -> None:
    assert house().arm_modes == frozenset({ArmMode.AWAY})


def test_names_and_the_primary_area() -> None:
    home = house()
    assert home.primary.area == "house"
    assert home.name("office") == "Garden office"
    assert home.name("unknown") == "unknown"


def test_a_house_refuses_areas_without_unique_ids() -> None:
    with pytest.raises(ValueError, match="unique"):
        House([area("a"), area("a")])
    with pytest.raises(ValueError, match="unique"):
        House([AlarmMachine(settings=AlarmSettings(), sensors={})])
    with pytest.raises(ValueError, match="at least one"):
        House([])


# -- fan-out ---------------------------------------------------------------------


def test_arm_all_arms_what_it_can_and_reports_each_refusal() -> None:
    home = house()
    home.areas["garage"].set_initial("garage_door", True)
    result = home.arm_all(ArmMode.NIGHT, T0, changed_by="Alice")
    assert result.done == ["house"]
    assert set(result.refused) == {"garage", "office"}
    garage = result.refused["garage"]
    assert isinstance(garage, ArmingRefusedError)
    assert garage.sensors == ("garage_door",)
    assert garage.area == "garage"
    assert isinstance(result.refused["office"], ArmModeNotEnabledError)
    assert [(e.area, e.state) for e in result.events] == [("house", S.ARMING)]
    assert home.state == HouseState(S.ARMING)


def test_arm_all_or_nothing_arms_nothing_when_an_area_refuses() -> None:
    home = house()
    home.areas["garage"].set_initial("garage_door", True)
    result = home.arm_all(ArmMode.AWAY, T0, all_or_nothing=True)
    assert result.done == []
    assert list(result.refused) == ["garage"]
    assert result.events == []
    assert all(m.state is S.DISARMED for m in home.areas.values())


def test_arm_all_forced_bypasses_in_every_area() -> None:
    home = house()
    home.areas["garage"].set_initial("garage_door", True)
    result = home.arm_all(ArmMode.AWAY, T0, force=True, all_or_nothing=True)
    assert result.refused == {}
    assert result.done == ["house", "garage", "office"]
    assert home.areas["garage"].bypassed == {"garage_door"}


def test_arm_anyway_bypasses_what_each_area_refused() -> None:
    home = house()
    home.areas["garage"].set_initial("garage_door", True)
    home.areas["house"].set_initial("patio", True)
    refused = home.arm_all(ArmMode.AWAY, T0, all_or_nothing=True).refused
    bypass = {
        area_id: err.sensors
        for area_id, err in refused.items()
        if isinstance(err, ArmingRefusedError)
    }
    assert bypass == {"garage": ("garage_door",), "house": ("patio",)}
    home.areas["house"].set_initial("front", True)  # opened meanwhile
    result = home.arm_all(ArmMode.AWAY, T0 + 5, bypass=bypass, all_or_nothing=True)
    assert list(result.refused) == ["house"]
    assert result.done == []
    home.areas["house"].set_initial("front", False)
    result = home.arm_all(ArmMode.AWAY, T0 + 6, bypass=bypass)
    assert result.done == ["house", "garage", "office"]
    assert home.areas["garage"].bypassed == {"garage_door"}
    assert home.areas["house"].bypassed == {"patio"}


def test_arm_some_areas_and_disarm_all() -> None:
    home = house()
    result = home.arm_all(ArmMode.AWAY, T0, areas=["garage", "office"])
    assert result.done == ["garage", "office"]
    assert home.areas["house"].state is S.DISARMED
    with pytest.raises(KeyError):
        home.arm_all(ArmMode.AWAY, T0, areas=["attic"])
    result = home.disarm_all(T0 + 1, changed_by="Bob")
    assert result.done == ["house", "garage", "office"]
    assert [(e.area, e.state, e.changed_by) for e in result.events] == [
        ("garage", S.DISARMED, "Bob"),
        ("office", S.DISARMED, "Bob"),
    ]
    assert home.state == HouseState(S.DISARMED)


def test_the_house_deadline_and_advance() -> None:
    home = house()
    home.areas["house"].arm(ArmMode.AWAY, T0)
    home.areas["garage"].arm(ArmMode.AWAY, T0 + 10)
    assert home.deadline == T0 + 30
    events = home.advance(T0 + 30)
    assert [(e.area, e.state) for e in events] == [("house", S.ARMED_AWAY)]
    assert home.deadline == T0 + 40
    home.advance(T0 + 40)
    assert home.deadline is None


def test_a_first_level_reaches_every_area_of_the_sensor() -> None:
    home = house()
    home.sensor_seen("shared", True, T0)
    assert all("shared" in m.open_sensors for m in home.areas_of("shared"))


# -- snapshots --------------------------------------------------------------------


def test_the_house_snapshot_restores_every_area() -> None:
    home = house()
    home.arm_all(ArmMode.AWAY, T0, skip_delay=True)
    home.sensor_changed("garage_door", True, T0 + 5)
    snapshot = json.loads(json.dumps(home.snapshot(T0 + 10)))
    assert set(snapshot["areas"]) == {"house", "garage", "office"}
    fresh = house()
    result = fresh.restore(snapshot, T0 + 100, {"garage_door": True, "front": False})
    assert result.unreadable == {}
    assert result.missing == ()
    assert fresh.areas["garage"].state is S.PENDING
    assert fresh.areas["garage"].deadline == T0 + 100 + 15
    assert fresh.areas["house"].state is S.ARMED_AWAY
    assert fresh.areas["house"].open_sensors == set()


def test_a_snapshot_from_before_areas_restores_into_one_area_without_loss() -> None:
    only = area(
        "main",
        ("front", SensorType.DOOR),
        ("patio", SensorType.DOOR),
        ("hall", SensorType.MOTION),
    )
    home = House([only])
    levels = {"front": True, "patio": True, "hall": False}
    result = home.restore(STORE_BEFORE_AREAS["alarm"], T0 + 3600, levels)
    assert result.events == []
    assert result.unreadable == {}
    assert only.state is S.PENDING
    assert only.previous_state is S.ARMED_NIGHT
    assert only.armed_mode is ArmMode.NIGHT
    assert only.return_state is S.ARMED_NIGHT
    assert only.deadline == T0 + 3600 + 15  # the entry delay resumes
    assert only.cause == "front"
    assert only.changed_by == "Alice"
    assert only.bypassed == {"patio"}
    assert only.last_door_open == T0 + 100
    assert only.alarm_kind is None  # not recorded then: intrusion, by default
    # Everything new starts empty; the old keys are all written again.
    snapshot = only.snapshot(T0 + 3600)
    assert set(STORE_BEFORE_AREAS["alarm"]) <= set(snapshot)
    assert snapshot["auto_bypassed"] == []
    assert snapshot["faults"] == []
    assert snapshot["cross_zone"] == {}
    assert snapshot["area"] == "main"
    # And it goes on: the entry delay ends in the trigger.
    events = home.advance(T0 + 3615)
    assert [(e.area, e.state) for e in events] == [("main", S.TRIGGERED)]


def test_a_snapshot_from_before_areas_goes_to_the_primary_area() -> None:
    home = house()
    result = home.restore(
        STORE_BEFORE_AREAS["alarm"], T0 + 10, {"front": True, "patio": True}
    )
    assert home.areas["house"].state is S.PENDING
    assert result.missing == ("garage", "office")
    assert home.areas["garage"].state is S.DISARMED


def test_an_unreadable_area_is_named_and_the_others_restore() -> None:
    home = house()
    home.arm_all(ArmMode.AWAY, T0, skip_delay=True)
    snapshot = home.snapshot(T0)
    snapshot["areas"]["garage"] = {"state": "exploded"}
    fresh = house()
    result = fresh.restore(snapshot, T0 + 10, {})
    assert list(result.unreadable) == ["garage"]
    assert fresh.areas["garage"].state is S.DISARMED  # untouched, for the glue
    assert fresh.areas["house"].state is S.ARMED_AWAY


@pytest.mark.parametrize(
    "data",
    [None, [], "armed_away", {}, {"areas": []}, {"something": "else"}],
)
def test_a_snapshot_of_neither_shape_is_refused(data: object) -> None:
    home = house()
    with pytest.raises(ValueError):  # noqa: PT011 - each has its own message
        home.restore(data, T0, {})
    assert all(m.state is S.DISARMED for m in home.areas.values())


def test_trip_events_name_their_area_and_kind() -> None:
    home = House([area("cellar", ("water", SensorType.ENVIRONMENTAL))])
    events = home.sensor_changed("water", True, T0)
    assert [(e.type, e.area, e.alarm) for e in events] == [
        (EventType.ENVIRONMENTAL, "cellar", AlarmKind.ENVIRONMENTAL),
        (EventType.STATE_CHANGED, "cellar", AlarmKind.ENVIRONMENTAL),
    ]
