"""quantreplica: what weight quantization does to learning, predicted before anyone trains.

Replica theory, message passing and simulation of quantized learning, at Rust speed.
"""

from ._core import __version__, asq_levels

__all__ = ["__version__", "asq_levels"]
