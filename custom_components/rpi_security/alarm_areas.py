"""The areas while the system runs: one alarm machine each, and the house.

Each :class:`Area` owns its machine (:mod:`.engine.alarm`) and knows its
panel; :class:`AlarmAreas` holds them and the engine's
:class:`~.engine.areas.House`, which routes every sensor change to the areas
that have the sensor and fans commands out. A configuration change is synced
in place (:meth:`AlarmAreas.sync`): an area keeps its machine, its state and
its delays while its settings or sensors change, a new area starts disarmed,
a removed one goes. With every area removed there is no house: sensors are
still shown, nothing guards (a repair issue says so).
"""

from collections.abc import Collection, Iterator, Mapping
import time
from typing import Any

from .area_config import AreaConfig
from .camera_glue import CAMERA_MOTION_ID
from .config import SystemConfig
from .engine.alarm import AlarmEvent, AlarmMachine, AlarmState, ArmMode
from .engine.areas import FanOut, House, HouseState, area_machine
from .engine.sensors import Sensor, SensorOptions, SensorType

# States whose deadline ends an exit or entry delay (what the countdown shows).
DELAY_STATES = frozenset({AlarmState.ARMING, AlarmState.PENDING})


class Area:
    """One area: its configuration, its machine, and its panel's entity id."""

    def __init__(self, config: AreaConfig, machine: AlarmMachine) -> None:
        """An area running ``machine``."""
        self.config = config
        self.machine = machine
        # Filled in when its panel is added.
        self.panel_entity_id: str | None = None

    @property
    def id(self) -> str:
        """The area's id (its subentry id)."""
        return self.config.id

    @property
    def name(self) -> str:
        """The area's name."""
        return self.config.name

    def panel_unique_id(self, entry_id: str) -> str:
        """Its panel's unique id (the first panel's, for the area kept from it)."""
        if self.config.system_panel:
            return entry_id
        return f"{entry_id}_{self.id}"

    @property
    def listener_key(self) -> str:
        """The key its entities subscribe to (see ``SecuritySystem.notify``)."""
        return area_key(self.id)

    @property
    def delay_end(self) -> float | None:
        """When the exit or entry delay running now ends."""
        machine = self.machine
        return machine.deadline if machine.state in DELAY_STATES else None


def area_key(area_id: str) -> str:
    """The listener key of an area's entities."""
    return f"area_{area_id}"


type SensorSpecs = dict[str, tuple[SensorType, SensorOptions | None]]


def extra_sensors(config: SystemConfig) -> dict[str, SensorType]:
    """Sensors that are not subentries: the camera's motion, when it counts."""
    if not config.camera.motion_alarm:
        return {}
    return {CAMERA_MOTION_ID: SensorType.MOTION}


class AlarmAreas:
    """Every area of the system and the house they make."""

    def __init__(self, config: SystemConfig) -> None:
        """A machine per area; the camera's motion, when it counts, joins the first."""
        self._extra = extra_sensors(config)
        self._areas: dict[str, Area] = {}
        self.house: House | None = None
        self.sync(config)

    # -- reading -------------------------------------------------------------

    def __iter__(self) -> Iterator[Area]:
        """The areas, the primary one first."""
        return iter(list(self._areas.values()))

    def __len__(self) -> int:
        """How many areas there are."""
        return len(self._areas)

    def get(self, area_id: str) -> Area | None:
        """An area by its id."""
        return self._areas.get(area_id)

    @property
    def primary(self) -> Area | None:
        """The first area (where sensors without an area and camera motion go)."""
        return next(iter(self._areas.values()), None)

    def by_key(self, key: str) -> Area | None:
        """An area by what a person types for it (its slugged name, or its id)."""
        wanted = key.strip().casefold()
        return next(
            (
                area
                for area in self._areas.values()
                if wanted in (area.config.key, area.id.casefold())
            ),
            None,
        )

    def areas_of(self, sensor_id: str) -> list[Area]:
        """The areas a sensor guards."""
        return [a for a in self._areas.values() if sensor_id in a.machine.sensors]

    @property
    def state(self) -> HouseState:
        """The whole house's state (disarmed when there is no area)."""
        if self.house is None:
            return HouseState(AlarmState.DISARMED)
        return self.house.state

    @property
    def deadline(self) -> float | None:
        """The earliest deadline of any area."""
        return self.house.deadline if self.house is not None else None

    @property
    def sensor_types(self) -> dict[str, SensorType]:
        """Every sensor of every area, with its type."""
        types: dict[str, SensorType] = {}
        for area in self._areas.values():
            types.update(area.machine.sensors)
        return types

    def open_sensors(self) -> list[str]:
        """The sensors open now, in any area."""
        found: set[str] = set()
        for area in self._areas.values():
            found |= area.machine.open_sensors
        return sorted(found)

    # -- feeding -------------------------------------------------------------

    def sensor_changed(
        self, sensor_id: str, is_open: bool | None, now: float
    ) -> list[AlarmEvent]:
        """A sensor opened, closed or became unavailable."""
        if self.house is None:
            return []
        return self.house.sensor_changed(sensor_id, is_open, now)

    def sensor_seen(
        self, sensor_id: str, is_open: bool | None, now: float
    ) -> list[AlarmEvent]:
        """A sensor's first level since it was opened."""
        if self.house is None:
            return []
        return self.house.sensor_seen(sensor_id, is_open, now)

    def advance(self, now: float) -> list[AlarmEvent]:
        """Carry out every delay that has ended."""
        return self.house.advance(now) if self.house is not None else []

    # -- commands (the checks of codes and rights are area_commands') ----------

    def arm(
        self,
        mode: ArmMode,
        now: float,
        *,
        areas: Collection[str],
        force: bool = False,
        bypass: Mapping[str, Collection[str]] | None = None,
        changed_by: str | None = None,
    ) -> FanOut:
        """Arm ``areas`` in ``mode``, each on its own."""
        if self.house is None:
            return FanOut()
        return self.house.arm_all(
            mode, now, force=force, bypass=bypass, changed_by=changed_by, areas=areas
        )

    def disarm(
        self, now: float, *, areas: Collection[str], changed_by: str | None = None
    ) -> FanOut:
        """Disarm ``areas``."""
        if self.house is None:
            return FanOut()
        return self.house.disarm_all(now, changed_by=changed_by, areas=areas)

    # -- persistence -----------------------------------------------------------

    def snapshot(self, now: float) -> dict[str, Any]:
        """Every area's state, by area id."""
        return {area.id: area.machine.snapshot(now) for area in self._areas.values()}

    # -- configuration -----------------------------------------------------------

    def sync(
        self, config: SystemConfig, levels: Mapping[str, bool | None] | None = None
    ) -> list[AlarmEvent]:
        """Take a new configuration in, keeping every area's state.

        ``levels`` are the sensors' levels now: a sensor that joins an area
        brings its level along (it does not trip: nothing changed).
        """
        self._extra = extra_sensors(config)
        wanted = {area.id: area for area in config.areas}
        specs = self._specs(config)
        joined: list[tuple[Area, str]] = []
        areas: dict[str, Area] = {}
        for area_id, area_config in wanted.items():
            area = self._areas.get(area_id)
            sensors = specs.get(area_id, {})
            if area is None:
                machine = area_machine(
                    area_id,
                    area_config.settings,
                    (
                        Sensor(s, kind, options)
                        for s, (kind, options) in sensors.items()
                    ),
                )
                area = Area(area_config, machine)
                joined += [(area, sensor_id) for sensor_id in sensors]
            else:
                joined += [(area, s) for s in _resync(area.machine, sensors)]
                if area.machine.settings != area_config.settings:
                    # A delay running now keeps its end; the next has the new length.
                    area.machine.settings = area_config.settings
                area.config = area_config
            areas[area_id] = area
        self._areas = areas
        self.house = (
            House(
                (area.machine for area in areas.values()),
                {area.id: area.name for area in areas.values()},
            )
            if areas
            else None
        )
        events: list[AlarmEvent] = []
        now = time.time()
        for area, sensor_id in joined:
            level = (levels or {}).get(sensor_id)
            if level is not None:
                events += area.machine.sensor_seen(sensor_id, level, now)
        return events

    def _specs(self, config: SystemConfig) -> dict[str, SensorSpecs]:
        """Each area's sensors: their types and options."""
        specs: dict[str, SensorSpecs] = {area.id: {} for area in config.areas}
        for role in config.roles.values():
            for area_id in role.areas:
                specs[area_id][role.id] = (role.type, role.options)
        if config.areas:
            first = specs[config.areas[0].id]
            for sensor_id, kind in self._extra.items():
                first[sensor_id] = (kind, None)
        return specs


def _resync(machine: AlarmMachine, sensors: SensorSpecs) -> list[str]:
    """Give ``machine`` these sensors; the ids of those that joined it."""
    for sensor_id in [s for s in machine.sensors if s not in sensors]:
        machine.remove_sensor(sensor_id)
    joined = []
    for sensor_id, (kind, options) in sensors.items():
        if sensor_id not in machine.sensors:
            joined.append(sensor_id)
        elif (
            machine.sensors[sensor_id] is kind
            and machine.options.get(sensor_id) == options
        ):
            continue
        machine.add_sensor(sensor_id, kind, options)
    return joined
