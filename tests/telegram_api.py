"""A stand-in for the Telegram cloud: the Bot API over HTTP on loopback.

Home Assistant's real ``telegram_bot`` integration (python-telegram-bot inside)
talks to it as it would to api.telegram.org: it uploads photos as multipart
forms and long-polls ``getUpdates`` for the messages people send the bot.
"""

import asyncio
from dataclasses import dataclass, field
import itertools
import time
from typing import Any

from aiohttp import web

# The Telegram account of the person who writes to the bot, unless told.
ALICE_ID = 7

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "HomeGuard",
    "username": "HomeGuardBot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Request:
    """One Bot API call as received: its method, text fields and files."""

    method: str
    fields: dict[str, str]
    files: dict[str, bytes]


@dataclass
class FakeBotApi:
    """Answers the Bot API methods the integration uses; records every call."""

    requests: list[Request] = field(default_factory=list)
    _updates: asyncio.Queue[dict[str, Any]] = field(default_factory=asyncio.Queue)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None
    url: str = ""

    async def start(self) -> None:
        """Listen on a free loopback port."""
        app = web.Application(client_max_size=20 * 2**20)
        app.router.add_post("/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()

    def send_command(
        self,
        chat_id: int,
        text: str,
        first_name: str = "Alice",
        *,
        user_id: int = ALICE_ID,
    ) -> None:
        """Someone writes ``text`` (a /command) to the bot in ``chat_id``."""
        command = text.split(maxsplit=1)[0]
        update_id = next(self._ids)
        self._updates.put_nowait(
            {
                "update_id": update_id,
                "message": {
                    "message_id": 1000 + update_id,
                    "date": int(time.time()),
                    "chat": {"id": chat_id, "type": "private"},
                    "from": {"id": user_id, "is_bot": False, "first_name": first_name},
                    "text": text,
                    "entities": [
                        {"type": "bot_command", "offset": 0, "length": len(command)}
                    ],
                },
            }
        )

    def calls(self, *methods: str) -> list[Request]:
        """The requests for ``methods``, in order."""
        return [r for r in self.requests if r.method in methods]

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        fields: dict[str, str] = {}
        files: dict[str, bytes] = {}
        if request.content_type == "application/json":
            fields = {k: str(v) for k, v in (await request.json()).items()}
        else:
            for name, value in (await request.post()).items():
                if isinstance(value, web.FileField):
                    files[name] = value.file.read()
                else:
                    fields[name] = str(value)
        if method != "getUpdates":
            self.requests.append(Request(method, fields, files))
        return web.json_response(
            {"ok": True, "result": await self._result(method, fields)}
        )

    async def _result(self, method: str, fields: dict[str, str]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getUpdates":
            try:
                update = await asyncio.wait_for(self._updates.get(), 0.2)
            except TimeoutError:
                return []
            # As Telegram does: everything waiting, up to a hundred at once.
            updates = [update]
            while not self._updates.empty() and len(updates) < 100:
                updates.append(self._updates.get_nowait())
            return updates
        if method.startswith("send"):
            message: dict[str, Any] = {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": int(fields["chat_id"]), "type": "private"},
            }
            if "text" in fields:
                message["text"] = fields["text"]
            return message
        return True  # deleteWebhook and the like
