"""hassfest's rules, checked here: HACS's review and users' CI run hassfest.

The checks live in ``tests/hassfest_rules.py``; here they run on our files,
the placeholders of each string are compared with what the code fills in,
and the checker itself is shown to refuse what hassfest refuses.
"""

import ast
import copy
from enum import StrEnum
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
import yaml

from custom_components.rpi_security.const import DOMAIN
from custom_components.rpi_security.hardware.camera import CameraProblem
from custom_components.rpi_security.hardware.gpio import GpioProblem
from custom_components.rpi_security.hardware.network import (
    NetworkProblem,
    NetworkUnavailableError,
)
from custom_components.rpi_security.issues import (
    async_report_camera_problems,
    async_report_gpio_problems,
    async_report_no_areas,
    async_report_phone_issues,
    async_report_presence_problems,
    async_report_siren_problems,
    async_report_telegram_users,
    async_report_wall_panel_mqtt,
)

from .hassfest_rules import (
    icon_problems,
    manifest_problems,
    placeholders,
    services_yaml_problems,
    translation_problems,
)

PACKAGE = Path(__file__).parent.parent / "custom_components" / "rpi_security"
STRINGS: dict[str, Any] = json.loads((PACKAGE / "translations" / "en.json").read_text())
MANIFEST: dict[str, Any] = json.loads((PACKAGE / "manifest.json").read_text())
SERVICES: dict[str, Any] = yaml.safe_load((PACKAGE / "services.yaml").read_text())
ICONS: dict[str, Any] = json.loads((PACKAGE / "icons.json").read_text())
FLOW_MODULES = (
    "config_flow",
    "options_flow",
    "subentry_flows",
    "sensor_flow",
    "area_flow",
    "target_flow",
    "user_flow",
    "repairs",
    "siren_flow",
    "output_options",
)


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text())) for path in PACKAGE.rglob("*.py")]


def _text_placeholders(*texts: Any) -> set[str]:
    return {name for text in texts for name in placeholders(str(text))}


def _dict_keys(node: ast.expr | None) -> set[str] | None:
    """The keys of a dict literal; None when it is not one (filled elsewhere)."""
    if node is None:
        return set()
    if isinstance(node, ast.Dict) and all(
        isinstance(k, ast.Constant) for k in node.keys
    ):
        return {str(k.value) for k in node.keys if isinstance(k, ast.Constant)}
    return None


def _string_constants(module: ast.Module) -> dict[str, str]:
    """Module-level NAME = "text" (or NAME: Final = "text") assignments."""
    found: dict[str, str] = {}
    for node in module.body:
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            found |= {t.id: value.value for t in targets if isinstance(t, ast.Name)}
    return found


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


# -- our files pass ----------------------------------------------------------


def test_translations_pass_hassfests_rules() -> None:
    assert translation_problems(STRINGS) == []


def test_manifest_is_a_valid_custom_integration_manifest() -> None:
    assert manifest_problems(MANIFEST, PACKAGE.name) == []
    # config_flow: true needs the flow in config_flow.py (hassfest config_flow).
    assert MANIFEST["config_flow"] is True
    assert (PACKAGE / "config_flow.py").is_file()


def test_services_yaml_passes_home_assistants_own_selector_schemas() -> None:
    assert services_yaml_problems(SERVICES) == []
    # Every action's texts and icon: tests/test_translations.py checks them
    # field by field; the schema check above needs the same services.
    assert set(SERVICES) == set(STRINGS["services"]) == set(ICONS["services"])


def test_icons_pass_hassfests_rules() -> None:
    assert icon_problems(ICONS) == []


# -- placeholders match what the code fills in --------------------------------


def test_exception_placeholders_are_the_ones_the_code_passes() -> None:
    checked: set[str] = set()
    for path, module in _modules():
        for call in ast.walk(module):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id.endswith("Error")
            ):
                continue
            key = _keyword(call, "translation_key")
            if not isinstance(key, ast.Constant):
                continue
            passed = _dict_keys(_keyword(call, "translation_placeholders"))
            if passed is None:  # built elsewhere: nothing to compare statically
                continue
            wanted = _text_placeholders(STRINGS["exceptions"][key.value]["message"])
            assert passed == wanted, f"{path.name}:{call.lineno} {key.value}"
            checked.add(key.value)
    assert {"doors_open", "capture_failed", "code_required"} <= checked


def test_issue_placeholders_the_code_passes_directly() -> None:
    """Issues raised with a literal translation_placeholders (alerts_expired)."""
    checked = set()
    modules = _modules()
    # Issue ids are often constants of another module (const.py, issues.py).
    constants = {
        name: value
        for _, module in modules
        for name, value in _string_constants(module).items()
    }
    for path, module in modules:
        for call in ast.walk(module):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "async_create_issue"
            ):
                continue
            key = _keyword(call, "translation_key")
            passed = _dict_keys(_keyword(call, "translation_placeholders"))
            if isinstance(key, ast.Name) and key.id in constants:
                key = ast.Constant(constants[key.id])
            if not isinstance(key, ast.Constant) or passed is None:
                continue  # chosen at run time: the reports below raise those
            issue = STRINGS["issues"][key.value]
            assert passed == _text_placeholders(*issue.values()), path.name
            checked.add(key.value)
    assert {"alerts_expired", "storage_damaged"} <= checked


async def test_issue_placeholders_the_problem_reports_fill_in(
    hass: HomeAssistant,
) -> None:
    """Every kind of GPIO, network and camera problem, raised as the system does."""

    network_part = StrEnum("NetworkPart", [(p.name, p.value) for p in NetworkProblem])
    camera_part = StrEnum(
        "CameraPart", [("CAMERA", "camera"), ("DISK", "disk"), ("WRITE", "write")]
    )
    door = SimpleNamespace(
        config=SimpleNamespace(name="Front door", pin=17),
        error=SimpleNamespace(detail="busy"),
    )
    async_report_gpio_problems(hass, {problem: [door] for problem in GpioProblem})
    async_report_telegram_users(hass, ["Family chat"], 0)
    async_report_no_areas(hass, True)
    async_report_siren_problems(hass, {"Hall siren (GPIO18)": "busy"})
    async_report_wall_panel_mqtt(hass, missing=True)
    async_report_phone_issues(
        hass, "entry", {"alice": "Alice's phone"}, ["alice"], ["alice"]
    )
    async_report_presence_problems(
        hass,
        {
            network_part(problem.value): NetworkUnavailableError(problem, "refused")
            for problem in NetworkProblem
        },
    )
    for problem in CameraProblem:
        async_report_camera_problems(
            hass,
            {
                camera_part.CAMERA: "gone",
                camera_part.DISK: "1 GB left",
                camera_part.WRITE: "No space left on device",
            },
            problem,
        )
        issues = ir.async_get(hass).issues
        issue = issues[(DOMAIN, f"camera_{problem.value}")]
        texts = STRINGS["issues"][f"camera_{problem.value}"]
        assert set(issue.translation_placeholders or {}) == _text_placeholders(
            *texts.values()
        )

    raised = {
        issue_id: issue
        for (domain, issue_id), issue in ir.async_get(hass).issues.items()
        if domain == DOMAIN
    }
    # The test above checks the issues raised with literal placeholders.
    every_issue = set(STRINGS["issues"]) - {"alerts_expired", "storage_damaged"}
    kinds = {issue.translation_key or issue_id for issue_id, issue in raised.items()}
    assert every_issue - {f"camera_{p.value}" for p in CameraProblem} <= kinds
    for issue_id, issue in raised.items():
        texts = STRINGS["issues"][issue.translation_key or issue_id]
        # A fix flow's texts are filled by the repair flow (checked below).
        shown = [text for key, text in texts.items() if key != "fix_flow"]
        assert set(issue.translation_placeholders or {}) == _text_placeholders(
            *shown
        ), issue_id


def test_alert_text_placeholders_are_the_ones_the_code_passes() -> None:
    """``text("alarm", cause=..., time=...)`` fills each placeholder of alarm."""
    common = STRINGS["common"]
    filled: set[str] = set()
    for path, module in _modules():
        if path.parent != PACKAGE:
            continue  # hardware/ draws text on pictures; engine/ has no texts
        name = path.name
        for call in ast.walk(module):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr == "text"
                and call.args
            ):
                continue
            passed = {k.arg for k in call.keywords}
            if isinstance(call.args[0], ast.Constant):
                key = call.args[0].value
                assert passed == _text_placeholders(common[key]), f"{name}:{key}"
                filled.add(key)
            else:  # a key built from a name (state_..., component_..., on/off)
                assert passed == set(), f"{name}:{call.lineno}"
    assert {"alarm", "status", "arming"} <= filled
    # Keys only reached through built names are given nothing to fill in.
    for key in set(common) - filled:
        assert _text_placeholders(common[key]) == set(), key


def test_flow_entity_and_action_texts_have_no_placeholder_left_unfilled() -> None:
    """The flows pass no description_placeholders, entities and actions none."""
    given: set[str] = set()
    for name in FLOW_MODULES:
        for call in ast.walk(ast.parse((PACKAGE / f"{name}.py").read_text())):
            if isinstance(call, ast.Call):
                given |= _dict_keys(_keyword(call, "description_placeholders")) or set()
    for section in ("config", "options", "config_subentries"):
        assert _text_placeholders(*_leaves(STRINGS[section])) <= given, section
    fix_flows = [i["fix_flow"] for i in STRINGS["issues"].values() if "fix_flow" in i]
    assert _text_placeholders(*_leaves(fix_flows)) <= given
    for section in ("entity", "services", "selector"):
        assert _text_placeholders(*_leaves(STRINGS[section])) == set(), section


def _leaves(node: Any) -> list[Any]:
    if isinstance(node, dict):
        return [leaf for child in node.values() for leaf in _leaves(child)]
    if isinstance(node, list):
        return [leaf for child in node for leaf in _leaves(child)]
    return [node]


# -- the checker refuses what hassfest refuses --------------------------------


def _with(path: str, value: Any, *, delete: bool = False) -> dict[str, Any]:
    """A copy of our strings with one value changed (or a key removed)."""
    strings = copy.deepcopy(STRINGS)
    *parents, last = path.split(".")
    node = strings
    for key in parents:
        node = node.setdefault(key, {})
    if delete:
        del node[last]
    else:
        node[last] = value
    return strings


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("common.help", "Commands:\n/disarm <code>: disarm", "looks like HTML"),
        (
            "config_subentries.alert_target.step.mobile_app.data_description.service",
            "For example notify.mobile_app_<phone>.",
            "looks like HTML",
        ),
        ("config.step.user.description", "See https://example.com/help.", "a URL"),
        ("config.step.user.description", "Read www.example.org first.", "a URL"),
        ("exceptions.doors_open.message", "Doors '{doors}' are open.", "single quotes"),
        ("exceptions.doors_open.message", "Doors {0} are open.", "not an identifier"),
        ("exceptions.doors_open.message", "Doors {doors are open.", "braces"),
        ("config.step.user.title", " Set up RPi Security", "leading or trailing"),
        ("config.step.user.title", "[%key:common::name%] system", "reference"),
        ("entity.switch.automatic_arming.state", {"on": "On for {who}"}, "not allowed"),
        ("config.step.user.data_description.pin", "The pin.", "no such key in data"),
        ("selector.mode.options.Away", "Away", "not a valid translation key"),
        ("services.arm.fields.mode.example", 1, "not a string"),
        ("config.step.user.placeholder", "x", "not a key hassfest knows"),
        ("notifications", {"x": "y"}, "not a key hassfest knows"),
    ],
)
def test_the_checker_refuses(path: str, value: Any, problem: str) -> None:
    found = translation_problems(_with(path, value))
    section = path.split(".", maxsplit=1)[0]
    assert any(p.startswith(section) and problem in p for p in found), found


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("config_subentries.door.entry_type", "no entry_type"),
        ("config_subentries.door.initiate_flow.user", "no user"),
        ("services.arm.name", "no name"),
    ],
)
def test_the_checker_refuses_a_missing_key(path: str, problem: str) -> None:
    found = translation_problems(_with(path, None, delete=True))
    assert any(problem in p for p in found), found


def test_the_checker_refuses_a_bad_manifest() -> None:
    unsorted = {"name": MANIFEST["name"], **MANIFEST}
    assert "keys: domain, name, then alphabetical order" in manifest_problems(
        unsorted, PACKAGE.name
    )
    no_version = {k: v for k, v in MANIFEST.items() if k != "version"}
    assert "version: missing" in manifest_problems(no_version, PACKAGE.name)
    assert any(
        "requirements" in p
        for p in manifest_problems(
            {**MANIFEST, "requirements": ["Pillow>>12"]}, PACKAGE.name
        )
    )
    assert any(
        "not a key" in p
        for p in manifest_problems({**MANIFEST, "homeassistant": "2026.10.0"}, "x")
    )


def test_the_checker_refuses_bad_services_and_icons() -> None:
    services = copy.deepcopy(SERVICES)
    services["arm"]["fields"]["mode"]["selector"] = {"no_such_selector": {}}
    services["capture"]["fields"]["kind"]["label"] = "Kind"
    found = services_yaml_problems(services)
    assert any("arm.fields.mode.selector" in p for p in found), found
    assert any("capture.fields.kind.label" in p for p in found), found
    icons = copy.deepcopy(ICONS)
    icons["services"]["arm"]["service"] = "shield-lock"
    assert icon_problems(icons) == ["services.arm.service: not an mdi: icon"]
