"""Low-precision SGD for linear regression: ``sgd``, ``scaling_law`` and ``shrinkage``, with the
command line's flags as keyword arguments (same names, defaults and checks)."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping, Optional, Union

import numpy as np

from . import _core
from ._progress import ProgressArg, progress_callback
from ._records import ScalingLawResult, SgdResult, ShrinkageResult
from ._renamed import renamed

_BUDGET = """

    The size (``d``, step counts, ``batch``, ``runs``, settings) is checked before any work
    against the command line's budget (docs/limits.md): a ValueError naming the argument when
    the estimate needs more memory than is available or (unless ``force=True``) more than a
    day."""

Names = Union[str, Iterable[str]]
Numbers = Union[str, Iterable[float]]


def _count(name: str, v: Any) -> int:
    """A positive count, refused with the command line's message (``count`` in src/cli/sgd.rs)."""
    if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {v!r}")
    if v <= 0:
        raise ValueError(f"{name} must be a positive integer, got {v}")
    return int(v)


def _names(v: Names) -> list:
    """A comma list of names (empty entries skipped), or any iterable of names."""
    if isinstance(v, str):
        return [t.strip() for t in v.split(",") if t.strip()]
    return [str(t).strip() for t in v if str(t).strip()]


def _numbers(flag: str, v: Numbers, kind: type) -> list:
    """A comma list of numbers as the command line parses it (naming the flag in an error), or
    any iterable (a numpy array too)."""
    if isinstance(v, str):
        out = []
        for t in (t.strip() for t in v.split(",")):
            if not t:
                continue
            # As Rust's parse: no underscores, and no sign or fraction for a count.
            ok = "_" not in t and (kind is not int or t.lstrip("+").isdigit())
            try:
                if not ok:
                    raise ValueError
                out.append(kind(t))
            except ValueError:
                raise ValueError(f"{flag}: '{t}' is not a valid number") from None
        return out
    values = np.asarray(v).ravel().tolist() if not isinstance(v, (list, tuple)) else list(v)
    if kind is int:
        out = []
        for x in values:
            if isinstance(x, bool) or not float(x).is_integer() or x < 0:
                raise ValueError(f"{flag}: '{x}' is not a valid number")
            out.append(int(x))
        return out
    return [float(x) for x in values]


def _problem(d: int, a: float, noise: float, wstar: str, batch: int, lr: float, steps: int,
             schedule: str, iterate: str, runs: int, seed: int) -> Dict[str, Any]:
    # The order of the command line's checks: steps, d, batch, runs.
    steps = _count("number of steps", steps)
    return {"d": _count("dimension d", d), "a": float(a), "sigma2": float(noise),
            "wstar": str(wstar), "batch": _count("batch size", batch), "step": float(lr),
            "steps": steps, "schedule": str(schedule), "iterate": str(iterate),
            "runs": _count("number of runs", runs), "seed": int(seed)}


def sgd(*, d: int = 100, a: float = 1.5, noise: Any = 0.1, wstar: str = "ones", batch: int = 1,
        lr: float = 0.1, steps: int = 1000, schedule: str = "constant", iterate: str = "last",
        runs: int = 100, seed: int = 1, quantize: Names = (), quantizer: str = "mult-coord",
        eps: Optional[float] = None, rounding: str = "nearest",
        q: Union[Iterable[str], Mapping[str, str]] = (), shrink_q: Optional[float] = None,
        grad_noise: float = 0.0, compensate: bool = False, grad_format: Optional[str] = None,
        exact: bool = False, no_sim: bool = False, progress: ProgressArg = None,
        force: bool = False, sigma2: Optional[float] = None,
        step: Optional[float] = None) -> SgdResult:
    """Low-precision SGD for linear regression, as ``quantreplica sgd --json``.

    The problem: H = diag(i^-a), i = 1..d, y = <w*, x> + noise of variance ``noise`` (σ², as
    every command's ``--noise``; the old name ``sigma2=`` still works, deprecated), target
    ``wstar`` (``"ones"`` or ``"power:B"``); SGD with batch ``batch``, base step ``lr`` (the
    old name ``step=`` still works, deprecated),
    ``steps`` steps, ``schedule`` (constant, ``inverse:T0``, ``poly:P``, ``stepdecay:K``),
    reported ``iterate`` (last, average, tail, ``tail:S``), ``runs`` Monte Carlo runs from
    ``seed``. Quantization: the targets ``quantize`` (a list or the command line's comma list of
    data, labels, params, acts, grads, all) with the ``quantizer`` (``--quantizer``;
    ``noise=`` was its old name and is now the label noise: a text value there is refused)
    (mult-coord, mult-vec,
    add, intB, ``int:B:STEP``, e2m1, e4m3, e5m2, fp16, bf16, ``eXmY[:SCALE]``) at level ``eps``
    and ``rounding``; ``q``: per-target quantizers (``["data=add:0.01"]`` or
    ``{"data": "add:0.01"}``, the command line's ``--q``); gradient shrinkage ``shrink_q`` with
    ``grad_noise`` and ``compensate``; ``grad_format`` quantizes the whole gradient. ``exact``
    adds the exact expected risk (abstract noise models), ``no_sim`` computes only that.
    Returns an :class:`SgdResult`. The size (d, steps, batch, runs) is checked before any work
    against the command line's budget (docs/limits.md): a ValueError naming the argument when
    the estimate needs more memory than is available or (unless ``force=True``) more than a
    day.

    >>> import quantreplica as qr
    >>> r = qr.sgd(d=20, steps=200, runs=8, quantize="data", quantizer="add", eps=0.01, exact=True)
    >>> r.status, round(r.exact_risk, 6)
    ('ok', 0.184788)
    """
    if isinstance(noise, str):
        raise ValueError(f"sgd(): noise='{noise}': noise= is the label-noise variance (a number), "
                         "as every command's --noise; the quantizer is quantizer=")
    noise = renamed(sigma2, "sigma2", "noise", noise, 0.1, "sgd")
    lr = renamed(step, "step", "lr", lr, 0.1, "sgd")
    problem = _problem(d, a, noise, wstar, batch, lr, steps, schedule, iterate, runs, seed)
    per_target = [f"{k}={v}" for k, v in q.items()] if isinstance(q, Mapping) else [str(s) for s in q]
    quant = {"quantize": _names(quantize), "noise": str(quantizer),
             "eps": None if eps is None else float(eps), "rounding": str(rounding),
             "per_target": per_target, "shrink_q": None if shrink_q is None else float(shrink_q),
             "grad_noise": float(grad_noise), "compensate": bool(compensate),
             "grad_format": None if grad_format is None else str(grad_format),
             "exact": bool(exact), "no_sim": bool(no_sim)}
    with progress_callback(progress, "sgd") as cb:
        return SgdResult(_core.sgd(problem, quant, cb, force))


def scaling_law(*, d: int = 1024, a: float = 2.0, noise: float = 0.1, lr: float = 0.1,
                batch: int = 1, ms: Numbers = (8, 16, 32, 64, 128, 256),
                ns: Numbers = (100, 300, 1000, 3000, 10000), eps: Numbers = (0.01,),
                schemes: Names = ("mult-vec", "add"), quantize: Names = ("data",),
                sketches: int = 3, runs: int = 20, seed: int = 1,
                progress: ProgressArg = None, force: bool = False,
                sigma2: Optional[float] = None, step: Optional[float] = None) -> ScalingLawResult:
    """The precision scaling law of sketched regression (seed 001), as
    ``quantreplica scaling-law --json``: the excess risk of SGD on a random sketch of size M of
    a power-law problem (dimension ``d`` > every M, exponent ``a``, label-noise variance
    ``noise``, constant step ``lr``, ``batch``; ``sigma2=`` and ``step=`` are the deprecated
    old names) over the grid ``ms`` × ``ns`` (sketch sizes × step counts), at full
    precision and for each scheme of ``schemes`` (mult-vec, add: exact; mult-coord: Monte
    Carlo over ``runs`` runs) quantizing ``quantize`` at each level of ``eps``, averaged over
    ``sketches`` sketches from ``seed``; the full-precision law fitted and each scheme's
    effective model and data sizes. Lists take a sequence or the command line's comma list.
    Returns a :class:`ScalingLawResult`."""
    noise = renamed(sigma2, "sigma2", "noise", noise, 0.1, "scaling_law")
    lr = renamed(step, "step", "lr", lr, 0.1, "scaling_law")
    spec = {"d": _count("dimension d", d), "a": float(a), "sigma2": float(noise),
            "step": float(lr), "ms": _numbers("--ms", ms, int), "ns": _numbers("--ns", ns, int),
            "eps": _numbers("--eps", eps, float), "batch": _count("batch size", batch),
            "sketches": _count("number of sketches", sketches),
            "runs": _count("number of runs", runs), "schemes": _names(schemes),
            "quantize": _names(quantize), "seed": int(seed)}
    with progress_callback(progress, "scaling-law") as cb:
        return ScalingLawResult(_core.scaling_law(spec, cb, force))


def shrinkage(*, d: int = 100, a: float = 1.5, noise: float = 0.1, wstar: str = "ones",
              batch: int = 1, lr: float = 0.1, steps: int = 1000, schedule: str = "constant",
              iterate: str = "last", runs: int = 100, seed: int = 1,
              qs: Numbers = (1.0, 0.5, 0.25), grad_noise: float = 0.0,
              target: Optional[float] = None, formats: Names = ("e4m3", "e5m2", "e2m1"),
              grad_scale: float = 1.0, progress: ProgressArg = None,
              force: bool = False, sigma2: Optional[float] = None,
              step: Optional[float] = None) -> ShrinkageResult:
    """SGD under gradient shrinkage (seed 003), as ``quantreplica shrinkage --json``: on the
    problem of :func:`sgd` (its ``lr`` the nominal μ; ``sigma2=`` and ``step=``
    are the deprecated old names of ``noise`` and ``lr``), the iterations to reach the excess
    risk ``target`` (default 1 % of the initial risk) for each shrinkage factor of ``qs``
    (each in (0, 1]; the update uses q·g + noise of variance ``grad_noise``), uncompensated and
    with the step divided by q, exact and Monte Carlo, with the convergence bound; and the
    measured round-to-nearest shrinkage of each real format of ``formats`` on gradients scaled
    by ``grad_scale``. Returns a :class:`ShrinkageResult`."""
    noise = renamed(sigma2, "sigma2", "noise", noise, 0.1, "shrinkage")
    lr = renamed(step, "step", "lr", lr, 0.1, "shrinkage")
    problem = _problem(d, a, noise, wstar, batch, lr, steps, schedule, iterate, runs, seed)
    spec = {"qs": _numbers("--qs", qs, float), "grad_noise": float(grad_noise),
            "target": None if target is None else float(target), "formats": _names(formats),
            "grad_scale": float(grad_scale)}
    with progress_callback(progress, "shrinkage") as cb:
        return ShrinkageResult(_core.shrinkage(problem, spec, cb, force))


for _f in (scaling_law, shrinkage):
    _f.__doc__ = (_f.__doc__ or "") + _BUDGET
del _f
