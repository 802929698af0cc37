"""``sweep(rsb=True)`` and ``phase_diagram(rsb=True)``: the command line's ``sweep --rsb`` and
``phase-diagram --rsb`` (same columns, same numbers to 1e-12), checked against independent
references: the RS sweep where RS is AT-stable (φ₁ = φ_RS), the closed form of the frozen 1RSB
(φ₁(x) = φ_RS(βx)/x, whose complexity Σ(x) = s_RS(βx) vanishes at x*) and the CLI's single-point
``rsb``. The model is the ±1 storage problem (sign channel, random labels), where a row of
α crosses from RS to the frozen phase and, at larger β, into the AT-unstable region."""

import csv
import io
import subprocess

import numpy as np
import pytest

import quantreplica as qr
from conftest import BIN, assert_same, cli_error, cli_json

STORAGE = dict(channel="sign", labels="random", bits=1)
FLAGS = ["--channel", "sign", "--labels", "random", "--bits", "1"]
# Rows at β = 3 (RS, then frozen), 5 (frozen, then AT-unstable frozen cells); α innermost.
OVER = {"beta": [3.0, 5.0], "alpha": "1.2:2:5"}
OVER_FLAGS = ["--over", "beta=3,5", "--over", "alpha=1.2:2:5"]


@pytest.fixture(scope="module")
def table():
    return qr.sweep(over=OVER, rsb=True, **STORAGE)


def _flat(row):
    """A row of ``sweep --json`` with its nested records flattened as the CSV's columns."""
    out = {}
    for k, v in row.items():
        if isinstance(v, dict):
            out.update({f"{k}.{k2}": v2 for k2, v2 in v.items()})
        else:
            out[k] = v
    return out


def test_rsb_sweep_equals_the_cli(table):
    rows = [_flat(r) for r in cli_json("sweep", "--rsb", *OVER_FLAGS, *FLAGS)]
    # The columns are the CSV's, in its order.
    header = subprocess.run([BIN, "sweep", "--rsb", *OVER_FLAGS, *FLAGS], check=True,
                            capture_output=True, text=True).stdout.splitlines()[0]
    assert list(table) == next(csv.reader(io.StringIO(header)))
    assert list(table) == list(rows[0])
    assert table.n_rows == len(rows) == 10
    for i, row in enumerate(rows):
        for k, v in row.items():
            got = table[k][i]
            if isinstance(v, (str, bool)):
                assert got == v, (k, i)
            elif v is None:
                assert not np.isfinite(got), (k, i)
            else:
                assert got == pytest.approx(v, rel=1e-12, abs=0), (k, i)
    assert table["method"].dtype.kind == "U" and table["converged"].dtype == bool
    assert table["rsb.x"].dtype == np.float64 and table["index"].dtype == np.int64
    # Every kind of cell is in this grid.
    assert set(table["method"]) == {"rs_stable", "frozen"}
    assert not table["converged"].all() and table["converged"].any()


def test_rs_cells_equal_the_rs_sweep(table):
    rs = qr.sweep(over=OVER, **STORAGE)
    # The RS equilibrium of every row is the RS sweep's.
    for k in ("m", "q", "Q", "free_entropy", "entropy", "at_eigenvalue", "train_error"):
        np.testing.assert_allclose(table[f"rs.{k}"], rs[k], rtol=1e-12, atol=0)
    stable = table["method"] == "rs_stable"
    assert stable.sum() == 3
    assert (rs["rs_stable"][stable]).all() and (rs["entropy"][stable] > 0).all()
    # φ₁ = φ_RS: the collapsed state q0 = q1 = q_RS at x = 1 with zero complexity.
    np.testing.assert_allclose(table["rsb.free_entropy"][stable], rs["free_entropy"][stable],
                               rtol=0, atol=1e-12)
    np.testing.assert_allclose(table["rsb.q0"][stable], rs["q"][stable], rtol=0, atol=1e-10)
    np.testing.assert_allclose(table["rsb.q1"][stable], rs["q"][stable], rtol=0, atol=1e-10)
    assert (table["rsb.x"][stable] == 1.0).all() and (table["rsb.complexity"][stable] == 0).all()
    assert set(table["rsb.phase"][stable]) == {"rs_collapsed"}
    # The frozen cells are where RS counts a negative number of states.
    assert (rs["entropy"][~stable] < 0).all()


def _frozen_phi(alpha, beta, x):
    """The frozen 1RSB in closed form: a state is one configuration, so Z_x = Σ_s e^{−βxE(s)}
    and φ₁(x) = φ_RS(βx)/x, with q0 the RS overlap at βx (the RS solver alone)."""
    r = qr.rs(alpha=alpha, beta=beta * x, continuation=False, **STORAGE)
    assert r.converged
    return r.free_entropy / x, r


def test_frozen_cells_are_the_closed_form(table):
    frozen = np.flatnonzero(table["method"] == "frozen")
    assert len(frozen) == 7
    for i in frozen:
        a, b, x = table["alpha"][i], table["beta"][i], table["rsb.x"][i]
        assert 0 < x < 1 and table["rsb.phase"][i] == "frozen"
        # Σ(x*) = 0, and q1 = Q (one configuration per state).
        assert abs(table["rsb.complexity"][i]) <= 1e-12
        assert table["rsb.q1"][i] == pytest.approx(table["rsb.Q"][i], abs=1e-12)
        phi, r = _frozen_phi(a, b, x)
        assert table["rsb.free_entropy"][i] == pytest.approx(phi, abs=1e-12)
        assert table["rsb.q0"][i] == pytest.approx(r.q, abs=1e-10)
        # Σ(x*) = s_RS(βx*) = 0 ...
        assert abs(r.entropy) <= 1e-9
        # ... and x* minimizes φ₁(x) = φ_RS(βx)/x: ∂φ₁/∂x = −Σ/x² by central differences.
        h = 1e-4
        lo, _ = _frozen_phi(a, b, x - h)
        hi, _ = _frozen_phi(a, b, x + h)
        assert abs((hi - lo) / (2 * h)) <= 1e-7
        assert lo > phi and hi > phi
        # AT-unstable frozen cells are reported unconverged (the full solve's split-start
        # branch is unresolved there), the AT-stable ones converged.
        assert table["converged"][i] == (table["rs.at_eigenvalue"][i] < 1)


def test_rsb_phase_diagram_equals_the_cli(tmp_path, table):
    kw = dict(x_axis={"alpha": "1.2:2:5"}, y_axis={"beta": [3.0, 5.0]}, transitions=False)
    d = qr.phase_diagram(rsb=True, **kw, **STORAGE)
    js = cli_json("phase-diagram", "--rsb", "--x-axis", "alpha=1.2:2:5", "--y-axis", "beta=3,5",
                  "--no-transitions", "--out", tmp_path / "pd", *FLAGS)
    assert "rsb" in js and len(js["rsb"]) == 10
    assert_same(d.to_dict(), js)
    # The columns of STEM_rsb.csv, in its order, and the same numbers.
    with open(tmp_path / "pd_rsb.csv") as f:
        written = list(csv.DictReader(f))
    cols = d.rsb_columns()
    assert list(cols) == list(written[0]) == list(js["rsb"][0])
    for i, c in enumerate(js["rsb"]):
        for k, v in c.items():
            if isinstance(v, str):
                assert cols[k][i] == v
            elif isinstance(v, bool):
                assert cols[k][i] == v
            elif v is not None:
                assert cols[k][i] == pytest.approx(v, rel=1e-12, abs=0), (k, i)
    assert cols["free_entropy_rsb"].reshape(2, 5).shape == (2, 5)
    # The map's RS-stable and frozen cells are the sweep's rows (the same closed forms).
    for i, c in enumerate(d.rsb):
        assert (c.x, c.y) == (table["alpha"][i], table["beta"][i])
        assert c.method == table["method"][i]
        assert c.parisi_x == pytest.approx(table["rsb.x"][i], rel=1e-12)
        assert c.free_entropy_rsb == pytest.approx(table["rsb.free_entropy"][i], rel=1e-12)
        assert c.free_entropy_rs == pytest.approx(table["rs.free_entropy"][i], rel=1e-12)
    # Without rsb the key is absent, as in the CLI's JSON.
    plain = qr.phase_diagram(**kw, **STORAGE)
    assert plain.rsb is None and "rsb" not in plain.to_dict()
    assert repr(plain.to_dict()["cells"]) == repr(d.to_dict()["cells"])  # NaN gen_error
    with pytest.raises(ValueError, match="rsb=False"):
        plain.rsb_columns()


def test_a_frozen_map_cell_equals_the_clis_rsb_point():
    """The cell β = 3, α = 2 (AT-stable, negative RS entropy) against the full single-point
    solve of ``quantreplica rsb`` (scan of x, every branch)."""
    d = qr.phase_diagram(x_axis={"alpha": [1.8, 2.0]}, y_axis={"beta": [3.0]},
                         transitions=False, rsb=True, **STORAGE)
    c = d.rsb[1]
    assert (c.x, c.y, c.method) == (2.0, 3.0, "frozen")
    js = cli_json("rsb", "--alpha", 2, "--beta", 3, *FLAGS)
    assert js["phase"] == c.rsb_phase == "frozen" and js["converged"] == c.converged is True
    for mine, theirs in [(c.parisi_x, js["x"]), (c.free_entropy_rsb, js["free_entropy"]),
                         (c.entropy_rsb, js["entropy"]), (c.replicon_q1, js["replicon_q1"]),
                         (c.free_entropy_rs, js["rs"]["free_entropy"]),
                         (c.at_eigenvalue, js["at_eigenvalue"])]:
        assert mine == pytest.approx(theirs, rel=1e-12, abs=1e-15)
    assert c.stationarity == pytest.approx(max(js["residual"], abs(js["dphi_dx"])), abs=1e-15)
    assert c.parisi_x < 1 and c.free_entropy_rsb < c.free_entropy_rs


def _never(done, total):
    """A progress callback for calls refused before any work: no loop ever starts (a refusal
    from inside the job reports (0, 0) once)."""
    if total > 0:
        raise AssertionError(f"work started: {done}/{total}")


@pytest.mark.parametrize("kw,flags", [
    (dict(bits=1), ["--bits", "1"]),  # beta = inf
    (dict(levels="continuous", ridge=0.5, beta=5.0),
     ["--levels", "continuous", "--ridge", "0.5", "--beta", "5"]),
])
def test_rsb_refusals_equal_the_clis(tmp_path, kw, flags):
    with pytest.raises(ValueError) as e:
        qr.sweep(over={"alpha": [0.5, 1.0]}, rsb=True, progress=_never, **kw)
    assert str(e.value) == cli_error("sweep", "--rsb", "--over", "alpha=0.5,1", *flags)
    with pytest.raises(ValueError) as e:
        qr.phase_diagram(x_axis="alpha=0.5,1", y_axis="noise=0,0.1", rsb=True, progress=_never,
                         **kw)
    assert str(e.value) == cli_error("phase-diagram", "--rsb", "--x-axis", "alpha=0.5,1",
                                     "--y-axis", "noise=0,0.1", "--out", tmp_path / "p", *flags)


def test_rsb_bad_options(tmp_path):
    cp = tmp_path / "c.jsonl"
    with pytest.raises(ValueError) as e:
        qr.sweep(over={"alpha": [1.0]}, rsb=True, checkpoint=cp, progress=_never, **STORAGE,
                 beta=5.0)
    assert str(e.value) == cli_error("sweep", "--rsb", "--over", "alpha=1", "--checkpoint", cp,
                                     "--beta", "5", *FLAGS)
    assert not cp.exists()
    # A β = inf cell anywhere in the grid is refused before any work.
    with pytest.raises(ValueError, match=r"^rsb needs a finite --beta"):
        qr.phase_diagram(x_axis="alpha=0.5,1", y_axis={"beta": [5.0, np.inf]}, rsb=True,
                         progress=_never, **STORAGE)
    # rsb takes True or False only.
    for bad in ["yes", 1, None, 0.0]:
        for call in (lambda: qr.sweep(over={"alpha": [1.0]}, rsb=bad, beta=5.0, bits=1),
                     lambda: qr.phase_diagram(x_axis="alpha=1,2", y_axis="beta=5,6", rsb=bad)):
            with pytest.raises(ValueError) as e:
                call()
            assert str(e.value) == f"rsb must be True or False, got {bad!r}"
    assert qr.sweep(over={"alpha": [1.0]}, rsb=np.bool_(True), beta=5.0, **STORAGE).n_rows == 1


def test_rsb_budget():
    """1RSB points cost 500 times an RS point (docs/limits.md): a sweep the RS budget accepts
    (2·10⁵ points on one thread: minutes) is refused with rsb=True (about 28 h)."""
    over = {"alpha": "0.5:2:400", "width": "0.5:2:500"}
    with pytest.raises(ValueError) as e:
        qr.sweep(over=over, rsb=True, threads=1, progress=_never, beta=5.0, bits=1)
    msg = str(e.value)
    assert msg.startswith("over={alpha=0.5:2:400, width=0.5:2:500} (200000 points): would take"), msg
    assert msg.endswith("ask for less or pass force=True") and "\n" not in msg
    assert cli_error("sweep", "--rsb", "--threads", "1", "--over", "alpha=0.5:2:400", "--over",
                     "width=0.5:2:500", "--beta", "5", "--bits", "1").endswith(
        "would take" + msg.split("would take")[1].replace("force=True", "--force"))


def test_rsb_phase_diagram_budget():
    """A map refused with rsb=True for its time (about 4 days on this machine's cores, the
    command line's estimate) and not for its memory (the same with rsb=False)."""
    import math
    import os

    cores = len(os.sched_getaffinity(0))
    k = math.ceil(math.sqrt(4 * 86_400 * cores / 0.5))
    with open("/proc/meminfo") as f:
        avail = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    if k * k * 4096 + 2**26 > 0.5 * avail:
        pytest.skip(f"{cores} cores: the map of {k}x{k} cells would be refused for its memory")
    x, y = f"alpha=0.5:2:{k}", f"beta=2:6:{k}"
    with pytest.raises(ValueError) as e:
        qr.phase_diagram(x_axis=x, y_axis=y, rsb=True, progress=_never, bits=1)
    msg = str(e.value)
    assert msg.startswith(f"x_axis={x}, y_axis={y}: would take about"), msg
    assert msg.endswith("ask for less or pass force=True")
