"""What the outside world hears of the alarm: bus events, alerts, its history.

Every event of the alarm machine becomes an ``rpi_security_event`` on the
bus (for automations), an alert for the targets that want it, and a line of
the recent history that diagnostics show; a refused arming is told the same
ways.
"""

from collections import deque
from datetime import datetime
import time
from typing import TYPE_CHECKING, Any

from homeassistant.core import Context, callback
from homeassistant.util import dt as dt_util

from .alerts import AlarmAlert
from .const import EVENT_ALARM
from .engine.alarm import AlarmEvent, AlarmState, ArmingRefusedError, ArmMode, EventType

if TYPE_CHECKING:
    from .system import SecuritySystem

# How many alarm events diagnostics show.
RECENT_EVENTS = 20


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

    def arming_refused(
        self,
        mode: ArmMode,
        err: ArmingRefusedError,
        changed_by: str | None,
        context: Context | None,
    ) -> list[str]:
        """Tell automations that arming was refused; return the open doors."""
        system = self._system
        doors = [system.sensor_name(door) for door in err.open_doors]
        if system.alerts is not None:
            system.alerts.arming_refused(mode.value, doors, changed_by)
        system.hass.bus.async_fire(
            EVENT_ALARM,
            {
                "type": "arming_refused",
                "state": system.machine.state.value,
                "mode": mode.value,
                "open_doors": doors,
                "changed_by": changed_by,
                "entity_id": system.panel_entity_id,
            },
            context=context,
        )
        return doors

    def _event_data(self, event: AlarmEvent) -> dict[str, Any]:
        system = self._system
        return {
            "type": event.type.value,
            "state": event.state.value,
            "previous_state": event.previous_state.value,
            "cause": system.sensor_name(event.cause) if event.cause else None,
            "cause_entity_id": system.sensor_entity_id(event.cause)
            if event.cause
            else None,
            "changed_by": event.changed_by,
            "entity_id": system.panel_entity_id,
            "offline": event.offline,
        }

    @callback
    def _alert(self, events: list[AlarmEvent]) -> AlarmAlert | None:
        """Tell the alert targets; return the alarm alert, if the alarm went off."""
        system = self._system
        alerts, machine = system.alerts, system.machine
        alarm = None
        now = dt_util.now()
        for event in events:
            name = system.sensor_name(event.cause) if event.cause else None
            cause = name
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
                    alarm = alerts.alarm(cause, now, with_photo=with_photo)
            elif alerts is None:
                continue
            elif event.type is EventType.STATE_CHANGED:
                delay = event.state in (AlarmState.ARMING, AlarmState.PENDING)
                alerts.state_changed(
                    event.state.value,
                    event.previous_state.value,
                    mode=machine.armed_mode.value if machine.armed_mode else None,
                    who=event.changed_by,
                    cause=name,
                    seconds=machine.seconds_left(time.time()) if delay else None,
                    offline=event.offline,
                )
            elif event.state is AlarmState.TRIGGERED and cause is not None:
                # Another sensor trips while the alarm sounds (rate-limited).
                alerts.alarm(cause, now, with_photo=False)
        return alarm
