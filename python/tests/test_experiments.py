"""Optimal widths, transitions, phase diagrams and double descent against the command line."""

import numpy as np
import pytest

import quantreplica as qr
from conftest import assert_same, cli_error, cli_flags, cli_json


def test_optimal_width_equals_the_cli():
    one = qr.optimal_width(bits=2)
    assert isinstance(one, qr.OptimalWidth)
    assert_same(one.to_dict(), cli_json("optimal-width", "--bits", 2))
    kw = dict(alpha=1.5, noise=0.2, beta=8.0)
    rows = qr.optimal_width(bits="1:3", objective="mean", **kw)
    js = cli_json("optimal-width", "--bits-range", "1:3", "--objective", "mean", *cli_flags(**kw))
    assert_same([r.to_dict() for r in rows], js)
    assert qr.optimal_width(bits=range(1, 4), objective="mean", **kw) == rows


@pytest.mark.parametrize("kw,flags", [
    (dict(bits="0:3"), ["--bits-range", "0:3"]),
    (dict(bits="3:1"), ["--bits-range", "3:1"]),
    (dict(bits="x"), ["--bits-range", "x"]),
    (dict(objective="bogus"), ["--objective", "bogus"]),
    (dict(levels="lloyd-max"), ["--levels", "lloyd-max"]),
    (dict(bits=[17]), ["--bits", "17"]),
    (dict(channel="sign", bits=1, ridge=1.0), ["--channel", "sign", "--bits", "1", "--ridge", "1"]),
])
def test_optimal_width_bad_input(kw, flags):
    with pytest.raises(ValueError) as e:
        qr.optimal_width(**kw)
    assert str(e.value) == cli_error("optimal-width", *flags)


def test_transitions_equal_the_cli():
    kw = dict(bits=1, width=1.5, beta=5.0)
    r = qr.transitions(over={"alpha": np.linspace(0.5, 2.0, 4)}, **kw)
    assert_same(r.to_dict(), cli_json("transitions", "--over", "alpha=0.5:2:4", *cli_flags(**kw)))
    assert r.param == "alpha"


@pytest.mark.parametrize("over", ["alpha=1", "bits=1,2", "levels=uniform,pow2", "bogus=1,2"])
def test_transitions_bad_input(over):
    with pytest.raises(ValueError) as e:
        qr.transitions(over=over)
    assert str(e.value) == cli_error("transitions", "--over", over)


def test_phase_diagram_equals_the_cli(tmp_path):
    kw = dict(alpha=2.0)
    r = qr.phase_diagram(x_axis={"width": "0.5:3:6"}, y_axis={"beta": [2.0, 5.0, 10.0]}, **kw)
    js = cli_json("phase-diagram", "--x-axis", "width=0.5:3:6", "--y-axis", "beta=2,5,10",
                  "--out", tmp_path / "pd", *cli_flags(**kw))
    assert_same(r.to_dict(), js)
    assert r.at_line.ndim == 2 and r.cells[0].phase == js["cells"][0]["phase"]
    r2 = qr.phase_diagram(x_axis="width=0.5:3:5", y_axis="bits=1,2", transitions=False)
    js2 = cli_json("phase-diagram", "--x-axis", "width=0.5:3:5", "--y-axis", "bits=1,2", "--no-transitions",
                   "--out", tmp_path / "pd2")
    assert_same(r2.to_dict(), js2)


@pytest.mark.parametrize("x,y", [("bits=1,2", "width=1,2"), ("width=1,2", "width=1,2"),
                                 ("width=1", "bits=1")])
def test_phase_diagram_bad_input(tmp_path, x, y):
    with pytest.raises(ValueError) as e:
        qr.phase_diagram(x_axis=x, y_axis=y)
    assert str(e.value) == cli_error("phase-diagram", "--x-axis", x, "--y-axis", y, "--out", tmp_path / "p")


def test_double_descent_points_equal_rs_of_the_cli():
    curves = qr.double_descent(bits=[1, 2], alphas=[0.3, 1.0, 3.0])
    assert [(c.bits, c.width_factor) for c in curves] == [(b, f) for b in (1, 2) for f in (0.5, 1.0, 2.0)]
    for c in curves[:2] + curves[4:5]:
        for a, g in zip(c.alpha, c.gen_error):
            js = cli_json("rs", "--alpha", repr(float(a)), "--bits", c.bits, "--width", repr(c.width))
            assert g == pytest.approx(js["gen_error"], rel=1e-12)
    w = qr.optimal_width(bits=2).width
    assert curves[4].width == pytest.approx(w, rel=1e-12)
    with pytest.raises(ValueError, match="alpha"):
        qr.double_descent(alphas=[0.5, -1.0])
