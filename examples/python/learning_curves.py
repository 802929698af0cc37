"""Theory against finite systems as learning curves: the RS prediction of the error against α
(a line, from one sweep), AMP and Gibbs sampling on finite instances (points with error bars).

The model is Bayes-optimal (a ±1 teacher learned by 1-bit ±1 weights at β = 1/σ²), where RS is
exact and AMP reaches the posterior mean's error (``mse_posterior_mean``); Gibbs samples the
posterior, whose error is ``gen_error`` (twice the posterior mean's on this line). With
matplotlib installed the figure is drawn.

    python examples/python/learning_curves.py [--out FILE.png]
"""

import sys

import numpy as np

import quantreplica as qr


def main(out=None, n_amp=400, n_gibbs=80, seeds=4):
    noise = 0.25
    model = qr.Model(teacher="binary", bits=1, width=1.0, noise=noise, beta=1 / noise)
    line = qr.sweep(model, over={"alpha": np.linspace(0.1, 2.0, 40)})
    alphas = [0.25, 0.5, 1.0, 1.5]
    print(f"{'alpha':>6} {'RS mse':>9} {'AMP mse':>16} {'RS gen':>9} {'Gibbs gen':>16}")
    amp_pts, gibbs_pts = [], []
    for a in alphas:
        m = model.replace(alpha=a)
        th = qr.rs(m, continuation=False)
        am = qr.amp(m, n=n_amp, seeds=seeds, seed=2)
        gb = qr.gibbs(m, n=n_gibbs, seeds=seeds, sweeps=300, burn_in=150, seed=3)
        amp_pts.append((a, am.mse_posterior_mean.mean, am.mse_posterior_mean.stderr))
        gibbs_pts.append((a, gb.gen_error.mean, gb.gen_error.stderr))
        print(f"{a:>6.2f} {th.mse_posterior_mean:>9.4f} {am.mse_posterior_mean.mean:>9.4f} "
              f"± {am.mse_posterior_mean.stderr:.4f} {th.gen_error:>9.4f} "
              f"{gb.gen_error.mean:>9.4f} ± {gb.gen_error.stderr:.4f}")
    if out:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib not installed: no figure")
            return line, amp_pts, gibbs_pts
        fig, ax = plt.subplots(figsize=(7, 4.5))
        ax.plot(line["alpha"], line["mse_posterior_mean"], "C0-", label="RS: posterior mean")
        ax.plot(line["alpha"], line["gen_error"], "C1-", label="RS: Gibbs sample")
        x, y, e = np.array(amp_pts).T
        ax.errorbar(x, y, e, fmt="C0o", capsize=3, label=f"AMP, N = {n_amp}")
        x, y, e = np.array(gibbs_pts).T
        ax.errorbar(x, y, e, fmt="C1s", capsize=3, label=f"Gibbs, N = {n_gibbs}")
        ax.set_xlabel("α = M/N")
        ax.set_ylabel("error")
        ax.set_title("Bayes-optimal ±1 teacher, 1-bit weights, σ² = %g" % noise)
        ax.legend()
        fig.savefig(out, dpi=120, bbox_inches="tight")
        print(f"figure written to {out}")
    return line, amp_pts, gibbs_pts


if __name__ == "__main__":
    main(sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None)
