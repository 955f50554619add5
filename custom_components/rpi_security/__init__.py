"""RPi Security: a Raspberry Pi home security system for Home Assistant."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import config_validation as cv, device_registry as dr
from homeassistant.helpers.typing import ConfigType

from .access import access_store
from .alarm_outputs import async_start_outputs, async_stop_outputs
from .alerts import alerts_store
from .config import SystemConfig
from .const import DOMAIN
from .dashboard import dashboard_store
from .entity import system_device_info
from .issues import async_clear_issues
from .live_config import async_apply_changes, async_start_remote_control
from .media_source import CaptureView
from .migrate import async_migrate
from .services import async_setup_services
from .system import RpiSecurityConfigEntry, SecuritySystem, state_store

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
    # Sirens switched as the restored alarm stands; the wall panel over MQTT.
    await async_start_outputs(system)
    entry.runtime_data = system
    # The system's device first: the sensors' devices hang under it.
    system.device_id = (
        dr.async_get(hass)
        .async_get_or_create(
            config_entry_id=entry.entry_id, **system_device_info(system)
        )
        .id
    )
    async_start_remote_control(system)
    entry.async_on_unload(entry.add_update_listener(_async_entry_updated))
    await system.parts.async_set_up_platforms()
    # Entities of a mode or a part that is gone (simulation switched off...).
    system.parts.prune_registry()
    # Changed while starting (a sensor added in the meantime), when the
    # update listener was not there to hear of it, or could not act yet.
    await async_apply_changes(hass, entry, starting=True)
    return True


async def async_unload_entry(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry
) -> bool:
    """Stop the system, keeping its state for the next start."""
    system = entry.runtime_data
    unloaded = await hass.config_entries.async_unload_platforms(
        entry, system.parts.platforms
    )
    if unloaded:
        await async_stop_outputs(system)  # every siren off
        await system.async_stop()
    return unloaded


async def async_remove_entry(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry
) -> None:
    """Forget the stored state and the repair issues of a deleted system."""
    await state_store(hass, entry.entry_id).async_remove()
    await alerts_store(hass, entry.entry_id).async_remove()
    await access_store(hass, entry.entry_id).async_remove()
    await dashboard_store(hass, entry.entry_id).async_remove()
    async_clear_issues(hass)


async def _async_entry_updated(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry
) -> None:
    """Options or subentries changed: apply them, reloading only where needed."""
    await async_apply_changes(hass, entry)
