"""Every example in examples/python runs as a script (and draws when matplotlib is present)."""

import runpy
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples" / "python").glob("*.py"))


def test_there_are_examples():
    assert {p.name for p in EXAMPLES} >= {"quickstart.py", "learning_curves.py", "asq_numpy.py"}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_as_a_script(path, tmp_path):
    p = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stdout + p.stderr
    assert p.stdout.strip()


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_draws_when_matplotlib_is_installed(path, tmp_path):
    pytest.importorskip("matplotlib")
    out = tmp_path / "figure.png"
    runpy.run_path(str(path), run_name="example")["main"](str(out))
    assert out.stat().st_size > 1000
