"""Shared helpers: the command line (QUANTREPLICA_BIN) as the reference of every number."""

import json
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = os.environ.get("QUANTREPLICA_BIN", str(ROOT / "target" / "release" / "quantreplica"))
REL = 1e-12


def cli_json(*args):
    """Runs ``quantreplica ARGS --json`` and parses its stdout."""
    out = subprocess.run([BIN, *map(str, args), "--json"], check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def cli_error(*args):
    """Runs a command that must fail with bad input: exit 2, nothing on stdout; returns the
    one-line message without its ``error: `` prefix."""
    p = subprocess.run([BIN, *map(str, args)], capture_output=True, text=True)
    assert p.returncode == 2, (args, p.returncode, p.stderr)
    assert p.stdout == ""
    msg = p.stderr.strip()
    assert "\n" not in msg
    return msg[len("error: "):] if msg.startswith("error: ") else msg


def _num(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def assert_same(py, js, path="", rel=REL):
    """Python data equals the CLI's JSON: same keys (recursively), numbers to ``rel``, JSON's
    null matching None or a non-finite float."""
    if js is None:
        assert py is None or (_num(py) and not math.isfinite(py)), f"{path}: {py!r} vs null"
        return
    if isinstance(js, dict):
        assert isinstance(py, dict), f"{path}: {type(py)}"
        assert list(py) == list(js), f"{path}: keys {list(py)} vs {list(js)}"
        for k in js:
            assert_same(py[k], js[k], f"{path}.{k}", rel)
        return
    if isinstance(js, list):
        py = list(py)
        assert len(py) == len(js), f"{path}: length {len(py)} vs {len(js)}"
        for i, (a, b) in enumerate(zip(py, js)):
            assert_same(a, b, f"{path}[{i}]", rel)
        return
    if isinstance(js, bool) or isinstance(js, str):
        assert py == js, f"{path}: {py!r} vs {js!r}"
        return
    assert _num(py), f"{path}: {py!r} vs {js!r}"
    assert py == pytest.approx(js, rel=rel, abs=0), f"{path}: {py!r} vs {js!r}"


def cli_flags(**kw):
    """Keyword arguments of Model as command-line flags."""
    out = []
    for k, v in kw.items():
        flag = "--" + k.replace("_", "-")
        if isinstance(v, (list, tuple)):
            v = ",".join(repr(float(x)) for x in v)
        out += [flag, str(v)]
    return out
