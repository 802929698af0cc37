# Hand-written stubs of the public API (checked against the module by the tests: mypy's
# stubtest for signatures, and the result classes' attributes against the records' keys).
import os
from typing import Any, Callable, ClassVar, Dict, Iterable, Iterator, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt
from typing import final

__all__ = [
    "__version__",
    "Model",
    "Record",
    "RsSolution",
    "FixedPoint",
    "RsResult",
    "RsbResult",
    "SteResult",
    "SweepTable",
    "AsqResult",
    "Summary",
    "AmpResult",
    "GibbsResult",
    "QatResult",
    "OptimalWidth",
    "TransitionsResult",
    "PhaseDiagramResult",
    "DoubleDescentCurve",
    "SgdResult",
    "ScalingLawResult",
    "ShrinkageResult",
    "rs",
    "rsb",
    "sweep",
    "merge",
    "ste_dynamics",
    "asq",
    "stochastic_round",
    "amp",
    "gibbs",
    "qat",
    "optimal_width",
    "transitions",
    "phase_diagram",
    "double_descent",
    "sgd",
    "scaling_law",
    "shrinkage",
]

__version__: str

_Progress = Union[bool, None, Callable[[int, int], object]]
_PathLike = Union[str, os.PathLike[str]]
_F64 = npt.NDArray[np.float64]

@final
class Model:
    alpha: float
    noise: float
    bits: int
    width: float
    levels: str
    level_weights: Optional[list[float]]
    beta: float
    ridge: float
    teacher: str
    teacher_var: float
    teacher_probs: Optional[list[float]]
    channel: str
    flip: float
    labels: str
    margin: float
    def __new__(cls, **kwargs: Any) -> Model: ...
    def replace(self, **changes: Any) -> Model: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...
    @staticmethod
    def from_json(text: str) -> Model: ...
    @property
    def level_values(self) -> Optional[_F64]: ...
    @property
    def rho(self) -> float: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

class Record:
    _nested: ClassVar[Dict[str, type]]
    _optional: ClassVar[Tuple[str, ...]]
    def __init__(self, data: Dict[str, Any], arrays: Optional[Dict[str, np.ndarray]] = None) -> None: ...
    def __getattr__(self, name: str) -> Any: ...
    def __getitem__(self, key: str) -> Any: ...
    def __contains__(self, key: object) -> bool: ...
    def __iter__(self) -> Iterator[str]: ...
    def __len__(self) -> int: ...
    def keys(self) -> Tuple[str, ...]: ...
    def arrays(self) -> Dict[str, np.ndarray]: ...
    def to_dict(self) -> Dict[str, Any]: ...
    def __eq__(self, other: object) -> bool: ...

class RsSolution(Record):
    m: float
    q: float
    Q: float
    chi: float
    gen_error: float
    mse_posterior_mean: float
    train_error: float
    free_entropy: Optional[float]
    energy: float
    entropy: Optional[float]
    at_eigenvalue: float
    rs_stable: bool
    entropy_violation: Optional[bool]
    status: str
    iterations: int
    residual: float

class FixedPoint(RsSolution):
    spectral_radius: Optional[float]
    stable: Optional[bool]
    free_entropy_hessian: Optional[_F64]
    nishimori_curvature: Optional[float]
    found_by: str

class RsResult(RsSolution):
    converged: bool
    solutions: Tuple[RsSolution, ...]
    levels: Optional[_F64]
    fixed_points: Optional[Tuple[FixedPoint, ...]]
    continuation_failures: Optional[Tuple[Record, ...]]

class RsbResult(Record):
    m: float
    Q: float
    q1: float
    q0: float
    x: float
    chi: float
    gen_error: float
    mse_posterior_mean: float
    train_error: float
    free_entropy: float
    energy: float
    entropy: float
    complexity: float
    dphi_dx: float
    entropy_violation: Optional[bool]
    replicon_q1: float
    phase: str
    status: str
    iterations: int
    residual: float
    converged: bool
    rs: RsSolution
    scan: Tuple[Record, ...]
    branches: Tuple[Record, ...]
    stationary: Tuple[Record, ...]
    chosen_branch: Optional[int]
    at_eigenvalue: float
    rs_stable: bool
    levels: Optional[_F64]

class SteResult(Record):
    dynamics: Record
    stability_limit: Optional[float]
    theory: Record
    fixed_points: Tuple[Record, ...]
    rs_ground_state: Optional[float]
    half_time: Optional[float]
    simulation: Optional[Record]

class SweepTable(Dict[str, np.ndarray]):
    def to_pandas(self) -> Any: ...
    @property
    def n_rows(self) -> int: ...

def rs(model: Optional[Model] = None, *, continuation: bool = True, **kwargs: Any) -> RsResult: ...
def rsb(
    model: Optional[Model] = None, *, parisi_x: Optional[float] = None, progress: _Progress = None, **kwargs: Any
) -> RsbResult: ...
def sweep(
    model: Optional[Model] = None,
    *,
    over: Mapping[str, Any],
    log: Iterable[str] = (),
    threads: Optional[int] = None,
    checkpoint: Optional[_PathLike] = None,
    shard: Union[str, Tuple[int, int], None] = None,
    progress: _Progress = None,
    force: bool = False,
    rsb: bool = False,
    **kwargs: Any,
) -> SweepTable: ...
def merge(files: Sequence[_PathLike]) -> SweepTable: ...
def ste_dynamics(
    model: Optional[Model] = None,
    *,
    time: Union[str, Sequence[float], np.ndarray] = "0:10:21",
    lr: float = 0.5,
    clip: bool = False,
    init_var: float = 1.0,
    weight_decay: float = 0.0,
    n: Optional[int] = None,
    seeds: int = 10,
    seed: int = 1,
    refine: float = 1.0,
    progress: _Progress = None,
    force: bool = False,
    **kwargs: Any,
) -> SteResult: ...

class AsqResult(Record):
    levels: _F64
    s: int
    d: int
    method: str
    objective_kind: str
    objective: float
    vnmse: float
    worst_term: float
    seconds: float
    sort_seconds: float
    approx: Optional[Record]

def asq(
    x: Any,
    s: int,
    method: str = "exact",
    weights: Any = None,
    objective: str = "variance",
    bins: int = 1000,
    *,
    progress: _Progress = None,
    force: bool = False,
) -> AsqResult: ...
def stochastic_round(
    x: Any, levels: Union[Sequence[float], np.ndarray], seed: int = 0, *, force: bool = False
) -> np.ndarray: ...

class Summary(Record):
    mean: float
    stderr: float
    theory: float
    per_seed: _F64

class AmpResult(Record):
    m: int
    n: int
    seeds: int
    mse_posterior_mean: Summary
    gen_error: Summary
    train_error_mean: Summary
    rs: RsSolution
    state_evolution: Record
    status: Tuple[str, ...]
    iterations: npt.NDArray[np.int64]
    trajectory: Tuple[Record, ...]
    w_hat: _F64
    v: _F64

class GibbsResult(Record):
    m: int
    n: int
    seeds: int
    gen_error: Summary
    train_error: Summary
    overlap: Summary
    energy: Summary
    overlap_width: Summary
    pq_centres: _F64
    pq_density: _F64
    swap_acceptance: _F64
    ladder: _F64
    rs: RsSolution

class QatResult(Record):
    m: int
    n: int
    seeds: int
    gen_error: Summary
    train_error: Summary
    epochs: Tuple[Record, ...]
    rs: RsSolution
    weights: _F64

def amp(
    model: Optional[Model] = None,
    *,
    X: Any = None,
    y: Any = None,
    n: Optional[int] = None,
    seeds: int = 4,
    seed: int = 1,
    damping: float = 1.0,
    max_iter: int = 200,
    tol: float = 1e-7,
    full_variance: bool = False,
    progress: _Progress = None,
    force: bool = False,
    **kwargs: Any,
) -> AmpResult: ...
def gibbs(
    model: Optional[Model] = None,
    *,
    X: Any = None,
    y: Any = None,
    n: Optional[int] = None,
    seeds: int = 4,
    seed: int = 1,
    sweeps: int = 1000,
    burn_in: int = 500,
    temperatures: int = 1,
    beta_min: float = 0.5,
    overlap_bins: int = 40,
    progress: _Progress = None,
    force: bool = False,
    **kwargs: Any,
) -> GibbsResult: ...
def qat(
    model: Optional[Model] = None,
    *,
    X: Any = None,
    y: Any = None,
    n: Optional[int] = None,
    seeds: int = 4,
    seed: int = 1,
    epochs: int = 60,
    batch: int = 8,
    lr: float = 0.5,
    schedule: str = "step",
    decay_every: int = 15,
    decay: float = 0.5,
    rounding: str = "nearest",
    init_scale: float = 0.1,
    progress: _Progress = None,
    force: bool = False,
    **kwargs: Any,
) -> QatResult: ...

class OptimalWidth(RsSolution):
    bits: int
    width: float
    objective: str
    width_over_rms: Optional[float]
    """Sign channel only (None otherwise): ω*/√Q*, the optimal width in units of the student's
    rms weight, i.e. the optimal width at a fixed norm; it does not depend on the ridge λ
    (docs/classification.md §11)."""
    converged: bool
    evaluations: int

class TransitionsResult(Record):
    param: str
    branches: Tuple[Record, ...]
    spinodals: _F64
    unresolved_branch_ends: _F64
    equilibrium_transitions: _F64
    continuation: Record

class PhaseDiagramResult(Record):
    x_param: str
    y_param: str
    cells: Tuple[Record, ...]
    at_line: _F64
    spinodals: _F64
    equilibrium_transitions: _F64
    rsb: Optional[Tuple[Record, ...]]
    def rsb_columns(self) -> Dict[str, np.ndarray]: ...

class DoubleDescentCurve(Record):
    bits: int
    width: float
    width_factor: float
    beta: Optional[float]
    alpha: _F64
    gen_error: _F64
    train_error: _F64
    peak: Optional[Record]
    interpolation_threshold: Optional[float]

def optimal_width(
    model: Optional[Model] = None,
    *,
    bits: Union[None, int, str, Iterable[int]] = None,
    objective: str = "gen",
    progress: _Progress = None,
    **kwargs: Any,
) -> Union[OptimalWidth, Tuple[OptimalWidth, ...]]: ...
def transitions(
    model: Optional[Model] = None,
    *,
    over: Union[str, Mapping[str, Any]],
    progress: _Progress = None,
    force: bool = False,
    **kwargs: Any,
) -> TransitionsResult: ...
def phase_diagram(
    model: Optional[Model] = None,
    *,
    x_axis: Union[str, Mapping[str, Any]] = "width=0.05:4:60",
    y_axis: Union[str, Mapping[str, Any]] = "bits=1,2,3,4,5,6",
    log_y: bool = False,
    transitions: bool = True,
    progress: _Progress = None,
    force: bool = False,
    rsb: bool = False,
    **kwargs: Any,
) -> PhaseDiagramResult: ...
def double_descent(
    model: Optional[Model] = None,
    *,
    bits: Iterable[int] = (1, 2, 3, 4),
    alphas: Any = None,
    beta: float = ...,
    progress: _Progress = None,
    force: bool = False,
    **kwargs: Any,
) -> Tuple[DoubleDescentCurve, ...]: ...

class SgdResult(Record):
    d: int
    a: float
    sigma2: float
    batch: int
    step: float
    steps: int
    schedule: Any
    iterate: Any
    targets: Record
    runs: int
    seed: int
    initial_risk: float
    excess_risk: Optional[Record]
    diverged: bool
    status: str
    diverged_runs: int
    exact_risk: Optional[float]
    exact_status: Optional[str]
    exact_note: Optional[str]
    exact_mean_part: Optional[float]
    zou_bound_full_precision: Optional[Record]
    q_measured: Optional[_F64]

class ScalingLawResult(Record):
    settings: Record
    base_law: Record
    schemes: Tuple[Record, ...]

class ShrinkageResult(Record):
    target: float
    rows: Tuple[Record, ...]
    formats: Tuple[Record, ...]

_Names = Union[str, Iterable[str]]
_Numbers = Union[str, Iterable[float]]

def sgd(
    *,
    d: int = 100,
    a: float = 1.5,
    noise: float = 0.1,
    wstar: str = "ones",
    batch: int = 1,
    lr: float = 0.1,
    steps: int = 1000,
    schedule: str = "constant",
    iterate: str = "last",
    runs: int = 100,
    seed: int = 1,
    quantize: _Names = (),
    quantizer: str = "mult-coord",
    eps: Optional[float] = None,
    rounding: str = "nearest",
    q: Union[Iterable[str], Mapping[str, str]] = (),
    shrink_q: Optional[float] = None,
    grad_noise: float = 0.0,
    compensate: bool = False,
    grad_format: Optional[str] = None,
    exact: bool = False,
    no_sim: bool = False,
    progress: _Progress = None,
    force: bool = False,
    sigma2: Optional[float] = None,
    step: Optional[float] = None,
) -> SgdResult: ...
def scaling_law(
    *,
    d: int = 1024,
    a: float = 2.0,
    noise: float = 0.1,
    lr: float = 0.1,
    batch: int = 1,
    ms: _Numbers = (8, 16, 32, 64, 128, 256),
    ns: _Numbers = (100, 300, 1000, 3000, 10000),
    eps: _Numbers = (0.01,),
    schemes: _Names = ("mult-vec", "add"),
    quantize: _Names = ("data",),
    sketches: int = 3,
    runs: int = 20,
    seed: int = 1,
    progress: _Progress = None,
    force: bool = False,
    sigma2: Optional[float] = None,
    step: Optional[float] = None,
) -> ScalingLawResult: ...
def shrinkage(
    *,
    d: int = 100,
    a: float = 1.5,
    noise: float = 0.1,
    wstar: str = "ones",
    batch: int = 1,
    lr: float = 0.1,
    steps: int = 1000,
    schedule: str = "constant",
    iterate: str = "last",
    runs: int = 100,
    seed: int = 1,
    qs: _Numbers = (1.0, 0.5, 0.25),
    grad_noise: float = 0.0,
    target: Optional[float] = None,
    formats: _Names = ("e4m3", "e5m2", "e2m1"),
    grad_scale: float = 1.0,
    progress: _Progress = None,
    force: bool = False,
    sigma2: Optional[float] = None,
    step: Optional[float] = None,
) -> ShrinkageResult: ...
