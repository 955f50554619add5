"""Every benchmark still imports what it uses from the integration.

The benchmarks run only in ``scripts/bench``, never in CI: twice a name they
imported was renamed in the integration and nothing said so until a
benchmark run failed. Importing them (without running them) catches that.
"""

from pathlib import Path
import subprocess
import sys

BENCHMARKS = Path(__file__).parent.parent / "benchmarks"


def test_every_benchmark_imports() -> None:
    names = sorted(path.stem for path in BENCHMARKS.glob("*.py"))
    assert "bench_presence_accuracy" in names
    code = (
        "import importlib, sys\n"
        f"sys.path.insert(0, {str(BENCHMARKS)!r})\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BENCHMARKS.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
