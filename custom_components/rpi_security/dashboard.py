"""A ready Security dashboard, added in one step from the system's device.

The dashboard goes into Home Assistant's own dashboards (the same collection
Settings > Dashboards edits), so it can be changed or deleted there like any
other. It holds the panel, the camera, the sensors, who is home, and in
simulation mode the controls that move the simulated sensors and phones.
Entities are looked up in the registry by their unique ids, so renamed
entities are found. Pressing again brings the dashboard up to date (a new
area, sensor or phone) only while it is exactly as it was made: a
fingerprint of what was saved is kept, and a dashboard the user changed is
never overwritten.
"""

from collections.abc import Iterable
import hashlib
import inspect
import json
from typing import Any

from homeassistant.components.websocket_api.const import DOMAIN as WEBSOCKET_API
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.storage import Store
from homeassistant.helpers.translation import async_get_translations

from .const import DOMAIN
from .engine.alarm import ArmMode
from .system import SecuritySystem

URL_PATH = "rpi-security"
VIEW_PATH = "security"
ICON = "mdi:shield-home"
LOVELACE = "lovelace"
# The websocket command the dashboards page creates a dashboard with.
CREATE_COMMAND = "lovelace/dashboards/create"


async def async_add_dashboard(hass: HomeAssistant, system: SecuritySystem) -> None:
    """Create the Security dashboard; a translated error if it cannot be."""
    if LOVELACE not in hass.config.components:
        raise _error("dashboards_unavailable")
    from homeassistant.components.lovelace.const import (  # noqa: PLC0415  (loaded with the frontend)
        LOVELACE_DATA,
    )

    texts = await _async_texts(hass)
    title = texts.get("dashboard_title", "Security")
    dashboards = hass.data[LOVELACE_DATA].dashboards
    store = dashboard_store(hass, system.entry.entry_id)
    config = dashboard_config(hass, system, texts)
    if URL_PATH in dashboards:
        made = await store.async_load()
        try:
            saved: Any = await dashboards[URL_PATH].async_load(False)
        except HomeAssistantError:  # no config of its own (not ours)
            saved = None
        if not isinstance(made, dict) or made.get("fingerprint") != _fingerprint(saved):
            raise _error("dashboard_exists", title=title)
    else:
        collection = _dashboards_collection(hass)
        if collection is None:
            raise _error("dashboards_unavailable")
        await collection.async_create_item(
            {
                "url_path": URL_PATH,
                "title": title,
                "icon": ICON,
                "show_in_sidebar": True,
                "require_admin": False,
            }
        )
    await dashboards[URL_PATH].async_save(config)
    await store.async_save({"fingerprint": _fingerprint(config)})


def dashboard_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Where the fingerprint of the dashboard as last made is kept."""
    return Store(hass, 1, f"{DOMAIN}.{entry_id}.dashboard")


def _fingerprint(config: Any) -> str:
    """The same for the same dashboard, whatever the order of its keys."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _dashboards_collection(hass: HomeAssistant) -> Any:
    """The dashboards collection that Settings > Dashboards edits.

    It is reached through the websocket command that creates dashboards: a
    second collection over the same storage would lose changes.
    """
    handlers: dict[str, Any] = hass.data.get(WEBSOCKET_API) or {}
    handler = handlers.get(CREATE_COMMAND)
    if handler is None:
        return None
    command = inspect.unwrap(handler[0])
    return getattr(getattr(command, "__self__", None), "storage_collection", None)


async def _async_texts(hass: HomeAssistant) -> dict[str, str]:
    prefix = f"component.{DOMAIN}.common."
    translations = await async_get_translations(
        hass, hass.config.language, "common", {DOMAIN}
    )
    return {
        key.removeprefix(prefix): text
        for key, text in translations.items()
        if key.startswith(prefix)
    }


def _error(key: str, **placeholders: str) -> HomeAssistantError:
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def dashboard_config(
    hass: HomeAssistant, system: SecuritySystem, texts: dict[str, str]
) -> dict[str, Any]:
    """The dashboard: the panel, the camera, sensors, people, simulation controls."""
    registry = er.async_get(hass)
    entry_id = system.entry.entry_id
    config = system.config

    def ours(platform: Platform, unique_id: str) -> str | None:
        return registry.async_get_entity_id(platform, DOMAIN, unique_id)

    def row(platform: Platform, part: str) -> dict[str, str] | None:
        """A row of one of the system's own entities, without the system's name."""
        entity_id = ours(platform, f"{entry_id}_{part}")
        entity = registry.async_get(entity_id) if entity_id else None
        if entity_id is None or entity is None or not entity.original_name:
            return None
        return {"entity": entity_id, "name": entity.original_name}

    cards: list[dict[str, Any]] = []
    panels = (
        [(f"{entry_id}_house", system.areas.house.arm_modes)]
        if (system.house_entity_id and system.areas.house)
        else []
    )
    panels += [
        (area.panel_unique_id(entry_id), area.config.settings.arm_modes)
        for area in system.areas
    ]
    for unique_id, arm_modes in panels:
        if panel := ours(Platform.ALARM_CONTROL_PANEL, unique_id):
            modes = [mode for mode in ArmMode if mode in arm_modes]
            cards.append(
                {
                    "type": "alarm-panel",
                    "entity": panel,
                    "states": [f"arm_{mode.value}" for mode in modes],
                }
            )
    if camera := ours(Platform.CAMERA, f"{entry_id}_camera"):
        cards.append(
            {"type": "picture-entity", "entity": camera, "camera_view": "auto"}
        )
    sensors = [
        sensor.entity_id or ours(Platform.BINARY_SENSOR, f"{entry_id}_{sensor.id}")
        for sensor in config.sensors
    ]
    cards += _entities_card(
        texts.get("dashboard_sensors", "Sensors"),
        [
            *sensors,
            row(Platform.BINARY_SENSOR, "camera_motion"),
            row(Platform.SENSOR, "pending_alerts"),
        ],
    )
    people: list[str | dict[str, str] | None] = [
        row(Platform.BINARY_SENSOR, "occupancy"),
        row(Platform.SWITCH, "automatic_arming"),
    ]
    people += [ours(Platform.DEVICE_TRACKER, phone.mac) for phone in config.phones]
    people += [entity.entity_id for entity in config.presence_entities]
    cards += _entities_card(texts.get("dashboard_people", "People"), people)
    if config.simulation:
        controls: list[str | dict[str, str] | None] = [
            ours(Platform.SWITCH, f"{entry_id}_{sensor.id}_simulated")
            for sensor in config.sensors
        ]
        controls += [
            ours(Platform.SWITCH, f"{entry_id}_{phone.id}_at_home")
            for phone in config.phones
        ]
        controls.append(row(Platform.BUTTON, "walk_past_camera"))
        cards += _entities_card(
            texts.get("dashboard_simulation", "Simulation"), controls
        )
    return {
        "title": texts.get("dashboard_title", "Security"),
        "views": [
            {
                "title": texts.get("dashboard_title", "Security"),
                "path": VIEW_PATH,
                "icon": ICON,
                "cards": cards,
            }
        ],
    }


def _entities_card(
    title: str, entities: Iterable[str | dict[str, str] | None]
) -> list[dict[str, Any]]:
    """An entities card of those that exist (none: no card)."""
    present = [entity for entity in entities if entity]
    if not present:
        return []
    return [{"type": "entities", "title": title, "entities": present}]
