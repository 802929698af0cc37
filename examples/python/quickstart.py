"""Quickstart: one RS point, a width sweep, and the optimal width per bit count.

    python examples/python/quickstart.py [--out FILE.png]

The same as `quantreplica rs`, `quantreplica sweep` and `quantreplica optimal-width`, with
numpy columns instead of CSV. With matplotlib installed, ε_g against the width is drawn for
each bit count with its optimum marked.
"""

import sys

import numpy as np

import quantreplica as qr


def main(out=None):
    # 1. One point: 2-bit weights at width 1.5, α = 2 samples per weight, label noise 0.1.
    model = qr.Model(alpha=2.0, noise=0.1, bits=2, width=1.5)
    r = qr.rs(model)
    print(f"{model}: gen_error {r.gen_error:.6f}, AT eigenvalue {r.at_eigenvalue}, "
          f"RS stable {r.rs_stable}, levels {r.levels}")
    hot = qr.rs(model, beta=5.0)
    print(f"at beta = 5: gen_error {hot.gen_error:.6f}, lambda_AT {hot.at_eigenvalue:.4f}, "
          f"RS stable {hot.rs_stable}")

    # 2. A sweep: the error against the width for 1 to 4 bits, one call, numpy columns.
    widths = np.linspace(0.2, 4.0, 60)
    table = qr.sweep(model, over={"bits": [1, 2, 3, 4], "width": widths})
    print(f"sweep: {table.n_rows} points, columns {', '.join(list(table)[:8])}, ...")

    # 3. The optimal width per bit count (Brent's method on the RS error).
    optima = qr.optimal_width(model, bits=range(1, 5))
    print(f"{'bits':>4} {'width*':>8} {'gen_error':>10} {'grid min':>10}")
    for o in optima:
        rows = table["bits"] == o.bits
        grid_min = table["gen_error"][rows].min()
        print(f"{o.bits:>4} {o.width:>8.4f} {o.gen_error:>10.6f} {grid_min:>10.6f}")
        assert o.gen_error <= grid_min + 1e-9, "the optimum beats every grid point"
    if out:
        try:
            import matplotlib
            matplotlib.use("Agg")
            import matplotlib.pyplot as plt
        except ImportError:
            print("matplotlib not installed: no figure")
            return r, table, optima
        fig, ax = plt.subplots(figsize=(7, 4.5))
        for i, o in enumerate(optima):
            rows = table["bits"] == o.bits
            ax.plot(table["width"][rows], table["gen_error"][rows], f"C{i}-", label=f"{o.bits} bits")
            ax.plot([o.width], [o.gen_error], f"C{i}o")
        ax.set_xlabel("width ω")
        ax.set_ylabel("ε_g (RS, β = ∞)")
        ax.set_ylim(0, 1.2)
        ax.legend()
        fig.savefig(out, dpi=120, bbox_inches="tight")
        print(f"figure written to {out}")
    return r, table, optima


if __name__ == "__main__":
    main(sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None)
