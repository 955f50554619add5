"""A real MQTT broker for the tests (Debian's mosquitto) and a wall panel client.

The broker listens on a free loopback port only, with a configuration of its
own (no persistence, anonymous clients: nothing leaves the machine). The
wall panel is a paho-mqtt client (the library Home Assistant's MQTT
integration itself uses) running its network loop in a thread of its own;
what it hears is handed to the test through a lock-protected list.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
import itertools
import json
from pathlib import Path
import shutil
import socket
import subprocess
import threading
import time
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

MOSQUITTO = shutil.which("mosquitto") or shutil.which(
    "mosquitto", path="/usr/sbin:/sbin"
)
NO_MOSQUITTO = (
    "the mosquitto broker is not installed (Debian: apt-get install mosquitto; "
    ".ci/run installs it)"
)


def free_port() -> int:
    """A TCP port nobody listens on now, on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def mosquitto(folder: Path) -> Iterator[int]:
    """Run a broker on a free loopback port; yields the port.

    Raises ``RuntimeError`` with the broker's own words when it does not come
    up (the caller skips, saying why).
    """
    assert MOSQUITTO is not None
    port = free_port()
    config = folder / "mosquitto.conf"
    config.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        "log_dest stderr\n"
    )
    log = folder / "mosquitto.log"
    with log.open("wb") as output:
        broker = subprocess.Popen(
            [MOSQUITTO, "-c", str(config)], stdout=output, stderr=output
        )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if broker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"mosquitto did not start: {log.read_text(errors='replace')}"
                    ) from None
                time.sleep(0.05)
        yield port
    finally:
        broker.terminate()
        try:
            broker.wait(timeout=5)
        except subprocess.TimeoutExpired:
            broker.kill()
            broker.wait()


@dataclass(frozen=True)
class Message:
    """What the wall panel heard."""

    topic: str
    payload: bytes
    retain: bool

    @property
    def text(self) -> str:
        return self.payload.decode()

    @property
    def json(self) -> Any:
        return json.loads(self.payload)


_CLIENT_NUMBERS = itertools.count(1)


class WallPanel:
    """An MQTT client on the test's side: publishes commands, hears the rest."""

    def __init__(self, port: int, subscribe: str = "#") -> None:
        # Each its own id: a broker drops a client when another takes its id.
        client_id = f"wall-panel-{next(_CLIENT_NUMBERS)}"
        self._lock = threading.Lock()
        self._messages: list[Message] = []
        self._subscribed = threading.Event()
        self._client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        self._client.on_connect = lambda client, *_: client.subscribe(subscribe, 1)
        self._client.on_subscribe = lambda *_: self._subscribed.set()
        self._client.on_message = self._on_message
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()
        if not self._subscribed.wait(10):
            self.close()
            raise RuntimeError("the wall panel could not subscribe")

    def _on_message(self, _client: Any, _userdata: Any, message: Any) -> None:
        with self._lock:
            self._messages.append(
                Message(message.topic, bytes(message.payload), bool(message.retain))
            )

    def messages(self, topic: str | None = None) -> list[Message]:
        with self._lock:
            return [m for m in self._messages if topic is None or m.topic == topic]

    def forget(self) -> None:
        """Start listening afresh."""
        with self._lock:
            self._messages.clear()

    def publish(
        self, topic: str, payload: str | bytes, *, retain: bool = False
    ) -> None:
        self._client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
