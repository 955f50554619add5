"""The manifest's requirements install beside Home Assistant's own pins.

Home Assistant installs an integration's requirements under its
``package_constraints.txt``; an exact pin of a package Home Assistant also
pins breaks the install on the release that moves it (Pillow 12 → 13 did).
scripts/compat checks the newest release on the registry; these tests check
the installed one, and that the test pins sit inside the manifest's bounds.
"""

import json
from pathlib import Path

import homeassistant
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).parent.parent
MANIFEST = json.loads(
    (ROOT / "custom_components" / "rpi_security" / "manifest.json").read_text()
)
HA_PACKAGE = Path(homeassistant.__file__).parent


def _requirements(lines: list[str]) -> list[Requirement]:
    return [
        Requirement(line.split("#")[0].strip())
        for line in lines
        if line.split("#")[0].strip() and not line.startswith("-")
    ]


def _ours() -> dict[str, Requirement]:
    return {
        canonicalize_name(req.name): req
        for req in _requirements(MANIFEST["requirements"])
    }


def _ha_constraints() -> dict[str, Requirement]:
    lines = (HA_PACKAGE / "package_constraints.txt").read_text().splitlines()
    return {canonicalize_name(req.name): req for req in _requirements(lines)}


def _ha_manifest_pins() -> dict[str, set[str]]:
    """Packages that Home Assistant's own integrations require, and which ones."""
    pins: dict[str, set[str]] = {}
    for manifest in (HA_PACKAGE / "components").glob("*/manifest.json"):
        data = json.loads(manifest.read_text())
        for req in _requirements(data.get("requirements", [])):
            pins.setdefault(canonicalize_name(req.name), set()).add(data["domain"])
    return pins


def _is_exact(req: Requirement) -> bool:
    return any(spec.operator in ("==", "===", "~=") for spec in req.specifier)


def test_no_exact_pin_of_what_home_assistant_pins() -> None:
    constraints = _ha_constraints()
    pinned_by_ha = set(constraints) | set(_ha_manifest_pins())
    assert "pillow" in pinned_by_ha  # the scan finds what it should
    exact = {
        name: str(req)
        for name, req in _ours().items()
        if name in pinned_by_ha and _is_exact(req)
    }
    assert exact == {}


def test_home_assistant_constraints_satisfy_the_manifest() -> None:
    """Every version Home Assistant's constraints pin is one we accept."""
    constraints = _ha_constraints()
    for name, req in _ours().items():
        constraint = constraints.get(name)
        if constraint is None:
            continue
        pinned = [s.version for s in constraint.specifier if s.operator == "=="]
        for version in pinned:
            assert req.specifier.contains(version, prereleases=True), (
                f"Home Assistant pins {constraint}, the manifest asks {req}"
            )


def test_test_pins_sit_inside_the_manifest_bounds() -> None:
    lines = (ROOT / "requirements_test.txt").read_text().splitlines()
    tested = {
        canonicalize_name(req.name): req
        for req in _requirements(lines)
        if canonicalize_name(req.name) in _ours()
    }
    assert set(tested) == set(_ours())  # every requirement is tested at a version
    for name, req in tested.items():
        version = next(iter(req.specifier)).version
        assert _ours()[name].specifier.contains(version, prereleases=True), name
