"""sgd, scaling_law and shrinkage against the command line: the same numbers (1e-12), the same
keys, the same one-line messages for bad input."""

import _thread
import threading
import time

import numpy as np
import pytest

import quantreplica as qr
from conftest import assert_same, cli_error, cli_json

SMALL = dict(d=20, steps=200, runs=8)
SMALL_FLAGS = ["--d", 20, "--steps", 200, "--runs", 8]


def test_sgd_equals_the_cli():
    r = qr.sgd(**SMALL, quantize="data", quantizer="add", eps=0.01, exact=True)
    assert isinstance(r, qr.SgdResult)
    js = cli_json("sgd", *SMALL_FLAGS, "--quantize", "data", "--quantizer", "add", "--eps", 0.01,
                  "--exact")
    assert_same(r.to_dict(), js)
    assert r.exact_risk == pytest.approx(js["exact_risk"], rel=1e-12)
    # Lists and mappings for the command line's comma lists and repeated --q.
    r2 = qr.sgd(**SMALL, quantize=["data", "labels"], quantizer="e4m3", rounding="stochastic",
                q={"grads": "add:0.001"}, shrink_q=0.5, grad_noise=0.01, compensate=True,
                schedule="inverse:50", iterate="tail", seed=7)
    js2 = cli_json("sgd", *SMALL_FLAGS, "--quantize", "data,labels", "--quantizer", "e4m3",
                   "--rounding", "stochastic", "--q", "grads=add:0.001", "--shrink-q", 0.5,
                   "--grad-noise", 0.01, "--compensate", "--schedule", "inverse:50",
                   "--iterate", "tail", "--seed", 7)
    assert_same(r2.to_dict(), js2)
    r3 = qr.sgd(d=30, a=2.0, wstar="power:1", quantize="all", quantizer="mult-vec", eps=0.05,
                no_sim=True)
    assert r3.excess_risk is None
    assert_same(r3.to_dict(), cli_json("sgd", "--d", 30, "--a", 2.0, "--wstar", "power:1",
                                       "--quantize", "all", "--quantizer", "mult-vec", "--eps", 0.05,
                                       "--no-sim"))
    r4 = qr.sgd(**SMALL, grad_format="e4m3")
    assert_same(r4.to_dict(), cli_json("sgd", *SMALL_FLAGS, "--grad-format", "e4m3"))


def test_scaling_law_equals_the_cli():
    kw = dict(d=64, ms=[8, 16], ns=np.array([50, 100]), eps="0.01,0.05", sketches=1, runs=2,
              schemes="mult-vec,add,mult-coord")
    r = qr.scaling_law(**kw)
    assert isinstance(r, qr.ScalingLawResult)
    js = cli_json("scaling-law", "--d", 64, "--ms", "8,16", "--ns", "50,100", "--eps",
                  "0.01,0.05", "--sketches", 1, "--runs", 2, "--schemes", "mult-vec,add,mult-coord")
    assert_same(r.to_dict(), js)
    assert [s.scheme for s in r.schemes] == [s["scheme"] for s in js["schemes"]]


def test_shrinkage_equals_the_cli():
    r = qr.shrinkage(**SMALL, qs=[1.0, 0.5], formats=["e4m3"], grad_noise=0.001)
    assert isinstance(r, qr.ShrinkageResult)
    js = cli_json("shrinkage", *SMALL_FLAGS, "--qs", "1,0.5", "--formats", "e4m3",
                  "--grad-noise", 0.001)
    assert_same(r.to_dict(), js)
    r2 = qr.shrinkage(**SMALL, qs="0.5", formats="", target=0.05, grad_scale=1e-3)
    assert_same(r2.to_dict(), cli_json("shrinkage", *SMALL_FLAGS, "--qs", "0.5", "--formats",
                                       "", "--target", 0.05, "--grad-scale", 0.001))


@pytest.mark.parametrize("kw,flags", [
    (dict(d=0), ["--d", 0]),
    (dict(d=-3), ["--d", -3]),
    (dict(steps=0, d=0), ["--steps", 0, "--d", 0]),
    (dict(batch=-1), ["--batch", -1]),
    (dict(runs=0), ["--runs", 0]),
    (dict(a=-1.0), ["--a", -1]),
    (dict(lr=0.0), ["--lr", 0]),
    (dict(noise=-1.0), ["--noise", -1]),
    (dict(wstar="bogus"), ["--wstar", "bogus"]),
    (dict(schedule="bogus"), ["--schedule", "bogus"]),
    (dict(iterate="bogus"), ["--iterate", "bogus"]),
    (dict(quantize="data", quantizer="bogus", eps=0.1), ["--quantize", "data", "--quantizer", "bogus",
                                                     "--eps", 0.1]),
    (dict(quantize="weights", quantizer="add", eps=0.1), ["--quantize", "weights", "--quantizer", "add",
                                                      "--eps", 0.1]),
    (dict(quantize="data", quantizer="add", eps=-0.1), ["--quantize", "data", "--quantizer", "add",
                                                    "--eps", -0.1]),
    (dict(q=["data"]), ["--q", "data"]),
    (dict(rounding="up"), ["--rounding", "up"]),
    (dict(shrink_q=1.5), ["--shrink-q", 1.5]),
    (dict(grad_format="bogus"), ["--grad-format", "bogus"]),
])
def test_sgd_bad_input(kw, flags):
    with pytest.raises(ValueError) as e:
        qr.sgd(**kw)
    assert str(e.value) == cli_error("sgd", *flags)


@pytest.mark.parametrize("kw,flags", [
    (dict(d=0), ["--d", 0]),
    (dict(ms="8,x"), ["--ms", "8,x"]),
    (dict(ms=[8.5]), ["--ms", "8.5"]),
    (dict(ns="-5"), ["--ns=-5"]),
    (dict(eps="a"), ["--eps", "a"]),
    (dict(d=16, ms=[8, 32]), ["--d", 16, "--ms", "8,32"]),
    (dict(sketches=0), ["--sketches", 0]),
    (dict(schemes="bogus"), ["--schemes", "bogus"]),
    (dict(a=0.0), ["--a", 0]),
])
def test_scaling_law_bad_input(kw, flags):
    with pytest.raises(ValueError) as e:
        qr.scaling_law(**kw)
    assert str(e.value) == cli_error("scaling-law", *flags)


@pytest.mark.parametrize("kw,flags", [
    (dict(qs="0,1"), ["--qs", "0,1"]),
    (dict(qs=[1.5]), ["--qs", "1.5"]),
    (dict(qs="x"), ["--qs", "x"]),
    (dict(formats="bogus"), ["--formats", "bogus"]),
    (dict(grad_noise=-1.0), ["--grad-noise", -1]),
    (dict(target=-1.0), ["--target", -1]),
    (dict(d=0), ["--d", 0]),
])
def test_shrinkage_bad_input(kw, flags):
    with pytest.raises(ValueError) as e:
        qr.shrinkage(**kw)
    assert str(e.value) == cli_error("shrinkage", *flags)


def test_wrong_types_are_type_errors():
    with pytest.raises(TypeError):
        qr.sgd(d=2.5)
    with pytest.raises(TypeError):
        qr.sgd(bogus=1)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        qr.scaling_law(sketches="3")


def test_ctrl_c_stops_sgd_between_runs():
    timer = threading.Timer(0.5, _thread.interrupt_main)
    timer.start()
    t0 = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        qr.sgd(d=100, steps=20_000, runs=100_000)
    back = time.perf_counter()
    timer.join()
    assert back - t0 < 0.5 + 0.5, back - t0
