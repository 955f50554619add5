"""RPi Security: a Raspberry Pi home security system for Home Assistant."""

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .access import access_store
from .alerts import alerts_store
from .config import SystemConfig
from .const import DOMAIN
from .entity import system_device_info
from .issues import async_clear_issues, async_report_telegram_users
from .media_source import CaptureView
from .migrate import async_migrate
from .remote_control import RemoteControl
from .services import async_setup_services
from .system import RpiSecurityConfigEntry, SecuritySystem, state_store

PLATFORMS: list[Platform] = [Platform.ALARM_CONTROL_PANEL, Platform.BINARY_SENSOR]
# Only with phones or presence entities: trackers and the automatic-arming switch.
PRESENCE_PLATFORMS: list[Platform] = [Platform.DEVICE_TRACKER, Platform.SWITCH]
# Only with a camera: the camera and its capture buttons.
CAMERA_PLATFORMS: list[Platform] = [Platform.BUTTON, Platform.CAMERA]
# Only with alert targets: the outbox's sensors.
ALERT_PLATFORMS: list[Platform] = [Platform.SENSOR]

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the integration's actions and the view that serves captures."""
    async_setup_services(hass)
    hass.http.register_view(CaptureView(hass))
    return True


async def async_migrate_entry(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry
) -> bool:
    """Bring an entry of an earlier version up to date (codes become users)."""
    return await async_migrate(hass, entry)


async def async_setup_entry(hass: HomeAssistant, entry: RpiSecurityConfigEntry) -> bool:
    """Start the system and its entities."""
    system = SecuritySystem(hass, entry, SystemConfig.from_entry(entry))
    await system.async_start()
    entry.runtime_data = system
    # The system's device first: the sensors' devices hang under it.
    system.device_id = (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id, **system_device_info(system)
        )
        .id
    )
    if system.alerts is not None:
        remote = RemoteControl(hass, system, system.alerts)
        entry.async_on_unload(remote.stop)
        system.remote = remote
    async_report_telegram_users(
        hass,
        [target.name for target in system.config.targets if target.commands],
        sum(1 for u in system.config.users if u.enabled and u.telegram_ids),
    )
    entry.async_on_unload(entry.add_update_listener(_async_reload))
    await hass.config_entries.async_forward_entry_setups(entry, _platforms(system))
    if SystemConfig.from_entry(entry) != system.config:
        # Changed while starting (a sensor added in the meantime), before the
        # update listener was there to hear of it: start again with it.
        hass.config_entries.async_schedule_reload(entry.entry_id)
    return True


def _platforms(system: SecuritySystem) -> list[Platform]:
    platforms = list(PLATFORMS)
    if system.presence is not None:
        platforms += PRESENCE_PLATFORMS
    if system.camera is not None:
        platforms += CAMERA_PLATFORMS
    if system.alerts is not None:
        platforms += ALERT_PLATFORMS
    return platforms


async def async_unload_entry(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry
) -> bool:
    """Stop the system, keeping its state for the next start."""
    unloaded = await hass.config_entries.async_unload_platforms(
        entry, _platforms(entry.runtime_data)
    )
    if unloaded:
        await entry.runtime_data.async_stop()
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry
) -> None:
    """Forget the stored state and the repair issues of a deleted system."""
    await state_store(hass, entry.entry_id).async_remove()
    await alerts_store(hass, entry.entry_id).async_remove()
    await access_store(hass, entry.entry_id).async_remove()
    async_clear_issues(hass)


async def _async_reload(hass: HomeAssistant, entry: RpiSecurityConfigEntry) -> None:
    """Options or sensors changed: start again with them."""
    await hass.config_entries.async_reload(entry.entry_id)
