"""Experiments on the RS theory: optimal widths, transitions, phase diagrams, double descent."""

from __future__ import annotations

from typing import Any, Iterable, Mapping, Optional, Tuple, Union

import numpy as np

from . import _core
from ._core import Model
from ._progress import ProgressArg, progress_callback
from ._records import DoubleDescentCurve, OptimalWidth, PhaseDiagramResult, TransitionsResult
from ._renamed import take_old
from ._theory import _axis, _model, _switch


def _bits_list(bits: Union[str, Iterable[int]]) -> list:
    if isinstance(bits, str):
        bad = ValueError(f"bits range '{bits}' is not of the form B1:B2 with 1 <= B1 <= B2 <= 16")
        parts = bits.split(":")
        try:
            a, b = (int(p.strip()) for p in parts)
        except ValueError:
            raise bad from None
        if len(parts) != 2 or a == 0 or b > 16 or a > b:
            raise bad
        return list(range(a, b + 1))
    return [int(b) for b in bits]


def optimal_width(model: Optional[Model] = None, *, bits: Union[None, int, str, Iterable[int]] = None,
                  objective: str = "gen", progress: ProgressArg = None,
                  **kwargs: Any) -> Union[OptimalWidth, Tuple[OptimalWidth, ...]]:
    """The quantization width ω* minimizing the error, as ``quantreplica optimal-width``: a
    bracketing scan then Brent's method on the RS equilibrium's error.

    ``bits``: None (the model's), an int (one :class:`OptimalWidth`), or a range, a list or the
    command line's ``"B1:B2"`` (a tuple of them, computed in parallel). ``objective``:
    ``"gen"`` (ε_g, the trained model's error) or ``"mean"`` (ε_mean). The model's ``width`` is
    ignored; its ``levels`` must use a width (uniform, midtread, pow2).

    >>> import quantreplica as qr
    >>> [round(o.width, 3) for o in qr.optimal_width(bits=[1, 2])]
    [0.698, 1.329]
    """
    m = _model(model, kwargs)
    single = bits is None or isinstance(bits, (int, np.integer))
    blist = [m.bits if bits is None else int(bits)] if single else _bits_list(bits)  # type: ignore[arg-type]
    if not blist:
        raise ValueError("bits: no bit counts given")
    with progress_callback(progress, "optimal-width") as cb:
        rows = _core.optimal_width(m, blist, objective, cb)
    out = tuple(OptimalWidth(r) for r in rows)
    return out[0] if single else out


def _one_axis(arg: Union[str, Mapping[str, Any]], what: str) -> str:
    if isinstance(arg, str):
        return arg
    if not isinstance(arg, Mapping) or len(arg) != 1:
        raise TypeError(f"{what} must be 'PARAM=...' or a mapping with one parameter")
    ((k, v),) = arg.items()
    return _axis(k, v)


def transitions(model: Optional[Model] = None, *, over: Union[str, Mapping[str, Any]],
                progress: ProgressArg = None, force: bool = False,
                **kwargs: Any) -> TransitionsResult:
    """Coexisting RS branches, spinodals and first-order transitions along one continuous
    parameter, as ``quantreplica transitions``: ``over={"alpha": values}`` (or the command
    line's ``"alpha=START:STOP:COUNT"``; alpha, noise, width, beta, ridge or teacher_var; at
    least 2 values, sorted). Returns a :class:`TransitionsResult`, with ``continuation``: the
    branches followed by pseudo-arclength continuation, spinodals as folds, stable and unstable
    branches labelled. ``progress``: a callable ``(done, total)`` or True. The grid's size is
    checked before any work against the command line's budget (docs/limits.md): a ValueError
    naming ``over`` when it needs more memory than is available or (unless ``force=True``)
    more than a day."""
    m = _model(model, kwargs)
    with progress_callback(progress, "transitions") as cb:
        return TransitionsResult(_core.transitions(m, _one_axis(over, "over"), cb, force))


_X_AXIS = "width=0.05:4:60"
_Y_AXIS = "bits=1,2,3,4,5,6"


def phase_diagram(model: Optional[Model] = None, *,
                  x_axis: Union[str, Mapping[str, Any]] = _X_AXIS,
                  y_axis: Union[str, Mapping[str, Any]] = _Y_AXIS, log_y: bool = False,
                  transitions: bool = True, progress: ProgressArg = None, force: bool = False,
                  rsb: bool = False, **kwargs: Any) -> PhaseDiagramResult:
    """RS-stable, RSB and negative-entropy regions on a grid of two parameters, as
    ``quantreplica phase-diagram --json`` (no files written): ``x_axis`` a continuous parameter
    and ``y_axis`` any other but levels (``--x-axis``, ``--y-axis``; the old names ``x=`` and
    ``y=`` still work, deprecated), each ``{"param": values}`` or the command line's text;
    ``log_y``: geometric spacing of a y range. The AT line (λ_AT = 1) is root-found along x in
    each row (and along y in each column for a continuous y); with ``transitions``, the
    spinodals and first-order transitions by branch continuation along each row. Returns a
    :class:`PhaseDiagramResult`. The grid's size is checked before any work against the
    command line's budget (docs/limits.md): a ValueError naming the axes when it needs more
    memory than is available or (unless ``force=True``) more than a day.

    ``rsb=True`` (``--rsb``) adds the 1RSB map of ``phase-diagram --rsb`` (the cells of its
    ``STEM_rsb.csv``) as the key ``rsb``: one record per cell, row-major in y as ``cells``,
    with x, y, method (``"rs_stable"``, ``"frozen"``: the sign channel's frozen 1RSB in closed
    form, ``"followed"``, ``"full"``), converged, stationarity, rsb_phase, parisi_x,
    gen_error_rsb, gen_error_rs, mse_posterior_mean_rsb, mse_posterior_mean_rs,
    free_entropy_rsb, free_entropy_rs, entropy_rsb, replicon_q1 and at_eigenvalue;
    :meth:`PhaseDiagramResult.rsb_columns` gives them as numpy columns. Every cell needs a
    finite ``beta`` and a discrete student (a ValueError before any work otherwise).

    >>> import quantreplica as qr
    >>> d = qr.phase_diagram(x_axis={"alpha": [1.0, 1.4]}, y_axis={"beta": [5.0]},
    ...                      transitions=False, rsb=True, channel="sign", labels="random",
    ...                      bits=1)
    >>> d.rsb_columns()["method"].tolist()
    ['rs_stable', 'frozen']
    """
    rsb = _switch("rsb", rsb)
    x_axis = take_old(kwargs, "x", "x_axis", x_axis, _X_AXIS, "phase_diagram")
    y_axis = take_old(kwargs, "y", "y_axis", y_axis, _Y_AXIS, "phase_diagram")
    m = _model(model, kwargs)
    with progress_callback(progress, "phase-diagram") as cb:
        return PhaseDiagramResult(_core.phase_diagram(m, _one_axis(x_axis, "x_axis"),
                                                      _one_axis(y_axis, "y_axis"),
                                                      log_y, transitions, cb, force, rsb))


def double_descent(model: Optional[Model] = None, *, bits: Iterable[int] = (1, 2, 3, 4),
                   alphas: Any = None, beta: float = float("inf"), progress: ProgressArg = None,
                   force: bool = False, **kwargs: Any) -> Tuple[DoubleDescentCurve, ...]:
    """Learning curves ε_g(α) of uniform quantizers, the double descent of the headline: for
    each bit count, the optimal width ω* (at the model's α and noise, β = ∞) and the widths
    ω*/2, ω*, 2ω*, solved along ``alphas`` (default: 60 log-spaced values from 0.1 to about 5)
    at ``beta``. Gaussian teacher of unit variance, no ridge (the headline's setting: only the
    model's ``alpha`` and ``noise`` are used). Returns one :class:`DoubleDescentCurve` per
    (bits, width), with the interpolation peak and, at β = ∞, the interpolation threshold.
    The size (bit counts × α values) is checked before any work against the command line's
    budget (docs/limits.md); ``force=True`` lifts its time limit."""
    m = _model(model, kwargs)
    a = _core.alpha_grid(60) if alphas is None else [float(v) for v in np.asarray(alphas, dtype=np.float64).ravel()]
    with progress_callback(progress, "double-descent") as cb:
        curves = _core.double_descent(m, [int(b) for b in bits], a, float(beta), cb, force)
    return tuple(DoubleDescentCurve(c) for c in curves)
