import json
import os
import subprocess
import tempfile

import numpy as np
import pytest

import quantreplica as qr

BIN = os.environ.get("QUANTREPLICA_BIN", "target/release/quantreplica")


def test_asq_levels_equal_the_cli():
    rng = np.random.default_rng(3)
    x = rng.standard_normal(2000)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write("\n".join("%.17g" % v for v in x))
        path = f.name
    out = subprocess.run([BIN, "asq", "--input", path, "--s", "6", "--json"],
                         check=True, capture_output=True, text=True).stdout
    os.unlink(path)
    cli = json.loads(out)["levels"]
    assert qr.asq_levels(x, 6) == pytest.approx(cli, rel=1e-12, abs=0)


def test_bad_input_is_a_value_error():
    with pytest.raises(ValueError, match="not finite"):
        qr.asq_levels(np.array([1.0, np.nan, 2.0]), 3)
