"""Our own checks of what hassfest validates in a custom integration.

hassfest (Home Assistant core's ``script/hassfest``) is what HACS's review and
our users' CI run; it cannot run here. These functions check, in our own
words, the rules it applies to ``translations/en.json``, ``manifest.json``,
``services.yaml`` and ``icons.json`` (read from hassfest's ``translations.py``,
``manifest.py``, ``services.py`` and ``icons.py`` of Home Assistant 2026).
Where Home Assistant ships the validator itself (``string_with_no_html``, the
selector schemas, slugs), it is used as is. Each function returns a list of
problems, ``"path: what is wrong"``; empty means hassfest has nothing to say.
"""

from collections.abc import Iterator
import re
import string
from typing import Any

from awesomeversion import AwesomeVersion, AwesomeVersionStrategy
from homeassistant.helpers import config_validation as cv, selector
from packaging.requirements import InvalidRequirement, Requirement
import probatio

# Lowercase letters and digits, with single "-" or "_" between them.
TRANSLATION_KEY = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
# A scheme and host, or www. and host: hassfest wants links as placeholders.
URL = re.compile(
    r"(?:\b(?:https?|ftps?|scp|mqtts?|socks5|socket)://|\bwww\.)"
    r"[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}",
    re.IGNORECASE,
)
PLACEHOLDER_IN_QUOTES = re.compile(r"'\{\w+\}'")
REFERENCE = re.compile(r"\[%key:[^%\]]+%\]")

TOP_LEVEL_KEYS = {
    "application_credentials", "common", "conditions", "config", "config_panel",
    "config_subentries", "conversation", "device", "device_automation", "entity",
    "entity_component", "exceptions", "issues", "options", "preview_features",
    "selector", "services", "system_health", "title", "triggers",
}  # fmt: skip
FLOW_KEYS = {"abort", "create_entry", "error", "flow_title", "initiate_flow",
             "progress", "step"}  # fmt: skip
STEP_KEYS = {"data", "data_description", "description", "menu_option_descriptions",
             "menu_options", "sections", "submit", "title"}  # fmt: skip
SECTION_KEYS = {"data", "data_description", "description", "name"}
SELECTOR_KEYS = {"choices", "fields", "options", "unit_of_measurement"}
ENTITY_KEYS = {"name", "state", "state_attributes", "unit_of_measurement"}
SERVICE_KEYS = {"description", "fields", "name", "sections"}
SERVICE_FIELD_KEYS = {"description", "example", "name"}

# manifest.json of a custom integration (hassfest's custom schema).
MANIFEST_TYPES: dict[str, type | tuple[type, ...]] = {
    "after_dependencies": list, "bluetooth": list, "codeowners": list,
    "config_flow": bool, "dependencies": list, "dhcp": list, "disabled": str,
    "documentation": str, "domain": str, "homekit": dict, "import_executor": bool,
    "integration_type": str, "iot_class": str, "issue_tracker": str,
    "loggers": list, "mqtt": list, "name": str, "preview_features": dict,
    "quality_scale": str, "requirements": list, "single_config_entry": bool,
    "ssdp": list, "usb": list, "version": str, "zeroconf": list,
}  # fmt: skip
MANIFEST_REQUIRED = {"codeowners", "documentation", "domain", "name", "version"}
STRING_LISTS = {"after_dependencies", "codeowners", "dependencies", "loggers",
                "mqtt", "requirements"}  # fmt: skip
IOT_CLASSES = {"assumed_state", "calculated", "cloud_polling", "cloud_push",
               "local_polling", "local_push"}  # fmt: skip
INTEGRATION_TYPES = {"device", "entity", "hardware", "helper", "hub", "service",
                     "system"}  # fmt: skip
QUALITY_SCALES = {"bronze", "silver", "gold", "platinum", "custom", "no_score",
                  "internal", "legacy"}  # fmt: skip
CORE_DOCUMENTATION = "https://www.home-assistant.io/integrations"
VERSION_STRATEGIES = [
    AwesomeVersionStrategy.CALVER,
    AwesomeVersionStrategy.SEMVER,
    AwesomeVersionStrategy.SIMPLEVER,
    AwesomeVersionStrategy.BUILDVER,
    AwesomeVersionStrategy.PEP440,
]

# services.yaml of a custom integration (hassfest's custom schema).
SERVICE_YAML_KEYS = {"description", "fields", "name", "target"}
FIELD_YAML_KEYS = {"advanced", "default", "description", "example", "filter",
                   "name", "required", "selector"}  # fmt: skip
SECTION_YAML_KEYS = {"collapsed", "description", "fields", "name"}
ICON_TOP_LEVEL_KEYS = {"conditions", "config", "entity", "issues", "options",
                       "services", "triggers"}  # fmt: skip
ICON_ENTITY_KEYS = {"default", "range", "state", "state_attributes"}


def placeholders(value: str) -> list[str]:
    """The ``{name}`` fields of a string, as the frontend fills them."""
    return [name for _, name, _, _ in string.Formatter().parse(value) if name]


def value_problems(value: Any, *, placeholders_allowed: bool = True) -> list[str]:
    """What hassfest refuses in one translated string."""
    if not isinstance(value, str):
        return [f"a {type(value).__name__}, not a string"]
    problems = []
    try:
        cv.string_with_no_html(value)
    except probatio.Invalid:
        problems.append("looks like HTML (write CODE, not <code>)")
    if PLACEHOLDER_IN_QUOTES.search(value):
        problems.append("a placeholder in single quotes")
    try:
        names = placeholders(value)
    except ValueError as err:
        problems.append(f"braces that are not placeholders ({err})")
    else:
        problems.extend(
            f"placeholder {{{name}}} is not an identifier"
            for name in names
            if not name.isidentifier()
        )
        if names and not placeholders_allowed:
            problems.append("placeholders are not allowed here")
    if "[%key:" in value and not REFERENCE.fullmatch(value):
        problems.append("a reference combined with other text")
    if value != value.strip():
        problems.append("leading or trailing spaces")
    if URL.search(value):
        problems.append("a URL (pass it as a placeholder)")
    return problems


def _leaves(node: Any, path: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, child in node.items():
            yield from _leaves(child, f"{path}.{key}" if path else str(key))
    else:
        yield path, node


def _is_slug(key: str) -> bool:
    try:
        cv.slug(key)
    except probatio.Invalid:
        return False
    return True


class _Problems(list[str]):
    """Problems found so far, each with the path it was found at."""

    def unknown_keys(self, path: str, node: Any, allowed: set[str]) -> None:
        if not isinstance(node, dict):
            self.append(f"{path}: not a mapping")
            return
        self.extend(
            f"{path}.{key}: not a key hassfest knows here"
            for key in node
            if key not in allowed
        )

    def keys_are(self, path: str, node: dict[str, Any], kind: str) -> None:
        for key in node:
            valid = (
                _is_slug(key) or key == "_"
                if kind == "slug"
                else bool(TRANSLATION_KEY.fullmatch(key))
            )
            if not valid:
                self.append(f"{path}.{key}: not a valid {kind} key")

    def no_placeholders(self, path: str, node: Any) -> None:
        for leaf_path, value in _leaves(node, path):
            if isinstance(value, str) and placeholders_or_none(value):
                self.append(f"{leaf_path}: placeholders are not allowed here")


def placeholders_or_none(value: str) -> list[str]:
    """Placeholders of a string; none when its braces do not parse."""
    try:
        return placeholders(value)
    except ValueError:
        return []


def _flow(problems: _Problems, path: str, flow: Any, *, subentry: bool) -> None:
    problems.unknown_keys(
        path, flow, FLOW_KEYS | ({"entry_type"} if subentry else set())
    )
    if not isinstance(flow, dict):
        return
    if "step" not in flow:
        problems.append(f"{path}: no step")
    initiate = flow.get("initiate_flow", {})
    if subentry:
        for needed in ("entry_type", "initiate_flow"):
            if needed not in flow:
                problems.append(f"{path}: no {needed}")
        if "user" not in initiate:
            problems.append(f"{path}.initiate_flow: no user")
    else:
        problems.unknown_keys(f"{path}.initiate_flow", initiate, {"user"})
    for step_id, step in flow.get("step", {}).items():
        where = f"{path}.step.{step_id}"
        problems.unknown_keys(where, step, STEP_KEYS)
        if not isinstance(step, dict):
            continue
        _data_descriptions(problems, where, step)
        for name, section in step.get("sections", {}).items():
            problems.unknown_keys(f"{where}.sections.{name}", section, SECTION_KEYS)
            _data_descriptions(problems, f"{where}.sections.{name}", section)


def _data_descriptions(problems: _Problems, path: str, step: dict[str, Any]) -> None:
    data = step.get("data", {})
    problems.extend(
        f"{path}.data_description.{key}: no such key in data"
        for key in step.get("data_description", {})
        if key not in data
    )


def translation_problems(strings: dict[str, Any]) -> list[str]:
    """What hassfest says about a translations/en.json."""
    problems = _Problems()
    problems.unknown_keys("", strings, TOP_LEVEL_KEYS)
    problems[:] = [p.removeprefix(".") for p in problems]
    for path, value in _leaves(strings, ""):
        problems.extend(f"{path}: {problem}" for problem in value_problems(value))
    for section in ("config", "options"):
        if section in strings:
            _flow(problems, section, strings[section], subentry=False)
    subentries = strings.get("config_subentries", {})
    problems.keys_are("config_subentries", subentries, "slug")
    for kind, flow in subentries.items():
        _flow(problems, f"config_subentries.{kind}", flow, subentry=True)
    _selectors(problems, strings.get("selector", {}))
    _entities(problems, strings.get("entity", {}))
    exceptions = strings.get("exceptions", {})
    problems.keys_are("exceptions", exceptions, "slug")
    for key, spec in exceptions.items():
        problems.unknown_keys(f"exceptions.{key}", spec, {"message"})
    _issues(problems, strings.get("issues", {}))
    _services(problems, strings.get("services", {}))
    problems.keys_are("common", strings.get("common", {}), "slug")
    problems.keys_are("device", strings.get("device", {}), "translation")
    return list(problems)


def _selectors(problems: _Problems, selectors: dict[str, Any]) -> None:
    problems.keys_are("selector", selectors, "slug")
    for name, spec in selectors.items():
        problems.unknown_keys(f"selector.{name}", spec, SELECTOR_KEYS)
        for part in SELECTOR_KEYS & set(spec if isinstance(spec, dict) else ()):
            problems.keys_are(f"selector.{name}.{part}", spec[part], "translation")


def _entities(problems: _Problems, entities: dict[str, Any]) -> None:
    """Entity names may take placeholders; states and attributes may not."""
    problems.keys_are("entity", entities, "slug")
    for platform, keys in entities.items():
        problems.keys_are(f"entity.{platform}", keys, "translation")
        for key, spec in keys.items():
            where = f"entity.{platform}.{key}"
            problems.unknown_keys(where, spec, ENTITY_KEYS)
            if not isinstance(spec, dict):
                continue
            problems.keys_are(f"{where}.state", spec.get("state", {}), "translation")
            for part in ("state", "unit_of_measurement", "state_attributes"):
                problems.no_placeholders(f"{where}.{part}", spec.get(part, {}))
            attributes = spec.get("state_attributes", {})
            problems.keys_are(f"{where}.state_attributes", attributes, "translation")
            for attribute, texts in attributes.items():
                at = f"{where}.state_attributes.{attribute}"
                problems.unknown_keys(at, texts, {"name", "state"})


def _issues(problems: _Problems, issues: dict[str, Any]) -> None:
    for issue_id, issue in issues.items():
        where = f"issues.{issue_id}"
        problems.unknown_keys(where, issue, {"title", "description", "fix_flow"})
        if not isinstance(issue, dict):
            continue
        if "title" not in issue:
            problems.append(f"{where}: no title")
        if "description" in issue and "fix_flow" in issue:
            problems.append(f"{where}: a description or a fix_flow, not both")
        if "fix_flow" in issue:
            _flow(problems, f"{where}.fix_flow", issue["fix_flow"], subentry=False)


def _services(problems: _Problems, services: dict[str, Any]) -> None:
    problems.keys_are("services", services, "translation")
    for service, spec in services.items():
        where = f"services.{service}"
        problems.unknown_keys(where, spec, SERVICE_KEYS)
        if not isinstance(spec, dict):
            continue
        problems.extend(
            f"{where}: no {needed}"
            for needed in ("name", "description")
            if needed not in spec
        )
        fields = spec.get("fields", {})
        problems.keys_are(f"{where}.fields", fields, "translation")
        for field, texts in fields.items():
            problems.unknown_keys(f"{where}.fields.{field}", texts, SERVICE_FIELD_KEYS)
            problems.extend(
                f"{where}.fields.{field}: no {needed}"
                for needed in ("name", "description")
                if isinstance(texts, dict) and needed not in texts
            )


def manifest_problems(manifest: dict[str, Any], folder_name: str) -> list[str]:
    """What hassfest says about a custom integration's manifest.json."""
    problems = _manifest_types(manifest)
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        problems.append("keys: domain, name, then alphabetical order")
    if manifest.get("domain") != folder_name:
        problems.append(f"domain: not the folder's name {folder_name}")
    documentation = str(manifest.get("documentation", ""))
    if not documentation.startswith("https://") or documentation.startswith(
        CORE_DOCUMENTATION
    ):
        problems.append("documentation: an https URL of our own documentation")
    if not str(manifest.get("issue_tracker", "https://")).startswith(
        ("https://", "http://")
    ):
        problems.append("issue_tracker: not a URL")
    problems.extend(_manifest_values(manifest))
    return problems


def _manifest_values(manifest: dict[str, Any]) -> list[str]:
    """Values from a closed set, the version, the requirements."""
    problems = []
    if manifest.get("iot_class") not in IOT_CLASSES:
        problems.append("iot_class: missing or unknown")
    if manifest.get("integration_type", "hub") not in INTEGRATION_TYPES:
        problems.append("integration_type: unknown")
    if manifest.get("quality_scale", "custom") not in QUALITY_SCALES:
        problems.append("quality_scale: unknown")
    try:
        AwesomeVersion(str(manifest.get("version")), ensure_strategy=VERSION_STRATEGIES)
    except Exception:  # any refusal means an invalid version
        problems.append(f"version: {manifest.get('version')!r} is not a version")
    for requirement in manifest.get("requirements", []):
        try:
            Requirement(requirement)
        except InvalidRequirement:
            problems.append(f"requirements: {requirement!r} does not parse")
    return problems


def _manifest_types(manifest: dict[str, Any]) -> list[str]:
    """Known keys, required keys, and the type of each value."""
    problems = [
        f"{key}: not a key of a custom integration's manifest"
        for key in manifest
        if key not in MANIFEST_TYPES
    ]
    problems.extend(
        f"{key}: missing" for key in sorted(MANIFEST_REQUIRED) if key not in manifest
    )
    for key, value in manifest.items():
        wanted = MANIFEST_TYPES.get(key)
        if wanted is not None and not isinstance(value, wanted):
            problems.append(f"{key}: should be a {wanted}")
        elif key in STRING_LISTS and not all(isinstance(v, str) for v in value):
            problems.append(f"{key}: should hold strings only")
    return problems


def services_yaml_problems(services: dict[str, Any]) -> list[str]:
    """What hassfest says about a custom integration's services.yaml."""
    problems: list[str] = []
    for service, spec in services.items():
        if not _is_slug(service):
            problems.append(f"{service}: not a slug")
        if spec is None:
            continue
        problems.extend(
            f"{service}.{key}: not a key of a service"
            for key in spec
            if key not in SERVICE_YAML_KEYS
        )
        if "target" in spec and spec["target"] is not None:
            try:
                selector.TargetSelector.CONFIG_SCHEMA(spec["target"])
            except probatio.Invalid as err:
                problems.append(f"{service}.target: {err}")
        fields = dict(spec.get("fields") or {})
        for name, section in list(fields.items()):
            if isinstance(section, dict) and "fields" in section:  # a section
                problems.extend(
                    f"{service}.fields.{name}.{key}: not a key of a section"
                    for key in section
                    if key not in SECTION_YAML_KEYS
                )
                del fields[name]
                fields.update(section["fields"])
        for field, field_spec in fields.items():
            where = f"{service}.fields.{field}"
            problems.extend(
                f"{where}.{key}: not a key of a field"
                for key in field_spec
                if key not in FIELD_YAML_KEYS
            )
            if "filter" in field_spec and "target" not in spec:
                problems.append(f"{where}.filter: only for services with a target")
            if "selector" in field_spec:
                try:
                    selector.validate_selector(field_spec["selector"])
                except probatio.Invalid as err:
                    problems.append(f"{where}.selector: {err}")
    return problems


def icon_problems(icons: dict[str, Any]) -> list[str]:
    """What hassfest says about icons.json (integration type hub)."""
    problems = _Problems()
    problems.unknown_keys("", icons, ICON_TOP_LEVEL_KEYS)
    problems[:] = [p.removeprefix(".") for p in problems]
    for path, value in _leaves(icons, ""):
        if not isinstance(value, str) or not value.startswith("mdi:"):
            problems.append(f"{path}: not an mdi: icon")
    services = icons.get("services", {})
    problems.keys_are("services", services, "translation")
    for service, spec in services.items():
        problems.unknown_keys(f"services.{service}", spec, {"service", "sections"})
    for platform, keys in icons.get("entity", {}).items():
        problems.keys_are(f"entity.{platform}", keys, "translation")
        for key, spec in keys.items():
            where = f"entity.{platform}.{key}"
            problems.unknown_keys(where, spec, ICON_ENTITY_KEYS)
            if not isinstance(spec, dict):
                continue
            problems.keys_are(f"{where}.state", spec.get("state", {}), "translation")
    return list(problems)
