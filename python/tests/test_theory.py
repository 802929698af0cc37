"""Theory functions against the command line's JSON (identical numbers, 1e-12)."""

import numpy as np
import pytest

import quantreplica as qr
from conftest import assert_same, cli_error, cli_flags, cli_json

RS_MODELS = [
    dict(alpha=2.0, bits=1, width=1.5, beta=5.0),
    dict(alpha=0.7, bits=2, width=1.2),
    dict(alpha=3.0, levels="continuous", ridge=0.1),
    dict(alpha=1.5, bits=3, width=2.0, teacher="binary", noise=0.05, beta=8.0),
]


@pytest.mark.parametrize("kw", RS_MODELS)
def test_rs_equals_the_cli(kw):
    r = qr.rs(**kw)
    js = cli_json("rs", *cli_flags(**kw))
    assert_same(r.to_dict(), js)
    assert r.gen_error == pytest.approx(js["gen_error"], rel=1e-12)
    assert isinstance(r.solutions[0], qr.RsSolution)
    assert isinstance(r.fixed_points[0], qr.FixedPoint)
    # A model and keywords are the same call.
    assert qr.rs(qr.Model(**kw)) == r


def test_rs_result_is_frozen_and_typed():
    r = qr.rs(alpha=2.0, bits=1, width=1.5, beta=5.0)
    with pytest.raises(AttributeError):
        r.gen_error = 0.0
    assert isinstance(r.levels, np.ndarray) and not r.levels.flags.writeable
    assert r.fixed_points[0].free_entropy_hessian.shape == (2, 2)
    d = r.to_dict()
    d["gen_error"] = -1.0
    assert r.gen_error != -1.0, "to_dict is a copy"
    with pytest.raises(AttributeError, match="keys"):
        r.no_such_key


def test_rsb_equals_the_cli():
    kw = dict(alpha=2.0, bits=1, width=1.5, beta=5.0)
    assert_same(qr.rsb(**kw).to_dict(), cli_json("rsb", *cli_flags(**kw)))
    assert_same(qr.rsb(parisi_x=0.4, bits=2, width=2.5, beta=8.0).to_dict(),
                cli_json("rsb", "--bits", 2, "--width", 2.5, "--beta", 8, "--x", 0.4))


def test_rsb_bad_input():
    with pytest.raises(ValueError) as e:
        qr.rsb(bits=1)
    assert str(e.value) == cli_error("rsb", "--bits", "1")


def _check_sweep(table, rows):
    assert table.n_rows == len(rows)
    for i, row in enumerate(rows):
        for k, v in row.items():
            if k == "solutions":
                assert table["n_solutions"][i] == len(v)
            elif k == "levels":
                got = table["levels"][i]
                assert list(got[: len(v)]) == v and np.isnan(got[len(v):]).all()
            elif isinstance(v, (str, bool)):
                assert table[k][i] == v, (k, i)
            elif v is None:
                assert np.isnan(table[k][i]) or np.isinf(table[k][i]), k
            else:
                assert table[k][i] == pytest.approx(v, rel=1e-12, abs=0), (k, i)
    assert set(table) == (set(rows[0]) - {"solutions"}) | {"n_solutions"}


def test_sweep_equals_the_cli():
    base = dict(beta=5.0, bits=1)
    t = qr.sweep(over={"width": np.linspace(0.5, 2.0, 4), "alpha": [1, 2]}, **base)
    rows = cli_json("sweep", "--over", "width=0.5:2:4", "--over", "alpha=1,2", *cli_flags(**base))
    _check_sweep(t, rows)
    assert t["index"].dtype == np.int64 and t["alpha"].dtype == np.float64
    assert t["rs_stable"].dtype == bool and t["status"].dtype.kind == "U"
    assert t["levels"].shape == (8, 2)
    # Text axes, bits and beta = inf; the CLI's range syntax with log spacing.
    t2 = qr.sweep(over={"bits": [1, 2], "beta": [5.0, float("inf")], "levels": ["uniform", "pow2"]})
    rows2 = cli_json("sweep", "--over", "bits=1,2", "--over", "beta=5,inf", "--over", "levels=uniform,pow2")
    assert np.isinf(t2["beta"][2]) and t2["bits"].dtype == np.int64
    assert list(t2["level_spec"][:2]) == ["uniform", "pow2"] and np.isnan(t2["free_entropy"][2])
    _check_sweep(t2, rows2)
    t3 = qr.sweep(over={"alpha": "0.5:8:5"}, log=["alpha"])
    _check_sweep(t3, cli_json("sweep", "--over", "alpha=0.5:8:5", "--log", "alpha"))


def test_sweep_checkpoint_shards_and_merge(tmp_path):
    over = {"alpha": [0.5, 1.0, 2.0], "width": [1.0, 1.5]}
    full = qr.sweep(over=over, bits=1)
    files = [tmp_path / f"s{i}.jsonl" for i in range(2)]
    parts = [qr.sweep(over=over, bits=1, checkpoint=f, shard=(i, 2)) for i, f in enumerate(files)]
    assert [p.n_rows for p in parts] == [3, 3]
    merged = qr.merge(files)
    for k in full:
        np.testing.assert_array_equal(merged[k], full[k])
    # Resuming from a complete checkpoint recomputes nothing and returns the same table.
    cp = tmp_path / "all.jsonl"
    a = qr.sweep(over=over, bits=1, checkpoint=cp)
    b = qr.sweep(over=over, bits=1, checkpoint=cp)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])


@pytest.mark.parametrize("over,flags", [
    ({"alpah": [1.0]}, ["--over", "alpah=1"]),
    ({"alpha": [float("nan")]}, ["--over", "alpha=nan"]),
    ({"alpha": []}, ["--over", "alpha="]),
    ({"bits": [2.5]}, ["--over", "bits=2.5"]),
    ({"levels": ["bogus"]}, ["--over", "levels=bogus"]),
    ({"alpha": "1:2:0"}, ["--over", "alpha=1:2:0"]),
    ({"alpha": [-1.0, 1.0]}, ["--over", "alpha=-1,1"]),
])
def test_sweep_bad_axes_raise_the_clis_message(over, flags):
    with pytest.raises(ValueError) as e:
        qr.sweep(over=over)
    assert str(e.value) == cli_error("sweep", *flags)


def test_sweep_bad_options():
    with pytest.raises(ValueError) as e:
        qr.sweep(over={"alpha": [1.0]}, shard=(0, 2))
    assert str(e.value) == cli_error("sweep", "--over", "alpha=1", "--shard", "0/2")
    with pytest.raises(ValueError) as e:
        qr.sweep(over={"alpha": [1.0]}, threads=0)
    assert str(e.value) == cli_error("sweep", "--over", "alpha=1", "--threads", "0")


def test_sweep_to_pandas():
    pd = pytest.importorskip("pandas")
    df = qr.sweep(over={"alpha": [1.0, 2.0]}, bits=1).to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == 2 and "gen_error" in df


def test_ste_dynamics_equals_the_cli():
    kw = dict(bits=1, width=1.0)
    r = qr.ste_dynamics(time="0:2:5", **kw)
    assert_same(r.to_dict(), cli_json("ste-dynamics", "--time", "0:2:5", *cli_flags(**kw)))
    r2 = qr.ste_dynamics(time=np.linspace(0, 2, 5), **kw)
    assert r2 == r
    with pytest.raises(ValueError) as e:
        qr.ste_dynamics(time="0:2", **kw)
    assert str(e.value) == cli_error("ste-dynamics", "--time", "0:2")


def test_rs_without_continuation_equals_a_sweep_row():
    kw = dict(bits=1, width=1.5, beta=5.0)
    r = qr.rs(alpha=2.0, continuation=False, **kw)
    row = cli_json("sweep", "--over", "alpha=2", *cli_flags(**kw))[0]
    del row["index"], row["alpha"]
    assert_same(r.to_dict(), row)
    assert r.fixed_points is None and r.continuation_failures is None
    full = qr.rs(alpha=2.0, **kw)
    assert full.gen_error == pytest.approx(r.gen_error, rel=1e-12)
