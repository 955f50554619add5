"""Start-up: the stored state read with suspicion, and damage made known.

The store may be missing (a first start), truncated (Home Assistant moves a
file it cannot parse aside and starts it empty), or hold values of the wrong
type. Each part is checked (:mod:`.engine.recovery`); when the alarm's part is
lost, the alarm comes back as the panel last showed it (the panel is a
``RestoreEntity``) or armed away, and a repair issue and a problem alert say so.
"""

from collections.abc import Mapping
from dataclasses import replace
import logging
from typing import Any

from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import (
    entity_registry as er,
    issue_registry as ir,
    restore_state as rs,
)
from homeassistant.helpers.storage import Store

from .alerts import AlertManager
from .config import AlertCategory
from .const import DOMAIN
from .engine.alarm import AlarmEvent, AlarmMachine
from .engine.recovery import StoredParts, fallback_alarm, read_parts
from .issues import ISSUE_STORAGE_DAMAGED, TROUBLESHOOTING_URL

_LOGGER = logging.getLogger(__name__)

# The prefix of the issue Home Assistant raises for a file it cannot parse.
_CORRUPTION_ISSUE = "storage_corruption_{key}_"


def panel_entity_id(hass: HomeAssistant, entry_id: str) -> str | None:
    """The panel's entity id, if the system ever had its panel."""
    return er.async_get(hass).async_get_entity_id(
        Platform.ALARM_CONTROL_PANEL, DOMAIN, entry_id
    )


async def async_load_parts(
    hass: HomeAssistant, store: Store[dict[str, Any]], entry_id: str
) -> StoredParts:
    """What the system stored, part by part, with the parts that are lost."""
    try:
        raw: Any = await store.async_load()
    except HomeAssistantError as err:
        return StoredParts(damaged=("file",), notes=(str(err),))
    panel_known = panel_entity_id(hass, entry_id) is not None
    if raw is None:
        if _moved_aside_as_corrupt(hass, store.key):
            return StoredParts(damaged=("file",), notes=("the file was corrupt",))
        if panel_known:
            return StoredParts(damaged=("file",), notes=("the file is missing",))
        return StoredParts()  # the first start
    parts = read_parts(raw)
    if parts.alarm is None and panel_known and not parts.damaged:
        return replace(parts, damaged=("alarm",), notes=("the alarm state is missing",))
    return parts


def _moved_aside_as_corrupt(hass: HomeAssistant, key: str) -> bool:
    prefix = _CORRUPTION_ISSUE.format(key=key)
    return any(
        domain == "homeassistant" and issue_id.startswith(prefix)
        for domain, issue_id in ir.async_get(hass).issues
    )


def restore_alarm(
    hass: HomeAssistant,
    entry_id: str,
    machine: AlarmMachine,
    parts: StoredParts,
    *,
    levels: Mapping[str, bool],
    now: float,
) -> tuple[list[AlarmEvent], list[str]]:
    """Restore the machine; returns its events and what was wrong, if anything."""
    problems = list(parts.notes)
    lost = bool({"file", "alarm"} & set(parts.damaged))
    if parts.alarm is not None:
        try:
            return machine.restore(parts.alarm, now, levels), problems
        except ValueError as err:
            problems.append(f"the alarm state is unreadable ({err})")
            lost = True
    if not lost:
        return [], problems
    last = None
    if (entity_id := panel_entity_id(hass, entry_id)) is not None:
        stored = rs.async_get(hass).last_states.get(entity_id)
        last = stored.state if stored is not None else None
    snapshot = fallback_alarm(
        last.state if last else None,
        last.attributes if last else {},
        machine.settings,
        now,
    )
    problems.append(
        "restored from the panel's last state" if last else "no last state known"
    )
    return machine.restore(snapshot, now, levels), problems


@callback
def report_damage(
    hass: HomeAssistant,
    alerts: AlertManager | None,
    problems: list[str],
    state: str,
) -> None:
    """Log, raise a repair issue and send a problem alert: storage was damaged."""
    detail = "; ".join(problems)
    _LOGGER.error(
        "The stored state of RPi Security could not be read (%s); the alarm is %s",
        detail,
        state,
    )
    state_text = alerts.text(f"state_{state}") if alerts else state
    ir.async_create_issue(
        hass,
        DOMAIN,
        ISSUE_STORAGE_DAMAGED,
        is_fixable=False,
        severity=ir.IssueSeverity.ERROR,
        learn_more_url=TROUBLESHOOTING_URL,
        translation_key=ISSUE_STORAGE_DAMAGED,
        translation_placeholders={"detail": detail, "state": state_text},
    )
    if alerts is not None:
        alerts.send(
            AlertCategory.PROBLEMS,
            {
                "message": alerts.text(
                    "storage_damaged", detail=detail, state=state_text
                )
            },
        )
