import numpy as np
import numpy.typing as npt

__version__: str

def asq_levels(x: npt.NDArray[np.float64], s: int) -> list[float]: ...
