"""ASQ on a numpy array: optimal levels for unbiased stochastic rounding of a tensor.

A heavy-tailed float32 "gradient" tensor is quantized with s levels chosen by ASQ (exact,
O(d) memory beyond one sorted copy) and with s uniform levels between its extremes; the
variance of stochastic rounding (vNMSE) is compared, and one rounding is drawn and checked
for unbiasedness. With matplotlib installed, the levels are drawn over the histogram.

    python examples/python/asq_numpy.py [--out FILE.png]
"""

import sys

import numpy as np

import quantreplica as qr


def uniform_vnmse(x, s):
    """vNMSE of stochastic rounding onto s uniform levels spanning [min x, max x]."""
    lo, hi = float(x.min()), float(x.max())
    step = (hi - lo) / (s - 1)
    frac = (x - lo) / step - np.floor((x - lo) / step)
    return float(np.sum(step * step * frac * (1 - frac)) / np.sum(x.astype(np.float64) ** 2))


def main(out=None):
    rng = np.random.default_rng(0)
    # A (256, 512) float32 tensor with Student-t tails, as gradients often have.
    grad = (rng.standard_t(df=3, size=(256, 512)) * 1e-3).astype(np.float32)
    print(f"tensor {grad.shape} {grad.dtype}, {grad.size} values")
    print(f"{'s':>3} {'ASQ vNMSE':>11} {'uniform vNMSE':>14} {'gain':>6} {'solver ms':>10}")
    results = {}
    for s in (4, 8, 16):
        r = qr.asq(grad, s)
        u = uniform_vnmse(grad, s)
        results[s] = r
        print(f"{s:>3} {r.vnmse:>11.4e} {u:>14.4e} {u / r.vnmse:>6.1f} "
              f"{(r.seconds + r.sort_seconds) * 1e3:>10.2f}")
        assert r.vnmse < u, "optimal levels beat uniform ones"
    r = results[8]
    q = qr.stochastic_round(grad, r.levels, seed=1)
    assert q.shape == grad.shape and q.dtype == grad.dtype
    assert set(np.unique(q)) <= set(r.levels.astype(np.float32))
    rel_bias = abs(float(q.astype(np.float64).sum() - grad.astype(np.float64).sum())) / float(np.abs(grad).sum())
    emp = float(np.sum((q.astype(np.float64) - grad) ** 2) / np.sum(grad.astype(np.float64) ** 2))
    print(f"s=8: one rounding has vNMSE {emp:.4e} (expected {r.vnmse:.4e}), relative bias {rel_bias:.1e}")
    if out:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib not installed: no figure")
            return results
        fig, ax = plt.subplots(figsize=(7, 4))
        ax.hist(grad.ravel(), bins=400, log=True, color="0.7")
        for v in r.levels:
            ax.axvline(v, color="C3", lw=1)
        ax.set_xlabel("value")
        ax.set_title("ASQ levels (s = 8) over the tensor's histogram")
        fig.savefig(out, dpi=120, bbox_inches="tight")
        print(f"figure written to {out}")
    return results


if __name__ == "__main__":
    main(sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None)
