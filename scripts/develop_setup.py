"""First start of scripts/develop: a login, and a simulated system set up.

``prepare`` (Home Assistant stopped) marks onboarding done, so the onboarding
step does not set up weather and text-to-speech services that need the
internet, and adds the login with Home Assistant's own auth script.
``configure`` (Home Assistant running) logs in and sets up the system through
the public HTTP API: the same config flows a person goes through in the browser.
"""

import asyncio
import json
import os
from pathlib import Path
import subprocess
import sys
from typing import Any

import aiohttp

USERNAME = PASSWORD = "dev"
FIRST_START = ".develop-first-start"  # set by prepare, cleared once configured
SENSORS: list[tuple[str, dict[str, Any]]] = [
    (
        "door",
        {
            "name": "Front door",
            "pin": 17,
            "contact_type": "nc",
            "pull_up": True,
            "debounce_ms": 100,
        },
    ),
    (
        "door",
        {
            "name": "Back door",
            "pin": 27,
            "contact_type": "nc",
            "pull_up": True,
            "debounce_ms": 100,
        },
    ),
    ("motion", {"name": "Hallway", "pin": 4, "pull_up": False, "debounce_ms": 100}),
]
# The settings of the system's first area (made with it, named after it).
AREA_SETTINGS = {
    "name": "RPi Security",
    "exit_delay": 10,
    "entry_delay": 10,
    "trigger_time": 120,
    "disarm_after_trigger": False,
    "arm_modes": ["away", "home", "night", "vacation"],
    "pet_immune_minutes": 0,
    "code_arm_required": False,
    "presence_controls": True,
}

# The simulated camera, then its settings (the camera options' two steps).
CAMERA_SOURCE = {"camera_source": "simulated"}
CAMERA_OPTIONS = {
    "resolution": "640x480",
    "rotation": "0",
    "hflip": False,
    "vflip": False,
    "frame_rate": 4,
    "camera_motion": True,
    "camera_motion_alarm": False,
}
# The Security dashboard comes from the system's own button, as for users.
ADD_DASHBOARD = "button.rpi_security_add_security_dashboard"
# RPI_SECURITY_DASHBOARD=skip leaves it to be added by hand (the browser test).
DASHBOARD_ENV = "RPI_SECURITY_DASHBOARD"
PHONES = [{"name": "Alice's phone", "mac": "02:00:00:00:07:17"}]

NOTIFICATIONS_TARGET = {
    "name": "Notifications",
    "service": "notify.persistent_notification",
    "receives": ["alarm", "state", "problems"],
}


async def _wait_until_up(session: aiohttp.ClientSession, url: str) -> None:
    for _ in range(600):
        try:
            async with session.get(f"{url}/manifest.json") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.5)
    raise SystemExit("develop: Home Assistant did not come up within 5 minutes")


async def _log_in(session: aiohttp.ClientSession, url: str) -> dict[str, str]:
    """Log in through the login flow, as the frontend does."""
    client_id = f"{url}/"
    async with session.post(
        f"{url}/auth/login_flow",
        json={
            "client_id": client_id,
            "handler": ["homeassistant", None],
            "redirect_uri": client_id,
        },
    ) as response:
        response.raise_for_status()
        flow_id = (await response.json())["flow_id"]
    async with session.post(
        f"{url}/auth/login_flow/{flow_id}",
        json={"username": USERNAME, "password": PASSWORD, "client_id": client_id},
    ) as response:
        response.raise_for_status()
        code = (await response.json())["result"]
    async with session.post(
        f"{url}/auth/token",
        data={"grant_type": "authorization_code", "code": code, "client_id": client_id},
    ) as response:
        response.raise_for_status()
        token = (await response.json())["access_token"]
    return {"Authorization": f"Bearer {token}"}


async def _flow(
    session: aiohttp.ClientSession,
    url: str,
    headers: dict[str, str],
    *,
    flows: str,
    handler: Any,
    steps: list[dict[str, Any]],
    subentry_id: str | None = None,
) -> dict[str, Any]:
    """Start a flow and answer its steps in order; return the last result.

    With ``subentry_id``, the subentry's reconfigure flow.
    """
    start: dict[str, Any] = {"handler": handler}
    if subentry_id is not None:
        start["subentry_id"] = subentry_id
    async with session.post(
        f"{url}/api/config/config_entries/{flows}",
        json=start,
        headers=headers,
    ) as response:
        response.raise_for_status()
        result: dict[str, Any] = await response.json()
    for answer in steps:
        async with session.post(
            f"{url}/api/config/config_entries/{flows}/{result['flow_id']}",
            json=answer,
            headers=headers,
        ) as response:
            response.raise_for_status()
            result = await response.json()
        if result.get("errors"):
            raise SystemExit(f"develop: {flows} refused {answer}: {result['errors']}")
    return result


async def _first_area(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], entry_id: str
) -> str:
    """The id of the area the system was created with (asked over the websocket)."""
    token = headers["Authorization"].removeprefix("Bearer ")
    async with session.ws_connect(f"{url}/api/websocket") as socket:
        await socket.receive_json()  # auth_required
        await socket.send_json({"type": "auth", "access_token": token})
        await socket.receive_json()  # auth_ok
        await socket.send_json(
            {"id": 1, "type": "config_entries/subentries/list", "entry_id": entry_id}
        )
        answer = await socket.receive_json()
    return str(
        next(s["subentry_id"] for s in answer["result"] if s["subentry_type"] == "area")
    )


async def _add_dashboard(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str]
) -> None:
    """Press the system's "Add Security dashboard" button."""
    async with session.post(
        f"{url}/api/services/button/press",
        json={"entity_id": ADD_DASHBOARD},
        headers=headers,
    ) as response:
        if response.status != 200:
            raise SystemExit(f"develop: the dashboard was refused: {response.status}")


def prepare(config_dir: Path, port: int) -> None:
    """Before the first start: onboarding done, a login, the HTTP server's port.

    The port goes into the HTTP server's stored config (Home Assistant keeps it
    in storage now): given in YAML it would be a trial setting that is reverted
    unless confirmed in the UI.
    """
    from homeassistant.components import onboarding  # noqa: PLC0415
    from homeassistant.util import dt as dt_util  # noqa: PLC0415

    storage = config_dir / ".storage"
    storage.mkdir(parents=True, exist_ok=True)
    (storage / "http").write_text(
        json.dumps(
            {
                "version": 2,
                "minor_version": 2,
                "key": "http",
                "data": {
                    "stable": {
                        "server_host": ["127.0.0.1"],
                        "server_port": port,
                        "cors_allowed_origins": [],
                        "login_attempts_threshold": -1,
                        "ip_ban_enabled": True,
                        "ssl_profile": "modern",
                        "use_x_frame_options": True,
                        "created_at": dt_util.utcnow().isoformat(),
                        "error": None,
                        "error_message": None,
                    },
                    "pending": None,
                    "yaml_migration_done": True,
                },
            }
        )
    )
    (storage / onboarding.STORAGE_KEY).write_text(
        json.dumps(
            {
                "version": onboarding.STORAGE_VERSION,
                "minor_version": 1,
                "key": onboarding.STORAGE_KEY,
                "data": {"done": list(onboarding.STEPS)},
            }
        )
    )
    subprocess.run(  # noqa: S603  (Home Assistant's own auth script)
        [
            sys.executable,
            "-m",
            "homeassistant",
            "--script",
            "auth",
            "--config",
            str(config_dir),
            "add",
            USERNAME,
            PASSWORD,
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    (config_dir / FIRST_START).touch()


async def configure(url: str, config_dir: Path) -> None:
    """On the first start, set up the simulated system; say how to log in."""
    async with aiohttp.ClientSession() as session:
        await _wait_until_up(session, url)
        if (config_dir / FIRST_START).exists():
            headers = await _log_in(session, url)
            created = await _flow(
                session,
                url,
                headers,
                flows="flow",
                handler="rpi_security",
                steps=[{"name": "RPi Security", "simulation": True}],
            )
            entry_id = created["result"]["entry_id"]
            for subentry_type, answer in SENSORS:
                await _flow(
                    session,
                    url,
                    headers,
                    flows="subentries/flow",
                    handler=[entry_id, subentry_type],
                    # Then where it guards and how: the type's usual options.
                    steps=[{"next_step_id": "gpio"}, answer, {}],
                )
            for phone in PHONES:
                await _flow(
                    session,
                    url,
                    headers,
                    flows="subentries/flow",
                    handler=[entry_id, "phone"],
                    steps=[phone],
                )
            await _flow(
                session,
                url,
                headers,
                flows="subentries/flow",
                handler=[entry_id, "area"],
                subentry_id=await _first_area(session, url, headers, entry_id),
                steps=[{"next_step_id": "settings"}, AREA_SETTINGS],
            )
            await _flow(
                session,
                url,
                headers,
                flows="options/flow",
                handler=entry_id,
                steps=[{"next_step_id": "camera"}, CAMERA_SOURCE, CAMERA_OPTIONS],
            )
            # Alerts show up in Home Assistant's notifications.
            await _flow(
                session,
                url,
                headers,
                flows="subentries/flow",
                handler=[entry_id, "alert_target"],
                steps=[{"next_step_id": "notify"}, NOTIFICATIONS_TARGET],
            )
            if os.environ.get(DASHBOARD_ENV) != "skip":
                await _add_dashboard(session, url, headers)
            (config_dir / FIRST_START).unlink()
            print(
                "develop: RPi Security is set up in simulation mode (two doors, a PIR,"
                " a phone, a camera; alerts go to Home Assistant's notifications)"
            )
    print(f"develop: Home Assistant is running at {url} (dashboard: Security)")
    print(f"develop: log in as {USERNAME} / {PASSWORD}")
    print(
        "develop: open and close doors, bring phones home, walk past the camera:"
        " on the Security dashboard or each device's page"
    )


if __name__ == "__main__":
    command, config = sys.argv[1], Path(sys.argv[2])
    if command == "prepare":
        prepare(config, int(sys.argv[3]))
    else:
        asyncio.run(configure(sys.argv[3], config))
