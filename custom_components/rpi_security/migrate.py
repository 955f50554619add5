"""Config entry migration: what earlier versions kept becomes subentries.

Version 1.1 kept one code in the options and a list of Home Assistant users
who could disarm from a notification. From 1.2 codes and rights belong to
users (subentries): the code becomes the user "Owner" with every right (so
the code that worked keeps working), and each of those Home Assistant users a
user of their own who may disarm without a code.

Version 1.2 had one alarm, set up in the options. From 1.3 the alarm is made
of areas (subentries): the options become one area named after the system,
every sensor guards it (a motion sensor that used the entry delay keeps it as
its own option), and its panel is the system's panel of before (same unique
id, so the same entity id and history). The alarm's stored state is taken
into that area when the system starts (:meth:`.engine.areas.House.restore`
reads the snapshot of before areas into the first area).
"""

from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.const import CONF_NAME
from homeassistant.core import HomeAssistant

from .area_config import AREA_DEFAULTS
from .config import SENSOR_KIND_OF_SUBENTRY
from .const import (
    CONF_AREAS,
    CONF_CAN_ARM,
    CONF_CAN_DISARM,
    CONF_CODE_FORMAT,
    CONF_CODE_HASH,
    CONF_DISARM_USERS,
    CONF_DISARM_WITHOUT_CODE,
    CONF_ENABLED,
    CONF_HA_USER,
    CONF_MOTION_USES_ENTRY_DELAY,
    CONF_SYSTEM_PANEL,
    CONF_USE_ENTRY_DELAY,
    DEFAULT_NAME,
    MIGRATED_USER_NAME,
    SUBENTRY_AREA,
    SUBENTRY_MOTION,
    SUBENTRY_USER,
)

# The config entry's version (as the config flow's VERSION, MINOR_VERSION).
VERSION = 1
MINOR_VERSION = 3


async def async_migrate(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring ``entry`` to the current version; False if it is from the future."""
    if entry.version > VERSION:
        return False
    if entry.minor_version < 2:
        await _async_codes_to_users(hass, entry)
    if entry.minor_version < 3:
        _options_to_area(hass, entry)
    return True


async def _async_codes_to_users(hass: HomeAssistant, entry: ConfigEntry) -> None:
    options = dict(entry.options)
    code_hash = options.pop(CONF_CODE_HASH, None)
    code_format = options.pop(CONF_CODE_FORMAT, None)
    disarm_users = options.pop(CONF_DISARM_USERS, None) or []
    users: list[tuple[str, dict[str, Any]]] = []
    if code_hash:
        users.append(
            (
                MIGRATED_USER_NAME,
                {CONF_CODE_HASH: code_hash, CONF_CODE_FORMAT: code_format},
            )
        )
    for ha_user_id in disarm_users:
        ha_user = await hass.auth.async_get_user(ha_user_id)
        name = (ha_user.name if ha_user else None) or MIGRATED_USER_NAME
        users.append((name, {CONF_HA_USER: ha_user_id, CONF_DISARM_WITHOUT_CODE: True}))
    taken: set[str] = set()
    for name, data in users:
        title, number = name, 2
        while title.casefold() in taken:
            title, number = f"{name} {number}", number + 1
        taken.add(title.casefold())
        hass.config_entries.async_add_subentry(
            entry,
            ConfigSubentry(
                data=MappingProxyType(
                    {
                        CONF_CAN_ARM: True,
                        CONF_CAN_DISARM: True,
                        CONF_ENABLED: True,
                        **data,
                    }
                ),
                subentry_type=SUBENTRY_USER,
                title=title,
                unique_id=None,
            ),
        )
    hass.config_entries.async_update_entry(entry, options=options, minor_version=2)


def _options_to_area(hass: HomeAssistant, entry: ConfigEntry) -> None:
    if any(s.subentry_type == SUBENTRY_AREA for s in entry.subentries.values()):
        # Areas already (an entry restored from a backup with an older
        # version number): nothing to move.
        hass.config_entries.async_update_entry(entry, minor_version=MINOR_VERSION)
        return
    options = dict(entry.options)
    area_data: dict[str, Any] = {
        key: options.pop(key, default) for key, default in AREA_DEFAULTS.items()
    }
    motion_delayed = bool(options.pop(CONF_MOTION_USES_ENTRY_DELAY, False))
    area = ConfigSubentry(
        data=MappingProxyType({**area_data, CONF_SYSTEM_PANEL: True}),
        subentry_type=SUBENTRY_AREA,
        title=str(entry.data.get(CONF_NAME) or entry.title or DEFAULT_NAME),
        unique_id=None,
    )
    hass.config_entries.async_add_subentry(entry, area)
    for subentry in list(entry.subentries.values()):
        if subentry.subentry_type not in SENSOR_KIND_OF_SUBENTRY:
            continue
        data = {**subentry.data, CONF_AREAS: [area.subentry_id]}
        if subentry.subentry_type == SUBENTRY_MOTION and motion_delayed:
            data[CONF_USE_ENTRY_DELAY] = True
        hass.config_entries.async_update_subentry(entry, subentry, data=data)
    hass.config_entries.async_update_entry(
        entry, options=options, minor_version=MINOR_VERSION
    )
