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
from typing import Any, ClassVar, Dict, Iterator, Tuple

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

    __slots__ = ("_data",)
    #: Record classes of nested keys (others become a plain ``Record``).
    _nested: ClassVar[Dict[str, type]] = {}
    #: Keys the JSON omits when empty: their attribute is then None.
    _optional: ClassVar[Tuple[str, ...]] = ()

    def __init__(self, data: Dict[str, Any]) -> None:
        object.__setattr__(self, "_data", data)

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
        return sorted(set(object.__dir__(self)) | set(self._data))

    def keys(self) -> Tuple[str, ...]:
        """The record's keys, in the JSON's order."""
        return tuple(self._data)

    def to_dict(self) -> Dict[str, Any]:
        """The record as plain Python data (a deep copy): every key of the JSON contract."""
        return copy.deepcopy(self._data)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return bool(self._data == other._data)  # type: ignore[attr-defined]

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> Tuple[Any, ...]:
        return (type(self), (self._data,))

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
    labelled) and continuation_failures.
    """

    __slots__ = ()
    _nested = {"solutions": RsSolution, "fixed_points": FixedPoint}


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
