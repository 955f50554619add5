"""Buttons: take a photo, record a GIF."""

from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .engine.capture_policy import CaptureKind, CaptureRequest
from .entity import RpiSecurityEntity
from .system import CAMERA_KEY, RpiSecurityConfigEntry, SecuritySystem

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
    """Add the capture buttons when the system has a camera."""
    system = entry.runtime_data
    if system.camera is not None:
        async_add_entities(
            CaptureButton(system, description) for description in BUTTONS
        )


class CaptureButton(RpiSecurityEntity, ButtonEntity):
    """Capture now."""

    entity_description: CaptureButtonDescription

    def __init__(
        self, system: SecuritySystem, description: CaptureButtonDescription
    ) -> None:
        """Describe the button."""
        super().__init__(system, CAMERA_KEY, description.key)
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
