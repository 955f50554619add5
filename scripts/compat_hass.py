"""The part of scripts/compat that runs inside the fresh venv of a release.

It runs with that release's own Python packages (Home Assistant, aiohttp,
packaging), so it sees the release exactly as a user's installation does.

``requirements MANIFEST``  installs the manifest's requirements with the
    release's own requirements manager, the code Home Assistant runs when it
    loads an integration (uv under its ``package_constraints.txt``), and
    prints, as JSON, what failed (with uv's reason) and what is installed.
``drive URL``  sets up RPi Security in simulation mode on a running hass
    through the config flows over HTTP (as scripts/develop does), checks the
    entry and its entities, arms, opens a simulated door and waits for
    ``triggered``. Prints what it saw as JSON; exits non-zero with the reason.
"""

import asyncio
from collections.abc import Awaitable, Callable
import importlib.metadata
import json
import logging
from pathlib import Path
import sys
import tempfile
import time
from typing import Any

import aiohttp
from develop_setup import (
    AREA_SETTINGS,
    SENSORS,
    _first_area,
    _flow,
    _log_in,
    _wait_until_up,
)
from homeassistant.core import HomeAssistant
from homeassistant.requirements import RequirementsNotFound, async_process_requirements
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

DOMAIN = "rpi_security"
PANEL = "alarm_control_panel.rpi_security"
DOOR = next(answer for kind, answer in SENSORS if kind == "door")
DOOR_ENTITY = "binary_sensor.front_door"
# No exit or entry delay: arming and the door's trip show at once.
AREA = {**AREA_SETTINGS, "exit_delay": 0, "entry_delay": 0}
STATE_TIMEOUT = 60  # seconds for a state the check waits for


class _InstallErrors(logging.Handler):
    """uv's reasons, from the errors Home Assistant's installer logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.reasons: dict[str, str] = {}

    def emit(self, record: logging.LogRecord) -> None:
        # "Unable to install package %s: %s" (homeassistant.util.package)
        if len(record.args or ()) == 2:
            package, stderr = record.args
            self.reasons[str(package)] = _reason(str(stderr))


def _reason(stderr: str) -> str:
    """The line of uv's output that says why, else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    why = [line for line in lines if "Because" in line or "because" in line]
    return (why or lines or ["no output"])[-1].removeprefix("cause: ")


def _installed(requirement: str) -> dict[str, Any]:
    """A requirement's installed version and those of its dependencies."""
    root = Requirement(requirement).name
    environment = default_environment()
    seen: dict[str, str] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = canonicalize_name(name)
        if key in seen:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        seen[key] = f"{distribution.metadata['Name']} {distribution.version}"
        for line in distribution.requires or []:
            dependency = Requirement(line)
            if dependency.marker is None or dependency.marker.evaluate(
                {**environment, "extra": ""}
            ):
                todo.append(dependency.name)
    versions = list(seen.values())
    return {
        "requirement": requirement,
        "version": versions[0] if versions else "not installed",
        "deps": versions[1:],
    }


async def install_requirements(requirements: list[str]) -> dict[str, Any]:
    """Install as Home Assistant does when it loads the integration."""
    errors = _InstallErrors()
    installer_log = logging.getLogger("homeassistant.util.package")
    installer_log.setLevel(logging.ERROR)
    installer_log.propagate = False  # the reasons go into the JSON
    installer_log.addHandler(errors)
    failed: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as config_dir:
        hass = HomeAssistant(config_dir)
        try:
            await async_process_requirements(hass, DOMAIN, requirements)
        except RequirementsNotFound as err:
            failed = {
                requirement: errors.reasons.get(requirement, "not installed")
                for requirement in err.requirements
            }
        finally:
            await hass.async_stop(force=True)
    return {
        "failed": failed,
        "installed": [_installed(r) for r in requirements if r not in failed],
    }


class Api:
    """Home Assistant's REST and websocket API, logged in."""

    def __init__(self, session: aiohttp.ClientSession, url: str) -> None:
        """Not logged in yet: set ``headers`` once logged in."""
        self.session = session
        self.url = url
        self.headers: dict[str, str] = {}

    async def get(self, path: str) -> Any:
        """GET a REST path; its JSON."""
        async with self.session.get(
            f"{self.url}{path}", headers=self.headers
        ) as response:
            response.raise_for_status()
            return await response.json()

    async def action(self, domain: str, service: str, data: dict[str, Any]) -> None:
        """Perform an action as the REST API's users do."""
        async with self.session.post(
            f"{self.url}/api/services/{domain}/{service}",
            json=data,
            headers=self.headers,
        ) as response:
            if response.status != 200:
                raise SystemExit(
                    f"{domain}.{service} answered {response.status}: "
                    f"{(await response.text())[:300]}"
                )

    async def websocket(self, message: dict[str, Any]) -> Any:
        """Send one websocket command; its result."""
        token = self.headers["Authorization"].split()[1]
        async with self.session.ws_connect(f"{self.url}/api/websocket") as ws:
            await ws.receive_json()  # auth_required
            await ws.send_json({"type": "auth", "access_token": token})
            await ws.receive_json()  # auth_ok
            await ws.send_json({"id": 1, **message})
            answer = await ws.receive_json()
        if not answer.get("success"):
            raise SystemExit(f"websocket {message['type']} failed: {answer}")
        return answer["result"]

    async def state(self, entity_id: str) -> str | None:
        """An entity's state; None when it has none."""
        async with self.session.get(
            f"{self.url}/api/states/{entity_id}", headers=self.headers
        ) as response:
            if response.status == 404:
                return None
            response.raise_for_status()
            return str((await response.json())["state"])


async def _until(
    what: str, probe: Callable[[], Awaitable[Any]], wanted: Callable[[Any], bool]
) -> Any:
    """Poll ``probe`` until ``wanted`` holds; fail saying what was seen."""
    seen: Any = None
    try:
        async with asyncio.timeout(STATE_TIMEOUT):
            # Another process's state: there is no event to wait on.
            while not wanted(seen := await probe()):  # noqa: ASYNC110
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise SystemExit(
            f"{what}: not reached within {STATE_TIMEOUT} s (last seen: {seen})"
        ) from None
    return seen


async def _entry_state(api: Api) -> str | None:
    entries = await api.get(f"/api/config/config_entries/entry?domain={DOMAIN}")
    return str(entries[0]["state"]) if entries else None


async def drive(url: str) -> dict[str, Any]:
    """Set up, arm and trip the simulated system over HTTP; say what was seen."""
    seen: dict[str, Any] = {}
    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        await _wait_until_up(session, url)
        api = Api(session, url)
        api.headers = await _log_in(session, url)
        config = await _until(
            "Home Assistant running",
            lambda: api.get("/api/config"),
            lambda c: c is not None and c.get("state") == "RUNNING",
        )
        seen["home_assistant"] = config["version"]
        seen["running_after"] = time.monotonic() - started

        created = await _flow(
            session,
            url,
            api.headers,
            flows="flow",
            handler=DOMAIN,
            steps=[{"name": "RPi Security", "simulation": True}],
        )
        if created.get("type") != "create_entry":
            raise SystemExit(f"the user step did not create the entry: {created}")
        entry_id = created["result"]["entry_id"]
        # A door (then where it guards: the door's usual options), and the
        # first area's settings without delays.
        door = await _flow(
            session,
            url,
            api.headers,
            flows="subentries/flow",
            handler=[entry_id, "door"],
            steps=[{"next_step_id": "gpio"}, DOOR, {}],
        )
        if door.get("type") != "create_entry":
            raise SystemExit(f"the door's flow did not finish: {door}")
        area = await _flow(
            session,
            url,
            api.headers,
            flows="subentries/flow",
            handler=[entry_id, "area"],
            subentry_id=await _first_area(session, url, api.headers, entry_id),
            steps=[{"next_step_id": "settings"}, AREA],
        )
        if (
            area.get("type") != "abort"
            or area.get("reason") != "reconfigure_successful"
        ):
            raise SystemExit(f"the area's settings were not saved: {area}")
        await _until(
            "config entry loaded", lambda: _entry_state(api), lambda s: s == "loaded"
        )
        seen["entry"] = "loaded"
        seen["set_up_after"] = time.monotonic() - started

        async def registered() -> list[str]:
            registry = await api.websocket({"type": "config/entity_registry/list"})
            return sorted(
                e["entity_id"]
                for e in registry
                if e["platform"] == DOMAIN and e.get("disabled_by") is None
            )

        # Changes apply live: the door's entities come a moment after its flow.
        ours = await _until(
            "the panel and the door registered",
            registered,
            lambda found: found is not None and {PANEL, DOOR_ENTITY} <= set(found),
        )

        async def states_of_ours() -> dict[str, Any]:
            return {entity_id: await api.state(entity_id) for entity_id in ours}

        states = await _until(
            "every entity of ours has a state",
            states_of_ours,
            lambda found: (
                found is not None
                and all(s not in (None, "unavailable") for s in found.values())
            ),
        )
        seen["entities"] = states

        await api.action("alarm_control_panel", "alarm_arm_away", {"entity_id": PANEL})
        await _until(
            "armed away", lambda: api.state(PANEL), lambda s: s == "armed_away"
        )
        await api.action(
            DOMAIN, "simulate", {"entity_id": DOOR_ENTITY, "action": "open"}
        )
        await _until("door open", lambda: api.state(DOOR_ENTITY), lambda s: s == "on")
        seen["after_door"] = await _until(
            "triggered", lambda: api.state(PANEL), lambda s: s == "triggered"
        )
        seen["triggered_after"] = time.monotonic() - started
    return seen


def main() -> None:
    """Run a subcommand; its JSON goes to stdout."""
    command = sys.argv[1]
    if command == "requirements":
        manifest = json.loads(Path(sys.argv[2]).read_text())
        result = asyncio.run(install_requirements(manifest["requirements"]))
    elif command == "drive":
        result = asyncio.run(drive(sys.argv[2]))
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
