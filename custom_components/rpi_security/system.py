"""The running system: sensors in, the alarm machine's decisions out.

Events from the inputs arrive on the event loop, go to the engine, and what the
engine returns is carried out here: the state is stored, entities are told,
bus events are fired and the next deadline is scheduled.
"""

import asyncio
from collections import deque
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta
from functools import partial
import logging
import time
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import Context, Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.event import (
    async_track_time_interval,
)
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from .access import AccessControl
from .alerts import AlarmAlert, AlertManager
from .auto_arming import PresenceArming
from .camera_manager import CameraManager, CaptureResult
from .clock import track_at
from .code_log import CodeSource
from .config import SensorConfig, SystemConfig
from .const import (
    CHANGED_BY_PRESENCE,
    DOMAIN,
    EVENT_ALARM,
    EVENT_CAPTURE,
)
from .engine.access import Action, User
from .engine.alarm import (
    AlarmEvent,
    AlarmMachine,
    AlarmState,
    ArmingRefusedError,
    ArmMode,
    ArmModeNotEnabledError,
    DisarmFirstError,
    EventType,
    SensorKind,
)
from .engine.auto_arm import AutoArm
from .engine.capture_policy import CaptureKind, CapturePolicy, CaptureRequest
from .engine.presence import PresenceChange
from .engine.recovery import StoredParts
from .hardware.gpio import (
    GpioProblem,
    GpioUnavailableError,
    close_pin_factory,
    open_pin_factory,
)
from .heartbeat import Heartbeat
from .inputs import EntitySensorInput, GpioSensorInput, SensorInput
from .issues import (
    async_report_camera_problems,
    async_report_gpio_problems,
    async_report_presence_problems,
)
from .presence import PresenceMonitor
from .restore import async_load_parts, report_damage, restore_alarm

if TYPE_CHECKING:
    from .remote_control import RemoteControl

_LOGGER = logging.getLogger(__name__)

STORAGE_VERSION = 1

# Keys to subscribe to: the panel, the components' health, the camera, the
# alerts, or the id of a sensor or a phone (whether anyone is home and
# automatic arming: see auto_arming).
ALARM_KEY = "alarm"
HEALTH_KEY = "health"
CAMERA_KEY = "camera"
ALERTS_KEY = "alerts"
# How many alarm events diagnostics show.
RECENT_EVENTS = 20

# The camera's motion, when it counts as a motion sensor of the alarm.
CAMERA_MOTION_ID = "camera_motion"

type RpiSecurityConfigEntry = ConfigEntry[SecuritySystem]


def state_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where a system keeps what must survive a restart."""
    return Store(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")


class SecuritySystem:
    """One RPi Security system: its inputs, its alarm machine and its state."""

    def __init__(
        self, hass: HomeAssistant, entry: ConfigEntry, config: SystemConfig
    ) -> None:
        """Build the system; :meth:`async_start` brings it to life."""
        self.hass = hass
        self.entry = entry
        self.config = config
        sensors = {sensor.id: sensor.kind for sensor in config.sensors}
        if config.camera.motion_alarm:
            sensors[CAMERA_MOTION_ID] = SensorKind.MOTION
        self.machine = AlarmMachine(settings=config.alarm, sensors=sensors)
        self.inputs: dict[str, SensorInput] = {}
        self.gpio_problems: dict[GpioProblem, list[GpioSensorInput]] = {}
        # The system's device in the registry, and the entity ids of our own
        # entities, filled in as they are added.
        self.device_id: str = ""
        self.panel_entity_id: str | None = None
        self.sensor_entity_ids: dict[str, str] = {}
        self._store = state_store(hass, entry.entry_id)
        self.access = AccessControl(
            hass,
            entry.entry_id,
            config.users,
            code_arm_required=config.code_arm_required,
            panel_entity_id=lambda: self.panel_entity_id,
        )
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        self._cancel_deadline: Callable[[], None] | None = None
        self._cancel_stop_listener: Callable[[], None] | None = None
        self._pin_factory: Any = None
        presence = config.presence
        self.auto_arm = AutoArm(
            departure_mode=presence.departure_mode,
            disarm_policy=presence.disarm_policy,
        )
        self.presence: PresenceMonitor | None = None
        self.arming: PresenceArming | None = None
        if config.phones or config.presence_entities:
            self.presence = PresenceMonitor(
                hass,
                entry.entry_id,
                config,
                notify=self._notify,
                on_changes=self._presence_changed,
                on_health=self._presence_health_changed,
            )
            self.arming = PresenceArming(
                self.presence,
                self.machine,
                self.auto_arm,
                apply=self._apply,
                refused=lambda mode, err: self._arming_refused(
                    mode, err, CHANGED_BY_PRESENCE, None
                ),
                notify=self._notify,
                save=self._save,
                run=self.run,
            )
        self._background: set[asyncio.Task[None]] = set()
        self.alerts: AlertManager | None = None
        if config.targets:
            self.alerts = AlertManager(
                hass, entry.entry_id, config, notify=partial(self._notify, ALERTS_KEY)
            )
        self.access.alerts = self.alerts
        self.heartbeat: Heartbeat | None = None
        if config.alerts.heartbeat_url:
            self.heartbeat = Heartbeat(
                hass,
                config.alerts.heartbeat_url,
                config.alerts.heartbeat_interval,
                healthy=lambda: not self.problems(),
                run=self.run,
            )
        # The cause and time of the last time the alarm went off.
        self.last_trigger: tuple[str, datetime] | None = None
        # The last alarm events, for diagnostics.
        self.recent_events: deque[dict[str, Any]] = deque(maxlen=RECENT_EVENTS)
        # Telegram commands and notification buttons (set up with the entry).
        self.remote: RemoteControl | None = None
        self.capture_policy = CapturePolicy(config.camera.captures)
        self._cancel_capture_interval: Callable[[], None] | None = None
        self.camera: CameraManager | None = None
        if config.camera.enabled:
            self.camera = CameraManager(
                hass,
                config.camera,
                simulation=config.simulation,
                on_motion=self._camera_motion,
                on_health=self._camera_health_changed,
                on_capture=self._capture_done,
                motion_used_while_disarmed=self.arming is not None,
            )

    @property
    def pin_factory(self) -> Any:
        """The gpiozero pin factory in use (mock pins in simulation mode)."""
        return self._pin_factory

    # -- life cycle ----------------------------------------------------------

    async def async_start(self) -> None:
        """Open the inputs, restore the stored state and start the timers."""
        await self.access.async_start()
        stored = await async_load_parts(self.hass, self._store, self.entry.entry_id)
        if self.alerts is not None:
            # First: from here on anything may raise an alert.
            await self.alerts.async_start()
        for sensor in self.config.sensors:
            self.inputs[sensor.id] = (
                GpioSensorInput(self.hass, sensor, self._sensor_update)
                if sensor.on_gpio
                else EntitySensorInput(self.hass, sensor, self._sensor_update)
            )
        await self._async_open_gpio()
        for sensor_input in self.inputs.values():
            await sensor_input.async_start()
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
            self._presence_health_changed()
        if self.camera is not None:
            await self.camera.async_start()
            self.camera.alarm_changed(self.machine.state)
            self._update_capture_interval()
        if self.alerts is not None:
            self.alerts.health(self.problems())
        if self.heartbeat is not None:
            self.heartbeat.start()
        self._cancel_stop_listener = self.hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, self._async_home_assistant_stopping
        )
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
        if self._cancel_capture_interval is not None:
            self._cancel_capture_interval()
            self._cancel_capture_interval = None
        if self.presence is not None:
            await self.presence.async_stop()
        if self.camera is not None:
            await self.camera.async_stop()
        if self.alerts is not None:
            await self.alerts.async_stop()
        await self._async_save_now()
        await self.access.async_stop()
        for sensor_input in self.inputs.values():
            await sensor_input.async_stop()
        await self.hass.async_add_executor_job(self._close_gpio)

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

    async def _async_open_gpio(self) -> None:
        gpio_inputs = [
            i for i in self.inputs.values() if isinstance(i, GpioSensorInput)
        ]
        if gpio_inputs:
            await self.hass.async_add_executor_job(self._open_gpio, gpio_inputs)
        self.gpio_problems = {}
        for gpio_input in gpio_inputs:
            if gpio_input.error is not None:
                problem = gpio_input.error.problem
                self.gpio_problems.setdefault(problem, []).append(gpio_input)
                _LOGGER.error(
                    "GPIO input %s (GPIO%s) is unavailable: %s",
                    gpio_input.config.name,
                    gpio_input.config.pin,
                    gpio_input.error.detail,
                )
        async_report_gpio_problems(self.hass, self.gpio_problems)

    def _open_gpio(self, gpio_inputs: list[GpioSensorInput]) -> None:
        """Open the pin factory and every pin (blocking)."""
        try:
            self._pin_factory = open_pin_factory(self.config.simulation, self.hass.loop)
        except GpioUnavailableError as err:
            for gpio_input in gpio_inputs:
                gpio_input.fail(err)
            return
        for gpio_input in gpio_inputs:
            gpio_input.open(self._pin_factory, at_rest=self.config.simulation)

    def _close_gpio(self) -> None:
        for sensor_input in self.inputs.values():
            if isinstance(sensor_input, GpioSensorInput):
                sensor_input.close()
        if self._pin_factory is not None:
            close_pin_factory(self._pin_factory)
            self._pin_factory = None

    def _restore(self, stored: StoredParts) -> None:
        levels = {
            sensor_id: sensor_input.is_open
            for sensor_id, sensor_input in self.inputs.items()
            if sensor_input.is_open is not None
        }
        events, problems = restore_alarm(
            self.hass,
            self.entry.entry_id,
            self.machine,
            stored,
            levels=levels,
            now=time.time(),
        )
        if stored.damaged or problems:
            report_damage(self.hass, self.alerts, problems, self.machine.state.value)
        _LOGGER.debug("Restored alarm state %s", self.machine.state)
        self._apply(events)

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
    def _notify(self, key: str) -> None:
        for listener in list(self._listeners.get(key, ())):
            listener()

    # -- commands ------------------------------------------------------------

    async def async_arm(
        self,
        mode: ArmMode,
        *,
        code: str | None,
        force: bool,
        context: Context | None,
        requester: User | None = None,
        via: str | None = None,
        source: CodeSource | None = None,
    ) -> None:
        """Arm in ``mode``; raises a translated error when that is refused.

        ``requester`` is the user asking through ``via`` (Telegram); otherwise
        the Home Assistant user of the context, if linked to a user.
        """
        grant = await self.access.async_authorize(
            Action.ARM,
            mode=mode,
            code=code,
            requester=requester or self.access.linked_user(context),
            source=source,
            context=context,
        )
        changed_by = await self.access.async_who(grant, via, context)
        try:
            events = self.machine.arm(
                mode, time.time(), force=force, changed_by=changed_by
            )
        except ArmingRefusedError as err:
            doors = self._arming_refused(mode, err, changed_by, context)
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="doors_open",
                translation_placeholders={"doors": ", ".join(doors)},
            ) from err
        except ArmModeNotEnabledError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="arm_mode_not_enabled",
                translation_placeholders={"mode": mode.value},
            ) from err
        except DisarmFirstError as err:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="disarm_first",
                translation_placeholders={"state": self.machine.state.value},
            ) from err
        if events:
            self.auto_arm.armed(by_presence=False)
            if self.arming is not None:
                self.arming.by_hand()
        self._apply(events, context)
        self.access.report_duress(grant, changed_by, self.machine.state, context)

    async def async_disarm(
        self,
        *,
        code: str | None,
        context: Context | None,
        requester: User | None = None,
        via: str | None = None,
        source: CodeSource | None = None,
    ) -> None:
        """Disarm; needs a user's code when any user has one.

        A ``requester`` known through ``via`` (Telegram, the app's Disarm
        button) may disarm without a code if their user allows it.
        """
        grant = await self.access.async_authorize(
            Action.DISARM,
            code=code,
            requester=requester or self.access.linked_user(context),
            trusted=requester is not None,
            source=source,
            context=context,
        )
        changed_by = await self.access.async_who(grant, via, context)
        self.auto_arm.disarmed()
        if self.arming is not None:
            self.arming.by_hand()
        self._apply(self.machine.disarm(time.time(), changed_by=changed_by), context)
        self._save()
        self.access.report_duress(grant, changed_by, self.machine.state, context)

    async def async_trigger(self, *, context: Context | None) -> None:
        """Trigger the alarm at once."""
        changed_by = await self.access.async_changed_by(context)
        self._apply(self.machine.trigger(time.time(), changed_by=changed_by), context)

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
        return sensor_input.config.name if sensor_input else sensor_id

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
        if level is not None:
            now = time.time()
            if initial:  # compared with its level when the system stopped
                self._apply(self.machine.sensor_seen(sensor_id, level, now))
            else:
                self._apply(self.machine.sensor_changed(sensor_id, level, now))
                if sensor_input.config.kind is SensorKind.DOOR:
                    self._save()  # what each door read, should the power fail
        self._notify(sensor_id)
        self._notify(ALARM_KEY)  # the panel lists the open sensors
        if level and not initial and sensor_input.config.kind is SensorKind.MOTION:
            self._motion_seen(sensor_id)
        if self.arming is not None and level is not None and not initial:
            self.arming.sensor_changed(sensor_input.config.kind, level)

    @callback
    def _apply(self, events: list[AlarmEvent], context: Context | None = None) -> None:
        """Carry out what the machine decided."""
        self._schedule_deadline()
        if not events:
            return
        self._save()
        self._notify(ALARM_KEY)
        for event in events:
            data = self._event_data(event)
            self.recent_events.append({"at": dt_util.utcnow().isoformat(), **data})
            self.hass.bus.async_fire(EVENT_ALARM, data, context=context)
        alarm = self._alert(events)
        if self.arming is not None:
            self.arming.alarm_changed(
                events, by_a_sensor=self.machine.cause in self.inputs
            )
        if self.camera is not None:
            requests = self.capture_policy.on_alarm(
                events, self.machine.sensors, time.time()
            )
            for request in requests:
                self.run(self._async_capture_quietly(request, alarm))
            self._update_capture_interval()
            self.camera.alarm_changed(self.machine.state)

    def _arming_refused(
        self,
        mode: ArmMode,
        err: ArmingRefusedError,
        changed_by: str | None,
        context: Context | None,
    ) -> list[str]:
        """Tell automations that arming was refused; return the open doors."""
        doors = [self.sensor_name(door) for door in err.open_doors]
        if self.alerts is not None:
            self.alerts.arming_refused(mode.value, doors, changed_by)
        self.hass.bus.async_fire(
            EVENT_ALARM,
            {
                "type": "arming_refused",
                "state": self.machine.state.value,
                "mode": mode.value,
                "open_doors": doors,
                "changed_by": changed_by,
                "entity_id": self.panel_entity_id,
            },
            context=context,
        )
        return doors

    def _event_data(self, event: AlarmEvent) -> dict[str, Any]:
        return {
            "type": event.type.value,
            "state": event.state.value,
            "previous_state": event.previous_state.value,
            "cause": self.sensor_name(event.cause) if event.cause else None,
            "cause_entity_id": self.sensor_entity_id(event.cause)
            if event.cause
            else None,
            "changed_by": event.changed_by,
            "entity_id": self.panel_entity_id,
            "offline": event.offline,
        }

    @callback
    def _cancel_timers(self) -> None:
        if self._cancel_deadline is not None:
            self._cancel_deadline()
            self._cancel_deadline = None

    @callback
    def _schedule_deadline(self) -> None:
        self._cancel_timers()
        if self.machine.deadline is not None:
            self._cancel_deadline = track_at(
                self.hass, self._deadline_reached, self.machine.deadline
            )

    @callback
    def _deadline_reached(self, now: datetime) -> None:
        self._cancel_deadline = None
        self._apply(self.machine.advance(now.timestamp()))

    def _snapshot(self) -> dict[str, Any]:
        snapshot: dict[str, Any] = {
            "alarm": self.machine.snapshot(time.time()),
            "auto_arm": self.auto_arm.snapshot(),
        }
        if self.presence is not None:
            snapshot["presence"] = self.presence.snapshot()
        return snapshot

    @callback
    def _save(self) -> None:
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
        if self.camera is None:
            return []
        cause = self.sensor_name(request.cause)
        return await self.camera.async_capture(
            request.kinds,
            cause,
            burst=request.burst,
            on_result=alarm.on_capture if alarm is not None else None,
        )

    async def _async_capture_quietly(
        self, request: CaptureRequest, alarm: AlarmAlert | None = None
    ) -> None:
        await self.async_capture(request, alarm)

    # -- alerts and health ---------------------------------------------------

    @callback
    def _alert(self, events: list[AlarmEvent]) -> AlarmAlert | None:
        """Tell the alert targets; return the alarm alert, if the alarm went off."""
        alarm = None
        now = dt_util.now()
        for event in events:
            name = self.sensor_name(event.cause) if event.cause else None
            cause = name
            if name and event.offline and self.alerts is not None:
                cause = self.alerts.text("offline_cause", cause=name)
            if (
                event.type is EventType.STATE_CHANGED
                and event.state is AlarmState.TRIGGERED
            ):
                # Triggered by hand: the user, or Home Assistant (an automation).
                cause = cause or event.changed_by or self._home_assistant()
                self.last_trigger = (cause, now)
                if self.alerts is not None:
                    with_photo = self.camera is not None and self.camera.is_open
                    alarm = self.alerts.alarm(cause, now, with_photo=with_photo)
            elif self.alerts is None:
                continue
            elif event.type is EventType.STATE_CHANGED:
                delay = event.state in (AlarmState.ARMING, AlarmState.PENDING)
                self.alerts.state_changed(
                    event.state.value,
                    event.previous_state.value,
                    mode=self.machine.armed_mode.value
                    if self.machine.armed_mode
                    else None,
                    who=event.changed_by,
                    cause=name,
                    seconds=self.machine.seconds_left(time.time()) if delay else None,
                    offline=event.offline,
                )
            elif event.state is AlarmState.TRIGGERED and cause is not None:
                # Another sensor trips while the alarm sounds (rate-limited).
                self.alerts.alarm(cause, now, with_photo=False)
        return alarm

    def _home_assistant(self) -> str:
        return self.alerts.text("home_assistant") if self.alerts else "Home Assistant"

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
    def _health_changed(self) -> None:
        self._notify(HEALTH_KEY)
        if self.alerts is not None:
            self.alerts.health(self.problems())

    def people_home(self) -> list[str]:
        """The names of the phones and persons that are home."""
        return self.presence.people_home() if self.presence else []

    @callback
    def _motion_seen(self, sensor_id: str) -> None:
        """Motion while armed: a photo, even when it does not trip the alarm."""
        if self.camera is None:
            return
        request = self.capture_policy.on_motion(
            sensor_id, self.machine.state, time.time()
        )
        if request is not None:
            self.run(self._async_capture_quietly(request))

    @callback
    def _camera_motion(self, moving: bool) -> None:
        self._notify(CAMERA_KEY)
        if CAMERA_MOTION_ID in self.machine.sensors:
            now = time.time()
            self._apply(self.machine.sensor_changed(CAMERA_MOTION_ID, moving, now))
        if self.arming is not None:
            self.arming.sensor_changed(SensorKind.MOTION, moving)
        if moving:
            self._motion_seen(CAMERA_MOTION_ID)

    @callback
    def _update_capture_interval(self) -> None:
        """While the alarm stays triggered, a photo every so often."""
        interval = self.config.camera.captures.interval
        triggered = self.machine.state is AlarmState.TRIGGERED
        if triggered and interval > 0 and self._cancel_capture_interval is None:
            self._cancel_capture_interval = async_track_time_interval(
                self.hass, self._capture_interval_tick, timedelta(seconds=interval)
            )
        elif not triggered and self._cancel_capture_interval is not None:
            self._cancel_capture_interval()
            self._cancel_capture_interval = None

    @callback
    def _capture_interval_tick(self, _now: datetime) -> None:
        cause = self.machine.cause or "triggered"
        self.run(
            self._async_capture_quietly(CaptureRequest((CaptureKind.PHOTO,), cause))
        )

    @callback
    def _capture_done(self, result: CaptureResult) -> None:
        self._notify(CAMERA_KEY)
        if not result.ok:
            self._notify(HEALTH_KEY)  # the camera problem sensor names it
        self.hass.bus.async_fire(
            EVENT_CAPTURE,
            {
                "kind": result.kind.value,
                "cause": result.cause,
                "path": str(result.path) if result.path else None,
                "error": result.error,
                "entity_id": self.panel_entity_id,
            },
        )

    @callback
    def _camera_health_changed(self) -> None:
        if self.camera is not None:
            async_report_camera_problems(
                self.hass, self.camera.persistent_problems, self.camera.camera_problem
            )
        self._health_changed()
        self._notify(CAMERA_KEY)

    # -- presence ------------------------------------------------------------

    @callback
    def _presence_changed(self, changes: list[PresenceChange]) -> None:
        if self.arming is not None:
            self.arming.presence_changed(changes)

    @callback
    def _presence_health_changed(self) -> None:
        if self.presence is not None:
            async_report_presence_problems(self.hass, self.presence.problems)
        self._health_changed()

    def presence_name(self, occupant_id: str) -> str:
        """The name of a phone or presence entity."""
        return self.presence.name(occupant_id) if self.presence else occupant_id

    async def _async_save_now(self) -> None:
        await self._store.async_save(self._snapshot())
