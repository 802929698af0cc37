"""The replica theory from Python: one RS point, 1RSB, sweeps, STE dynamics."""

from __future__ import annotations

import os
from typing import Any, Dict, Iterable, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from . import _core
from ._core import Model
from ._progress import ProgressArg, progress_callback
from ._records import RsbResult, RsResult, SteResult
from ._renamed import take_old



def _model(model: Optional[Model], kwargs: Dict[str, Any]) -> Model:
    """The model of a call: ``model`` (with ``kwargs`` replaced) or ``Model(**kwargs)``."""
    if model is None:
        return Model(**kwargs)
    if not isinstance(model, Model):
        raise TypeError(f"model must be a quantreplica.Model, got {type(model).__name__}")
    return model.replace(**kwargs) if kwargs else model


def rs(model: Optional[Model] = None, *, continuation: bool = True, **kwargs: Any) -> RsResult:
    """The replica-symmetric (RS) saddle point at one model, as ``quantreplica rs --json``.

    Pass a :class:`Model`, or its keyword arguments (``rs(alpha=2, bits=1, width=1.5)``), or
    both (the keywords replace the model's values). Returns an :class:`RsResult`: the
    equilibrium's observables (``gen_error``, ``m``, ``q``, ``Q``, ``at_eigenvalue``,
    ``rs_stable``, ...), ``converged``, every distinct fixed point (``solutions``), the levels,
    and every fixed point found by continuation in α (``fixed_points``, labelled stable or
    unstable). ``continuation=False`` solves only the standard starts (what a sweep does, a few
    times faster); ``fixed_points`` and ``continuation_failures`` are then None.

    >>> import quantreplica as qr
    >>> r = qr.rs(alpha=2.0, bits=1, width=0.8)
    >>> round(r.gen_error, 4), r.converged
    (0.5259, True)
    """
    m = _model(model, kwargs)
    return RsResult(_core.rs(m, continuation))


def rsb(model: Optional[Model] = None, *, parisi_x: Optional[float] = None,
        progress: ProgressArg = None, **kwargs: Any) -> RsbResult:
    """The one-step replica-symmetry-breaking (1RSB) saddle point at finite β, as
    ``quantreplica rsb --json``; ``parisi_x`` (``--parisi-x``; the old name ``x=`` still
    works, deprecated) fixes the Parisi parameter instead of solving ∂φ₁/∂x = 0. Needs a
    finite ``beta`` and discrete levels (ValueError otherwise).
    ``progress``: a callable ``(done, total)``, or True for a tqdm bar."""
    parisi_x = take_old(kwargs, "x", "parisi_x", parisi_x, None, "rsb")
    m = _model(model, kwargs)
    with progress_callback(progress, "rsb") as cb:
        return RsbResult(_core.rsb(m, parisi_x, cb))


_PathLike = Union[str, "os.PathLike[str]"]


def _switch(name: str, value: Any) -> bool:
    """A True/False keyword (``rsb=``): a ValueError naming the value otherwise."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise ValueError(f"{name} must be True or False, got {value!r}")


def _axis(name: str, values: Any) -> str:
    """One sweep axis in the command line's ``PARAM=...`` syntax (a string passes through)."""
    if isinstance(values, str):
        return f"{name}={values}"
    key = name.strip().lower().replace("-", "_")
    if key == "levels":
        vals = [values] if isinstance(values, str) else list(values)
        return f"{name}=" + ";".join(str(v) for v in vals)
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise ValueError(f"--over {name}: the values must be a 1-D array, got shape {arr.shape}")
    if arr.dtype.kind in "iub":
        return f"{name}=" + ",".join(str(int(v)) for v in arr)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    if key == "bits":
        return f"{name}=" + ",".join(str(int(v)) if float(v).is_integer() else repr(float(v)) for v in arr)
    return f"{name}=" + ",".join(repr(float(v)) for v in arr)


class SweepTable(dict):
    """A sweep's table: a dict of numpy columns in the command line's CSV order (``index``,
    the swept parameters, the RS keys of ``rs --json``, ``converged``, ``n_solutions``, and
    ``levels`` as a 2-D array padded with NaN; with ``rsb=True`` the columns of
    ``sweep --rsb --csv``: ``rsb.*``, ``converged``, ``stationarity``, ``rs.*``, ``method``).
    JSON's null (a non-finite number) is NaN. ``to_pandas()`` gives a DataFrame (pandas is
    optional)."""

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (2-D columns such as ``levels`` become one column
        of arrays). Needs pandas."""
        try:
            import pandas as pd  # type: ignore[import-untyped]
        except ImportError as e:  # pragma: no cover - depends on the environment
            raise ImportError("to_pandas() needs pandas: pip install pandas") from e
        cols: Dict[str, Any] = {}
        for k, v in self.items():
            cols[k] = list(v) if getattr(v, "ndim", 1) > 1 else v
        return pd.DataFrame(cols)

    @property
    def n_rows(self) -> int:
        """Number of rows (grid points)."""
        return len(self["index"]) if "index" in self else 0

    def __repr__(self) -> str:
        return f"SweepTable({self.n_rows} rows: {', '.join(self)})"


def sweep(model: Optional[Model] = None, *, over: Mapping[str, Any],
          log: Iterable[str] = (), threads: Optional[int] = None,
          checkpoint: Optional[_PathLike] = None, shard: Union[str, Tuple[int, int], None] = None,
          progress: ProgressArg = None, force: bool = False, rsb: bool = False,
          **kwargs: Any) -> SweepTable:
    """The RS solver over a grid of model parameters, as ``quantreplica sweep``; with
    ``rsb=True`` 1RSB at every point, as ``quantreplica sweep --rsb``.

    ``over`` maps a parameter (alpha, noise, bits, width, beta, ridge, levels, teacher_var) to
    its values: an array or list, or the command line's ``"START:STOP:COUNT"`` /
    ``"v1,v2,..."`` text; the first axis is outermost. ``log``: parameters whose
    ``START:STOP:COUNT`` range is spaced geometrically. ``threads``: worker threads (default:
    every core). ``checkpoint``: append each finished point to this file and resume from it;
    ``shard=(i, n)`` or ``"i/n"``: evaluate only the points with index ≡ i (mod n) into the
    checkpoint file (combine with :func:`merge`). The GIL is released; Ctrl-C stops the sweep
    within one point per thread (the checkpoint keeps every finished point).

    ``rsb=True`` (``--rsb``; a finite ``beta`` and a discrete student at every point, and no
    checkpoint or shard, else a ValueError before any work): where RS is AT-stable the
    collapsed state (``method`` ``"rs_stable"``, φ₁ = φ_RS); with the sign channel, where RS
    counts a negative number of states, the frozen 1RSB in closed form (``"frozen"``, x* where
    the complexity vanishes); in the RSB region Newton continuation along the last (innermost)
    axis (``"followed"``), the first point of every RSB stretch solved in full (``"full"``).
    The columns are the CSV's of ``sweep --rsb``: ``rsb.m``, ``rsb.Q``, ``rsb.q1``, ``rsb.q0``,
    ``rsb.x``, ..., ``rsb.free_entropy``, ``rsb.complexity``, ``rsb.phase``, ...,
    ``converged``, ``stationarity``, ``rs.*`` (the RS equilibrium) and ``method``.

    Returns a :class:`SweepTable`, a dict of numpy columns built without a Python object per
    row, identical to ``sweep [--rsb] --json``'s values.

    >>> import quantreplica as qr
    >>> t = qr.sweep(over={"beta": [5.0], "alpha": [1.0, 1.4]}, rsb=True,
    ...              channel="sign", labels="random", bits=1)
    >>> t["method"].tolist(), t["rsb.x"].round(4).tolist()
    (['rs_stable', 'frozen'], [1.0, 0.7144])

    The grid's size is checked before any work against the command line's budget
    (docs/limits.md): a ValueError naming ``over`` when the estimate needs more memory than is
    available or (unless ``force=True``) more than a day.
    """
    rsb = _switch("rsb", rsb)
    m = _model(model, kwargs)
    if not isinstance(over, Mapping):
        raise TypeError("over must be a mapping {parameter: values}")
    axes = [_axis(k, v) for k, v in over.items()]
    if isinstance(shard, tuple):
        shard = f"{shard[0]}/{shard[1]}"
    cp = None if checkpoint is None else os.fspath(checkpoint)
    with progress_callback(progress, "sweep") as cb:
        cols = _core.sweep(m, axes, list(log), threads, cp, shard, cb, force, rsb)
    return SweepTable(cols)


def merge(files: Sequence[_PathLike]) -> SweepTable:
    """Merges the shard files of one sweep (``sweep(..., checkpoint=f, shard=(i, n))``) into
    its table, checking that they cover every point exactly once (``quantreplica merge``)."""
    return SweepTable(_core.merge([os.fspath(f) for f in files]))


def _time_arg(time: Union[str, Sequence[float], np.ndarray]) -> list:
    if isinstance(time, str):
        parts = time.split(":")
        try:
            if len(parts) != 3:
                raise ValueError
            t0, t1, count = float(parts[0]), float(parts[1]), int(parts[2].strip())
        except ValueError:
            raise ValueError(f"--time '{time}' must be T0:T1:COUNT (e.g. 0:10:21)") from None
        return list(_core.time_grid(t0, t1, count))
    return [float(t) for t in np.asarray(time, dtype=np.float64).ravel()]


def ste_dynamics(model: Optional[Model] = None, *, time: Union[str, Sequence[float], np.ndarray] = "0:10:21",
                 lr: float = 0.5, clip: bool = False, init_var: float = 1.0,
                 weight_decay: float = 0.0, n: Optional[int] = None, seeds: int = 10,
                 seed: int = 1, refine: float = 1.0, progress: ProgressArg = None,
                 force: bool = False, **kwargs: Any) -> SteResult:
    """Dynamics of online straight-through (STE) training, as ``quantreplica ste-dynamics``:
    the N → ∞ theory (density solver) at ``time`` (``"T0:T1:COUNT"`` or an increasing array;
    t = steps/N), its stationary points and the β = ∞ replica ground state, and with ``n`` the
    finite-N simulation over ``seeds`` runs at the same times. ``lr``: step size η; ``clip``:
    clip the straight-through gradient outside [−ω, ω]; ``init_var``: latent initialization
    variance; ``weight_decay``: λ per unit time; ``refine``: resolution of the density solver.
    The model's ``beta`` must be inf and ``ridge`` 0. The simulation's size (``n``, ``seeds``,
    the last time) is checked before any work against the command line's budget
    (docs/limits.md): a ValueError naming ``n`` when the estimate needs more memory than is
    available or (unless ``force=True``) more than a day."""
    m = _model(model, kwargs)
    times = _time_arg(time)
    with progress_callback(progress, "ste-dynamics") as cb:
        return SteResult(_core.ste_dynamics(m, times, lr, clip, init_var, weight_decay, n,
                                            seeds, seed, refine, cb, force))
