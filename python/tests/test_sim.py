"""AMP, Gibbs and QAT against the command line, on generated instances and on numpy data."""

import numpy as np
import pytest

import quantreplica as qr
from conftest import assert_same, cli_error, cli_flags, cli_json

FINITE = dict(bits=1, width=1.5, beta=5.0)


def test_amp_generated_equals_the_cli():
    r = qr.amp(n=200, seeds=2, **FINITE)
    assert_same(r.to_dict(), cli_json("amp", "--n", 200, "--seeds", 2, *cli_flags(**FINITE)))
    assert isinstance(r.gen_error, qr.Summary) and r.gen_error.per_seed.shape == (2,)
    assert r.w_hat.shape == (2, 200) and r.v.shape == (2, 200)
    assert not r.w_hat.flags.writeable


def _data(tmp_path, m=120, n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n)) / np.sqrt(n)
    w0 = rng.choice([-1.0, 1.0], size=n)
    y = X @ w0 + 0.3 * rng.standard_normal(m)
    np.save(tmp_path / "x.npy", X)
    np.save(tmp_path / "y.npy", y)
    return X, y, ["--x", tmp_path / "x.npy", "--y", tmp_path / "y.npy"]


def test_amp_on_numpy_data_in_any_dtype_and_order(tmp_path):
    X, y, files = _data(tmp_path)
    X32 = X.astype(np.float32)
    np.save(tmp_path / "x32.npy", X32.astype(np.float64))
    np.save(tmp_path / "y32.npy", y.astype(np.float32).astype(np.float64))
    js = cli_json("amp", *files, "--seeds", 2, *cli_flags(**FINITE))
    for Xv in (X, np.asfortranarray(X)):
        r = qr.amp(X=Xv, y=y, seeds=2, **FINITE)
        assert_same(r.to_dict(), js)
    # AMP is deterministic on a fixed instance: every seed gives the same estimate, and the
    # reported training error is that of the returned estimate.
    np.testing.assert_array_equal(r.w_hat[0], r.w_hat[1])
    train = np.mean((y - X @ r.w_hat[0]) ** 2)
    assert train == pytest.approx(r.train_error_mean.per_seed[0], rel=1e-10)
    js32 = cli_json("amp", "--x", tmp_path / "x32.npy", "--y", tmp_path / "y32.npy", "--seeds", 1,
                    *cli_flags(**FINITE))
    for Xv in (X32, np.asfortranarray(X32)):
        assert_same(qr.amp(X=Xv, y=y.astype(np.float32), seeds=1, **FINITE).to_dict(), js32)


def test_gibbs_equals_the_cli(tmp_path):
    opts = dict(n=40, seeds=2, sweeps=100, burn_in=50)
    r = qr.gibbs(**opts, **FINITE)
    flags = ["--n", 40, "--seeds", 2, "--sweeps", 100, "--burn-in", 50]
    assert_same(r.to_dict(), cli_json("gibbs", *flags, *cli_flags(**FINITE)))
    assert isinstance(r.overlap, qr.Summary) and r.pq_density.ndim == 1
    X, y, files = _data(tmp_path, 60, 30)
    assert_same(qr.gibbs(X=X, y=y, seeds=1, sweeps=60, burn_in=20, **FINITE).to_dict(),
                cli_json("gibbs", *files, "--seeds", 1, "--sweeps", 60, "--burn-in", 20,
                         *cli_flags(**FINITE)))


def test_qat_equals_the_cli(tmp_path):
    kw = dict(bits=1, width=1.0)
    r = qr.qat(n=100, seeds=2, epochs=6, **kw)
    assert_same(r.to_dict(), cli_json("qat", "--n", 100, "--seeds", 2, "--epochs", 6, *cli_flags(**kw)))
    X, y, files = _data(tmp_path)
    r = qr.qat(X=X, y=y, seeds=2, epochs=6, rounding="stochastic", schedule="constant", **kw)
    assert_same(r.to_dict(), cli_json("qat", *files, "--seeds", 2, "--epochs", 6, "--rounding",
                                      "stochastic", "--schedule", "constant", *cli_flags(**kw)))
    assert r.weights.shape == (2, 60) and set(np.unique(r.weights)) <= {-1.0, 1.0}
    train = np.mean((y - X @ r.weights[1]) ** 2)
    assert train == pytest.approx(r.train_error.per_seed[1], rel=1e-10)


@pytest.mark.parametrize("fn,kw,flags", [
    ("amp", dict(bits=1), ["--bits", 1]),
    ("amp", dict(n=1, **FINITE), ["--n", 1, *cli_flags(**FINITE)]),
    ("amp", dict(seeds=0, **FINITE), ["--seeds", 0, *cli_flags(**FINITE)]),
    ("amp", dict(damping=2.0, n=10, **FINITE), ["--damping", 2, "--n", 10, *cli_flags(**FINITE)]),
    ("amp", dict(max_iter=0, n=10, **FINITE), ["--max-iter", 0, "--n", 10, *cli_flags(**FINITE)]),
    ("amp", dict(n=100_000, alpha=100.0, **FINITE), ["--n", 100000, "--alpha", 100, *cli_flags(**FINITE)]),
    ("gibbs", dict(bits=1), ["--bits", 1]),
    ("gibbs", dict(overlap_bins=0, n=10, **FINITE), ["--overlap-bins", 0, "--n", 10, *cli_flags(**FINITE)]),
    ("qat", dict(schedule="bogus"), ["--schedule", "bogus"]),
    ("qat", dict(rounding="bogus"), ["--rounding", "bogus"]),
    ("qat", dict(epochs=0), ["--epochs", 0]),
    ("qat", dict(lr=-1.0), ["--lr", -1]),
])
def test_bad_input_raises_the_clis_message(fn, kw, flags):
    with pytest.raises(ValueError) as e:
        getattr(qr, fn)(**kw)
    assert str(e.value) == cli_error(fn, *flags)


def test_bad_data_raises_the_clis_message(tmp_path):
    X, y, files = _data(tmp_path)
    np.save(tmp_path / "y_short.npy", y[:-1])
    with pytest.raises(ValueError) as e:
        qr.amp(X=X, y=y[:-1], **FINITE)
    assert str(e.value) == cli_error("amp", "--x", files[1], "--y", tmp_path / "y_short.npy",
                                     *cli_flags(**FINITE))
    with pytest.raises(ValueError) as e:
        qr.amp(X=X, **FINITE)
    assert str(e.value) == cli_error("amp", "--x", files[1], *cli_flags(**FINITE))
    with pytest.raises(ValueError, match="non-finite"):
        qr.amp(X=np.where(X > 0.2, np.nan, X), y=y, **FINITE)
    with pytest.raises(ValueError, match="2-D"):
        qr.amp(X=X.ravel(), y=y, **FINITE)
