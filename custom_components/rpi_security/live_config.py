"""Configuration changes, applied to the running system without a reload.

Adding or removing an area, sensor, phone, presence entity, alert target or
user opens or closes just its input (its GPIO pin, its entity listener, its
phone's place on the network...) and adds or removes just its entities;
options go straight to the part that uses them. An area keeps its state
while its settings and sensors change; a sensor moved to another area, or
given other options, keeps its pin and its entities. Nothing else moves: the
panel keeps its state and the time it last changed, and no other entity
writes a new state. Only what is wired in when the system starts reloads the
entry: simulation mode, the camera itself (source, device, picture, motion
detection) and the network interfaces presence captures on.

Each kind of change has its own step below; a new kind of subentry gets a
step of its own (and its parts in :func:`.entity_parts.wanted_parts`).
"""

from collections.abc import Iterable
from dataclasses import dataclass
import logging
from typing import Protocol

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr

from .config import CameraConfig, SensorConfig, SystemConfig
from .const import DOMAIN
from .entity_parts import wanted_parts
from .issues import async_report_no_areas, async_report_telegram_users
from .remote_control import RemoteControl
from .system import ALARM_KEY, CONFIG_KEY, RpiSecurityConfigEntry, SecuritySystem

_LOGGER = logging.getLogger(__name__)


class _HasId(Protocol):
    @property
    def id(self) -> str:
        """The subentry id."""


@dataclass(frozen=True, slots=True)
class Changes[T: _HasId]:
    """What was added, removed and changed among subentries of one kind."""

    added: list[T]
    removed: list[T]
    changed: list[T]  # the new settings

    @classmethod
    def between(cls, old: Iterable[T], new: Iterable[T]) -> Changes[T]:
        """Compare two lists of settings by subentry id."""
        before = {item.id: item for item in old}
        after = {item.id: item for item in new}
        return cls(
            added=[item for key, item in after.items() if key not in before],
            removed=[item for key, item in before.items() if key not in after],
            changed=[
                item
                for key, item in after.items()
                if key in before and before[key] != item
            ],
        )


def reload_reasons(old: SystemConfig, new: SystemConfig) -> list[str]:
    """What changed that only a reload can apply (empty: apply it live)."""
    reasons = []
    if old.simulation != new.simulation:
        reasons.append("simulation mode")
    if _camera_itself(old.camera) != _camera_itself(new.camera):
        reasons.append("the camera")
    if (old.presence.lan_interface, old.presence.monitor_interface) != (
        new.presence.lan_interface,
        new.presence.monitor_interface,
    ):
        reasons.append("the network interfaces")
    return reasons


def _camera_itself(camera: CameraConfig) -> tuple[object, ...]:
    """The camera's settings that open it; the rest is what it captures."""
    return (
        camera.source,
        camera.device,
        camera.entity_id,
        camera.picture,
        camera.motion_detection,
        camera.motion_alarm,
    )


async def async_apply_changes(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry, *, starting: bool = False
) -> None:
    """The entry changed: apply what changed, live where it can be.

    ``starting``: called by the setup itself, for what changed while it ran.
    """
    if entry.state is not ConfigEntryState.LOADED and not starting:
        return  # the setup or the reload under way reads the entry anew
    system = entry.runtime_data
    async with system.changing:  # one change after the other
        new = SystemConfig.from_entry(entry)
        old = system.config
        if new == old or system.reloading:
            return  # (a reload under way reads the whole entry anew)
        if reasons := reload_reasons(old, new):
            _LOGGER.info("Reloading to apply the change of %s", ", ".join(reasons))
            system.reloading = True
            hass.config_entries.async_schedule_reload(entry.entry_id)
            return
        try:
            await _async_apply(system, old, new)
        except Exception:
            # Never half-configured: start again with the whole configuration.
            _LOGGER.exception("Applying the new configuration failed; reloading")
            system.reloading = True
            hass.config_entries.async_schedule_reload(entry.entry_id)


async def _async_apply(
    system: SecuritySystem, old: SystemConfig, new: SystemConfig
) -> None:
    system.config = new
    _apply_settings(system, old, new)
    await _async_apply_sensors(system, new, Changes.between(old.sensors, new.sensors))
    _rename_areas(system, old, new)
    async_report_no_areas(system.hass, not new.areas)
    await _async_apply_presence(system, new)
    await _async_apply_alerts(system, new)
    if system.outputs is not None:  # sirens and the wall panel
        await system.outputs.async_apply(old, new)
    if system.camera_glue is not None and old.camera != new.camera:
        system.camera_glue.update_captures(new.camera)
    if (old.alerts.heartbeat_url, old.alerts.heartbeat_interval) != (
        new.alerts.heartbeat_url,
        new.alerts.heartbeat_interval,
    ):
        if system.heartbeat is not None:
            system.heartbeat.stop()
        system.heartbeat = system.build_heartbeat(new)
        if system.heartbeat is not None:
            system.heartbeat.start()
    await system.parts.async_sync(wanted_parts(system))
    report_telegram_users(system)
    system.notify(CONFIG_KEY)
    system.save()


def _apply_settings(
    system: SecuritySystem, old: SystemConfig, new: SystemConfig
) -> None:
    """Options that only change how the parts behave from now on."""
    system.access.users = new.users
    system.auto_arm.departure_mode = new.presence.departure_mode
    system.auto_arm.disarm_policy = new.presence.disarm_policy
    if old.name != new.name and system.device_id:
        dr.async_get(system.hass).async_update_device(system.device_id, name=new.name)


def _rename_areas(system: SecuritySystem, old: SystemConfig, new: SystemConfig) -> None:
    """An area renamed: its device (and so its panel) takes the new name."""
    before = {area.id: area.name for area in old.areas}
    registry = dr.async_get(system.hass)
    for area in new.areas:
        if before.get(area.id, area.name) == area.name:
            continue
        device = registry.async_get_device(identifiers={(DOMAIN, area.id)})
        if device is not None:
            registry.async_update_device(device.id, name=area.name)


async def _async_apply_sensors(
    system: SecuritySystem, new: SystemConfig, changes: Changes[SensorConfig]
) -> None:
    """Areas and sensors: the machines first, then the pins and listeners.

    Removed sensors leave every area; the areas take their new settings and
    sensors (one joining an area brings its level); a sensor wired anew
    compares its first level with its last; new ones are opened.
    """
    for sensor in changes.removed:
        await system.inputs.async_remove(sensor.id)
        system.sensor_entity_ids.pop(sensor.id, None)
    levels = {sensor_id: i.is_open for sensor_id, i in system.inputs.items()}
    system.apply(system.areas.sync(new, levels))
    for sensor in changes.changed:
        for area in system.areas.areas_of(sensor.id):
            area.machine.sensor_rewired(sensor.id)
        await system.inputs.async_add(sensor)
    for sensor in changes.added:
        await system.inputs.async_add(sensor)
    system.notify(ALARM_KEY)  # open sensors, and areas that came or went
    for area in system.areas:
        system.notify(area.listener_key)


async def _async_apply_presence(system: SecuritySystem, new: SystemConfig) -> None:
    """Start presence with its first source, stop it with its last, or update it."""
    wanted = bool(new.phones or new.presence_entities)
    presence = system.presence
    if presence is None:
        if not wanted:
            return
        presence = system.build_presence(new)
        await presence.async_start(None)
        system.presence_health_changed()
        if system.camera_glue is not None:
            system.camera_glue.presence_changed()
    else:
        await presence.async_update(new)  # the last ones go with their issues
        if not wanted:
            await presence.async_stop()
            system.presence = system.arming = None
            system.health_changed()
            if system.camera_glue is not None:
                system.camera_glue.presence_changed()
            return
    if system.arming is not None:
        system.arming.occupants_changed()


async def _async_apply_alerts(system: SecuritySystem, new: SystemConfig) -> None:
    """Start the outbox with the first target, stop it with the last, or update it."""
    alerts = system.alerts
    if alerts is None:
        if not new.targets:
            return
        alerts = system.alerts = system.access.alerts = system.build_alerts(new)
        await alerts.async_start()
        alerts.health(system.problems())
        async_start_remote_control(system)
        return
    alerts.update(new)
    if not new.targets:
        if system.remote is not None:
            system.remote.stop()
            system.remote = None
        await alerts.async_stop()
        system.alerts = system.access.alerts = None


@callback
def async_start_remote_control(system: SecuritySystem) -> None:
    """Listen for Telegram commands and notification buttons, with alert targets."""
    if system.alerts is not None and system.remote is None:
        system.remote = RemoteControl(system.hass, system, system.alerts)
    report_telegram_users(system)


@callback
def report_telegram_users(system: SecuritySystem) -> None:
    """The repair issue for chats that may command while no user has an id."""
    config = system.config
    async_report_telegram_users(
        system.hass,
        [target.name for target in config.targets if target.commands],
        sum(1 for user in config.users if user.enabled and user.telegram_ids),
    )
