"""The running system: sensors in, the areas' decisions out.

Events from the inputs arrive on the event loop, go to the engine (the areas
that have the sensor), and what the engine returns is carried out here: the
state is stored, entities are told, bus events are fired and the next
deadline is scheduled.

The API for glue modules (sirens, wall panels, remote control...):

``system.areas``
    Every :class:`.alarm_areas.Area` (the primary one first): ``id``,
    ``name``, ``config.key`` (the slugged name people type), ``machine``
    (its state, armed mode and deadline), ``delay_end`` (the exit or entry
    delay only) and ``panel_entity_id``.
    ``system.house_state()`` is the whole house's combined state.
``await system.async_arm(mode, area=, areas=, code=, force=, bypass=, ...)``
    Arms one area (its id), some (``areas``) or, with neither, every area
    (also ``context=``, ``requester=``, ``via=``). The code
    and the user's rights go through :mod:`.access`'s gate (the lock-out
    included); ``requester`` is a :class:`.engine.access.User` known by
    its channel (Telegram id, say), ``via`` names the channel in
    ``changed_by``. ``bypass`` maps an area to the sensors to arm past
    (``force`` bypasses all). Returns the areas armed; raises
    :class:`.area_commands.AreasRefusedError` (``refusals``: area id -> the
    engine's error, ``armed``) when an area refused (the others are armed
    all the same), or the gate's ``ServiceValidationError``.
``await system.async_disarm(area=, code=, context=, requester=, via=)``
    Disarms one area or every area, through the same gate.
``await system.async_skip_delay(area=, code=)`` / ``async_trigger(area=)``
    End an exit delay now (the entry delay refuses) / go off at once.
``system.subscribe_events(listener)``
    ``listener(events)`` for every list of :class:`.engine.events.AlarmEvent`
    the engine returns (each names its ``area``); returns the unsubscribe.
``system.async_subscribe(key, listener)``
    For entities: ``ALARM_KEY`` (any alarm change), an area's
    ``alarm_areas.area_key(id)``, a sensor's id, ``CONFIG_KEY``...
"""

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import datetime
from functools import partial
import logging
import time
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.helpers.storage import Store

from .access import AccessControl
from .alarm_areas import AlarmAreas, Area
from .alarm_reports import AlarmReports
from .alerts import AlarmAlert, AlertManager
from .area_commands import AreaCommands
from .arming_choices import ArmingChoices
from .auto_arming import PresenceArming
from .camera_glue import CAMERA_MOTION_ID, CameraGlue
from .camera_manager import CameraManager, CaptureResult
from .clock import track_at
from .config import SensorConfig, SystemConfig
from .const import CHANGED_BY_PRESENCE, DOMAIN
from .engine.alarm import (
    AlarmEvent,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    SensorKind,
)
from .engine.areas import HouseState
from .engine.auto_arm import AutoArm
from .engine.capture_policy import CaptureRequest
from .engine.presence import PresenceChange
from .engine.recovery import StoredParts
from .entity_parts import EntityParts, wanted_parts
from .hardware.gpio import GpioProblem
from .heartbeat import Heartbeat
from .inputs import GpioSensorInput, SensorInput
from .issues import async_report_no_areas, async_report_presence_problems
from .presence import PresenceMonitor
from .restore import async_load_parts, report_damage, restore_areas
from .sensor_inputs import SensorInputs

if TYPE_CHECKING:
    from .alarm_outputs import AlarmOutputs
    from .remote_control import RemoteControl

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1

# Keys to subscribe to: any alarm change, the components' health, the camera
# (see camera_glue), the alerts, the configuration, an area (see
# alarm_areas.area_key), or the id of a sensor or a phone (whether anyone is
# home and automatic arming: see auto_arming).
ALARM_KEY = "alarm"
HEALTH_KEY = "health"
ALERTS_KEY = "alerts"
CONFIG_KEY = "config"

type RpiSecurityConfigEntry = ConfigEntry[SecuritySystem]
type EventListener = Callable[[list[AlarmEvent]], None]


def state_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where a system keeps what must survive a restart."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")


class SecuritySystem:
    """One RPi Security system: its inputs, its areas and their state."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, config: SystemConfig
    ) -> None:
        """Build the system; :meth:`async_start` brings it to life."""
        self.hass = hass
        self.entry = entry
        self.config = config
        self.areas = AlarmAreas(config)
        self.commands = AreaCommands(self)
        # The commands glue modules use (see the module's docstring).
        self.async_arm = self.commands.async_arm
        self.async_disarm = self.commands.async_disarm
        self.async_trigger = self.commands.async_trigger
        self.async_skip_delay = self.commands.async_skip_delay
        # Refused armings whose Retry and Arm anyway buttons still work.
        self.choices = ArmingChoices()
        self._event_listeners: list[EventListener] = []
        self.inputs = SensorInputs(
            hass,
            simulation=config.simulation,
            on_change=self._sensor_update,
            on_health=self.health_changed,
        )
        # The parts that have entities, and the platforms that show them.
        self.parts = EntityParts(hass, entry, config.simulation)
        # Configuration changes are applied one at a time (see live_config),
        # unless a reload will start the system anew with them.
        self.changing = asyncio.Lock()
        self.reloading = False
        # The system's device in the registry, and the entity ids of our own
        # entities, filled in as they are added.
        self.device_id: str = ""
        self.house_entity_id: str | None = None
        self.sensor_entity_ids: dict[str, str] = {}
        self._store = state_store(hass, entry.entry_id)
        self.access = AccessControl(hass, entry.entry_id, config.users)
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        # Sirens and wall panels (alarm_outputs), set up with the entry.
        self.outputs: AlarmOutputs | None = None
        self._cancel_deadline: Callable[[], None] | None = None
        self._deadline_at: float | None = None
        self._cancel_stop_listener: Callable[[], None] | None = None
        presence = config.presence
        self.auto_arm = AutoArm(
            departure_mode=presence.departure_mode,
            disarm_policy=presence.disarm_policy,
        )
        self.presence: PresenceMonitor | None = None
        self.arming: PresenceArming | None = None
        if config.phones or config.presence_entities:
            self.build_presence(config)
        self._background: set[asyncio.Task[None]] = set()
        self.alerts: AlertManager | None = None
        if config.targets:
            self.alerts = self.build_alerts(config)
        self.access.alerts = self.alerts
        self.heartbeat: Heartbeat | None = self.build_heartbeat(config)
        # Bus events, alerts and the history of what the alarm did.
        self.reports = AlarmReports(self)
        # Telegram commands and notification buttons (set up with the entry).
        self.remote: RemoteControl | None = None
        self.camera_glue: CameraGlue | None = None
        if config.camera.enabled:
            self.camera_glue = CameraGlue(self, config.camera)

    def build_presence(self, config: SystemConfig) -> PresenceMonitor:
        """Phones or presence entities to follow, and presence's hold on the alarm."""
        self.presence = PresenceMonitor(
            self.hass,
            self.entry.entry_id,
            config,
            notify=self.notify,
            on_changes=self._presence_changed,
            on_health=self.presence_health_changed,
        )
        self.arming = PresenceArming(
            self.presence,
            self.areas,
            self.auto_arm,
            apply=self.apply,
            refused=self._refused_by_presence,
            notify=self.notify,
            save=self.save,
            run=self.run,
        )
        return self.presence

    def build_alerts(self, config: SystemConfig) -> AlertManager:
        """The outbox and the alerts of ``config``'s targets."""
        return AlertManager(
            self.hass,
            self.entry.entry_id,
            config,
            notify=partial(self.notify, ALERTS_KEY),
        )

    def build_heartbeat(self, config: SystemConfig) -> Heartbeat | None:
        """The heartbeat, if a URL is set."""
        if not config.alerts.heartbeat_url:
            return None
        return Heartbeat(
            self.hass,
            config.alerts.heartbeat_url,
            config.alerts.heartbeat_interval,
            healthy=lambda: not self.problems(),
            run=self.run,
        )

    @property
    def panel_entity_id(self) -> str | None:
        """The panel standing for the system: the whole house's, or the first area's."""
        if self.house_entity_id is not None:
            return self.house_entity_id
        primary = self.areas.primary
        return primary.panel_entity_id if primary is not None else None

    @property
    def pin_factory(self) -> Any:
        """The gpiozero pin factory in use (mock pins in simulation mode)."""
        return self.inputs.pin_factory

    @property
    def camera(self) -> CameraManager | None:
        """The camera, if the system has one."""
        return self.camera_glue.manager if self.camera_glue is not None else None

    @property
    def last_trigger(self) -> tuple[str, datetime] | None:
        """The cause and time of the last time the alarm went off."""
        return self.reports.last_trigger

    @property
    def recent_events(self) -> deque[dict[str, Any]]:
        """The last alarm events, for diagnostics."""
        return self.reports.recent_events

    @property
    def gpio_problems(self) -> dict[GpioProblem, list[GpioSensorInput]]:
        """The GPIO sensors that cannot be read, by what is wrong."""
        return self.inputs.problems

    # -- life cycle ----------------------------------------------------------

    async def async_start(self) -> None:
        """Open the inputs, restore the stored state and start the timers."""
        await self.access.async_start()
        stored = await async_load_parts(
            self.hass,
            self._store,
            [area.panel_unique_id(self.entry.entry_id) for area in self.areas],
        )
        if self.alerts is not None:
            # First: from here on anything may raise an alert.
            await self.alerts.async_start()
        await self.inputs.async_open(self.config.sensors)
        await self.inputs.async_start()
        self._restore(stored)
        if self.presence is not None and self.arming is not None:
            auto_arm = {
                **stored.auto_arm,
                "enabled": stored.auto_arm_enabled,
                "armed_by_presence": stored.armed_by_presence,
            }
            try:
                self.arming.restore(auto_arm, stored.presence or {})
                await self.presence.async_start(stored.presence)
            except (AttributeError, KeyError, TypeError, ValueError) as err:
                _LOGGER.error("Stored presence unreadable, starting afresh: %s", err)
                self.arming.restore(auto_arm, {})
                await self.presence.async_start(None)
            self.presence_health_changed()
        elif stored.auto_arm:  # the switch as it was, should presence come back
            self.auto_arm.restore(
                {**stored.auto_arm, "enabled": stored.auto_arm_enabled}, {}
            )
        if self.camera_glue is not None:
            await self.camera_glue.async_start()
        if self.alerts is not None:
            self.alerts.health(self.problems())
        if self.heartbeat is not None:
            self.heartbeat.start()
        self._cancel_stop_listener = self.hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_home_assistant_stopping
        )
        async_report_no_areas(self.hass, not self.config.areas)
        for part in wanted_parts(self):
            self.parts.add_now(part)
        # On disk from the first start: a missing file later means damage.
        await self._async_save_now()

    async def async_stop(self) -> None:
        """Save the state with the time left in any delay and release everything."""
        if self._cancel_stop_listener is not None:
            self._cancel_stop_listener()
            self._cancel_stop_listener = None
        self._cancel_timers()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        for task in list(self._background):
            task.cancel()
        if self.presence is not None:
            await self.presence.async_stop()
        if self.camera_glue is not None:
            await self.camera_glue.async_stop()
        if self.alerts is not None:
            await self.alerts.async_stop()
        await self._async_save_now()
        await self.access.async_stop()
        await self.inputs.async_close()
        if self.remote is not None:
            self.remote.stop()

    async def _async_home_assistant_stopping(self, _event: Event) -> None:
        """Save the time left in any delay and the alerts still to deliver.

        The next start resumes both.
        """
        self._cancel_stop_listener = None
        self._cancel_timers()
        if self.heartbeat is not None:
            self.heartbeat.stop()
        if self.alerts is not None:
            await self.alerts.async_stop()
        await self._async_save_now()

    def _restore(self, stored: StoredParts) -> None:
        levels = {
            sensor_id: sensor_input.is_open
            for sensor_id, sensor_input in self.inputs.items()
            if sensor_input.is_open is not None
        }
        events, problems = restore_areas(
            self.hass,
            self.entry.entry_id,
            self.areas,
            stored,
            levels=levels,
            now=time.time(),
        )
        if stored.damaged or problems:
            report_damage(
                self.hass, self.alerts, problems, self.areas.state.state.value
            )
        _LOGGER.debug("Restored the areas: %s", self.areas.state)
        self.apply(events)

    # -- subscriptions -------------------------------------------------------

    @callback
    def async_subscribe(
        self, key: str, listener: Callable[[], None]
    ) -> Callable[[], None]:
        """Call ``listener`` when the panel (``ALARM_KEY``) or a sensor changes."""
        listeners = self._listeners.setdefault(key, [])
        listeners.append(listener)
        return lambda: listeners.remove(listener)

    @callback
    def notify(self, key: str) -> None:
        """Tell the listeners of ``key`` that it changed."""
        for listener in list(self._listeners.get(key, ())):
            listener()

    @callback
    def subscribe_events(self, listener: EventListener) -> Callable[[], None]:
        """Call ``listener(events)`` with every list of events the areas return."""
        self._event_listeners.append(listener)
        return lambda: self._event_listeners.remove(listener)

    # -- areas ---------------------------------------------------------------

    def house_state(self) -> HouseState:
        """The whole house's combined state."""
        return self.areas.state

    # -- commands ------------------------------------------------------------

    @callback
    def _refused_by_presence(
        self, mode: ArmMode, refusals: dict[str, ArmingRefusedError]
    ) -> None:
        self.reports.arming_refused(mode, refusals, CHANGED_BY_PRESENCE, None)

    async def async_set_auto_arm(self, enabled: bool) -> None:
        """Turn arming and disarming by presence on or off."""
        if self.arming is not None:
            await self.arming.async_switch(enabled)

    def simulate(self, sensor_id: str, is_open: bool) -> None:
        """Simulation mode: move a sensor's mock pin (through the debounce)."""
        sensor_input = self.inputs[sensor_id]
        if not isinstance(sensor_input, GpioSensorInput):
            raise ValueError(f"{sensor_input.config.name} has no pin to move")
        sensor_input.drive(is_open)

    # -- what the outside world sees -----------------------------------------

    def sensor_name(self, sensor_id: str) -> str:
        """The name a user gave a sensor."""
        if sensor_id == CAMERA_MOTION_ID:
            return "Camera"
        sensor_input = self.inputs.get(sensor_id)
        if sensor_input is None:
            return self.inputs.former_names.get(sensor_id, sensor_id)
        return sensor_input.config.name

    def sensor_entity_id(self, sensor_id: str) -> str | None:
        """The entity that shows a sensor in Home Assistant."""
        sensor_input = self.inputs.get(sensor_id)
        if sensor_input is not None and sensor_input.config.entity_id:
            return sensor_input.config.entity_id
        return self.sensor_entity_ids.get(sensor_id)

    def sensor_config(self, sensor_id: str) -> SensorConfig | None:
        """A sensor's configuration."""
        sensor_input = self.inputs.get(sensor_id)
        return sensor_input.config if sensor_input else None

    # -- internals -----------------------------------------------------------

    @callback
    def _sensor_update(
        self, sensor_input: SensorInput, level: bool | None, initial: bool
    ) -> None:
        sensor_id = sensor_input.config.id
        now = time.time()
        if initial:  # compared with its level when the system stopped
            self.apply(self.areas.sensor_seen(sensor_id, level, now))
        else:  # unavailable (None) is supervised: a fault while guarding
            self.apply(self.areas.sensor_changed(sensor_id, level, now))
            self.save()  # what each sensor read, should the power fail
        self.notify(sensor_id)
        self._notify_areas(self.areas.areas_of(sensor_id))  # their open sensors
        kind = sensor_input.config.kind
        motion = level and not initial and kind is SensorKind.MOTION
        if motion and self.camera_glue is not None:
            self.camera_glue.motion_seen(sensor_id)
        if self.arming is not None and level is not None and not initial:
            disarmed = all(
                a.machine.state is AlarmState.DISARMED
                for a in self.areas.areas_of(sensor_id)
            )
            self.arming.sensor_changed(kind, level, disarmed=disarmed)

    @callback
    def _notify_areas(self, areas: list[Area]) -> None:
        for area in areas:
            self.notify(area.listener_key)
        self.notify(ALARM_KEY)

    @callback
    def apply(self, events: list[AlarmEvent], context: Context | None = None) -> None:
        """Carry out what the areas decided."""
        self._schedule_deadline()
        if not events:
            return
        self.save()
        areas = {event.area for event in events}
        self._notify_areas([a for a in self.areas if a.id in areas])
        alarm = self.reports.report(events, context)
        if self.arming is not None:
            self.arming.alarm_changed(
                events, by_a_sensor=any(e.cause in self.inputs for e in events)
            )
        if self.camera_glue is not None:
            self.camera_glue.alarm_changed(events, alarm)
        for listener in list(self._event_listeners):
            listener(events)

    @callback
    def _cancel_timers(self) -> None:
        self._deadline_at = None
        if self._cancel_deadline is not None:
            self._cancel_deadline()
            self._cancel_deadline = None

    @callback
    def _schedule_deadline(self) -> None:
        deadline = self.areas.deadline
        if deadline is not None and deadline == self._deadline_at:
            return  # already set for then
        self._cancel_timers()
        if deadline is not None:
            self._deadline_at = deadline
            self._cancel_deadline = track_at(
                self.hass, self._deadline_reached, deadline
            )

    @callback
    def _deadline_reached(self, now: datetime) -> None:
        self._cancel_deadline = None
        self._deadline_at = None
        self.apply(self.areas.advance(now.timestamp()))

    def _snapshot(self) -> dict[str, Any]:
        now = time.time()
        areas = self.areas.snapshot(now)
        snapshot: dict[str, Any] = {
            "areas": areas,
            "auto_arm": self.auto_arm.snapshot(),
        }
        if self.areas.primary is not None:
            # What a version from before areas reads, should it be rolled back.
            snapshot["alarm"] = areas[self.areas.primary.id]
        if self.presence is not None:
            snapshot["presence"] = self.presence.snapshot()
        return snapshot

    @callback
    def save(self) -> None:
        """Store the state (at the next turn of the event loop)."""
        self._store.async_delay_save(self._snapshot, 0)

    def run(self, work: Coroutine[Any, Any, None]) -> None:
        """Run ``work`` in the background; it is cancelled when the system stops."""
        task = self.hass.async_create_background_task(work, "rpi_security")
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- camera --------------------------------------------------------------

    async def async_capture(
        self, request: CaptureRequest, alarm: AlarmAlert | None = None
    ) -> list[CaptureResult]:
        """Capture what ``request`` asks (nothing without a camera).

        With ``alarm``, its alert goes out with the first photo.
        """
        if self.camera_glue is None:
            return []
        return await self.camera_glue.async_capture(request, alarm)

    # -- alerts and health ---------------------------------------------------

    def problems(self) -> dict[str, str]:
        """The components that do not work now: GPIO, presence, camera."""
        problems: dict[str, str] = {}
        if self.gpio_problems:
            inputs = [i for group in self.gpio_problems.values() for i in group]
            error = inputs[0].error
            problems["gpio"] = error.detail if error else ""
        if self.presence is not None and self.presence.problems:
            problems["presence"] = "; ".join(
                f"{part.value}: {err.detail}"
                for part, err in self.presence.problems.items()
            )
        if self.camera is not None and self.camera.problems:
            problems["camera"] = "; ".join(self.camera.problems.values())
        return problems

    @callback
    def health_changed(self) -> None:
        """A component started or stopped failing: tell its sensor and the alerts."""
        self.notify(HEALTH_KEY)
        if self.alerts is not None:
            self.alerts.health(self.problems())

    def people_home(self) -> list[str]:
        """The names of the phones and persons that are home."""
        return self.presence.people_home() if self.presence else []

    # -- presence ------------------------------------------------------------

    @callback
    def _presence_changed(self, changes: list[PresenceChange]) -> None:
        if self.arming is not None:
            self.arming.presence_changed(changes)

    @callback
    def presence_health_changed(self) -> None:
        """Capture or ARP started or stopped failing."""
        if self.presence is not None:
            async_report_presence_problems(self.hass, self.presence.problems)
        self.health_changed()

    def presence_name(self, occupant_id: str) -> str:
        """The name of a phone or presence entity."""
        return self.presence.name(occupant_id) if self.presence else occupant_id

    async def _async_save_now(self) -> None:
        await self._store.async_save(self._snapshot())
