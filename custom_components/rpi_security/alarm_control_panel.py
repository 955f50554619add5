"""The alarm panel."""

from collections.abc import Callable
from datetime import datetime
import time
from typing import Any

from homeassistant.components.alarm_control_panel import AlarmControlPanelEntity
from homeassistant.components.alarm_control_panel.const import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
    CodeFormat as PanelCodeFormat,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.restore_state import RestoreEntity

from .code_log import CodeSource
from .config import CodeFormat
from .engine.alarm import ArmMode
from .entity import RpiSecurityEntity, add_entities_of_parts, system_device_info
from .entity_parts import Part, PartKind
from .system import ALARM_KEY, CONFIG_KEY, RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0

_FEATURE_OF_MODE = {
    ArmMode.AWAY: AlarmControlPanelEntityFeature.ARM_AWAY,
    ArmMode.HOME: AlarmControlPanelEntityFeature.ARM_HOME,
    ArmMode.NIGHT: AlarmControlPanelEntityFeature.ARM_NIGHT,
    ArmMode.VACATION: AlarmControlPanelEntityFeature.ARM_VACATION,
}

# How often the "seconds_left" attribute is refreshed during a delay.
_COUNTDOWN_INTERVAL = 1.0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the panel."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[RpiSecurityAlarmPanel]:
    return [RpiSecurityAlarmPanel(system)] if part.kind is PartKind.SYSTEM else []


class RpiSecurityAlarmPanel(RpiSecurityEntity, AlarmControlPanelEntity, RestoreEntity):
    """The panel: arm, disarm, and what the alarm is doing.

    A ``RestoreEntity``: Home Assistant keeps its last state apart from the
    system's own store, and the system falls back on it when that store is
    damaged (see :mod:`.restore`).
    """

    _attr_name = None
    _attr_translation_key = "alarm"
    # The countdown changes every second; it is not worth recording.
    _unrecorded_attributes = frozenset({"seconds_left"})

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the panel from the system's configuration."""
        super().__init__(system, ALARM_KEY)
        self._attr_unique_id = system.entry.entry_id
        self._attr_device_info = system_device_info(system)
        self._read_config()
        self._cancel_countdown: Callable[[], None] | None = None

    def _read_config(self) -> None:
        """The arm modes offered and the code asked for, as configured now."""
        config = self._system.config
        features = AlarmControlPanelEntityFeature.TRIGGER
        for mode in config.alarm.arm_modes:
            features |= _FEATURE_OF_MODE[mode]
        self._attr_supported_features = features
        self._attr_code_format = (
            None
            if config.code_format is None
            else PanelCodeFormat.NUMBER
            if config.code_format is CodeFormat.NUMBER
            else PanelCodeFormat.TEXT
        )
        self._attr_code_arm_required = config.code_arm_required

    async def async_added_to_hass(self) -> None:
        """Let the system name the panel in its events."""
        await super().async_added_to_hass()
        self._system.panel_entity_id = self.entity_id
        self.async_on_remove(self._stop_countdown)
        self.async_on_remove(
            self._system.async_subscribe(CONFIG_KEY, self._config_changed)
        )
        self._run_countdown()

    @callback
    def _config_changed(self) -> None:
        """Options or users changed: the state stays, what is offered may not."""
        self._read_config()
        self.async_write_ha_state()

    @property
    def alarm_state(self) -> AlarmControlPanelState:
        """The machine's state."""
        return AlarmControlPanelState(self._system.machine.state.value)

    @property
    def changed_by(self) -> str | None:
        """Who last changed the state."""
        return self._system.machine.changed_by

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Open sensors, what comes next and when."""
        system = self._system
        machine = system.machine
        next_state = machine.next_state
        seconds_left = machine.seconds_left(time.time())
        return {
            "open_sensors": sorted(system.sensor_name(s) for s in machine.open_sensors),
            "bypassed_sensors": sorted(system.sensor_name(s) for s in machine.bypassed),
            "previous_state": machine.previous_state.value,
            "next_state": next_state.value if next_state else None,
            "seconds_left": round(seconds_left) if seconds_left is not None else None,
            "cause": system.sensor_name(machine.cause) if machine.cause else None,
        }

    @callback
    def _updated(self) -> None:
        super()._updated()
        self._run_countdown()

    @callback
    def _run_countdown(self) -> None:
        """Refresh the countdown every second while a delay runs."""
        if self._system.machine.deadline is None or self._cancel_countdown:
            return
        self._cancel_countdown = async_call_later(
            self.hass, _COUNTDOWN_INTERVAL, self._tick
        )

    @callback
    def _tick(self, _now: datetime) -> None:
        self._cancel_countdown = None
        self._updated()

    @callback
    def _stop_countdown(self) -> None:
        if self._cancel_countdown is not None:
            self._cancel_countdown()
            self._cancel_countdown = None

    async def async_alarm_disarm(self, code: str | None = None) -> None:
        """Disarm (needs the code when one is set)."""
        await self._system.async_disarm(
            code=code, context=self._context, source=CodeSource.PANEL
        )

    async def async_alarm_arm_away(self, code: str | None = None) -> None:
        """Arm away."""
        await self.async_arm(ArmMode.AWAY, code)

    async def async_alarm_arm_home(self, code: str | None = None) -> None:
        """Arm home (doors only)."""
        await self.async_arm(ArmMode.HOME, code)

    async def async_alarm_arm_night(self, code: str | None = None) -> None:
        """Arm night (doors only)."""
        await self.async_arm(ArmMode.NIGHT, code)

    async def async_alarm_arm_vacation(self, code: str | None = None) -> None:
        """Arm vacation."""
        await self.async_arm(ArmMode.VACATION, code)

    async def async_alarm_trigger(self, code: str | None = None) -> None:
        """Trigger at once."""
        await self._system.async_trigger(context=self._context)

    async def async_arm(
        self,
        mode: ArmMode,
        code: str | None,
        *,
        force: bool = False,
        source: CodeSource = CodeSource.PANEL,
    ) -> None:
        """Arm in ``mode``, optionally forcing past open doors."""
        await self._system.async_arm(
            mode, code=code, force=force, context=self._context, source=source
        )

    async def async_arm_with_options(
        self, mode: str, code: str | None = None, force: bool = False
    ) -> None:
        """The ``rpi_security.arm`` action."""
        await self.async_arm(ArmMode(mode), code, force=force, source=CodeSource.ACTION)
