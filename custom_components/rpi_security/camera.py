"""The camera entity: stills and an MJPEG stream of the system's camera."""

from homeassistant.components.camera import Camera
from homeassistant.core import HomeAssistant, ServiceResponse
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util.json import JsonValueType

from .camera_glue import CAMERA_KEY
from .const import DOMAIN
from .engine.capture_policy import CaptureKind, CaptureRequest
from .entity import RpiSecurityEntity, add_entities_of_parts
from .entity_parts import Part, PartKind
from .system import RpiSecurityConfigEntry, SecuritySystem

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RpiSecurityConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the camera when the system has one."""
    add_entities_of_parts(entry, async_add_entities, _entities)


def _entities(system: SecuritySystem, part: Part) -> list[Entity]:
    return [RpiSecurityCamera(system)] if part.kind is PartKind.CAMERA else []


class RpiSecurityCamera(RpiSecurityEntity, Camera):
    """What the system's camera sees."""

    _attr_translation_key = "camera"

    def __init__(self, system: SecuritySystem) -> None:
        """Describe the camera."""
        RpiSecurityEntity.__init__(
            self, system, CAMERA_KEY, "camera", owner=PartKind.CAMERA
        )
        Camera.__init__(self)
        camera = system.config.camera
        self._attr_frame_interval = 1 / camera.picture.frame_rate
        self._attr_model = camera.source.value
        self._attr_motion_detection_enabled = camera.motion_detection

    @property
    def available(self) -> bool:
        """Unavailable while the camera cannot be opened."""
        return self._system.camera is not None and self._system.camera.is_open

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """A JPEG of what the camera sees now."""
        if self._system.camera is None:
            return None
        return await self._system.camera.async_snapshot()

    async def async_capture(self, kind: str) -> ServiceResponse:
        """The ``rpi_security.capture`` action: capture now, return the files."""
        results = await self._system.async_capture(
            CaptureRequest((CaptureKind(kind),), "manual")
        )
        written = [str(result.path) for result in results if result.path]
        if not written:
            errors = ", ".join(r.error for r in results if r.error) or "no camera"
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="capture_failed",
                translation_placeholders={"kind": kind, "error": errors},
            )
        files: list[JsonValueType] = [*written]
        return {"path": written[0], "files": files}
