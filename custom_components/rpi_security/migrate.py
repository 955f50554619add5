"""Config entry migration: earlier versions' single code becomes a user.

Version 1.1 kept one code in the options and a list of Home Assistant users
who could disarm from a notification. From 1.2 codes and rights belong to
users (subentries): the code becomes the user "Owner" with every right (so
the code that worked keeps working), and each of those Home Assistant users a
user of their own who may disarm without a code.
"""

from types import MappingProxyType
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant

from .const import (
    CONF_CAN_ARM,
    CONF_CAN_DISARM,
    CONF_CODE_FORMAT,
    CONF_CODE_HASH,
    CONF_DISARM_USERS,
    CONF_DISARM_WITHOUT_CODE,
    CONF_ENABLED,
    CONF_HA_USER,
    MIGRATED_USER_NAME,
    SUBENTRY_USER,
)

# The config entry's version (as the config flow's VERSION, MINOR_VERSION).
VERSION = 1
MINOR_VERSION = 2


async def async_migrate(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Bring ``entry`` to the current version; False if it is from the future."""
    if entry.version > VERSION:
        return False
    if entry.minor_version < 2:
        await _async_codes_to_users(hass, entry)
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
    hass.config_entries.async_update_entry(
        entry, options=options, minor_version=MINOR_VERSION
    )
