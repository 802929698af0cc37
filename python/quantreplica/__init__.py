"""quantreplica: what weight quantization does to learning, predicted before anyone trains.

Replica theory (RS with de Almeida-Thouless stability, 1RSB), sweeps, message passing and
simulation of quantized learning, at Rust speed. Every function has the command line's
defaults, names and meanings (``quantreplica <command> --help``) and returns what
``quantreplica <command> --json`` prints, as a frozen result class or numpy arrays.

>>> import quantreplica as qr
>>> m = qr.Model(alpha=2.0, bits=2, width=1.5, beta=5.0)
>>> r = qr.rs(m)
>>> round(r.gen_error, 4), r.rs_stable
(0.2977, True)
"""

from ._asq import asq, stochastic_round
from ._core import Model, __version__
from ._experiments import double_descent, optimal_width, phase_diagram, transitions
from ._lowprec import scaling_law, sgd, shrinkage
from ._records import (AmpResult, AsqResult, DoubleDescentCurve, FixedPoint, GibbsResult,
                       OptimalWidth, PhaseDiagramResult, QatResult, Record, RsbResult, RsResult,
                       RsSolution, ScalingLawResult, SgdResult, ShrinkageResult, SteResult,
                       Summary, TransitionsResult)
from ._sim import amp, gibbs, qat
from ._theory import SweepTable, merge, rs, rsb, ste_dynamics, sweep

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
