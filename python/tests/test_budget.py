"""Bounded cost from Python (issue 13, item 3): every call that can be big checks its size
against the command line's budget (quantreplica::budget, docs/limits.md) before any work and
refuses with a one-line ValueError naming the argument and its value; ``force=True`` lifts the
time limit only. Renamed keywords keep their old names as deprecated aliases."""

import time
import warnings

import numpy as np
import pytest

import quantreplica as qr

FINITE = dict(beta=5.0, bits=1, width=1.0)


def huge(n):
    """A float64 array of n values that takes no memory (one value, stride 0)."""
    return np.broadcast_to(np.float64(0.5), (n,))


# (call, what the message must start with, memory or time).
CASES = [
    (lambda cb: qr.sweep(over={"alpha": "0.1:5:7000", "width": "0.5:2:7000"}, progress=cb),
     "over={alpha=0.1:5:7000, width=0.5:2:7000} (49000000 points): needs about", "memory"),
    (lambda cb: qr.transitions(over="alpha=0.1:5:40000000", progress=cb),
     "over=alpha=0.1:5:40000000: needs about", "memory"),
    (lambda cb: qr.phase_diagram(x_axis="width=0.1:2:5000", y_axis="alpha=0.5:3:5000",
                                 progress=cb),
     "x_axis=width=0.1:2:5000, y_axis=alpha=0.5:3:5000: needs about", "memory"),
    (lambda cb: qr.amp(n=10000, max_iter=10**9, progress=cb, **FINITE),
     "n=10000 (M x N = 20000 x 10000), max_iter=1000000000, seeds=4: would take", "time"),
    (lambda cb: qr.gibbs(n=2000, sweeps=10**8, progress=cb, **FINITE),
     "n=2000 (M x N = 4000 x 2000), sweeps=100000000, burn_in=500, temperatures=1, seeds=4: would take",
     "time"),
    (lambda cb: qr.gibbs(X=np.ones((400, 200)), y=np.ones(400), sweeps=10**12, progress=cb,
                         **FINITE),
     "X (M x N = 400 x 200), sweeps=1000000000000", None),
    (lambda cb: qr.qat(n=10000, epochs=10**7, progress=cb, bits=1, width=1.0),
     "n=10000 (M x N = 20000 x 10000), epochs=10000000, seeds=4:", None),
    (lambda cb: qr.sgd(d=10**12, steps=10, progress=cb),
     "d=1000000000000, steps=10, batch=1, runs=100: needs about", "memory"),
    (lambda cb: qr.sgd(d=1000, steps=10**12, progress=cb),
     "d=1000, steps=1000000000000, batch=1, runs=100: would take", "time"),
    (lambda cb: qr.shrinkage(d=10**9, steps=10**6, progress=cb), "d=1000000000, steps=1000000",
     None),
    (lambda cb: qr.scaling_law(d=10**11, progress=cb), "d=100000000000, ms=8,16,32,64,128,256",
     None),
    (lambda cb: qr.ste_dynamics(beta=float("inf"), n=10**12, progress=cb),
     "n=1000000000000, seeds=10, time=(up to 10)", None),
    (lambda cb: qr.asq(huge(10**11), 4, progress=cb), "x (100000000000 values): needs about",
     "memory"),
    (lambda cb: qr.stochastic_round(huge(10**11), [0.0, 1.0]), "x (100000000000 values): needs",
     "memory"),
    (lambda cb: qr.double_descent(alphas=np.full(4 * 10**6, 1.0), bits=range(1, 17),
                                  progress=cb),
     "bits=(16 values), alphas=(4000000 values):", None),
]


@pytest.mark.parametrize("call,start,kind", CASES, ids=[c[1].split(" ")[0] for c in CASES])
def test_oversized_calls_are_refused_before_any_work(call, start, kind):
    calls = []
    t = time.monotonic()
    with pytest.raises(ValueError) as e:
        call(lambda done, total: calls.append((done, total)))
    msg = str(e.value)
    assert msg.startswith(start), msg
    assert "\n" not in msg
    if kind == "memory":
        assert "of memory" in msg and "ask for less" in msg, msg
    elif kind == "time":
        assert msg.endswith("ask for less or pass force=True"), msg
    # Refused before the job started: no progress was ever reported. The time bound only
    # catches a refusal that came after the work (these requests take days).
    assert calls == []
    assert time.monotonic() - t < 10


def test_force_lifts_the_time_limit_only():
    slow = dict(n=1000, sweeps=10**7, **FINITE)
    with pytest.raises(ValueError, match="pass force=True"):
        qr.gibbs(**slow)

    class Started(Exception):
        pass

    def stop(done, total):
        raise Started

    # With force the budget lets the job start (its first progress report comes), and the
    # callback's exception cancels it.
    t = time.monotonic()
    with pytest.raises(Started):
        qr.gibbs(force=True, progress=stop, **slow)
    assert time.monotonic() - t < 30
    # Memory is never forced.
    with pytest.raises(ValueError, match="of memory"):
        qr.sgd(d=10**12, steps=10, force=True)
    with pytest.raises(ValueError, match="of memory"):
        qr.asq(huge(10**11), 4, force=True)


def test_small_calls_pass_the_budget():
    r = qr.sgd(d=10, steps=20, runs=2)
    assert r.status == "ok"
    assert qr.asq(np.linspace(0, 1, 100), 3).s == 3


def test_renamed_keywords_keep_their_old_names():
    with pytest.warns(DeprecationWarning, match="bins= is deprecated, use overlap_bins="):
        old = qr.gibbs(n=20, seeds=2, sweeps=20, burn_in=5, bins=7, **FINITE)
    new = qr.gibbs(n=20, seeds=2, sweeps=20, burn_in=5, overlap_bins=7, **FINITE)
    assert len(new.pq_centres) == 7
    assert old.to_dict() == new.to_dict()
    with pytest.raises(TypeError, match="both overlap_bins= and its old name bins="):
        qr.gibbs(n=20, bins=7, overlap_bins=9, **FINITE)

    with pytest.warns(DeprecationWarning) as caught:
        old = qr.phase_diagram(x="width=0.5:2:3", y="bits=1,2", transitions=False)
    said = sorted(str(w.message) for w in caught)
    assert len(said) == 2, said
    assert "x= is deprecated, use x_axis=" in said[0]
    assert "y= is deprecated, use y_axis=" in said[1]
    new = qr.phase_diagram(x_axis="width=0.5:2:3", y_axis="bits=1,2", transitions=False)
    assert old.to_dict() == new.to_dict()

    with pytest.warns(DeprecationWarning, match="x= is deprecated, use parisi_x="):
        old = qr.rsb(x=0.4, bits=2, width=2.5, beta=8.0)
    assert old.to_dict() == qr.rsb(parisi_x=0.4, bits=2, width=2.5, beta=8.0).to_dict()

    kw = dict(d=10, steps=20, runs=2, quantize="data", eps=0.01)
    # noise= was sgd's quantizer; it is now the label noise, as every command's --noise.
    with pytest.raises(ValueError, match="noise='add': noise= is the label-noise variance"):
        qr.sgd(noise="add", **kw)
    for func in (qr.sgd, qr.shrinkage):
        small = dict(d=10, steps=20, runs=2)
        with pytest.warns(DeprecationWarning, match="sigma2= is deprecated, use noise="):
            old = func(sigma2=0.3, **small)
        with pytest.warns(DeprecationWarning, match="step= is deprecated, use lr="):
            old_step = func(step=0.05, **small)
        assert old.to_dict() == func(noise=0.3, **small).to_dict()
        assert old_step.to_dict() == func(lr=0.05, **small).to_dict()
        assert old.to_dict() != func(**small).to_dict()
        with pytest.raises(TypeError, match="both lr= and its old name step="):
            func(step=0.05, lr=0.2, **small)
    law = dict(d=32, ms=[8, 16], ns=[20, 40], sketches=1, runs=1)
    with pytest.warns(DeprecationWarning, match="sigma2= is deprecated, use noise="):
        old = qr.scaling_law(sigma2=0.3, **law)
    assert repr(old.to_dict()) == repr(qr.scaling_law(noise=0.3, **law).to_dict())  # NaN stderr

    # The new names raise no warning.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        qr.sgd(quantizer="add", noise=0.2, lr=0.05, **kw)


def test_phase_diagram_axis_errors_name_the_axis():
    with pytest.raises(ValueError, match=r"^--y-axis alpha: COUNT 100000000 is more than"):
        qr.phase_diagram(x_axis="width=0.1:2:3", y_axis="alpha=0.5:3:100000000")
    with pytest.raises(ValueError, match=r"^--x-axis width: COUNT 100000000 is more than"):
        qr.phase_diagram(x_axis="width=0.1:2:100000000")


@pytest.mark.parametrize("call", [
    lambda cb: qr.transitions(over="alpha=0.5:3:12", progress=cb),
    lambda cb: qr.asq(np.random.default_rng(0).normal(size=50_000), 4, progress=cb),
    lambda cb: qr.ste_dynamics(beta=float("inf"), bits=1, width=1.0, time="0:0.5:3", n=50,
                               seeds=2, progress=cb),
    lambda cb: qr.scaling_law(d=64, ms=[8, 16], ns=[100, 300], sketches=1, schemes="add",
                              progress=cb),
], ids=["transitions", "asq", "ste_dynamics", "scaling_law"])
def test_long_calls_report_progress(call):
    calls = []
    call(lambda done, total: calls.append((done, total)))
    assert calls, "no progress reported"
    done, total = calls[-1]
    assert total > 0 and done == total, calls
