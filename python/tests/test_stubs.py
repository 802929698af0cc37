"""The hand-written stubs match the module: mypy's stubtest for every signature, and each result
class's declared attributes equal the keys of a real result (the command line's JSON keys)."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import quantreplica as qr

PKG = Path(qr.__file__).resolve().parent
STUB = PKG / "__init__.pyi"


def test_stubtest_finds_no_difference():
    pytest.importorskip("mypy")
    p = subprocess.run([sys.executable, "-m", "mypy.stubtest", "quantreplica"],
                       cwd=PKG.parent, capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def _stub_attributes():
    """name -> the class's declared attributes (its bases' first) as (attribute, annotation)."""
    tree = ast.parse(STUB.read_text())
    classes = {c.name: c for c in tree.body if isinstance(c, ast.ClassDef)}

    def attrs(name):
        c = classes[name]
        out = []
        for b in c.bases:
            if isinstance(b, ast.Name) and b.id in classes:
                out += attrs(b.id)
        out += [(s.target.id, ast.unparse(s.annotation)) for s in c.body
                if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                and not s.target.id.startswith("_")]
        return out

    return attrs


def _results():
    r = qr.rs(alpha=2.0, bits=1, width=1.5, beta=5.0)
    yield "RsResult", r
    yield "RsSolution", r.solutions[0]
    yield "FixedPoint", r.fixed_points[0]
    yield "RsbResult", qr.rsb(alpha=2.0, bits=1, width=1.5, beta=5.0)
    yield "SteResult", qr.ste_dynamics(time="0:1:3", bits=1)
    yield "AsqResult", qr.asq([0.0, 1.0, 2.5, 3.0], 3, method="approx")
    a = qr.amp(n=20, seeds=1, bits=1, beta=5.0)
    yield "AmpResult", a
    yield "Summary", a.gen_error
    yield "GibbsResult", qr.gibbs(n=20, seeds=1, sweeps=10, burn_in=5, bits=1, beta=5.0)
    yield "QatResult", qr.qat(n=20, seeds=1, epochs=2, bits=1)
    yield "OptimalWidth", qr.optimal_width(bits=1)
    # the sign channel adds width_over_rms (omitted under the Gaussian channel)
    yield "OptimalWidth", qr.optimal_width(bits=2, channel="sign", ridge=1.0, alpha=1.0)
    yield "TransitionsResult", qr.transitions(over={"alpha": [0.5, 1.0]}, bits=1, width=1.5, beta=5.0)
    yield "PhaseDiagramResult", qr.phase_diagram(x_axis="width=0.5:2:3", y_axis="bits=1,2")
    # rsb=True adds the 1RSB cells (omitted otherwise)
    yield "PhaseDiagramResult", qr.phase_diagram(x_axis="alpha=1,1.4", y_axis="beta=5",
                                                 transitions=False, rsb=True, channel="sign",
                                                 labels="random", bits=1)
    yield "DoubleDescentCurve", qr.double_descent(bits=[1], alphas=[0.5, 1.0])[0]
    yield "SgdResult", qr.sgd(d=10, steps=50, runs=2)
    yield "ScalingLawResult", qr.scaling_law(d=32, ms=[8, 16], ns=[20, 40], sketches=1, runs=1)
    yield "ShrinkageResult", qr.shrinkage(d=10, steps=50, runs=2, formats="e4m3")


def test_result_classes_declare_every_key():
    """Every key of a real result is declared; a declared key a result lacks is one the JSON
    omits when empty (the class's ``_optional``, annotated Optional); and every declared key
    occurs in some real result of that class (nothing declared that the module never returns)."""
    attrs = _stub_attributes()
    seen = {}
    for name, result in _results():
        assert type(result).__name__ == name
        declared = dict(attrs(name))
        assert len(declared) == len(attrs(name)), name
        keys = set(result.keys() + tuple(result.arrays()))
        assert keys <= set(declared), (name, sorted(keys - set(declared)))
        for k in set(declared) - keys:
            assert k in type(result)._optional, (name, k)
            assert declared[k].startswith("Optional["), (name, k)
            assert getattr(result, k) is None, (name, k)
        seen.setdefault(name, set()).update(keys)
    for name, keys in seen.items():
        assert keys == set(dict(attrs(name))), (name, sorted(set(dict(attrs(name))) - keys))


def test_every_public_name_is_documented():
    for name in qr.__all__:
        obj = getattr(qr, name)
        if name.startswith("__"):
            continue
        assert obj.__doc__ and len(obj.__doc__.strip()) > 20, name


def test_docstring_examples():
    import doctest

    import quantreplica._experiments
    import quantreplica._lowprec
    import quantreplica._theory

    for mod in (qr, quantreplica._theory, quantreplica._experiments, quantreplica._lowprec):
        failed, tried = doctest.testmod(mod, verbose=False)
        assert failed == 0, mod.__name__
    assert tried > 0
