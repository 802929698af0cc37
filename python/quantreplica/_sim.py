"""Finite-size checks of the theory: AMP, Gibbs sampling and QAT on generated instances or on
your own data."""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from . import _core
from ._asq import _float_array
from ._core import Model
from ._progress import ProgressArg, progress_callback
from ._records import AmpResult, GibbsResult, QatResult
from ._renamed import take_old
from ._theory import _model


def _data(X: Any, y: Any) -> tuple:
    return (None if X is None else _float_array(X, "X"),
            None if y is None else _float_array(y, "y"))


_SIM_DOC = """
    Instances: ``n`` weights drawn from the model (M = round(αN)) for each of ``seeds`` seeds,
    or your own data ``X`` (M × N inputs) and ``y`` (M labels), float32 or float64 arrays in C
    or Fortran order (α is then M/N; the seeds then vary only the algorithm's randomness).
    ``seed``: base seed (seed s uses streams derived from (seed, s)). The GIL is released and
    Ctrl-C stops the run between seeds; ``progress``: a callable ``(done, total)`` or True.
    The size (M x N, seeds, passes) is checked before any work against the command line's
    budget (docs/limits.md): a ValueError naming the argument when the estimate needs more
    memory than is available or (unless ``force=True``) more than a day."""


def amp(model: Optional[Model] = None, *, X: Any = None, y: Any = None, n: Optional[int] = None,
        seeds: int = 4, seed: int = 1, damping: float = 1.0, max_iter: int = 200,
        tol: float = 1e-7, full_variance: bool = False, progress: ProgressArg = None,
        force: bool = False, **kwargs: Any) -> AmpResult:
    """Approximate message passing with state evolution, against the RS theory, as
    ``quantreplica amp`` (default n = 1000). Needs a finite ``beta``. ``damping`` ∈ (0, 1],
    ``max_iter``, ``tol`` (on ‖ŵ_t − ŵ_{t−1}‖/√N), ``full_variance`` (GAMP's variance messages
    with the matrix of squares). Returns an :class:`AmpResult` (the JSON's summaries) with the
    estimates ``w_hat`` and ``v`` as (seeds, N) numpy arrays."""
    m = _model(model, kwargs)
    xa, ya = _data(X, y)
    with progress_callback(progress, "amp") as cb:
        rec, arrays = _core.amp(m, xa, ya, n, seeds, seed, damping, max_iter, tol,
                                full_variance, cb, force)
    return AmpResult(rec, arrays)


def gibbs(model: Optional[Model] = None, *, X: Any = None, y: Any = None, n: Optional[int] = None,
          seeds: int = 4, seed: int = 1, sweeps: int = 1000, burn_in: int = 500,
          temperatures: int = 1, beta_min: float = 0.5, overlap_bins: int = 40,
          progress: ProgressArg = None, force: bool = False, **kwargs: Any) -> GibbsResult:
    """Two-replica heat-bath sampling (parallel tempering with ``temperatures`` > 1, geometric
    from ``beta_min`` to the model's β), against the RS theory, as ``quantreplica gibbs``
    (default n = 200). Needs a finite ``beta`` and discrete levels. ``sweeps`` measured after
    ``burn_in``; ``overlap_bins`` of the P(q/Q) histogram (``--overlap-bins``; the old name
    ``bins=`` still works, deprecated). Returns a :class:`GibbsResult`."""
    overlap_bins = take_old(kwargs, "bins", "overlap_bins", overlap_bins, 40, "gibbs")
    m = _model(model, kwargs)
    xa, ya = _data(X, y)
    with progress_callback(progress, "gibbs") as cb:
        rec, arrays = _core.gibbs(m, xa, ya, n, seeds, seed, sweeps, burn_in, temperatures,
                                  beta_min, overlap_bins, cb, force)
    return GibbsResult(rec, arrays)


def qat(model: Optional[Model] = None, *, X: Any = None, y: Any = None, n: Optional[int] = None,
        seeds: int = 4, seed: int = 1, epochs: int = 60, batch: int = 8, lr: float = 0.5,
        schedule: str = "step", decay_every: int = 15, decay: float = 0.5,
        rounding: str = "nearest", init_scale: float = 0.1, progress: ProgressArg = None,
        force: bool = False, **kwargs: Any) -> QatResult:
    """Quantization-aware training by minibatch SGD with the straight-through estimator,
    against the β = ∞ RS theory, as ``quantreplica qat`` (default n = 500; the model's β is not
    used). ``schedule``: ``"step"`` (× ``decay`` every ``decay_every`` epochs) or
    ``"constant"``; ``rounding``: ``"nearest"`` or ``"stochastic"`` in the forward pass;
    ``init_scale``: latent initialization (sd / largest level). Returns a :class:`QatResult`
    with the trained weights ``weights`` as a (seeds, N) numpy array."""
    m = _model(model, kwargs)
    xa, ya = _data(X, y)
    with progress_callback(progress, "qat") as cb:
        rec, arrays = _core.qat(m, xa, ya, n, seeds, seed, epochs, batch, lr, schedule,
                                decay_every, decay, rounding, init_scale, cb, force)
    return QatResult(rec, arrays)


for _f in (amp, gibbs, qat):
    _f.__doc__ = (_f.__doc__ or "") + "\n" + _SIM_DOC
del _f
