"""Sensor change to triggered, in the engine alone: 5 areas and 50 sensors vs 1 and 1.

Pure engine, no Home Assistant: the cost the alarm rules add to every pin
edge (the full path, pin edge to panel state, is bench_trigger_latency.py).
Each run arms, then times one call: a door opening (entry delay 0) that
triggers its area, through :class:`House.sensor_changed` as the glue will
call it. Scenarios:

- 1 area, 1 sensor (a door);
- 5 areas, 10 sensors each (doors, windows, motion with a cross-zone group,
  tamper, smoke), some open or bypassed, the door of the last area tripping;
- the peer: today's engine, the single alarm machine from before areas,
  loaded from this repository's history (commit ``BEFORE_AREAS``), with one
  door and with 50 sensors. Skipped, with the reason, where git or that
  commit is missing.

Times are per event in microseconds (perf_counter_ns around the call alone,
garbage collection off while timing).
"""

from collections.abc import Callable
from dataclasses import dataclass
import gc
import importlib.util
import statistics
import subprocess
import sys
import time
from types import ModuleType
from typing import Any

from harness import ROOT, Result, machine_line, record

from custom_components.rpi_security.engine.alarm import AlarmSettings, ArmMode
from custom_components.rpi_security.engine.areas import House, area_machine
from custom_components.rpi_security.engine.cross_zone import CrossZoneGroup
from custom_components.rpi_security.engine.modes import AlarmState
from custom_components.rpi_security.engine.sensors import Sensor, SensorType

RUNS = 20_000
WARMUP = 1_000
# The last commit whose engine had one alarm machine and no areas.
BEFORE_AREAS = "38ea2d0"
OLD_ENGINE = "custom_components/rpi_security/engine/alarm.py"
SETTINGS = AlarmSettings(exit_delay=0, entry_delay=0, trigger_time=3600)
NOW = 1_700_000_000.0


@dataclass(frozen=True)
class Figures:
    """Per-event times of one scenario, in microseconds."""

    name: str
    times_us: list[float]

    def percentile(self, p: float) -> float:
        """The ``p``-th percentile, in microseconds."""
        ordered = sorted(self.times_us)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def line(self) -> str:
        """One line of figures."""
        return (
            f"{self.name:<48} p50 {self.percentile(50):6.2f} us  "
            f"p99 {self.percentile(99):6.2f} us  "
            f"mean {statistics.fmean(self.times_us):6.2f} us"
        )


def _measure(
    name: str,
    arm: Callable[[], None],
    trip: Callable[[], Any],
    reset: Callable[[], None],
) -> Figures:
    times: list[float] = []
    gc.collect()
    gc.disable()
    try:
        for run in range(WARMUP + RUNS):
            arm()
            started = time.perf_counter_ns()
            trip()
            spent = time.perf_counter_ns() - started
            reset()
            if run >= WARMUP:
                times.append(spent / 1000)
    finally:
        gc.enable()
    return Figures(name, times)


def _one_area_one_sensor() -> Figures:
    house = House([area_machine("house", SETTINGS, [Sensor("front", SensorType.DOOR)])])
    machine = house.areas["house"]

    def trip() -> None:
        events = house.sensor_changed("front", True, NOW)
        assert events[-1].state is AlarmState.TRIGGERED, events

    def reset() -> None:
        house.disarm_all(NOW)
        house.sensor_changed("front", False, NOW)

    return _measure(
        "areas engine: 1 area, 1 sensor",
        lambda: machine.arm(ArmMode.AWAY, NOW),
        trip,
        reset,
    )


def _area_sensors(area: int) -> list[Sensor]:
    """Ten sensors of area ``area``: doors, windows, motion, tamper, smoke."""
    prefix = f"a{area}"
    return [
        Sensor(f"{prefix}_front", SensorType.DOOR),
        Sensor.of(f"{prefix}_back", SensorType.DOOR, arm_after_closing=True),
        Sensor(f"{prefix}_window1", SensorType.WINDOW),
        Sensor.of(
            f"{prefix}_window2",
            SensorType.WINDOW,
            auto_bypass_modes=frozenset({ArmMode.NIGHT}),
        ),
        Sensor(f"{prefix}_window3", SensorType.WINDOW),
        Sensor(f"{prefix}_pir1", SensorType.MOTION),
        Sensor(f"{prefix}_pir2", SensorType.MOTION),
        Sensor.of(f"{prefix}_pir3", SensorType.MOTION, trigger_when_unavailable=True),
        Sensor(f"{prefix}_tamper", SensorType.TAMPER),
        Sensor(f"{prefix}_smoke", SensorType.ENVIRONMENTAL),
    ]


def _five_areas_fifty_sensors() -> Figures:
    machines = []
    for area in range(5):
        group = CrossZoneGroup(
            f"a{area}_motion", frozenset({f"a{area}_pir1", f"a{area}_pir2"}), 60
        )
        settings = AlarmSettings(
            exit_delay=0,
            entry_delay=0,
            trigger_time=3600,
            cross_zone_groups=(group,),
        )
        machines.append(area_machine(f"area{area}", settings, _area_sensors(area)))
    house = House(machines)
    assert sum(len(m.sensors) for m in house.areas.values()) == 50
    # A lived-in house: a window open (forced past), a PIR on.
    for area in range(5):
        house.sensor_seen(f"a{area}_window3", True, NOW)
        house.sensor_seen(f"a{area}_pir2", True, NOW)
    tripping = "a4_front"

    def arm() -> None:
        house.arm_all(ArmMode.AWAY, NOW, force=True)

    def trip() -> None:
        events = house.sensor_changed(tripping, True, NOW)
        assert events[-1].state is AlarmState.TRIGGERED, events

    def reset() -> None:
        house.disarm_all(NOW)
        house.sensor_changed(tripping, False, NOW)

    return _measure("areas engine: 5 areas, 50 sensors", arm, trip, reset)


def _load_old_engine() -> ModuleType | str:
    """Today's engine from the repository's history, or why it cannot be had."""
    try:
        source = subprocess.run(
            ["git", "show", f"{BEFORE_AREAS}:{OLD_ENGINE}"],
            cwd=ROOT,
            capture_output=True,
            check=True,
            text=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError) as err:
        return f"git show {BEFORE_AREAS} failed: {err}"
    spec = importlib.util.spec_from_loader("engine_before_areas", loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    exec(compile(source, f"{BEFORE_AREAS}:{OLD_ENGINE}", "exec"), module.__dict__)  # noqa: S102
    return module


def _old_engine(old: ModuleType, sensors: int) -> Figures:
    kinds = [old.SensorKind.DOOR, old.SensorKind.MOTION]
    machine = old.AlarmMachine(
        settings=old.AlarmSettings(exit_delay=0, entry_delay=0, trigger_time=3600),
        sensors={
            "front": old.SensorKind.DOOR,
            **{f"s{i}": kinds[i % 2] for i in range(sensors - 1)},
        },
    )

    def trip() -> None:
        events = machine.sensor_changed("front", True, NOW)
        assert events[-1].state is old.AlarmState.TRIGGERED, events

    def reset() -> None:
        machine.disarm(NOW)
        machine.sensor_changed("front", False, NOW)

    plural = "s" if sensors > 1 else ""
    return _measure(
        f"today's engine: 1 machine, {sensors} sensor{plural}",
        lambda: machine.arm(old.ArmMode.AWAY, NOW),
        trip,
        reset,
    )


def main() -> None:
    """Run the scenarios and print their figures."""
    one = _one_area_one_sensor()
    five = _five_areas_fifty_sensors()
    old = _load_old_engine()
    print(machine_line())
    print(one.line())
    print(five.line())
    print(
        f"ratio 5 areas, 50 sensors / 1 area, 1 sensor: "
        f"p50 {five.percentile(50) / one.percentile(50):.2f}x  "
        f"p99 {five.percentile(99) / one.percentile(99):.2f}x"
    )
    peers: dict[str, Figures] = {}
    if isinstance(old, str):
        print(f"today's engine: skipped ({old})")
    else:
        peers = {"1": _old_engine(old, 1), "50": _old_engine(old, 50)}
        print(peers["1"].line())
        print(peers["50"].line())
        print(
            f"ratio areas engine / today's: 1 sensor p50 "
            f"{one.percentile(50) / peers['1'].percentile(50):.2f}x; "
            f"5 areas, 50 sensors vs 1 machine, 50 sensors p50 "
            f"{five.percentile(50) / peers['50'].percentile(50):.2f}x"
        )
    for figures, label, sensors in (
        (one, "1 area, 1 sensor", "1"),
        (five, "5 areas, 50 sensors", "50"),
    ):
        peer = peers.get(sensors)
        for p in (50, 99):
            record(
                Result(
                    "engine trip",
                    f"sensor change -> triggered, {label}, p{p}",
                    figures.percentile(p) / 1000,
                    "ms",
                    peer.percentile(p) / 1000 if peer else None,
                    f"today's engine, {sensors} sensor{'s' * (sensors != '1')}"
                    if peer
                    else None,
                )
            )


if __name__ == "__main__":
    main()
