"""Buttons: take a photo, record a GIF, add the Security dashboard; simulation."""

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .camera_glue import CAMERA_KEY
from .dashboard import async_add_dashboard
from .engine.capture_policy import CaptureKind, CaptureRequest
from .entity import RpiSecurityEntity, add_entities_of_parts
from .entity_parts import Part, PartKind
from .system import CONFIG_KEY, RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0

# The cause written into the file names of captures asked for by hand.
MANUAL = "manual"


@dataclass(frozen=True, kw_only=True)
class CaptureButtonDescription(ButtonEntityDescription):
    """A button that captures one kind of media."""

    kind: CaptureKind


BUTTONS = (
    CaptureButtonDescription(
        key="take_photo", translation_key="take_photo", kind=CaptureKind.PHOTO
    ),
    CaptureButtonDescription(
        key="record_gif", translation_key="record_gif", kind=CaptureKind.GIF
    ),
)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons of each part, now and as parts come."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    match part.kind:
        case PartKind.SYSTEM:
            return [AddDashboardButton(system)]
        case PartKind.CAMERA:
            entities: list[Entity] = [
                CaptureButton(system, description) for description in BUTTONS
            ]
            if system.config.simulation:
                entities.append(WalkPastCameraButton(system))
            return entities
    return []


class CaptureButton(RpiSecurityEntity, ButtonEntity):
    """Capture now."""

    entity_description: CaptureButtonDescription

    def __init__(
        self, system: SecuritySystem, description: CaptureButtonDescription
    ) -> None:
        """Describe the button."""
        super().__init__(system, CAMERA_KEY, description.key, owner=PartKind.CAMERA)
        self.entity_description = description

    @property
    def available(self) -> bool:
        """Only while the camera works."""
        return self._system.camera is not None and self._system.camera.is_open

    async def async_press(self) -> None:
        """Capture (the files land in the media library)."""
        await self._system.async_capture(
            CaptureRequest((self.entity_description.kind,), MANUAL)
        )


class WalkPastCameraButton(RpiSecurityEntity, ButtonEntity):
    """Simulation: someone walks through the simulated camera's view."""

    _attr_translation_key = "walk_past_camera"

    def __init__(self, system: SecuritySystem) -> None:
        """A control on the system's device, beside the camera."""
        super().__init__(system, CAMERA_KEY, "walk_past_camera", owner=PartKind.CAMERA)

    @property
    def available(self) -> bool:
        """Only while the camera works."""
        return self._system.camera is not None and self._system.camera.is_open

    async def async_press(self) -> None:
        """The camera sees motion for a few seconds."""
        if self._system.camera_glue is not None:
            self._system.camera_glue.walk_past()


class AddDashboardButton(RpiSecurityEntity, ButtonEntity):
    """Add a ready Security dashboard (panel, camera, sensors, controls)."""

    _attr_translation_key = "add_dashboard"
    _attr_entity_category = EntityCategory.CONFIG

    def __init__(self, system: SecuritySystem) -> None:
        """A button on the system's device."""
        super().__init__(system, CONFIG_KEY, "add_dashboard")

    async def async_press(self) -> None:
        """Create the dashboard; it appears in the sidebar."""
        await async_add_dashboard(self.hass, self._system)
