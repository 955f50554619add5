"""The captures in Home Assistant's Media panel: days, then files, newest first.

Files are served by :class:`CaptureView`, which requires authentication (the
media player gets signed URLs); a thumbnail is made once and cached.
"""

from http import HTTPStatus
import mimetypes
from pathlib import Path

from aiohttp import web
from homeassistant.components.media_player.const import MediaClass
from homeassistant.components.media_player.errors import BrowseError
from homeassistant.components.media_source import (
    BrowseMediaSource,
    MediaSource,
    MediaSourceItem,
    PlayMedia,
    Unresolvable,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.http import HomeAssistantView

from .camera_manager import library_of
from .const import DOMAIN
from .hardware.encoders import thumbnail
from .hardware.media_library import MediaFile, MediaLibrary

URL = "/api/rpi_security/media"
TITLE = "RPi Security"


async def async_get_media_source(hass: HomeAssistant) -> MediaSource:
    """The media source of RPi Security's captures."""
    return CaptureMediaSource(hass)


# How a title says what a file is, besides a photo.
KIND_OF_SUFFIX = {"gif": "GIF", "mp4": "clip"}


def _title(file: MediaFile) -> str:
    """``143005_front_door_2.jpg`` -> ``14:30:05 front door 2`` (``... GIF``)."""
    stem, _, suffix = file.name.partition(".")
    clock, _, cause = stem.partition("_")
    if len(clock) == 6 and clock.isdigit():
        clock = f"{clock[:2]}:{clock[2:4]}:{clock[4:]}"
    kind = KIND_OF_SUFFIX.get(suffix, "")
    return f"{clock} {cause.replace('_', ' ')} {kind}".strip()


def _media_class(name: str) -> MediaClass:
    return MediaClass.VIDEO if name.endswith(".mp4") else MediaClass.IMAGE


class CaptureMediaSource(MediaSource):
    """Browse and play the captures."""

    name = TITLE

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve the library of ``hass``."""
        super().__init__(DOMAIN)
        self.hass = hass

    async def async_resolve_media(self, item: MediaSourceItem) -> PlayMedia:
        """A capture's URL (the frontend signs it)."""
        library = library_of(self.hass)
        placeholders = {"identifier": str(item.identifier)}
        try:
            path = await self.hass.async_add_executor_job(
                library.capture_file, item.identifier
            )
        except FileNotFoundError as err:
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="no_such_capture",
                translation_placeholders=placeholders,
            ) from err
        except (OSError, ValueError) as err:
            raise Unresolvable(
                translation_domain=DOMAIN,
                translation_key="not_a_capture",
                translation_placeholders=placeholders,
            ) from err
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return PlayMedia(f"{URL}/{item.identifier}", mime_type, path=path)

    async def async_browse_media(self, item: MediaSourceItem) -> BrowseMediaSource:
        """The days, or one day's captures."""
        library = library_of(self.hass)
        if not item.identifier:
            days = await self.hass.async_add_executor_job(library.days)
            return self._folder(
                None,
                TITLE,
                [self._folder(day, day, []) for day in days],
            )
        try:
            files = await self.hass.async_add_executor_job(
                library.day_files, item.identifier
            )
        except ValueError as err:
            raise BrowseError(
                translation_domain=DOMAIN,
                translation_key="not_a_capture_day",
                translation_placeholders={"identifier": str(item.identifier)},
            ) from err
        return self._folder(
            item.identifier,
            item.identifier,
            [
                BrowseMediaSource(
                    domain=DOMAIN,
                    identifier=file.relative,
                    media_class=_media_class(file.name),
                    media_content_type=mimetypes.guess_type(file.name)[0] or "",
                    title=_title(file),
                    can_play=True,
                    can_expand=False,
                    thumbnail=f"{URL}/{file.relative}?thumbnail=1",
                )
                for file in files
            ],
        )

    def _folder(
        self, identifier: str | None, title: str, children: list[BrowseMediaSource]
    ) -> BrowseMediaSource:
        return BrowseMediaSource(
            domain=DOMAIN,
            identifier=identifier,
            media_class=MediaClass.DIRECTORY,
            media_content_type="",
            title=title,
            can_play=False,
            can_expand=True,
            children=children,
            children_media_class=MediaClass.DIRECTORY
            if identifier is None
            else MediaClass.IMAGE,
        )


class CaptureView(HomeAssistantView):
    """Serves captures and their thumbnails to authenticated users."""

    url = URL + "/{relative:.+}"
    name = "api:rpi_security:media"
    requires_auth = True

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve the library of ``hass``."""
        self.hass = hass

    async def get(self, request: web.Request, relative: str) -> web.StreamResponse:
        """A capture, or with ``?thumbnail=1`` a small JPEG of it."""
        library = library_of(self.hass)
        try:
            # Only a regular file really inside the library, links refused.
            path = await self.hass.async_add_executor_job(
                library.capture_file, relative
            )
        except (OSError, ValueError) as err:
            raise web.HTTPNotFound from err
        if "thumbnail" not in request.query:
            return web.FileResponse(path)
        try:
            data = await self.hass.async_add_executor_job(
                _cached_thumbnail, library, relative, path
            )
        except OSError:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        return web.Response(body=data, content_type="image/jpeg")


def _cached_thumbnail(library: MediaLibrary, relative: str, path: Path) -> bytes:
    cached = library.thumbnail_path(relative)
    if cached.is_file() and cached.stat().st_mtime >= path.stat().st_mtime:
        return cached.read_bytes()
    data = thumbnail(path)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_bytes(data)
    return data
