"""Side-by-side timings of the Python package (python/bench/bench.py; numbers in the README).

Run from the repository root after ./test.sh (which builds target/release/quantreplica and the
package into target/python-venv):

    target/python-venv/bin/python python/bench/bench.py [--quick]

1. Python call overhead per RS point: qr.rs(model) against the same library call timed inside
   the extension (no Python in the loop), alternating, same process.
2. A sweep of 10^4 points: qr.sweep against `quantreplica sweep --json` (wall time, alternating).
3. ASQ on a 2^20 float32 array: qr.asq against the CLI's solver + sort time on the same values,
   and the two sorts (numpy's in Python, the library's in the CLI).
4. tramp's state evolution against qr.rs on the same Bayes-optimal points, if tramp is
   importable (it is not installed by this project; see the README).
Each line says what was measured; the machine's load average is printed first.
"""

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

import quantreplica as qr

BIN = os.environ.get("QUANTREPLICA_BIN", "target/release/quantreplica")
QUICK = "--quick" in sys.argv


def load():
    return "load average %.2f %.2f %.2f on %d cores" % (*os.getloadavg(), os.cpu_count())


def rs_overhead():
    """Python qr.rs against the same library call timed inside the extension (min of many
    alternating calls: the intrinsic cost, least disturbed by other load)."""
    cases = [(dict(alpha=2.0, bits=2, width=1.5), False, 2000),
             (dict(alpha=2.0, bits=2, width=1.5), True, 200),
             (dict(alpha=2.0, bits=1, width=1.5, beta=5.0), False, 300),
             (dict(alpha=2.0, bits=1, width=1.5, beta=5.0), True, 20)]
    for kw, cont, reps in cases:
        reps = max(3, reps // 10) if QUICK else reps
        m = qr.Model(**kw)
        qr.rs(m, continuation=cont)
        py, rust = [], []
        for _ in range(reps):
            t = time.perf_counter()
            qr.rs(m, continuation=cont)
            py.append(time.perf_counter() - t)
            rust.append(qr._core._time_rs(m, 1, cont))
        p, r = min(py), min(rust)
        print(f"rs {kw} continuation={cont}: Python {p * 1e6:.1f} us, in-process Rust "
              f"{r * 1e6:.1f} us, overhead {(p - r) * 1e6:+.1f} us (min of {reps}; medians "
              f"{statistics.median(py) * 1e6:.1f} / {statistics.median(rust) * 1e6:.1f} us)")


def sweep():
    """qr.sweep against `quantreplica sweep --json` on the same 10^4-point grid, alternating,
    every core for both: wall time and CPU time (user + system of all threads; less sensitive
    to other load on the machine)."""
    import resource

    def child_cpu():
        r = resource.getrusage(resource.RUSAGE_CHILDREN)
        return r.ru_utime + r.ru_stime

    n = 20 if QUICK else 100
    over = ["alpha=0.5:4:%d" % n, "width=0.5:2.5:%d" % n]
    for flags in ([], ["--beta", "5"]):
        runs = 1 if QUICK else 5
        py, cli, pyc, clic = [], [], [], []
        kw = {"beta": 5.0} if flags else {}
        for _ in range(runs):
            t, c = time.perf_counter(), child_cpu()
            subprocess.run([BIN, "sweep", "--over", over[0], "--over", over[1], *flags, "--json"],
                           check=True, stdout=subprocess.DEVNULL)
            cli.append(time.perf_counter() - t)
            clic.append(child_cpu() - c)
            t, c = time.perf_counter(), time.process_time()
            qr.sweep(over={"alpha": over[0].split("=")[1], "width": over[1].split("=")[1]}, **kw)
            py.append(time.perf_counter() - t)
            pyc.append(time.process_time() - c)
        p, c = min(py), min(cli)
        print(f"sweep {n * n} points {' '.join(flags) or '(beta inf)'}: wall Python {p:.3f} s, "
              f"CLI {c:.3f} s, ratio {p / c:.3f}; CPU Python {min(pyc):.3f} s, CLI "
              f"{min(clic):.3f} s, ratio {min(pyc) / min(clic):.3f} (best of {runs}, alternating)")


def asq():
    d = 1 << (16 if QUICK else 20)
    x = np.random.default_rng(1).standard_normal(d).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "x.npy")
        np.save(path, x.astype(np.float64))
        for s in (4, 16):
            runs = 1 if QUICK else 5
            py, cli, inner, pysort, clisort = [], [], [], [], []
            for _ in range(runs):
                out = subprocess.run([BIN, "asq", "--input", path, "--s", str(s), "--json"],
                                     check=True, capture_output=True, text=True).stdout
                j = json.loads(out)
                cli.append(j["seconds"] + j["sort_seconds"])
                clisort.append(j["sort_seconds"])
                t = time.perf_counter()
                r = qr.asq(x, s)
                py.append(time.perf_counter() - t)
                inner.append(r.seconds + r.sort_seconds)
                pysort.append(r.sort_seconds)
            p, c, i = statistics.median(py), statistics.median(cli), statistics.median(inner)
            ps, cs = statistics.median(pysort), statistics.median(clisort)
            print(f"asq d=2^{d.bit_length() - 1} float32 s={s}: Python call {p * 1e3:.1f} ms "
                  f"(its solver+sort {i * 1e3:.1f} ms), CLI solver+sort {c * 1e3:.1f} ms, "
                  f"ratio {p / c:.3f}; sort: Python (numpy's) {ps * 1e3:.1f} ms, CLI (library's) "
                  f"{cs * 1e3:.1f} ms (medians of {runs})")


def tramp():
    try:
        from tramp.algos import StateEvolution
        from tramp.models import glm_state_evolution
    except Exception as e:  # noqa: BLE001 - any import failure means: not available
        print(f"tramp: not importable ({type(e).__name__}: {e}); skipped")
        return
    for alpha, noise in [(0.5, 0.1), (1.0, 0.1), (2.0, 0.01)]:
        kw = dict(alpha=alpha, teacher="binary", bits=1, width=1.0, noise=noise, beta=1 / noise)
        m = qr.Model(**kw)
        reps = 3 if QUICK else 10
        tt, tq, tr = [], [], []
        for _ in range(reps):
            t = time.perf_counter()
            se = StateEvolution(glm_state_evolution(alpha=alpha, prior_type="binary",
                                                    output_type="gaussian", output_var=noise))
            se.iterate(max_iter=500)
            v = se.get_variables_data(["x"])["x"]["v"]
            tt.append(time.perf_counter() - t)
            t = time.perf_counter()
            r = qr.rs(m)
            tq.append(time.perf_counter() - t)
            t = time.perf_counter()
            f = qr.rs(m, continuation=False)
            tr.append(time.perf_counter() - t)
        print(f"Bayes-optimal alpha={alpha} noise={noise}: tramp SE mse {float(v):.10g} in "
              f"{statistics.median(tt) * 1e3:.2f} ms; qr.rs mse {r.mse_posterior_mean:.10g} in "
              f"{statistics.median(tq) * 1e3:.2f} ms (with continuation), "
              f"{statistics.median(tr) * 1e3:.2f} ms (continuation=False, mse "
              f"{f.mse_posterior_mean:.10g})")


if __name__ == "__main__":
    print(load())
    rs_overhead()
    sweep()
    asq()
    tramp()
    print(load())
