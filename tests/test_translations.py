"""Every error, exception and repair the code can raise has an English text."""

import ast
import json
from pathlib import Path

from custom_components.rpi_security.hardware.gpio import GpioProblem
from custom_components.rpi_security.hardware.network import NetworkProblem
from custom_components.rpi_security.issues import CAMERA_ISSUES

PACKAGE = Path(__file__).parent.parent / "custom_components" / "rpi_security"
STRINGS = json.loads((PACKAGE / "translations" / "en.json").read_text())


def _string_constants(node: ast.AST) -> set[str]:
    return {
        n.value
        for n in ast.walk(node)
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    }


def _flow_errors() -> set[str]:
    """Error keys the flows can show: errors[...] = "x", {KEY: "x"}, error="x"."""
    found: set[str] = set()
    flows = (
        "config_flow",
        "options_flow",
        "subentry_flows",
        "sensor_flow",
        "area_flow",
        "target_flow",
        "user_flow",
        "flow_fields",
        "siren_flow",
        "output_options",
    )
    nodes = [
        node
        for name in flows
        for node in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text()))
    ]
    for node in nodes:
        if (
            isinstance(node, ast.Assign)
            and any(
                isinstance(t, ast.Subscript)
                and isinstance(t.value, ast.Name)
                and t.value.id == "errors"
                for t in node.targets
            )
        ) or (isinstance(node, ast.keyword) and node.arg == "error"):
            found |= _string_constants(node.value)
        elif isinstance(node, ast.Dict) and all(
            isinstance(k, ast.Name) and k.id.startswith("CONF_") for k in node.keys
        ):
            found |= {
                v.value
                for v in node.values
                if isinstance(v, ast.Constant) and isinstance(v.value, str)
            }
    return found


def _exception_keys() -> set[str]:
    """translation_key=... given to ServiceValidationError / HomeAssistantError."""
    keys: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id.endswith("Error")
            ):
                keys |= {
                    k.value.value
                    for k in node.keywords
                    if k.arg == "translation_key" and isinstance(k.value, ast.Constant)
                }
    return keys


def test_every_flow_error_has_a_text() -> None:
    errors = _flow_errors()
    assert "pin_in_use" in errors  # the scan finds what it should
    known = set(STRINGS["config"]["error"]) | set(STRINGS["options"]["error"])
    for subentry in STRINGS["config_subentries"].values():
        known |= set(subentry["error"])
    assert errors - known == set()


def test_door_and_motion_flows_have_the_same_errors() -> None:
    subentries = STRINGS["config_subentries"]
    assert set(subentries["door"]["error"]) == set(subentries["motion"]["error"])


def test_every_exception_and_issue_has_a_text() -> None:
    exceptions = _exception_keys()
    assert {"doors_open", "capture_failed"} <= exceptions
    assert exceptions - set(STRINGS["exceptions"]) == set()
    for problem in GpioProblem:
        issue = STRINGS["issues"][f"gpio_{problem.value}"]
        assert "{sensors}" in issue["description"]
        assert "{detail}" in issue["description"]
    for issue_id in CAMERA_ISSUES:
        assert "{detail}" in STRINGS["issues"][issue_id]["description"]
    for network_problem in NetworkProblem:
        issue = STRINGS["issues"][f"presence_{network_problem.value}"]
        assert "{parts}" in issue["description"]
        assert "{detail}" in issue["description"]


def test_every_service_and_field_has_a_text() -> None:
    import yaml  # noqa: PLC0415

    services = yaml.safe_load((PACKAGE / "services.yaml").read_text())
    icons = json.loads((PACKAGE / "icons.json").read_text())["services"]
    for service, spec in services.items():
        text = STRINGS["services"][service]
        assert text["name"]
        assert text["description"]
        assert set(spec.get("fields", {})) == set(text["fields"])
        assert service in icons
        for field in spec.get("fields", {}).values():
            select = field.get("selector", {}).get("select")
            if select and "translation_key" in select:
                options = STRINGS["selector"][select["translation_key"]]["options"]
                assert set(select["options"]) == set(options)


def test_every_alert_text_exists() -> None:
    """Keys given to text(...) in the alert code, and the ones built from names."""
    common = STRINGS["common"]
    used: set[str] = set()
    for name in (
        "alerts.py",
        "alarm_reports.py",
        "remote_control.py",
        "access.py",
        "restore.py",
        "system.py",
    ):
        for node in ast.walk(ast.parse((PACKAGE / name).read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "text"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                used.add(node.args[0].value)
    assert {"alarm", "status", "help"} <= used
    assert used - set(common) == set()
    for component in ("gpio", "presence", "camera"):
        assert f"component_{component}" in common
    for state in (
        "disarmed",
        "arming",
        "armed_away",
        "armed_home",
        "armed_night",
        "armed_vacation",
        "pending",
        "triggered",
    ):
        assert f"state_{state}" in common
