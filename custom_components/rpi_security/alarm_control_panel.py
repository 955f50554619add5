"""The alarm panels: one per area, and the whole house's when there are several."""

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
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.helpers.event import async_call_later
from homeassistant.helpers.restore_state import RestoreEntity

from .alarm_areas import Area, area_key
from .code_log import CodeSource
from .config import CodeFormat
from .engine.alarm import ArmMode
from .entity import (
    RpiSecurityEntity,
    add_entities_of_parts,
    area_device_info,
)
from .entity_parts import Part, PartKind
from .system import ALARM_KEY, CONFIG_KEY, RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0

FEATURE_OF_MODE = {
    ArmMode.AWAY: AlarmControlPanelEntityFeature.ARM_AWAY,
    ArmMode.HOME: AlarmControlPanelEntityFeature.ARM_HOME,
    ArmMode.NIGHT: AlarmControlPanelEntityFeature.ARM_NIGHT,
    ArmMode.VACATION: AlarmControlPanelEntityFeature.ARM_VACATION,
    ArmMode.CUSTOM_BYPASS: AlarmControlPanelEntityFeature.ARM_CUSTOM_BYPASS,
}

# How often the "seconds_left" attribute is refreshed during a delay.
_COUNTDOWN_INTERVAL = 1.0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add each area's panel, and the whole house's."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    if part.kind is PartKind.AREA and (area := system.areas.get(part.key)):
        return [AreaPanel(system, area)]
    if part.kind is PartKind.HOUSE:
        return [HousePanel(system)]
    return []


class BasePanel(RpiSecurityEntity, AlarmControlPanelEntity):
    """What both kinds of panel share: the keypad, the modes, the commands."""

    # The countdown changes every second; it is not worth recording.
    _unrecorded_attributes = frozenset({"seconds_left"})
    # The area commanded; None: every area.
    _area_id: str | None = None

    def _modes(self) -> frozenset[ArmMode]:
        raise NotImplementedError

    def _code_to_arm(self) -> bool:
        raise NotImplementedError

    def _read_config(self) -> None:
        """The arm modes offered and the code asked for, as configured now."""
        config = self._system.config
        features = AlarmControlPanelEntityFeature.TRIGGER
        for mode in self._modes():
            features |= FEATURE_OF_MODE[mode]
        self._attr_supported_features = features
        self._attr_code_format = (
            None
            if config.code_format is None
            else PanelCodeFormat.NUMBER
            if config.code_format is CodeFormat.NUMBER
            else PanelCodeFormat.TEXT
        )
        self._attr_code_arm_required = config.codes and self._code_to_arm()

    async def async_added_to_hass(self) -> None:
        """Follow the configuration too."""
        await super().async_added_to_hass()
        self.async_on_remove(
            self._system.async_subscribe(CONFIG_KEY, self._config_changed)
        )

    @callback
    def _config_changed(self) -> None:
        """Options or users changed: the state stays, what is offered may not."""
        self._read_config()
        self.async_write_ha_state()

    async def async_alarm_disarm(self, code: str | None = None) -> None:
        """Disarm (needs the code when one is set)."""
        await self._system.async_disarm(
            area=self._area_id,
            code=code,
            context=self._context,
            entity_id=self.entity_id,
            source=CodeSource.PANEL,
        )

    async def async_alarm_arm_away(self, code: str | None = None) -> None:
        """Arm away."""
        await self.async_arm(ArmMode.AWAY, code)

    async def async_alarm_arm_home(self, code: str | None = None) -> None:
        """Arm home (doors and windows only, unless the mode names sensors)."""
        await self.async_arm(ArmMode.HOME, code)

    async def async_alarm_arm_night(self, code: str | None = None) -> None:
        """Arm night (doors and windows only, unless the mode names sensors)."""
        await self.async_arm(ArmMode.NIGHT, code)

    async def async_alarm_arm_vacation(self, code: str | None = None) -> None:
        """Arm vacation."""
        await self.async_arm(ArmMode.VACATION, code)

    async def async_alarm_arm_custom_bypass(self, code: str | None = None) -> None:
        """Arm custom bypass: the sensors chosen for it."""
        await self.async_arm(ArmMode.CUSTOM_BYPASS, code)

    async def async_alarm_trigger(self, code: str | None = None) -> None:
        """Trigger at once."""
        await self._system.async_trigger(area=self._area_id, context=self._context)

    async def async_arm(
        self,
        mode: ArmMode,
        code: str | None,
        *,
        force: bool = False,
        source: CodeSource = CodeSource.PANEL,
    ) -> None:
        """Arm in ``mode``, optionally forcing past open sensors."""
        await self._system.async_arm(
            mode,
            area=self._area_id,
            code=code,
            force=force,
            context=self._context,
            entity_id=self.entity_id,
            source=source,
        )

    async def async_arm_with_options(
        self, mode: str, code: str | None = None, force: bool = False
    ) -> None:
        """The ``rpi_security.arm`` action."""
        await self.async_arm(ArmMode(mode), code, force=force, source=CodeSource.ACTION)

    async def async_skip_delay(self, code: str | None = None) -> None:
        """The ``rpi_security.skip_delay`` action: the exit delay ends now."""
        await self._system.async_skip_delay(
            area=self._area_id,
            code=code,
            context=self._context,
            entity_id=self.entity_id,
            source=CodeSource.ACTION,
        )


class AreaPanel(BasePanel, RestoreEntity):
    """An area's panel: arm, disarm, and what the area's alarm is doing.

    A ``RestoreEntity``: Home Assistant keeps its last state apart from the
    system's own store, and the system falls back on it when that store is
    damaged (see :mod:`.restore`).
    """

    _attr_name = None
    _attr_translation_key = "alarm"

    def __init__(self, system: SecuritySystem, area: Area) -> None:
        """The panel of ``area``: the main entity of the area's device."""
        super().__init__(system, area_key(area.id), owner=area.id)
        self._area_id = area.id
        self._attr_unique_id = area.panel_unique_id(system.entry.entry_id)
        self._attr_device_info = area_device_info(system, area.config)
        self._read_config()
        self._cancel_countdown: Callable[[], None] | None = None

    @property
    def _area(self) -> Area | None:
        # None for a moment when the area is being removed.
        return self._system.areas.get(self._area_id or "")

    def _modes(self) -> frozenset[ArmMode]:
        area = self._area
        return area.config.settings.arm_modes if area else frozenset()

    def _code_to_arm(self) -> bool:
        area = self._area
        return area is not None and area.config.code_arm_required

    async def async_added_to_hass(self) -> None:
        """Let the system name the panel in its events."""
        await super().async_added_to_hass()
        if (area := self._area) is not None:
            area.panel_entity_id = self.entity_id
        self.async_on_remove(self._stop_countdown)
        self._run_countdown()

    @property
    def available(self) -> bool:
        """While the area exists."""
        return self._area is not None

    @property
    def alarm_state(self) -> AlarmControlPanelState | None:
        """The area's state."""
        area = self._area
        return AlarmControlPanelState(area.machine.state.value) if area else None

    @property
    def changed_by(self) -> str | None:
        """Who last changed the state."""
        area = self._area
        return area.machine.changed_by if area else None

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Open, bypassed and faulty sensors, what comes next and when."""
        area = self._area
        if area is None:
            return {}
        name = self._system.sensor_name
        machine = area.machine
        next_state = machine.next_state
        seconds_left = machine.seconds_left(time.time())
        return {
            "open_sensors": sorted(name(s) for s in machine.open_sensors),
            "bypassed_sensors": sorted(
                name(s) for s in machine.bypassed | machine.auto_bypassed
            ),
            "faulty_sensors": sorted(name(s) for s in machine.faults),
            "previous_state": machine.previous_state.value,
            "next_state": next_state.value if next_state else None,
            "seconds_left": round(seconds_left) if seconds_left is not None else None,
            "cause": name(machine.cause) if machine.cause else None,
            "alarm": machine.alarm_kind.value if machine.alarm_kind else None,
        }

    @callback
    def _updated(self) -> None:
        super()._updated()
        self._run_countdown()

    @callback
    def _run_countdown(self) -> None:
        """Refresh the countdown every second while a delay runs."""
        area = self._area
        if area is None or area.machine.deadline is None or self._cancel_countdown:
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


class HousePanel(BasePanel):
    """The whole house: arms and disarms every area, shows their combined state."""

    _attr_translation_key = "house"

    def __init__(self, system: SecuritySystem) -> None:
        """The whole-house panel, on the system's device."""
        super().__init__(system, ALARM_KEY, "house", owner=PartKind.HOUSE.value)
        self._read_config()

    def _modes(self) -> frozenset[ArmMode]:
        house = self._system.areas.house
        return house.arm_modes if house is not None else frozenset()

    def _code_to_arm(self) -> bool:
        return any(area.config.code_arm_required for area in self._system.areas)

    async def async_added_to_hass(self) -> None:
        """Let the system name the whole house's panel."""
        await super().async_added_to_hass()
        self._system.house_entity_id = self.entity_id
        self.async_on_remove(self._forget_entity_id)

    @callback
    def _forget_entity_id(self) -> None:
        if self._system.house_entity_id == self.entity_id:
            self._system.house_entity_id = None

    @property
    def alarm_state(self) -> AlarmControlPanelState:
        """The areas' combined state (see :func:`.engine.areas.combined_state`)."""
        return AlarmControlPanelState(self._system.areas.state.state.value)

    @property
    def extra_state_attributes(self) -> dict[str, Any]:
        """Each area's state, and whether they disagree ("partly armed")."""
        areas = self._system.areas
        name = self._system.sensor_name
        return {
            "areas": {area.name: area.machine.state.value for area in areas},
            "mixed": areas.state.mixed,
            "open_sensors": sorted(name(s) for s in areas.open_sensors()),
        }
