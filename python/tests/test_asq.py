"""ASQ on numpy arrays against the command line (same levels, objective and vNMSE), for every
dtype, order and shape; stochastic rounding."""

import numpy as np
import pytest

import quantreplica as qr
from conftest import assert_same, cli_error, cli_json

TIMING = {"seconds", "sort_seconds"}


def _npy(tmp_path, name, values):
    p = tmp_path / name
    np.save(p, np.ascontiguousarray(np.asarray(values, dtype=np.float64).ravel()))
    return p


def _same_as_cli(result, js):
    d = result.to_dict()
    assert list(d) == list(js)
    assert_same({k: v for k, v in d.items() if k not in TIMING},
                {k: v for k, v in js.items() if k not in TIMING})


@pytest.mark.parametrize("method", ["exact", "approx"])
def test_asq_equals_the_cli(tmp_path, method):
    x = np.random.default_rng(3).standard_normal(5000)
    js = cli_json("asq", "--input", _npy(tmp_path, "x.npy", x), "--s", 6, "--method", method)
    r = qr.asq(x, 6, method=method)
    _same_as_cli(r, js)
    assert isinstance(r.levels, np.ndarray) and r.levels.shape == (6,)
    assert (r.approx is None) == (method != "approx")


def test_weights_and_the_worst_objective(tmp_path):
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal(3000), rng.exponential(size=3000)
    xp, wp = _npy(tmp_path, "x.npy", x), _npy(tmp_path, "w.npy", w)
    _same_as_cli(qr.asq(x, 5, weights=w), cli_json("asq", "--input", xp, "--weights", wp, "--s", 5))
    _same_as_cli(qr.asq(x, 5, weights=w, objective="worst"),
                 cli_json("asq", "--input", xp, "--weights", wp, "--s", 5, "--objective", "worst"))


def test_dtype_order_and_shape_give_the_same_levels(tmp_path):
    base = np.random.default_rng(5).standard_normal((40, 30)).astype(np.float32)
    js = cli_json("asq", "--input", _npy(tmp_path, "x.npy", base), "--s", 8)
    variants = {
        "float32 C": base,
        "float32 F": np.asfortranarray(base),
        "float64 C": base.astype(np.float64),
        "float64 F": np.asfortranarray(base.astype(np.float64)),
        "3-D": base.reshape(4, 10, 30),
        "strided": np.repeat(base, 2, axis=1)[:, ::2],
        "list": base.tolist(),
    }
    for name, x in variants.items():
        before = np.array(x, copy=True)
        r = qr.asq(x, 8)
        _same_as_cli(r, js)
        np.testing.assert_array_equal(np.asarray(x), before, err_msg=f"{name}: input modified")


def test_weights_follow_the_values_in_any_order():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((50, 20))
    w = rng.exponential(size=(50, 20))
    a = qr.asq(x, 5, weights=w)
    b = qr.asq(np.asfortranarray(x), 5, weights=w)
    c = qr.asq(x.ravel(), 5, weights=np.asfortranarray(w).ravel(order="C"))
    assert list(a.levels) == list(b.levels) == list(c.levels)


@pytest.mark.parametrize("args,kw,flags", [
    (([1.0, 2.0, 3.0], 1), {}, ["--s", 1]),
    (([1.0, 2.0, 2.0], 3), {}, ["--s", 3]),
    (([1.0, 2.0, 3.0], 2), {"weights": [1.0, -1.0, 1.0]}, ["--s", 2, "--weights", "w"]),
    (([1.0, 2.0, 3.0], 2), {"weights": [1.0, 1.0]}, ["--s", 2, "--weights", "w"]),
    (([1.0, 2.0, 3.0], 2), {"objective": "worst", "method": "approx"},
     ["--s", 2, "--objective", "worst", "--method", "approx"]),
    (([1.0, 2.0, 3.0], 2), {"objective": "bogus"}, ["--s", 2, "--objective", "bogus"]),
])
def test_bad_input_raises_the_clis_message(tmp_path, args, kw, flags):
    x, s = args
    xp = _npy(tmp_path, "x.npy", x)
    if "weights" in kw:
        flags = [f if f != "w" else _npy(tmp_path, "w.npy", kw["weights"]) for f in flags]
    with pytest.raises(ValueError) as e:
        qr.asq(np.asarray(x), s, **kw)
    assert str(e.value) == cli_error("asq", "--input", xp, *flags)


def test_non_finite_values_are_named():
    # The command line names the file it read ("input file 'x.npy': value #2 ..."); an array
    # has no file, the rest of the message is the same.
    with pytest.raises(ValueError) as e:
        qr.asq(np.array([1.0, np.nan, 2.0]), 2)
    assert str(e.value) == "input value #2 is not finite: NaN"
    with pytest.raises(ValueError, match="weight #1 must be finite and non-negative, got inf"):
        qr.asq(np.array([1.0, 3.0, 2.0]), 2, weights=[np.inf, 1.0, 1.0])


def test_bad_method_and_dtype():
    with pytest.raises(ValueError, match="unknown method 'bogus'"):
        qr.asq(np.arange(5.0), 2, method="bogus")
    for retired in ("dp", "smawk", "smawk2", "lagrange"):
        with pytest.raises(ValueError, match=f"method '{retired}' is retired"):
            qr.asq(np.arange(5.0), 2, method=retired)
    with pytest.raises(TypeError):
        qr.asq(np.array(["a", "b"]), 2)
    assert list(qr.asq(np.arange(10), 2).levels) == [0.0, 9.0]


def test_stochastic_round_is_unbiased_and_keeps_shape_and_dtype():
    levels = [-1.0, 0.0, 0.5, 2.0]
    x = np.random.default_rng(7).uniform(-1, 2, size=(3, 4)).astype(np.float32)
    r = qr.stochastic_round(x, levels, seed=3)
    assert r.shape == x.shape and r.dtype == np.float32
    assert set(np.unique(r)) <= set(levels)
    assert np.array_equal(r, qr.stochastic_round(x, levels, seed=3))
    assert np.array_equal(qr.stochastic_round(np.asfortranarray(x), levels, seed=3), r)
    # Unbiased: the mean of many roundings of one value converges to it (4 sigma).
    v = np.full(200_000, 0.3)
    mean = qr.stochastic_round(v, levels, seed=1).mean()
    sigma = np.sqrt(0.3 * 0.2 / len(v))  # Bernoulli between 0 and 0.5
    assert abs(mean - 0.3) < 4 * sigma
    with pytest.raises(ValueError, match="outside"):
        qr.stochastic_round(np.array([3.0]), levels)


def test_levels_then_rounding_gives_the_reported_vnmse():
    x = np.random.default_rng(8).standard_normal(20_000)
    r = qr.asq(x, 4)
    # The expected squared error of unbiased rounding is the reported objective; check the
    # empirical error of many roundings against it (relative 2 %).
    errs = [np.sum((qr.stochastic_round(x, r.levels, seed=s) - x) ** 2) for s in range(20)]
    assert np.mean(errs) == pytest.approx(r.objective, rel=0.02)
    assert r.vnmse == pytest.approx(r.objective / np.sum(x * x), rel=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_signed_zeros_and_ties_sort_as_the_cli(tmp_path, dtype):
    # The unweighted exact methods sort with numpy, which orders -0 and +0 as equal in no fixed
    # order; the levels must still be the CLI's bit for bit (its sort puts -0 first).
    rng = np.random.default_rng(7)
    x = rng.choice(np.array([-0.0, 0.0, -1.5, 1.5, 3.0, -3.0, 0.25]), size=4000)
    x[:50] = rng.standard_normal(50)
    x = x.astype(dtype)
    xp = _npy(tmp_path, "x.npy", x)
    for s in (3, 5, 7):
        js = cli_json("asq", "--input", xp, "--s", s)
        r = qr.asq(x, s)
        _same_as_cli(r, js)
        got = np.asarray(r.levels, dtype=np.float64)
        want = np.asarray(js["levels"], dtype=np.float64)
        assert got.tobytes() == want.tobytes(), (s, got, want)
        assert np.any(got == 0.0) or s == 3
