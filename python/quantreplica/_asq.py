"""Adaptive stochastic quantization (ASQ) of numpy arrays."""

from __future__ import annotations

from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _core
from ._progress import ProgressArg, progress_callback
from ._records import AsqResult


def _float_array(x: Any, what: str) -> np.ndarray:
    """float32/float64 arrays as they are (no copy); other real arrays and sequences as
    float64."""
    if isinstance(x, np.ndarray) and x.dtype in (np.float32, np.float64):
        return x
    a = np.asarray(x)
    if a.dtype.kind not in "iuf" and a.dtype != bool:
        raise TypeError(f"{what} must be a real numeric array, got dtype {a.dtype}")
    return a.astype(np.float64)


def asq(x: Any, s: int, method: str = "exact", weights: Any = None,
        objective: str = "variance", bins: int = 1000, *, progress: ProgressArg = None,
        force: bool = False) -> AsqResult:
    """Optimal data-chosen levels for unbiased stochastic rounding, as ``quantreplica asq``.

    ``x``: any float32/float64 array (any shape, C or Fortran order; other real dtypes are
    converted to float64); its values are copied once (the exact methods sort the copy) and the
    array is never modified. ``s``: number of levels, the minimum and maximum included.
    ``method``: ``"exact"`` (the fastest exact solver) or ``"approx"`` (an m-bin histogram, no
    sort, with an error bound); the exact solvers slower than QUIVER's for some s (``"dp"``,
    ``"smawk"``, ``"smawk2"``, ``"lagrange"``) are retired, as on the command line. ``weights``: one
    per value (e.g. E[y_i²] for the inner-product objective). ``objective``: ``"variance"``
    (Σ w (b − x)(x − a)) or ``"worst"`` (its largest term; exact method only). ``bins``: bins of
    the approx method.

    Returns an :class:`AsqResult` with ``levels`` (a numpy array), ``vnmse``, ``objective``,
    ``worst_term`` and the solver's and sort's seconds: the keys of ``asq --json``.

    ``progress``: a callable ``(done, total)`` over the stages (check, sort, levels, measures)
    or True. The size is checked before the values are copied against the command line's
    budget (docs/limits.md): a ValueError naming ``x`` when the estimate needs more memory than
    is available or (unless ``force=True``) more than a day.
    """
    xa = _float_array(x, "x")
    wa = None if weights is None else _float_array(weights, "weights")
    with progress_callback(progress, "asq") as cb:
        return AsqResult(_core.asq(xa, s, method, wa, objective, bins, cb, force))


def stochastic_round(x: Any, levels: Union[Sequence[float], np.ndarray], seed: int = 0, *,
                     force: bool = False) -> np.ndarray:
    """Unbiased stochastic rounding of every value of ``x`` onto ``levels`` (sorted, distinct,
    covering the values): a value between levels a < b becomes b with probability
    (x − a)/(b − a), else a. Returns an array of ``x``'s shape and dtype (float32 stays
    float32); ``seed`` fixes the random stream (xoshiro256++). The size is checked before the
    values are copied against the command line's budget (docs/limits.md): a ValueError naming
    ``x`` when it needs more memory than is available (``force=True`` lifts only the time
    limit)."""
    xa = _float_array(x, "x")
    lv = [float(v) for v in np.asarray(levels, dtype=np.float64).ravel()]
    return _core.stochastic_round(xa, lv, seed, force)
