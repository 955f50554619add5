"""Check that RPi Security installs and runs on real Home Assistant releases.

For the newest ``homeassistant`` release on the package registry and the
minimum that hacs.json claims (or the versions given as arguments), each in a
fresh venv:

1. install the release, then the manifest's requirements with the release's
   own requirements manager: uv under its ``package_constraints.txt``, what
   Home Assistant does when it loads the integration;
2. check that every requirement, with its dependencies, has a wheel for
   CPython 3.14 on musllinux aarch64 (Home Assistant OS on a Raspberry Pi);
3. start that release's hass on a fresh config folder, set up RPi Security in
   simulation mode through the config flows over HTTP, arm it, open a
   simulated door and wait for ``triggered``; stop hass and read its log for
   errors, deprecations and blocking calls.

It prints the versions it ran against and the time of each step, and exits
non-zero with one line per failure. The pytest harness lags behind releases;
this check does not use it. Run it with any Python 3.14 (``scripts/compat``);
it needs the package registry and nothing else. Its cache (uv's and pip's
downloads, its own tools) is $RPI_SECURITY_COMPAT_CACHE, else
~/.cache/rpi-security-compat: a second run downloads nothing.
"""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
import fcntl
from functools import partial
import json
import os
from pathlib import Path
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import IO, Any
import urllib.request

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
PACKAGE = ROOT / "custom_components" / "rpi_security"
MANIFEST = PACKAGE / "manifest.json"
TOOLS_REQUIREMENTS = ROOT / "requirements_compat.txt"
FINAL_RELEASE = re.compile(r"\d+(?:\.\d+)*")
RELEASE_FILE = re.compile(
    r"homeassistant-(?P<version>.+?)(?:-py3-none-any\.whl|\.tar\.gz)"
)
# Home Assistant OS on a Pi: Alpine (musl 1.2) on aarch64, CPython 3.14.
HAOS_WHEEL_TAGS = [
    "--platform", "musllinux_1_2_aarch64",
    "--platform", "musllinux_1_1_aarch64",
    "--python-version", "3.14",
    "--implementation", "cp",
    "--abi", "cp314",
]  # fmt: skip
HASS_TIMEOUT = 900  # a first start also installs what Home Assistant itself needs
STOP_TIMEOUT = 90
KEEP_FAILED_RUNS = 24 * 3600  # seconds
CONFIGURATION = """\
# Written by scripts/compat: the least Home Assistant needs for the check.
homeassistant:
  name: RPi Security compat
  unit_system: metric
  time_zone: UTC
  country: GB
logger:
  default: warning
  logs:
    homeassistant.bootstrap: info
    homeassistant.util.package: info
"""
LOG_RECORD = re.compile(
    r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\S* (?P<level>[A-Z]+) "
    r"\((?P<thread>[^)]*)\) \[(?P<logger>[^\]]+)\] "
)
# What a log record about RPi Security must not say.
OURS = ("rpi_security",)
WARNING_SIGNS = (
    "deprecat",
    "detected blocking call",
    "detected that custom integration",
)


class StepError(Exception):
    """A step failed; the message is its one-line reason."""


@dataclass
class Release:
    """One Home Assistant release under check, and what went wrong."""

    version: str
    why: str
    failures: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # its report, printed when done


def _environment(cache: Path) -> dict[str, str]:
    """Downloads go through the caches; wheels come from the registry only."""
    env = dict(os.environ)
    for local_source in ("PIP_FIND_LINKS", "PIP_NO_INDEX", "UV_FIND_LINKS"):
        env.pop(local_source, None)
    env["UV_CACHE_DIR"] = str(cache / "uv")
    env["PIP_CACHE_DIR"] = str(cache / "pip")
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


ENV: dict[str, str] = {}


def attempt(release: Release, title: str, action: Callable[[list[str]], None]) -> bool:
    """Run and time one step; print its line and details; record a failure."""
    started = time.monotonic()
    details: list[str] = []
    try:
        action(details)
    except StepError as failure:
        release.failures.append(str(failure))
        return False
    except Exception as error:  # anything else: the step failed, say how
        release.failures.append(f"{title}: {type(error).__name__}: {error}")
        return False
    finally:
        release.lines.append(f"  {title:<66} {time.monotonic() - started:6.1f} s")
        release.lines.extend(f"      {line}" for line in details)
    return True


def run(*args: str | Path, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    """Run a command with the check's environment, capturing its output."""
    return subprocess.run(  # noqa: S603 (our own tools, arguments we build)
        [str(arg) for arg in args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
        check=False,
    )


def last_line(text: str) -> str:
    """A command's last words: the line that usually says why it failed."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def release_key(version: str) -> tuple[int, ...]:
    """Sort key of a final release such as 2026.11.0."""
    return tuple(int(part) for part in version.split("."))


def registry_index() -> str:
    """The package index uv and pip are set to use, else PyPI."""
    for name in ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL"):
        if os.environ.get(name):
            return os.environ[name].rstrip("/")
    return "https://pypi.org/simple"


def releases_on_registry() -> list[str]:
    """Final releases of homeassistant with a file not yanked, oldest first."""
    request = urllib.request.Request(  # noqa: S310 (the registry's own URL)
        f"{registry_index()}/homeassistant/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json, text/html;q=0.1"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        body = response.read()
        content_type = response.headers.get_content_type()
    return release_versions(body, content_type)


def release_versions(body: bytes, content_type: str) -> list[str]:
    """Final releases in a simple-index page (JSON or HTML), oldest first."""
    if content_type.endswith("json"):  # PEP 691
        files = [
            (file["filename"], bool(file.get("yanked")))
            for file in json.loads(body)["files"]
        ]
    else:  # PEP 503
        files = [
            (match["name"], "data-yanked" in match["attrs"])
            for match in re.finditer(
                r"<a (?P<attrs>[^>]*)>(?P<name>[^<]+)</a>", body.decode()
            )
        ]
    versions = {
        match["version"]
        for name, yanked in files
        if not yanked and (match := RELEASE_FILE.fullmatch(name))
        if FINAL_RELEASE.fullmatch(match["version"])
    }
    return sorted(versions, key=release_key)


def tools(cache: Path) -> Path:
    """A venv with uv and pip, made once and kept while its pins hold."""
    venv = cache / "tools"
    wanted = TOOLS_REQUIREMENTS.read_text()
    stamp = venv / TOOLS_REQUIREMENTS.name
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / "tools.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another run may be making it
        if not (stamp.is_file() and stamp.read_text() == wanted):
            shutil.rmtree(venv, ignore_errors=True)
            for command in (
                (sys.executable, "-m", "venv", venv),
                (venv / "bin" / "python", "-m", "pip", "install", "--quiet",
                 "-r", TOOLS_REQUIREMENTS),
            ):  # fmt: skip
                result = run(*command)
                if result.returncode:
                    raise SystemExit(f"compat: tools venv: {last_line(result.stderr)}")
            stamp.write_text(wanted)
    return venv / "bin"


def install_home_assistant(
    bins: Path, work: Path, version: str, details: list[str]
) -> None:
    """A fresh venv (work/venv) holding only that release."""
    venv = work / "venv"
    made = run(bins / "uv", "venv", "--quiet", "--python", sys.executable, venv)
    if made.returncode:
        raise StepError(f"venv: {last_line(made.stderr)}")
    python = venv / "bin" / "python"
    installed = run(
        bins / "uv", "pip", "install", "--quiet", "--python", python,
        f"homeassistant=={version}",
    )  # fmt: skip
    if installed.returncode:
        raise StepError(
            f"homeassistant=={version} does not install: {last_line(installed.stderr)}"
        )
    details.append(f"Python {sys.version.split()[0]}, homeassistant {version}")


def install_requirements(python: Path, version: str, details: list[str]) -> None:
    """The manifest's requirements, installed by the release's own code."""
    result = run(python, SCRIPTS / "compat_hass.py", "requirements", MANIFEST)
    if result.returncode:
        raise StepError(f"requirements: {last_line(result.stderr)}")
    outcome = json.loads(last_line(result.stdout))
    for item in outcome["installed"]:
        deps = f" (with {', '.join(item['deps'])})" if item["deps"] else ""
        details.append(f"{item['requirement']:<18} -> {item['version']}{deps}")
    details.extend(
        f"{requirement:<18} -> NOT INSTALLED" for requirement in outcome["failed"]
    )
    if outcome["failed"]:
        raise StepError(
            "; ".join(
                f"{requirement} does not install under Home Assistant {version}'s"
                f" package_constraints.txt: {reason}"
                for requirement, reason in outcome["failed"].items()
            )
        )


def check_wheels(bins: Path, work: Path, constraints: Path, details: list[str]) -> None:
    """Every requirement, with its dependencies, as wheels for HA OS on a Pi."""
    requirements: list[str] = json.loads(MANIFEST.read_text())["requirements"]
    wheels = work / "wheels"
    problems: list[str] = []
    for requirement in requirements:
        result = run(
            bins / "python", "-m", "pip", "download", "--quiet", "--no-input",
            "--only-binary=:all:", *HAOS_WHEEL_TAGS, "--constraint", constraints,
            "--dest", wheels, requirement,
        )  # fmt: skip
        if not result.returncode:
            continue
        missing = re.search(
            r"Could not find a version that satisfies the requirement (\S+)",
            result.stderr,
        )
        if missing:
            problems.append(
                f"{missing[1]} has no wheel for CPython 3.14 on musllinux aarch64"
                f" (Home Assistant OS on a Pi), needed by {requirement}"
            )
        elif "ResolutionImpossible" in result.stderr:
            problems.append(
                f"{requirement}: no set of wheels fits the release's constraints"
            )
        else:
            problems.append(f"{requirement}: {last_line(result.stderr)}")
    built = sorted(p.name for p in wheels.glob("*.whl") if "musllinux" in p.name)
    pure = sorted(p.name for p in wheels.glob("*.whl") if "musllinux" not in p.name)
    if built:
        details.append("platform wheels: " + ", ".join(built))
    if pure:
        details.append("pure Python: " + ", ".join(pure))
    if problems:
        raise StepError("wheels: " + "; ".join(problems))


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def fresh_config(work: Path) -> Path:
    """A config folder with a copy of the integration and a login."""
    config = work / "config"
    shutil.copytree(
        PACKAGE,
        config / "custom_components" / "rpi_security",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    (config / "configuration.yaml").write_text(CONFIGURATION)
    return config


def stop(hass: subprocess.Popen[bytes]) -> str | None:
    """Stop hass as a service manager does (SIGTERM); what went wrong."""
    if (code := hass.poll()) is not None:
        return f"hass exited by itself with code {code}"
    hass.send_signal(signal.SIGTERM)
    try:
        code = hass.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(hass.pid, signal.SIGKILL)
        hass.wait()
        return f"hass did not stop within {STOP_TIMEOUT} s of SIGTERM"
    return None if code == 0 else f"hass exited with code {code} on SIGTERM"


def log_records(text: str) -> list[tuple[str, str, str]]:
    """(level, logger, message with its continuation lines) per record."""
    records: list[tuple[str, str, str]] = []
    for line in text.splitlines():
        if match := LOG_RECORD.match(line):
            records.append((match["level"], match["logger"], line[match.end() :]))
        elif records:
            level, logger, message = records[-1]
            records[-1] = (level, logger, f"{message}\n{line}")
    return records


def log_problems(log: str, output: str) -> list[str]:
    """Errors, deprecations or blocking calls of ours in hass's log.

    Errors of other integrations (a cloud service out of reach offline, say)
    are :func:`log_notes`: printed, never a failure of ours.
    """
    problems = []
    for level, logger, message in log_records(log):
        first = message.splitlines()[0][:300]
        ours = logger.startswith("custom_components.rpi_security") or any(
            name in message for name in OURS
        )
        ours_and_wrong = ours and (
            logger == "py.warnings"
            or any(sign in message.lower() for sign in WARNING_SIGNS)
        )
        if (ours and level in ("ERROR", "CRITICAL")) or ours_and_wrong:
            problems.append(f"log {level} [{logger}] {first}")
    # Warnings printed before hass's logging took over go to its stderr.
    problems.extend(
        f"stderr: {line.strip()[:300]}"
        for line in output.splitlines()
        if "custom_components/rpi_security" in line and "Warning" in line
    )
    return problems


def log_notes(log: str) -> list[str]:
    """Errors in hass's log that are not ours: worth a look, not a failure."""
    return [
        f"note: log {level} [{logger}] {message.splitlines()[0][:300]}"
        for level, logger, message in log_records(log)
        if level in ("ERROR", "CRITICAL")
        and not logger.startswith("custom_components.rpi_security")
        and not any(name in message for name in OURS)
    ]


def run_hass(python: Path, work: Path, details: list[str]) -> None:
    """Start hass, drive RPi Security over HTTP, stop hass, read its log."""
    config = fresh_config(work)
    port = free_port()
    started = time.monotonic()
    prepared = run(python, SCRIPTS / "develop_setup.py", "prepare", config, str(port))
    if prepared.returncode:
        raise StepError(
            f"hass: preparing the config folder: {last_line(prepared.stderr)}"
        )
    details.append(
        f"config folder, login (develop_setup.py prepare): "
        f"{time.monotonic() - started:.1f} s"
    )
    output = work / "hass.out"
    driven_output = work / "drive.out"
    failures: list[str] = []
    seen: dict[str, Any] = {}
    with output.open("wb") as hass_out, driven_output.open("wb") as drive_out:
        hass = subprocess.Popen(  # noqa: S603 (the release's own hass)
            [str(python), "-m", "homeassistant", "--config", str(config)],
            stdout=hass_out,
            stderr=subprocess.STDOUT,
            env={**ENV, "PYTHONWARNINGS": "default::DeprecationWarning"},
            start_new_session=True,
        )
        try:
            drive = subprocess.Popen(  # noqa: S603 (our own script)
                [
                    str(python),
                    str(SCRIPTS / "compat_hass.py"),
                    "drive",
                    f"http://127.0.0.1:{port}",
                ],
                stdout=drive_out,
                stderr=subprocess.STDOUT,
                env=ENV,
            )
            deadline = time.monotonic() + HASS_TIMEOUT
            while drive.poll() is None:
                if hass.poll() is not None or time.monotonic() > deadline:
                    drive.kill()
                    drive.wait()
                    failures.append(
                        f"hass exited early with code {hass.returncode}"
                        if hass.returncode is not None
                        else f"hass: not done within {HASS_TIMEOUT} s"
                    )
                    break
                time.sleep(0.5)
            else:
                text = driven_output.read_text()
                if drive.returncode:
                    failures.append(f"hass: {last_line(text)}")
                else:
                    seen = json.loads(last_line(text))
        finally:
            stopping = time.monotonic()
            if stopped := stop(hass):
                failures.append(stopped)
            details.append(f"hass stopped: {time.monotonic() - stopping:.1f} s")
    log = config / "home-assistant.log"
    log_text = log.read_text() if log.is_file() else ""
    failures += log_problems(log_text, output.read_text(errors="replace"))
    details += log_notes(log_text)
    if seen:
        timeline = (
            f"hass {seen['home_assistant']} running: {seen['running_after']:.1f} s;"
            f" entry {seen['entry']} through the flows: {seen['set_up_after']:.1f} s;"
            f" armed_away -> {seen['after_door']}: {seen['triggered_after']:.1f} s"
        )
        entities = ", ".join(f"{e} ({s})" for e, s in seen["entities"].items())
        details[1:1] = [timeline, f"entities: {entities}"]
    if failures:
        raise StepError("; ".join(failures))


def check_release(bins: Path, cache: Path, release: Release) -> Release:
    """Run every step against one release; collect its failures."""
    version = release.version
    release.lines.append(f"== Home Assistant {version} ({release.why})")
    work = Path(tempfile.mkdtemp(prefix=f"{version}-", dir=cache / "runs"))
    python = work / "venv" / "bin" / "python"
    if attempt(
        release,
        "fresh venv + homeassistant",
        partial(install_home_assistant, bins, work, version),
    ):
        constraints = next(
            (work / "venv").glob("lib/python3*/site-packages/homeassistant/"
                                 "package_constraints.txt")
        )  # fmt: skip
        installed = attempt(
            release,
            "requirements (HA's own installer, its package_constraints.txt)",
            partial(install_requirements, python, version),
        )
        attempt(
            release,
            "wheels: cp314 musllinux_1_2_aarch64 (Home Assistant OS on a Pi)",
            partial(check_wheels, bins, work, constraints),
        )
        if installed:
            attempt(
                release,
                "hass: config flows, arm away, door -> triggered, clean stop",
                partial(run_hass, python, work),
            )
        else:
            release.lines.append(
                "  hass: not started, the requirements did not install"
            )
    if release.failures or os.environ.get("RPI_SECURITY_COMPAT_KEEP"):
        release.lines.append(f"      kept for a look: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return release


def prune_cache(bins: Path, in_use: IO[str]) -> None:
    """Drop what no run can reach any more, unless another check is running.

    Home Assistant installs with ``--upgrade``: where the registry sends no
    cache validators, uv fetches and unpacks those packages again on every
    run, and the old copies would pile up.
    """
    try:
        fcntl.flock(in_use, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return
    started = time.monotonic()
    run(bins / "uv", "cache", "prune", "--quiet")
    print(f"compat: uv cache pruned ({time.monotonic() - started:.1f} s)", flush=True)


def main() -> int:
    """Check the releases; one line per failure, non-zero when any failed."""
    if any(arg.startswith("-") for arg in sys.argv[1:]):
        print(f"usage: scripts/compat [VERSION ...]\n{__doc__}")
        return 2
    if sys.version_info[:2] != (3, 14):
        raise SystemExit("compat: run it with Python 3.14 (scripts/compat)")
    started = time.monotonic()
    cache = Path(
        os.environ.get("RPI_SECURITY_COMPAT_CACHE")
        or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        / "rpi-security-compat"
    )
    ENV.update(_environment(cache))
    bins = tools(cache)
    runs = cache / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    for old_run in runs.iterdir():  # kept after failing, for a day
        if time.time() - old_run.stat().st_mtime > KEEP_FAILED_RUNS:
            shutil.rmtree(old_run, ignore_errors=True)
    if len(sys.argv) > 1:
        releases = [Release(version, "asked for") for version in sys.argv[1:]]
    else:
        minimum = json.loads((ROOT / "hacs.json").read_text())["homeassistant"]
        newest = releases_on_registry()[-1]
        releases = [Release(newest, "newest on the registry")]
        if minimum != newest:
            releases.append(Release(minimum, "minimum in hacs.json"))
    print(
        f"compat: RPi Security {json.loads(MANIFEST.read_text())['version']} on"
        f" {', '.join(r.version for r in releases)} (tools and registry:"
        f" {time.monotonic() - started:.1f} s)",
        flush=True,
    )
    with (cache / "in-use.lock").open("w") as in_use:
        fcntl.flock(in_use, fcntl.LOCK_SH)  # no pruning under a running check
        # The releases run side by side: most of the time goes to waiting on
        # the registry and on hass, so two take little longer than one.
        with ThreadPoolExecutor(max_workers=2) as pool:
            for release in pool.map(partial(check_release, bins, cache), releases):
                print("\n".join(release.lines), flush=True)
        prune_cache(bins, in_use)
    total = time.monotonic() - started
    failed = [release for release in releases if release.failures]
    for release in failed:
        for failure in release.failures:
            print(f"compat: FAIL {release.version}: {failure}")
    if failed:
        return 1
    print(
        f"compat: PASS on Home Assistant {', '.join(r.version for r in releases)}"
        f" ({total:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
