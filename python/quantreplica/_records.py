"""Frozen result classes: every key of the command line's JSON as an attribute, and to_dict().

A result holds the record the library computed (the serde form of its Rust struct, the same
keys as ``quantreplica <command> --json``). Attribute access converts on the fly: a nested
object becomes a result class, a list of objects a tuple of them, a list of numbers a read-only
numpy array (``None``, JSON's null, as NaN), a list of number pairs a 2-D array. ``to_dict()``
returns the plain record (lists and dicts, a deep copy): the JSON's keys, with non-finite numbers
as Python floats (``inf``, ``nan``) where the JSON writes ``null``.
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar, Dict, Iterator, Optional, Tuple

import numpy as np


def _is_number(v: Any) -> bool:
    return v is None or (isinstance(v, (int, float)) and not isinstance(v, bool))


def _array(values: list) -> np.ndarray:
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        a = np.array(values, dtype=np.int64)
    else:
        a = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    a.setflags(write=False)
    return a


class Record:
    """A frozen result: attributes for every key of the JSON record, ``to_dict()``, ``keys()``.

    Results compare equal when their records are equal, pickle, and print their scalar keys.
    """

    __slots__ = ("_data", "_arrays")
    #: Record classes of nested keys (others become a plain ``Record``).
    _nested: ClassVar[Dict[str, type]] = {}
    #: Keys the JSON omits when empty: their attribute is then None.
    _optional: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, data: Dict[str, Any], arrays: Optional[Dict[str, np.ndarray]] = None) -> None:
        object.__setattr__(self, "_data", data)
        for a in (arrays or {}).values():
            a.setflags(write=False)
        object.__setattr__(self, "_arrays", arrays or {})

    def _wrap(self, key: str, v: Any) -> Any:
        cls = self._nested.get(key, Record)
        if isinstance(v, dict):
            return cls(v)
        if isinstance(v, (list, tuple)):
            if not v:
                return ()
            if all(_is_number(x) for x in v):
                return _array(list(v))
            if all(isinstance(x, (list, tuple)) and all(_is_number(y) for y in x) for x in v):
                if len({len(x) for x in v}) == 1:
                    return _array([list(x) for x in v]) if v[0] else _array([])
            return tuple(self._wrap(key, x) for x in v)
        return v

    def __getattr__(self, name: str) -> Any:
        data = object.__getattribute__(self, "_data")
        arrays = object.__getattribute__(self, "_arrays")
        if name in arrays:
            return arrays[name]
        try:
            v = data[name]
        except KeyError:
            if name in type(self)._optional:
                return None
            raise AttributeError(
                f"{type(self).__name__!r} has no attribute {name!r}"
                f" (keys: {', '.join(data)})"
            ) from None
        return self._wrap(name, v)

    def __getitem__(self, key: str) -> Any:
        return self._wrap(key, self._data[key])

    def __contains__(self, key: object) -> bool:
        return key in self._data

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __dir__(self) -> list:
        return sorted(set(object.__dir__(self)) | set(self._data) | set(self._arrays))

    def keys(self) -> Tuple[str, ...]:
        """The record's keys, in the JSON's order."""
        return tuple(self._data)

    def arrays(self) -> Dict[str, np.ndarray]:
        """The numpy arrays that come with the record and are not JSON keys (e.g. AMP's
        per-seed estimates), read-only."""
        return dict(self._arrays)

    def to_dict(self) -> Dict[str, Any]:
        """The record as plain Python data (a deep copy): every key of the JSON contract."""
        return copy.deepcopy(self._data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        o_arrays = other._arrays  # type: ignore[attr-defined]
        return bool(self._data == other._data  # type: ignore[attr-defined]
                    and self._arrays.keys() == o_arrays.keys()
                    and all(np.array_equal(v, o_arrays[k]) for k, v in self._arrays.items()))

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self._data, {k: np.array(v) for k, v in self._arrays.items()}))

    def __repr__(self) -> str:
        shown = []
        for k, v in self._data.items():
            if isinstance(v, (dict, list)):
                shown.append(f"{k}=<{len(v)}>" if isinstance(v, list) else f"{k}={{...}}")
            elif isinstance(v, float):
                shown.append(f"{k}={v:.6g}")
            else:
                shown.append(f"{k}={v!r}")
        return f"{type(self).__name__}({', '.join(shown)})"


class RsSolution(Record):
    """One RS fixed point and its observables (the keys of ``rs --json``'s solutions).

    Attributes: m (teacher-student overlap), q (replica overlap), Q (self-overlap), chi,
    gen_error (ε_g of a Gibbs sample), mse_posterior_mean, train_error, free_entropy (None at
    β = ∞), energy, entropy (None at β = ∞), at_eigenvalue (λ_AT; inf for discrete levels at
    β = ∞), rs_stable (λ_AT < 1), entropy_violation, status, iterations, residual.
    """

    __slots__ = ()


class FixedPoint(Record):
    """A labelled RS fixed point: the RsSolution keys plus spectral_radius, stable,
    free_entropy_hessian, nishimori_curvature and found_by ("iteration" or "continuation")."""

    __slots__ = ()


class RsResult(Record):
    """The RS saddle point at one model (``quantreplica rs --json``).

    The equilibrium's keys (those of :class:`RsSolution`) at top level, then converged,
    solutions (every distinct fixed point of the standard starts), levels (None for a continuous
    student), fixed_points (every fixed point found by the starts and by continuation in α,
    labelled) and continuation_failures (both None when solved with ``continuation=False``).
    """

    __slots__ = ()
    _nested = {"solutions": RsSolution, "fixed_points": FixedPoint}
    _optional = ("fixed_points", "continuation_failures")


class RsbResult(Record):
    """The 1RSB saddle point at finite β (``quantreplica rsb --json``): the 1RSB state's keys
    (m, Q, q1, q0, x, chi, gen_error, ..., complexity, phase), converged, rs (the RS solution),
    scan, branches, stationary, chosen_branch, at_eigenvalue, rs_stable and levels."""

    __slots__ = ()
    _nested = {"rs": RsSolution}


class SteResult(Record):
    """Online STE training (``quantreplica ste-dynamics --json``): dynamics (the problem),
    stability_limit, theory (curves at the requested times), fixed_points (stationary points),
    rs_ground_state, half_time and simulation (None unless ``n`` is given)."""

    __slots__ = ()


class AsqResult(Record):
    """ASQ levels of an array (``quantreplica asq --json``): levels, s, d, method,
    objective_kind, objective, vnmse, worst_term, seconds (solver), sort_seconds, and approx
    (the error bound of method "approx"; None otherwise)."""

    __slots__ = ()
    _optional = ("approx",)


class Summary(Record):
    """One quantity over seeds: mean, stderr (standard error of the mean), theory (the RS
    prediction) and per_seed (a numpy array)."""

    __slots__ = ()


class AmpResult(Record):
    """AMP with state evolution on finite instances (``quantreplica amp --json``): m, n, seeds,
    mse_posterior_mean, gen_error and train_error_mean (each a :class:`Summary`), rs (the RS
    equilibrium), state_evolution, status and iterations per seed, trajectory (the mean AMP
    trajectory beside state evolution); and, not in the JSON, the per-seed estimates ``w_hat``
    (posterior means) and ``v`` (posterior variances), numpy arrays of shape (seeds, N)."""

    __slots__ = ()
    _nested = {"mse_posterior_mean": Summary, "gen_error": Summary, "train_error_mean": Summary,
               "rs": RsSolution}


class GibbsResult(Record):
    """Two-replica Gibbs sampling on finite instances (``quantreplica gibbs --json``): m, n,
    seeds, gen_error, train_error, overlap, energy, overlap_width (each a :class:`Summary`),
    pq_centres and pq_density (the pooled P(q/Q) histogram), swap_acceptance, ladder, rs."""

    __slots__ = ()
    _nested = {"gen_error": Summary, "train_error": Summary, "overlap": Summary,
               "energy": Summary, "overlap_width": Summary, "rs": RsSolution}


class QatResult(Record):
    """Quantization-aware training on finite instances (``quantreplica qat --json``): m, n,
    seeds, gen_error and train_error (each a :class:`Summary`), epochs (the mean curves), rs
    (the β = ∞ RS solution); and, not in the JSON, ``weights``: the trained quantized weights,
    a numpy array of shape (seeds, N)."""

    __slots__ = ()
    _nested = {"gen_error": Summary, "train_error": Summary, "rs": RsSolution}


class OptimalWidth(Record):
    """The width ω* minimizing the error for one bit count (``optimal-width --json``): bits,
    width, objective, the RS solution's keys at ω* (those of :class:`RsSolution`), converged,
    evaluations (RS solves used); under the sign channel also width_over_rms (ω*/√Q*, the
    optimal width at a fixed norm; None under the Gaussian channel)."""

    __slots__ = ()
    _optional = ("width_over_rms",)


class TransitionsResult(Record):
    """RS branches along one parameter (``transitions --json``): param, branches (each with
    params and solutions), spinodals, unresolved_branch_ends, equilibrium_transitions, and
    continuation (the same by pseudo-arclength continuation: curves, branches, spinodals as
    folds, first_order, branch_points, failures)."""

    __slots__ = ()


class PhaseDiagramResult(Record):
    """A phase diagram (``phase-diagram --json``): x_param, y_param, cells (x, y,
    at_eigenvalue, phase, gen_error for every grid cell, row-major in y), at_line (points
    (x, y) where λ_AT = 1, a 2-D array), spinodals and equilibrium_transitions (2-D arrays);
    with ``rsb=True`` also rsb (``phase-diagram --rsb``: the 1RSB cells, keys those of
    ``STEM_rsb.csv``; None otherwise)."""

    __slots__ = ()
    _optional = ("rsb",)

    def rsb_columns(self) -> Dict[str, np.ndarray]:
        """The 1RSB cells (``rsb``) as numpy columns named as ``STEM_rsb.csv``'s, in the cells'
        order (row-major in y: ``reshape(len(ys), len(xs))`` gives the map); JSON's null is
        NaN. A ValueError when the diagram was computed without ``rsb=True``."""
        cells = self._data.get("rsb")
        if cells is None:
            raise ValueError("rsb_columns(): this phase diagram has no 1RSB cells (rsb=False)")
        out: Dict[str, np.ndarray] = {}
        for k in (cells[0] if cells else {}):
            vals = [c[k] for c in cells]
            if all(isinstance(v, str) for v in vals):
                a = np.array(vals)
            elif all(isinstance(v, bool) for v in vals):
                a = np.array(vals, dtype=bool)
            else:
                a = np.array([np.nan if v is None else v for v in vals], dtype=np.float64)
            a.setflags(write=False)
            out[k] = a
        return out


class DoubleDescentCurve(Record):
    """One learning curve of a uniform quantizer (the headline's ``double_descent.json``):
    bits, width, width_factor (ω/ω*), beta (None at β = ∞), alpha, gen_error and train_error
    along α (NaN where RS did not converge), peak (the interpolation peak, or None),
    interpolation_threshold."""

    __slots__ = ()


class SgdResult(Record):
    """Low-precision SGD (``quantreplica sgd --json``): the problem and optimizer (d, a, sigma2,
    batch, step, steps, schedule, iterate, runs, seed), targets (the quantizer of each target),
    initial_risk, excess_risk (Monte Carlo mean and stderr; None with ``no_sim``), diverged,
    status, diverged_runs, exact_risk, exact_status, exact_note, exact_mean_part,
    zou_bound_full_precision and q_measured (None where not computed)."""

    __slots__ = ()


class ScalingLawResult(Record):
    """The precision scaling law of sketched regression (``quantreplica scaling-law --json``):
    settings, base_law (the full-precision fit), schemes (full precision and each scheme: its
    (M, N, risk) points, fit and effective model and data sizes)."""

    __slots__ = ()


class ShrinkageResult(Record):
    """SGD under gradient shrinkage (``quantreplica shrinkage --json``): target, rows (one per q,
    uncompensated then compensated: times to the target, final risks, bound, curves) and
    formats (each real format's measured shrinkage, risk and the shrinkage model's
    prediction)."""

    __slots__ = ()
