"""What users expect of long calls: Ctrl-C, the GIL released, progress."""

import _thread
import json
import signal
import threading
import time

import numpy as np
import pytest

import quantreplica as qr

# Python installs its KeyboardInterrupt handler only when SIGINT is not ignored at start-up, and a
# shell's background jobs start with SIGINT ignored (`nohup ./test.sh &`): without the handler
# `_thread.interrupt_main()` does nothing and these tests would run their long calls to the end.
signal.signal(signal.SIGINT, signal.default_int_handler)

LONG = {"alpha": np.linspace(0.2, 6.0, 400), "width": np.linspace(0.3, 3.0, 100)}  # 40 000 points


def test_ctrl_c_stops_a_long_sweep_within_half_a_second(tmp_path):
    cp = tmp_path / "cp.jsonl"
    fired = {}

    def fire():
        fired["t"] = time.perf_counter()
        _thread.interrupt_main()

    timer = threading.Timer(0.5, fire)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        qr.sweep(over=LONG, beta=4.0, checkpoint=cp)
    back = time.perf_counter()
    timer.join()
    assert back - fired["t"] < 0.5, back - fired["t"]
    assert back - t0 < 5.0
    # Nothing half-written: every line of the checkpoint is a complete record.
    lines = cp.read_text().splitlines()
    assert len(lines) >= 1
    for line in lines:
        json.loads(line)


def test_the_gil_is_released_during_a_sweep():
    counter = {"n": 0, "stop": False}

    def spin():
        while not counter["stop"]:
            counter["n"] += 1

    th = threading.Thread(target=spin)
    th.start()
    try:
        time.sleep(0.05)
        before = counter["n"]
        t = qr.sweep(over={"alpha": np.linspace(0.5, 4.0, 300)}, beta=4.0, bits=1)
        during = counter["n"] - before
    finally:
        counter["stop"] = True
        th.join()
    assert t.n_rows == 300
    # The other thread ran all along (it would be stuck at 0 with the GIL held).
    assert during > 10_000, during


def test_progress_callback_counts_every_point():
    seen = []
    qr.sweep(over={"alpha": np.linspace(0.5, 4.0, 50)}, beta=4.0,
             progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1] == (50, 50)
    assert all(b[0] >= a[0] for a, b in zip(seen, seen[1:]))


def test_a_raising_callback_stops_the_job():
    def stop(done, total):
        raise RuntimeError("enough")

    with pytest.raises(RuntimeError, match="enough"):
        qr.sweep(over=LONG, beta=4.0, progress=stop)


def test_progress_true_uses_tqdm_when_installed(capsys):
    t = qr.sweep(over={"alpha": [1.0, 2.0]}, progress=True)
    assert t.n_rows == 2


# Sizes: each item's setup (generating the instance) is not interruptible, so it must be short
# against the 0.5 s budget even on a loaded machine (AMP at n = 3000 and QAT at n = 2000 took
# 0.7-2 s to set up at load 9 on 2 cores),
# while the iterations, which poll for Ctrl-C, run far longer than the test.
@pytest.mark.parametrize("call", [
    lambda: qr.amp(n=1000, seeds=8, max_iter=10_000, tol=1e-300, bits=2, beta=5.0),
    lambda: qr.gibbs(n=400, seeds=2, sweeps=10_000_000, burn_in=0, bits=1, beta=5.0),
    lambda: qr.qat(n=600, seeds=2, epochs=1_000_000, bits=1),
], ids=["amp", "gibbs", "qat"])
def test_ctrl_c_stops_simulations_between_iterations(call):
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        call()
    back = time.perf_counter()
    timer.join()
    assert back - t0 < 0.5 + 0.5, back - t0
