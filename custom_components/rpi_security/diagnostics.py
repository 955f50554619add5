"""Diagnostics: what a bug report needs, without what identifies the home.

MAC and IP addresses, DHCP host names, chat ids, codes' hashes, the heartbeat
URL (its path is a secret), Home Assistant and Telegram user ids are redacted.
"""

from datetime import datetime
import time
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import (
    CONF_CHAT_ID,
    CONF_CODE_HASH,
    CONF_DISARM_USERS,
    CONF_DURESS_HASH,
    CONF_HA_USER,
    CONF_HEARTBEAT_URL,
    CONF_IP,
    CONF_MAC,
    CONF_TELEGRAM_IDS,
)
from .system import RpiSecurityConfigEntry, SecuritySystem

TO_REDACT = {
    CONF_CHAT_ID,
    CONF_CODE_HASH,
    CONF_DISARM_USERS,
    CONF_DURESS_HASH,
    CONF_HA_USER,
    CONF_HEARTBEAT_URL,
    CONF_IP,
    CONF_MAC,
    CONF_TELEGRAM_IDS,
    # A phone's DHCP host name (often its owner's name) and a new MAC found.
    "hostname",
    "new_address",
}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: RpiSecurityConfigEntry
) -> dict[str, Any]:
    """The configuration, the health of every part, recent events, the outbox."""
    system = entry.runtime_data
    return async_redact_data(
        {
            "entry": {
                "data": dict(entry.data),
                "options": dict(entry.options),
                "subentries": [
                    {
                        "type": subentry.subentry_type,
                        "title": subentry.title,
                        "data": dict(subentry.data),
                    }
                    for subentry in entry.subentries.values()
                ],
            },
            "areas": {
                area.name: area.machine.snapshot(time.time()) for area in system.areas
            },
            # Wrong codes counted and the lock-out (times only, never codes).
            "lockout": system.access.lockout.snapshot(),
            "problems": system.problems(),
            "recent_events": list(system.recent_events),
            "presence": _presence(system),
            "camera": _camera(system),
            "alerts": _alerts(system),
            **_outputs(system),
        },
        TO_REDACT,
    )


def _presence(system: SecuritySystem) -> dict[str, Any] | None:
    if system.presence is None:
        return None
    return {
        "automatic_arming": system.auto_arm.enabled,
        "occupants": {
            system.presence_name(occupant.id): {
                "presence": occupant.presence.value,
                "detected_by": occupant.detection,
                "last_seen": _time(occupant.last_seen),
                "last_checked": _time(occupant.last_checked),
                "ip": occupant.ip,
                "ever_seen": occupant.ever_seen,
                "missed_rounds": occupant.missed_rounds,
                "away_since": _time(occupant.away_since),
                "corroborator_home": occupant.corroborator,
                "hostname": occupant.hostname,
                "new_address": occupant.new_address,
                "learned": {
                    "longest_deaf_spell_s": occupant.habits.longest_deaf_spell(),
                    "deaf_spells": len(occupant.habits.deaf_spells),
                    "first_round_miss_rate": round(occupant.habits.miss_rate, 3),
                },
            }
            for occupant in system.presence.tracker.occupants.values()
        },
    }


def _camera(system: SecuritySystem) -> dict[str, Any] | None:
    if system.camera is None:
        return None
    camera = system.camera
    return {
        "source": camera.config.source.value,
        "open": camera.is_open,
        "motion": camera.motion,
        "last_captures": [
            {
                "kind": result.kind.value,
                "cause": result.cause,
                "at": result.at.isoformat(),
                "file": result.path.name if result.path else None,
                "error": result.error,
            }
            for result in list(camera.captures)[-10:]
        ],
    }


def _alerts(system: SecuritySystem) -> dict[str, Any] | None:
    if system.alerts is None:
        return None
    alerts = system.alerts
    now = time.time()
    return {
        "pending": [
            {
                "target": alerts.targets[entry.target].name
                if entry.target in alerts.targets
                else entry.target,
                "age_seconds": round(now - entry.created),
                "attempts": entry.attempts,
                "last_error": entry.last_error,
            }
            for entry in alerts.outbox.entries()
        ],
        "last_delivered": alerts.last_delivered.isoformat()
        if alerts.last_delivered
        else None,
        "given_up": alerts.expired,
        "telegram_commands_refused": system.remote.rejected if system.remote else 0,
        "heartbeat": {
            "last_ping": _time_dt(system.heartbeat.last_ping),
            "failing": system.heartbeat.failing,
        }
        if system.heartbeat
        else None,
    }


def _outputs(system: SecuritySystem) -> dict[str, Any]:
    """Each siren (on, its pin held, why not) and whether the wall panel listens."""
    outputs = system.outputs
    if outputs is None:
        return {}
    sirens = outputs.sirens
    return {
        "sirens": {
            output.name: {
                "on": sirens.is_on(output.id),
                "available": sirens.available(output.id) if output.on_gpio else None,
                "error": err.detail if (err := sirens.errors.get(output.id)) else None,
            }
            for output in sirens.config.outputs
        },
        "wall_panel": {
            "enabled": outputs.wall_panel.config.enabled,
            "listening": outputs.wall_panel.listening,
        },
    }


def _time(timestamp: float | None) -> str | None:
    return dt_util.utc_from_timestamp(timestamp).isoformat() if timestamp else None


def _time_dt(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
