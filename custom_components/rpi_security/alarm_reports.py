"""What the outside world hears of the alarm: bus events, alerts, its history.

Every event of an area's machine becomes an ``rpi_security_event`` on the
bus (for automations, naming the area and its panel), an alert for the
targets that want it (prefixed with the area's name when there are several),
and a line of the recent history that diagnostics show. A refused arming is
told the same ways, and its alert offers the choices Retry and Arm anyway
(:mod:`.arming_choices`); a sensor that stops reporting while it guards is a
fault, told to the targets of problems, and so is its return.
"""

from collections import deque
from collections.abc import Mapping
from datetime import datetime
import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import Context, callback
from homeassistant.util import dt as dt_util

from .alerts import AlarmAlert, AlertManager
from .config import AlertCategory
from .const import EVENT_ALARM
from .engine.alarm import AlarmEvent, AlarmState, ArmingRefusedError, ArmMode, EventType

if TYPE_CHECKING:
    from .alarm_areas import Area
    from .system import SecuritySystem

# How many alarm events diagnostics show.
RECENT_EVENTS = 20
# Events that report a sensor going off (also while already triggered).
TRIPS = frozenset({EventType.TRIGGER, EventType.TAMPER, EventType.ENVIRONMENTAL})


class AlarmReports:
    """Tells automations, the alert targets and diagnostics what the alarm did."""

    def __init__(self, system: SecuritySystem) -> None:
        """Nothing reported yet."""
        self._system = system
        # The cause and time of the last time the alarm went off.
        self.last_trigger: tuple[str, datetime] | None = None
        # The last alarm events, for diagnostics.
        self.recent_events: deque[dict[str, Any]] = deque(maxlen=RECENT_EVENTS)

    @callback
    def report(
        self, events: list[AlarmEvent], context: Context | None
    ) -> AlarmAlert | None:
        """Fire the events and alert; the alarm alert, if the alarm went off."""
        for event in events:
            data = self._event_data(event)
            self.recent_events.append({"at": dt_util.utcnow().isoformat(), **data})
            self._system.hass.bus.async_fire(EVENT_ALARM, data, context=context)
        return self._alert(events)

    def area_name(self, area_id: str | None) -> str | None:
        """The area's name where alerts should say it: when there are several."""
        areas = self._system.areas
        if area_id is None or len(areas) < 2:
            return None
        area = areas.get(area_id)
        return area.name if area is not None else None

    def arming_refused(
        self,
        mode: ArmMode,
        refusals: Mapping[str, ArmingRefusedError],
        changed_by: str | None,
        context: Context | None,
        *,
        whole_house: bool = False,
    ) -> None:
        """Tell automations and the targets that sensors kept areas from arming.

        The alert offers Retry and Arm anyway (bypassing exactly the sensors
        named) for the areas that refused.
        """
        system = self._system
        refusal = system.choices.offer(
            mode,
            tuple(refusals),
            {area_id: err.sensors for area_id, err in refusals.items()},
            time.time(),
            whole_house=whole_house,
        )
        described = []
        for area_id, err in refusals.items():
            area = system.areas.get(area_id)
            names = [system.sensor_name(s) for s in err.sensors]
            described.append((self.area_name(area_id), names))
            system.hass.bus.async_fire(
                EVENT_ALARM,
                {
                    "type": "arming_refused",
                    "state": area.machine.state.value if area else None,
                    "mode": mode.value,
                    "open_doors": names,
                    "unavailable": [system.sensor_name(s) for s in err.unavailable],
                    "changed_by": changed_by,
                    "area": area_id,
                    "area_name": area.name if area else None,
                    "entity_id": area.panel_entity_id if area else None,
                },
                context=context,
            )
        if system.alerts is not None:
            system.alerts.arming_refused(
                mode.value, described, changed_by, choices=refusal.token
            )

    def _event_data(self, event: AlarmEvent) -> dict[str, Any]:
        system = self._system
        area = system.areas.get(event.area) if event.area else None
        return {
            "type": event.type.value,
            "state": event.state.value,
            "previous_state": event.previous_state.value,
            "cause": system.sensor_name(event.cause) if event.cause else None,
            "cause_entity_id": system.sensor_entity_id(event.cause)
            if event.cause
            else None,
            "sensors": [system.sensor_name(s) for s in event.sensors],
            "alarm": event.alarm.value if event.alarm else None,
            "changed_by": event.changed_by,
            "area": event.area,
            "area_name": area.name if area else None,
            "entity_id": area.panel_entity_id if area else system.panel_entity_id,
            "offline": event.offline,
        }

    @callback
    def _alert(self, events: list[AlarmEvent]) -> AlarmAlert | None:
        """Tell the alert targets; return the alarm alert, if the alarm went off."""
        system = self._system
        alerts = system.alerts
        alarm = None
        now = dt_util.now()
        for event in events:
            name = system.sensor_name(event.cause) if event.cause else None
            cause = name
            area = self.area_name(event.area)
            if name and event.offline and alerts is not None:
                cause = alerts.text("offline_cause", cause=name)
            if (
                event.type is EventType.STATE_CHANGED
                and event.state is AlarmState.TRIGGERED
            ):
                # Triggered by hand: the user, or Home Assistant (an automation).
                home_assistant = (
                    alerts.text("home_assistant") if alerts else "Home Assistant"
                )
                cause = cause or event.changed_by or home_assistant
                self.last_trigger = (cause, now)
                if alerts is not None:
                    camera = system.camera
                    with_photo = camera is not None and camera.is_open
                    alarm = alerts.alarm(
                        cause, now, with_photo=with_photo, kind=event.alarm, area=area
                    )
            elif alerts is None:
                continue
            elif event.type is EventType.STATE_CHANGED:
                self._state_changed(alerts, event, name, area)
            elif event.type in (EventType.FAULT, EventType.FAULT_CLEARED):
                if event.type is EventType.FAULT:
                    text = alerts.text("sensor_fault", sensor=name)
                else:
                    text = alerts.text("sensor_back", sensor=name)
                message = alerts.in_area(text, area)
                alerts.send(AlertCategory.PROBLEMS, {"message": message})
            elif (
                event.type in TRIPS
                and event.state is AlarmState.TRIGGERED
                and cause is not None
            ):
                # Another sensor trips while the alarm sounds (rate-limited).
                alerts.alarm(cause, now, with_photo=False, kind=event.alarm, area=area)
        return alarm

    def _state_changed(
        self,
        alerts: AlertManager,
        event: AlarmEvent,
        name: str | None,
        area_name: str | None,
    ) -> None:
        area: Area | None = self._system.areas.get(event.area) if event.area else None
        machine = area.machine if area is not None else None
        delay = event.state in (AlarmState.ARMING, AlarmState.PENDING)
        mode = machine.armed_mode if machine is not None else None
        alerts.state_changed(
            event.state.value,
            event.previous_state.value,
            mode=mode.value if mode else None,
            who=event.changed_by,
            cause=name,
            seconds=machine.seconds_left(time.time())
            if delay and machine is not None
            else None,
            offline=event.offline,
            area=area_name,
        )
