# Stubs of the compiled core (private: the public API is quantreplica's; see __init__.pyi).
from typing import Any, Callable, Dict, Optional, Tuple

from . import Model as Model

__all__ = ["Model", "__version__", "alpha_grid", "amp", "double_descent", "optimal_width", "phase_diagram", "transitions", "asq", "gibbs", "qat", "stochastic_round", "merge", "rs", "rsb", "_time_rs", "ste_dynamics", "sweep", "time_grid", "sgd", "scaling_law", "shrinkage"]

__version__: str
_Cb = Optional[Callable[[int, int], None]]

def rs(model: Model, continuation: bool = True) -> Dict[str, Any]: ...
def _time_rs(model: Model, repeats: int, continuation: bool = True) -> float: ...
def rsb(model: Model, x: Optional[float] = None, progress: _Cb = None) -> Dict[str, Any]: ...
def sweep(
    model: Model,
    over: list[str],
    log: list[str] = ...,
    threads: Optional[int] = None,
    checkpoint: Optional[str] = None,
    shard: Optional[str] = None,
    progress: _Cb = None,
    force: bool = False,
    rsb: bool = False,
) -> Dict[str, Any]: ...
def merge(files: list[str]) -> Dict[str, Any]: ...
def ste_dynamics(
    model: Model,
    times: list[float],
    lr: float = 0.5,
    clip: bool = False,
    init_var: float = 1.0,
    weight_decay: float = 0.0,
    n: Optional[int] = None,
    seeds: int = 10,
    seed: int = 1,
    refine: float = 1.0,
    progress: _Cb = None,
    force: bool = False,
) -> Dict[str, Any]: ...
def time_grid(t0: float, t1: float, count: int) -> list[float]: ...
def asq(
    x: Any,
    s: int,
    method: str = "exact",
    weights: Any = None,
    objective: str = "variance",
    bins: int = 1000,
    progress: _Cb = None,
    force: bool = False,
) -> Dict[str, Any]: ...
def stochastic_round(x: Any, levels: list[float], seed: int = 0, force: bool = False) -> Any: ...
def amp(
    model: Model, x: Any = None, y: Any = None, n: Optional[int] = None, seeds: int = 4, seed: int = 1,
    damping: float = 1.0, max_iter: int = 200, tol: float = 1e-7, full_variance: bool = False,
    progress: _Cb = None, force: bool = False,
) -> Tuple[Dict[str, Any], Dict[str, Any]]: ...
def gibbs(
    model: Model, x: Any = None, y: Any = None, n: Optional[int] = None, seeds: int = 4, seed: int = 1,
    sweeps: int = 1000, burn_in: int = 500, temperatures: int = 1, beta_min: float = 0.5, bins: int = 40,
    progress: _Cb = None, force: bool = False,
) -> Tuple[Dict[str, Any], Dict[str, Any]]: ...
def qat(
    model: Model, x: Any = None, y: Any = None, n: Optional[int] = None, seeds: int = 4, seed: int = 1,
    epochs: int = 60, batch: int = 8, lr: float = 0.5, schedule: str = "step", decay_every: int = 15,
    decay: float = 0.5, rounding: str = "nearest", init_scale: float = 0.1, progress: _Cb = None,
    force: bool = False,
) -> Tuple[Dict[str, Any], Dict[str, Any]]: ...
def optimal_width(model: Model, bits: list[int], objective: str = "gen", progress: _Cb = None) -> list[Dict[str, Any]]: ...
def transitions(model: Model, over: str, progress: _Cb = None, force: bool = False) -> Dict[str, Any]: ...
def phase_diagram(
    model: Model,
    x: str,
    y: str,
    log_y: bool = False,
    with_transitions: bool = True,
    progress: _Cb = None,
    force: bool = False,
    rsb: bool = False,
) -> Dict[str, Any]: ...
def double_descent(
    model: Model, bits: list[int], alphas: list[float], beta: float, progress: _Cb = None, force: bool = False
) -> list[Dict[str, Any]]: ...
def alpha_grid(n: int) -> list[float]: ...
def sgd(problem: Dict[str, Any], quantize: Dict[str, Any], progress: _Cb = None, force: bool = False) -> Dict[str, Any]: ...
def scaling_law(spec: Dict[str, Any], progress: _Cb = None, force: bool = False) -> Dict[str, Any]: ...
def shrinkage(
    problem: Dict[str, Any], spec: Dict[str, Any], progress: _Cb = None, force: bool = False
) -> Dict[str, Any]: ...
