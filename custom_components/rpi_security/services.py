"""The integration's actions: arm, skip_delay, simulate and capture."""

from homeassistant.components.alarm_control_panel.const import DOMAIN as ALARM_DOMAIN
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import ATTR_CODE, ATTR_ENTITY_ID, Platform
from homeassistant.core import HomeAssistant, ServiceCall, SupportsResponse, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    entity_registry as er,
    service,
)
import probatio

from .const import (
    ATTR_ACTION,
    ATTR_FORCE,
    ATTR_KIND,
    ATTR_MODE,
    DOMAIN,
    SERVICE_ARM,
    SERVICE_CAPTURE,
    SERVICE_SIMULATE,
    SERVICE_SKIP_DELAY,
)
from .engine.alarm import ArmMode, SensorKind
from .engine.capture_policy import CaptureKind
from .system import RpiSecurityConfigEntry

# What each simulated action does: whether it is for motion sensors (the
# others are for every contact: doors, windows, tamper, environmental), and
# the level it sets.
SENSOR_ACTIONS: dict[str, tuple[bool, bool]] = {
    "open": (False, True),
    "close": (False, False),
    "motion": (True, True),
    "still": (True, False),
}
# A phone arrives (sends a frame, answers ARP) or goes silent.
PHONE_ACTIONS: dict[str, bool] = {"present": True, "silent": False}
# Someone walks through the simulated camera's view, or stops.
CAMERA_ACTIONS: dict[str, bool] = {"motion": True, "still": False}

SIMULATE_SCHEMA = probatio.Schema(
    {
        probatio.Required(ATTR_ENTITY_ID): cv.entity_id,
        probatio.Required(ATTR_ACTION): probatio.In([*SENSOR_ACTIONS, *PHONE_ACTIONS]),
    }
)


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the actions (once, whatever the entries)."""
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_ARM,
        entity_domain=ALARM_DOMAIN,
        schema={
            probatio.Required(ATTR_MODE): probatio.In([mode.value for mode in ArmMode]),
            probatio.Optional(ATTR_CODE): cv.string,
            probatio.Optional(ATTR_FORCE, default=False): cv.boolean,
        },
        func="async_arm_with_options",
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_SKIP_DELAY,
        entity_domain=ALARM_DOMAIN,
        schema={probatio.Optional(ATTR_CODE): cv.string},
        func="async_skip_delay",
    )
    hass.services.async_register(
        DOMAIN, SERVICE_SIMULATE, _async_simulate, schema=SIMULATE_SCHEMA
    )
    service.async_register_platform_entity_service(
        hass,
        DOMAIN,
        SERVICE_CAPTURE,
        entity_domain=Platform.CAMERA,
        schema={
            probatio.Required(ATTR_KIND): probatio.In([k.value for k in CaptureKind]),
        },
        func="async_capture",
        supports_response=SupportsResponse.OPTIONAL,
    )


async def _async_simulate(call: ServiceCall) -> None:
    """Move a simulated sensor or phone as the real one would."""
    hass = call.hass
    entity_id: str = call.data[ATTR_ENTITY_ID]
    action: str = call.data[ATTR_ACTION]
    registry_entry = er.async_get(hass).async_get(entity_id)
    if (
        registry_entry is None
        or registry_entry.platform != DOMAIN
        or registry_entry.config_entry_id is None
    ):
        raise _not_simulated(entity_id)
    entry: RpiSecurityConfigEntry | None = hass.config_entries.async_get_entry(
        registry_entry.config_entry_id
    )
    if entry is None or entry.state is not ConfigEntryState.LOADED:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="not_loaded"
        )
    system = entry.runtime_data
    if not system.config.simulation:
        raise ServiceValidationError(
            translation_domain=DOMAIN, translation_key="not_simulation"
        )
    # Platform, not camera.const: that would load the camera component (numpy).
    if registry_entry.domain == Platform.CAMERA and system.camera is not None:
        if action not in CAMERA_ACTIONS:
            raise _wrong_action(action, entity_id)
        system.camera.set_simulated_motion(CAMERA_ACTIONS[action])
        return
    subentry_id = registry_entry.config_subentry_id
    sensor = system.sensor_config(subentry_id) if subentry_id else None
    presence = system.presence
    if presence is not None and subentry_id and subentry_id in presence.phones:
        if action not in PHONE_ACTIONS:
            raise _wrong_action(action, entity_id)
        presence.simulate(subentry_id, PHONE_ACTIONS[action])
        return
    if sensor is None or not sensor.on_gpio:
        raise _not_simulated(entity_id)
    for_motion = sensor.kind is SensorKind.MOTION
    if action not in SENSOR_ACTIONS or SENSOR_ACTIONS[action][0] is not for_motion:
        raise _wrong_action(action, entity_id)
    system.simulate(sensor.id, SENSOR_ACTIONS[action][1])


def _not_simulated(entity_id: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="not_a_simulated_sensor",
        translation_placeholders={"entity_id": entity_id},
    )


def _wrong_action(action: str, entity_id: str) -> ServiceValidationError:
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key="action_not_for_sensor",
        translation_placeholders={"action": action, "entity_id": entity_id},
    )
