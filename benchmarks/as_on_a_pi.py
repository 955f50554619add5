"""Run Home Assistant as on a Raspberry Pi, on a machine that is not one.

``python benchmarks/as_on_a_pi.py --config DIR`` starts Home Assistant (its
own command line) with the two libraries that exist only on a Pi in place:
``gpiod`` is the stand-in of tests/ on a simulated Pi 4 kernel (doors shut:
their lines held low; the PIR quiet), ``picamera2`` the stand-in camera of
tests/. Each is loaded only when something imports it, as the real package
would be, so a Home Assistant without RPi Security runs exactly as
``python -m homeassistant`` does. Everything else is real: the integration's
code in real-hardware mode, sockets, the network.

The chips' device files live in a temporary folder, which the integration is
pointed at (``gpiod_pins.DEVICE_DIR``) as its module is loaded. At exit, the
top-level packages the process had loaded are written to
``loaded-packages.json`` in the working folder.
"""

import atexit
from collections.abc import Sequence
import importlib.abc
import importlib.machinery
import importlib.util
import json
from pathlib import Path
import sys
import tempfile
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GPIOD_PINS = "custom_components.rpi_security.hardware.gpiod_pins"
# The doors' pins (held low: shut, normally-closed contacts with pull-ups).
DOOR_PINS = (17, 27)
HEADER_CHIP = "gpiochip0"


def _tests_module(name: str) -> ModuleType:
    """A module of tests/, without putting the repository on ``sys.path``.

    On the path, the repository's ``custom_components`` would hide the one in
    Home Assistant's config folder (which may be another version).
    """
    if "tests" not in sys.modules:
        spec = importlib.util.spec_from_file_location(
            "tests",
            ROOT / "tests" / "__init__.py",
            submodule_search_locations=[str(ROOT / "tests")],
        )
        assert spec is not None
        assert spec.loader is not None
        package = importlib.util.module_from_spec(spec)
        sys.modules["tests"] = package
        spec.loader.exec_module(package)
    return importlib.import_module(f"tests.{name}")


class _Ready(importlib.abc.Loader):
    """Loads a module that already exists."""

    def __init__(self, module: ModuleType) -> None:
        self._module = module

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        return self._module

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the module is complete."""


class PiLibraries(importlib.abc.MetaPathFinder):
    """Finds ``gpiod`` and ``picamera2`` (stand-ins) when they are first imported."""

    def __init__(self) -> None:
        """The simulated chips get a folder of their own."""
        self.device_dir = Path(tempfile.mkdtemp(prefix="rpi-security-gpio-"))

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        """Our stand-ins; the integration's gpiod_pins pointed at their chips."""
        if fullname == "gpiod":
            return importlib.util.spec_from_loader(fullname, _Ready(self._gpiod()))
        if fullname == "picamera2":
            module = _tests_module("picamera2_stand_in")
            return importlib.util.spec_from_loader(fullname, _Ready(module))
        if fullname == GPIOD_PINS:
            return self._pointed_at_chips(fullname, path)
        return None

    def _gpiod(self) -> ModuleType:
        stand_in = _tests_module("gpiod_stand_in")
        kernel = _tests_module("gpiod_kernel")
        machine = kernel.Machine(self.device_dir, kernel.pi4_chips())
        for pin in DOOR_PINS:
            machine.drive(HEADER_CHIP, pin, False)  # the contact is closed
        stand_in.install(machine)
        modules: dict[str, ModuleType] = stand_in.modules()
        for name, module in modules.items():
            if name != "gpiod":
                sys.modules[name] = module
        return modules["gpiod"]

    def _pointed_at_chips(
        self, fullname: str, path: Sequence[str] | None
    ) -> importlib.machinery.ModuleSpec | None:
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or spec.loader is None:
            return spec
        loader: Any = spec.loader
        run = loader.exec_module
        device_dir = self.device_dir

        def exec_module(module: ModuleType) -> None:
            run(module)
            module.DEVICE_DIR = device_dir

        loader.exec_module = exec_module
        return spec


def _write_loaded_packages() -> None:
    names = sorted({name.partition(".")[0] for name in list(sys.modules)})
    Path("loaded-packages.json").write_text(json.dumps(names))


def main() -> int:
    """Home Assistant's own main, with the Pi's libraries findable."""
    sys.meta_path.insert(0, PiLibraries())
    atexit.register(_write_loaded_packages)
    from homeassistant.__main__ import main as home_assistant  # noqa: PLC0415

    sys.argv[0] = "hass"
    return home_assistant()


if __name__ == "__main__":
    sys.exit(main())
