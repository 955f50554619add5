"""Wall panels over MQTT, through Home Assistant's MQTT integration.

The protocol (what travels, how commands are read) is the engine's
(:mod:`.engine.wall_panel`); this module carries it over the user's broker:

* the state of the whole house (retained) on the state topic, and of each
  area on its own (:func:`.mqtt_config.area_topic`, the area's key in it),
  published at start, on every change and again whenever the MQTT client
  reconnects;
* events on the event topic, each naming its area (``null``: the whole
  house): arming, an alarm with its sensors, arming refused with the
  sensors in the way, a wrong or missing code, a command not allowed (with
  why), a payload that is not a command;
* commands from the command topic, for an area (its key or id) or the whole
  house, carried out one after the other through the alarm's own gate
  (:class:`.alarm_port.AlarmPort`): codes, users' rights and the lock-out
  apply exactly as on the panel. A retained command is ignored: a broker
  replays it at every start.

Payloads are never logged: a command may carry a code. The MQTT integration
is imported only when the wall panel is on (its library comes with it).
"""

import asyncio
from collections import deque
import logging
from typing import TYPE_CHECKING, Any

from homeassistant.core import CALLBACK_TYPE, Context, HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError

from .alarm_port import (
    AlarmPort,
    AreaRefusal,
    AreaView,
    CommandRefusedError,
    Refusal,
)
from .engine.alarm import AlarmEvent, EventType
from .engine.areas import combined_state
from .engine.wall_panel import (
    CommandRejectedError,
    PanelRequest,
    alarm_event_payload,
    encode,
    failed_to_arm_payload,
    no_code_payload,
    not_allowed_payload,
    parse_command,
    rejected_payload,
    state_payload,
    wrong_code_payload,
)
from .issues import async_report_wall_panel_mqtt
from .mqtt_config import WallPanelConfig, area_topic

if TYPE_CHECKING:
    from homeassistant.components.mqtt import ReceiveMessage

_LOGGER = logging.getLogger(__name__)

# Who acted, as the panel's history and alerts name it ("Alice (MQTT)").
VIA = "MQTT"
# Commands waiting for the one before them; more are dropped (a flood).
MAX_WAITING = 16
QOS = 1
# How long stopping waits for the last messages to go out.
STOP_TIMEOUT = 10.0


class MqttWallPanel:
    """One system's wall-panel topics: states and events out, commands in."""

    def __init__(
        self, hass: HomeAssistant, port: AlarmPort, config: WallPanelConfig
    ) -> None:
        """Prepare; :meth:`async_start` connects when the option is on."""
        self._hass = hass
        self._port = port
        self.config = config
        self._connect: asyncio.Task[None] | None = None
        self._unsubscribe: list[CALLBACK_TYPE] = []
        # Published in order, one at a time.
        self._outbox: deque[tuple[str, str, bool]] = deque()
        self._publisher: asyncio.Task[None] | None = None
        self._published: dict[str, str] = {}
        self._commands: set[asyncio.Task[None]] = set()
        self._one_at_a_time = asyncio.Lock()
        self.listening = False

    # -- life cycle ----------------------------------------------------------

    async def async_start(self) -> None:
        """Connect in the background (MQTT may still be starting)."""
        if not self.config.enabled:
            async_report_wall_panel_mqtt(self._hass, missing=False)
            return
        self._connect = self._hass.async_create_background_task(
            self._async_connect(), "rpi_security wall panel"
        )

    async def async_update(self, config: WallPanelConfig) -> None:
        """Options changed: listen on the new topics, or stop listening.

        The states left retained on topics no longer used are cleared, so no
        panel shows a state that is not kept up to date any more.
        """
        if config == self.config:
            return
        if self.listening:
            kept = self._states(config) if config.enabled else {}
            for topic in [t for t in self._published if t not in kept]:
                self._publish(topic, "", retain=True)
        await self.async_stop()
        self.config = config
        await self.async_start()

    async def async_stop(self) -> None:
        """Stop listening; what is being published is still published."""
        if self._connect is not None:
            self._connect.cancel()
            self._connect = None
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe.clear()
        self.listening = False
        for task in list(self._commands):
            task.cancel()
        if self._publisher is not None and not self._publisher.done():
            try:
                async with asyncio.timeout(STOP_TIMEOUT):
                    await asyncio.shield(self._publisher)
            except TimeoutError:
                self._publisher.cancel()
        self._published.clear()

    async def _async_connect(self) -> None:
        from homeassistant.components import mqtt  # noqa: PLC0415  (only when on)

        hass = self._hass
        if not await mqtt.async_wait_for_mqtt_client(hass):
            _LOGGER.warning(
                "The wall panel over MQTT is on, but MQTT is not set up in Home "
                "Assistant"
            )
            async_report_wall_panel_mqtt(hass, missing=True)
            return
        async_report_wall_panel_mqtt(hass, missing=False)
        self._unsubscribe.append(
            await mqtt.async_subscribe(
                hass,
                self.config.command_topic,
                self._command_received,
                qos=QOS,
                encoding=None,
            )
        )
        self._unsubscribe.append(self._port.listen(self._alarm_events))
        self._unsubscribe.append(
            mqtt.async_subscribe_connection_status(hass, self._connection_changed)
        )
        self.listening = True
        self._publish_states()

    @callback
    def _connection_changed(self, connected: bool) -> None:
        if connected:  # the broker may have lost the retained states
            self._published.clear()
            self._publish_states()

    # -- out -------------------------------------------------------------------

    @callback
    def _alarm_events(self, events: list[AlarmEvent]) -> None:
        areas = {area.id: area for area in self._port.areas()}
        for event in events:
            area = areas.get(event.area or "")
            payload = alarm_event_payload(
                event._replace(area=_slug(area)),
                mode=area.armed_mode if area else None,
                delay=area.seconds_left if area else None,
                describe=self._port.describe_sensor,
            )
            if payload is not None:
                self._publish_event(payload)
        if any(event.type is EventType.STATE_CHANGED for event in events):
            self._publish_states()

    def _states(self, config: WallPanelConfig) -> dict[str, str]:
        """The state of the house and of each area, by topic."""
        areas = self._port.areas()
        house = combined_state(area.state for area in areas).state
        states = {config.state_topic: state_payload(house)}
        for area in areas:
            topic = area_topic(config.state_topic, area.key)
            states[topic] = state_payload(area.state)
        return states

    @callback
    def _publish_states(self) -> None:
        for topic, payload in self._states(self.config).items():
            if self._published.get(topic) != payload:
                self._published[topic] = payload
                self._publish(topic, payload, retain=True)

    @callback
    def _publish_event(self, payload: dict[str, Any]) -> None:
        self._publish(self.config.event_topic, encode(payload), retain=False)

    @callback
    def _publish(self, topic: str, payload: str, *, retain: bool) -> None:
        self._outbox.append((topic, payload, retain))
        # (A task may finish as it is created: ask whether it is done.)
        if self._publisher is None or self._publisher.done():
            self._publisher = self._hass.async_create_background_task(
                self._async_publish_all(), "rpi_security wall panel publish"
            )

    async def _async_publish_all(self) -> None:
        from homeassistant.components import mqtt  # noqa: PLC0415

        while self._outbox:
            topic, payload, retain = self._outbox.popleft()
            try:
                await mqtt.async_publish(
                    self._hass, topic, payload, qos=QOS, retain=retain
                )
            except HomeAssistantError as err:
                _LOGGER.warning("Could not publish to %s: %s", topic, err)

    # -- in --------------------------------------------------------------------

    @callback
    def _command_received(self, message: ReceiveMessage) -> None:
        if message.retain:
            _LOGGER.warning(
                "Ignored a retained command on %s: commands must not be retained",
                message.topic,
            )
            return
        # What a panel may call an area: its key (slugged name) or its id.
        keys = {}
        for area in self._port.areas():
            keys[area.key] = keys[area.id] = area.id
        payload = message.payload
        try:
            request = parse_command(
                payload if isinstance(payload, str) else bytes(payload), keys
            )
        except CommandRejectedError as err:
            _LOGGER.warning("Refused a wall panel command: %s", err.reason.value)
            self._publish_event(rejected_payload(err.reason))
            return
        if len(self._commands) >= MAX_WAITING:
            _LOGGER.warning("Wall panel commands come too fast; dropped one")
            return
        task = self._hass.async_create_background_task(
            self._async_carry_out(request), "rpi_security wall panel command"
        )
        self._commands.add(task)
        task.add_done_callback(self._commands.discard)

    async def _async_carry_out(self, request: PanelRequest) -> None:
        """One command after the other, in the order they came."""
        async with self._one_at_a_time:
            port = self._port
            mode = request.command.mode
            try:
                if mode is None:
                    await port.async_disarm(
                        request.area, code=request.code, via=VIA, context=Context()
                    )
                else:
                    await port.async_arm(
                        request.area,
                        mode,
                        code=request.code,
                        force=request.force,
                        via=VIA,
                        code_required=self.config.require_code,
                        context=Context(),
                    )
            except CommandRefusedError as err:
                areas = {area.id: area for area in port.areas()}
                for refusal in err.refusals:  # one event per area that refused
                    self._publish_event(self._refusal(request, refusal, areas))

    def _refusal(
        self,
        request: PanelRequest,
        refusal: AreaRefusal,
        areas: dict[str, AreaView],
    ) -> dict[str, Any]:
        area = _slug(areas.get(refusal.area or ""))
        command = request.command
        match refusal.reason:
            case Refusal.NO_CODE:
                return no_code_payload(area, command)
            case Refusal.WRONG_CODE:
                return wrong_code_payload(area, command)
            case Refusal.SENSORS_IN_THE_WAY:
                sensors = [self._port.describe_sensor(s) for s in refusal.sensors]
                return failed_to_arm_payload(area, command, sensors)
        return not_allowed_payload(area, command, refusal.state, refusal.reason.value)


def _slug(area: AreaView | None) -> str | None:
    """What panels call an area (``None``: the whole house)."""
    return area.key if area is not None else None
