"""Start-up: the stored state read with suspicion, and damage made known.

The store may be missing (a first start), truncated (Home Assistant moves a
file it cannot parse aside and starts it empty), or hold values of the wrong
type. Each part is checked (:mod:`.engine.recovery`); when an area's part is
lost, the area comes back as its panel last showed it (each panel is a
``RestoreEntity``) or armed away, and a repair issue and a problem alert say so.
"""

from collections.abc import Iterable, Mapping
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

from .alarm_areas import AlarmAreas, Area
from .alerts import AlertManager
from .config import AlertCategory
from .const import DOMAIN
from .engine.alarm import AlarmEvent
from .engine.recovery import StoredParts, fallback_alarm, read_parts
from .issues import ISSUE_STORAGE_DAMAGED, TROUBLESHOOTING_URL

_LOGGER = logging.getLogger(__name__)

# The prefix of the issue Home Assistant raises for a file it cannot parse.
_CORRUPTION_ISSUE = "storage_corruption_{key}_"


def panel_entity_id(hass: HomeAssistant, unique_id: str) -> str | None:
    """A panel's entity id, if the system ever had that panel."""
    return er.async_get(hass).async_get_entity_id(
        Platform.ALARM_CONTROL_PANEL, DOMAIN, unique_id
    )


async def async_load_parts(
    hass: HomeAssistant, store: Store[dict[str, Any]], panels: Iterable[str]
) -> StoredParts:
    """What the system stored, part by part, with the parts that are lost.

    ``panels`` are the unique ids of the areas' panels: one known means the
    system ran before, so a missing file is a lost one.
    """
    try:
        raw: Any = await store.async_load()
    except HomeAssistantError as err:
        return StoredParts(damaged=("file",), notes=(str(err),))
    panel_known = any(panel_entity_id(hass, uid) is not None for uid in panels)
    if raw is None:
        if _moved_aside_as_corrupt(hass, store.key):
            return StoredParts(damaged=("file",), notes=("the file was corrupt",))
        if panel_known:
            return StoredParts(damaged=("file",), notes=("the file is missing",))
        return StoredParts()  # the first start
    parts = read_parts(raw)
    if (
        parts.alarm is None
        and parts.areas is None
        and panel_known
        and not parts.damaged
    ):
        return replace(parts, damaged=("alarm",), notes=("the alarm state is missing",))
    return parts


def _moved_aside_as_corrupt(hass: HomeAssistant, key: str) -> bool:
    prefix = _CORRUPTION_ISSUE.format(key=key)
    return any(
        domain == "homeassistant" and issue_id.startswith(prefix)
        for domain, issue_id in ir.async_get(hass).issues
    )


def restore_areas(
    hass: HomeAssistant,
    entry_id: str,
    areas: AlarmAreas,
    parts: StoredParts,
    *,
    levels: Mapping[str, bool],
    now: float,
) -> tuple[list[AlarmEvent], list[str]]:
    """Restore every area; returns their events and what was wrong, if anything.

    The state stored since areas (``areas``) is preferred; a state from
    before them (``alarm``) goes to the first area. An area whose part is
    unreadable, or missing while its panel existed, falls back on its
    panel's last state.
    """
    problems = list(parts.notes)
    house = areas.house
    if house is None:
        return [], problems
    lost: list[Area] = []
    events: list[AlarmEvent] = []
    data = {"areas": parts.areas} if parts.areas is not None else parts.alarm
    if data is not None:
        try:
            result = house.restore(data, now, levels)
        except ValueError as err:
            problems.append(f"the alarm state is unreadable ({err})")
            lost = list(areas)
        else:
            events += result.events
            for area_id, why in result.unreadable.items():
                problems.append(
                    f"the state of {house.name(area_id)} is unreadable ({why})"
                )
            lost = [
                area
                for area in areas
                if area.id in result.unreadable
                or (
                    area.id in result.missing
                    and panel_entity_id(hass, area.panel_unique_id(entry_id))
                )
            ]
    elif {"file", "alarm", "areas"} & set(parts.damaged):
        lost = list(areas)
    for area in lost:
        events += _fall_back(
            hass, entry_id, area, levels=levels, now=now, problems=problems
        )
    return events, problems


def _fall_back(
    hass: HomeAssistant,
    entry_id: str,
    area: Area,
    *,
    levels: Mapping[str, bool],
    now: float,
    problems: list[str],
) -> list[AlarmEvent]:
    """Restore ``area`` from its panel's last state (armed away if none)."""
    last = None
    if (entity_id := panel_entity_id(hass, area.panel_unique_id(entry_id))) is not None:
        stored = rs.async_get(hass).last_states.get(entity_id)
        last = stored.state if stored is not None else None
    machine = area.machine
    snapshot = fallback_alarm(
        last.state if last else None,
        last.attributes if last else {},
        machine.settings,
        now,
    )
    problems.append(
        f"{area.name}: restored from the panel's last state"
        if last
        else f"{area.name}: no last state known"
    )
    own = {s: level for s, level in levels.items() if s in machine.sensors}
    return machine.restore(snapshot, now, own)


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
