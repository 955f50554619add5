"""scripts/compat's judgement: which release is newest, which log lines fail it.

The check itself runs real Home Assistant releases (scripts/compat, in
.ci/run); these tests pin down the two decisions it makes on text.
"""

import importlib.util
import json
from pathlib import Path
import sys
from types import ModuleType

SCRIPT = Path(__file__).parent.parent / "scripts" / "compat.py"


def _compat() -> ModuleType:
    spec = importlib.util.spec_from_file_location("compat", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("compat", module)
    spec.loader.exec_module(module)
    return module


compat = _compat()


def _file(name: str, *, yanked: bool = False) -> dict[str, object]:
    return {"filename": name, "yanked": yanked, "url": f"https://files/{name}"}


def test_newest_final_release_from_the_json_index() -> None:
    body = json.dumps(
        {
            "files": [
                _file("homeassistant-2026.9.4-py3-none-any.whl"),
                _file("homeassistant-2026.11.0b3-py3-none-any.whl"),
                _file("homeassistant-2026.10.4.tar.gz"),
                _file("homeassistant-2026.11.0-py3-none-any.whl"),
                _file("homeassistant-2026.12.0-py3-none-any.whl", yanked=True),
                _file("homeassistant-2026.12.0.dev20261120.tar.gz"),
            ]
        }
    ).encode()
    versions = compat.release_versions(body, "application/vnd.pypi.simple.v1+json")
    assert versions == ["2026.9.4", "2026.10.4", "2026.11.0"]


def test_newest_final_release_from_the_html_index() -> None:
    body = b"""<html><body>
    <a href="https://f/homeassistant-2026.10.0.tar.gz">homeassistant-2026.10.0.tar.gz</a>
    <a href="https://f/h-2026.11.0b1" data-requires-python="&gt;=3.14.2"
       >homeassistant-2026.11.0b1-py3-none-any.whl</a>
    <a href="https://f/h-2026.11.1" data-yanked="">homeassistant-2026.11.1.tar.gz</a>
    <a href="https://f/h-2026.11.0">homeassistant-2026.11.0-py3-none-any.whl</a>
    </body></html>"""
    assert compat.release_versions(body, "text/html") == ["2026.10.0", "2026.11.0"]


LOG = """\
2026-11-26 12:52:58.979+00:00 WARNING (SyncWorker_0) [homeassistant.loader] We found \
a custom integration rpi_security which has not been tested by Home Assistant.
2026-11-26 12:52:59.134+00:00 WARNING (MainThread) [aiohttp_fast_zlib] zlib_ng and \
isal are not available, falling back to zlib, performance will be degraded.
2026-11-26 12:53:01.000+00:00 WARNING (MainThread) [homeassistant.util.loop] Detected \
blocking call to open with args ('/config/x',) inside the event loop by custom \
integration 'rpi_security' at custom_components/rpi_security/camera.py, line 80
Traceback (most recent call last):
  File "/config/custom_components/rpi_security/camera.py", line 80, in capture
2026-11-26 12:53:02.000+00:00 WARNING (MainThread) [py.warnings] \
/config/custom_components/rpi_security/alerts.py:12: DeprecationWarning: old API
2026-11-26 12:53:02.500+00:00 WARNING (MainThread) [py.warnings] \
/venv/lib/python3.14/site-packages/backoff/_async.py:11: DeprecationWarning: old
2026-11-26 12:53:03.000+00:00 WARNING (MainThread) [homeassistant.helpers.frame] \
Detected that custom integration 'rpi_security' calls async_forward_entry_setup
2026-11-26 12:53:04.000+00:00 ERROR (MainThread) [homeassistant.components.http] \
Something else broke
2026-11-26 12:53:05.000+00:00 ERROR (MainThread) [homeassistant.config_entries] \
Error setting up entry Home for rpi_security
"""


def test_log_lines_that_fail_the_check() -> None:
    problems = compat.log_problems(
        LOG,
        "/config/custom_components/rpi_security/x.py:3: DeprecationWarning: y\n"
        "/venv/site-packages/other.py:3: DeprecationWarning: not ours\n",
    )
    assert [p.split("] ", 1)[0] for p in problems] == [
        "log WARNING [homeassistant.util.loop",
        "log WARNING [py.warnings",
        "log WARNING [homeassistant.helpers.frame",
        "log ERROR [homeassistant.config_entries",
        "stderr: /config/custom_components/rpi_security/x.py:3: DeprecationWarning: y",
    ]
    # Each failure is one line, however long the record.
    assert all("\n" not in p for p in problems)
    # Another integration's error is shown, not held against us.
    assert compat.log_notes(LOG) == [
        "note: log ERROR [homeassistant.components.http] Something else broke"
    ]


def test_the_script_run_inside_each_release_imports() -> None:
    """compat_hass.py, run inside every release's venv, imports.

    A name it took from develop_setup.py was renamed there, and CI failed
    only at the very end, after every test had passed.
    """
    scripts = str(SCRIPT.parent)
    sys.path.insert(0, scripts)
    try:
        spec = importlib.util.spec_from_file_location(
            "compat_hass", SCRIPT.parent / "compat_hass.py"
        )
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(scripts)
    assert module.PANEL == "alarm_control_panel.rpi_security"
