"""Sirens and strobes: on while triggered, chirps, never left on across a restart."""

from custom_components.rpi_security.engine.alarm import (
    AlarmMachine,
    AlarmSettings,
    ArmMode,
)
from custom_components.rpi_security.engine.areas import House
from custom_components.rpi_security.engine.sensors import AlarmKind, SensorType
from custom_components.rpi_security.engine.sirens import (
    Output,
    OutputChange,
    SirenController,
    SirenSettings,
)

T0 = 1_700_000_000.0
SIREN = Output("siren")
STROBE = Output("strobe", chirps=False)
GARAGE_BUZZER = Output("buzzer", areas=frozenset({"garage"}))
BELL = Output("bell", alarms=frozenset({AlarmKind.INTRUSION, AlarmKind.TAMPER}))


def home() -> House:
    settings = AlarmSettings(exit_delay=30, entry_delay=0, trigger_time=60)
    return House(
        [
            AlarmMachine(
                settings=settings,
                sensors={"front": SensorType.DOOR, "smoke": SensorType.ENVIRONMENTAL},
                area="house",
            ),
            AlarmMachine(
                settings=settings,
                sensors={"garage_door": SensorType.DOOR},
                area="garage",
            ),
        ]
    )


def controller(**settings: object) -> SirenController:
    outputs = (SIREN, STROBE, GARAGE_BUZZER, BELL)
    return SirenController(SirenSettings(outputs=outputs, **settings))  # type: ignore[arg-type]


def on(changes: list[OutputChange]) -> set[str]:
    return {change.id for change in changes if change.on}


def off(changes: list[OutputChange]) -> set[str]:
    return {change.id for change in changes if not change.on}


def test_outputs_sound_while_triggered_and_stop_at_the_end_of_the_trigger_time() -> (
    None
):
    house, sirens = home(), controller()
    assert (
        sirens.apply(house.arm_all(ArmMode.AWAY, T0, skip_delay=True).events, T0) == []
    )
    changes = sirens.apply(house.sensor_changed("front", True, T0 + 1), T0 + 1)
    assert on(changes) == {"siren", "strobe", "bell"}  # not the garage's buzzer
    assert sirens.is_on("siren")
    assert sirens.apply(house.advance(T0 + 30), T0 + 30) == []  # still triggered
    changes = sirens.apply(house.advance(T0 + 61), T0 + 61)
    assert off(changes) == {"siren", "strobe", "bell"}
    assert not sirens.is_on("siren")


def test_disarming_silences_at_once_without_a_chirp() -> None:
    house, sirens = home(), controller(disarm_chirp=1)
    house.arm_all(ArmMode.AWAY, T0, skip_delay=True)
    sirens.apply(house.sensor_changed("garage_door", True, T0 + 1), T0 + 1)
    assert sirens.is_on("buzzer")
    changes = sirens.apply(house.disarm_all(T0 + 5, areas=["garage"]).events, T0 + 5)
    assert off(changes) == {"siren", "strobe", "buzzer", "bell"}
    assert sirens.deadline is None


def test_an_output_sounds_only_for_its_kinds_of_alarm() -> None:
    house, sirens = home(), controller()
    changes = sirens.apply(house.sensor_changed("smoke", True, T0), T0)
    assert on(changes) == {"siren", "strobe"}  # the bell is not for smoke
    assert not sirens.is_on("bell")


def test_another_kind_of_alarm_while_sounding_adds_its_outputs() -> None:
    sirens = SirenController(
        SirenSettings(
            outputs=(Output("fire", alarms=frozenset({AlarmKind.ENVIRONMENTAL})),)
        )
    )
    house = home()
    house.arm_all(ArmMode.AWAY, T0, skip_delay=True)
    assert sirens.apply(house.sensor_changed("front", True, T0 + 1), T0 + 1) == []
    changes = sirens.apply(house.sensor_changed("smoke", True, T0 + 2), T0 + 2)
    assert on(changes) == {"fire"}


def test_chirp_on_arming_and_disarming() -> None:
    house, sirens = home(), controller(arm_chirp=0.5, disarm_chirp=1.0)
    changes = sirens.apply(house.arm_all(ArmMode.AWAY, T0).events, T0)
    assert on(changes) == {"siren", "buzzer", "bell"}  # the strobe does not chirp
    assert sirens.deadline == T0 + 0.5
    assert sirens.advance(T0 + 0.4) == []
    assert off(sirens.advance(T0 + 0.5)) == {"siren", "buzzer", "bell"}
    # The end of the exit delay is no second chirp.
    assert sirens.apply(house.advance(T0 + 30), T0 + 30) == []
    changes = sirens.apply(house.disarm_all(T0 + 100).events, T0 + 100)
    assert on(changes) == {"siren", "buzzer", "bell"}
    assert sirens.deadline == T0 + 101
    assert off(sirens.advance(T0 + 101)) == {"siren", "buzzer", "bell"}


def test_a_chirp_belongs_to_the_area_armed() -> None:
    house, sirens = home(), controller(arm_chirp=1)
    changes = sirens.apply(house.arm_all(ArmMode.AWAY, T0, areas=["house"]).events, T0)
    assert on(changes) == {"siren", "bell"}


def test_no_chirps_unless_asked() -> None:
    house, sirens = home(), controller()
    assert sirens.apply(house.arm_all(ArmMode.AWAY, T0).events, T0) == []
    assert sirens.apply(house.disarm_all(T0 + 1).events, T0 + 1) == []


def test_the_end_of_a_trigger_back_to_armed_is_no_chirp() -> None:
    house, sirens = home(), controller(arm_chirp=1)
    house.arm_all(ArmMode.AWAY, T0, skip_delay=True)
    sirens.apply(house.sensor_changed("front", True, T0 + 5), T0 + 5)
    changes = sirens.apply(house.advance(T0 + 65), T0 + 65)
    assert on(changes) == set()
    assert sirens.deadline is None


def test_restore_says_off_unless_triggered() -> None:
    house, sirens = home(), controller(arm_chirp=5)
    sirens.apply(house.arm_all(ArmMode.AWAY, T0).events, T0)  # a chirp sounds
    fresh = controller(arm_chirp=5)
    changes = fresh.restore(house.areas, T0 + 1)
    assert changes == [
        OutputChange("siren", False),
        OutputChange("strobe", False),
        OutputChange("buzzer", False),
        OutputChange("bell", False),
    ]
    assert fresh.deadline is None
    house.advance(T0 + 30)
    house.sensor_changed("smoke", True, T0 + 40)
    after_restart = controller()
    assert on(after_restart.restore(house.areas, T0 + 41)) == {"siren", "strobe"}
    assert after_restart.is_on("siren")
    # And it stops when the area stops being triggered.
    assert off(after_restart.apply(house.advance(T0 + 100), T0 + 100)) == {
        "siren",
        "strobe",
    }
