#!/usr/bin/env bash
# Every test of the project: the Rust suite, then the Python package (built with maturin into a
# virtual environment under target/, which this script creates and fills from PyPI on first use).
set -euo pipefail
cd "$(dirname "$0")"

cargo test --release

venv=target/python-venv
py=${PYTHON:-python3}
if [ ! -x "$venv/bin/python" ]; then
  "$py" -m venv "$venv"
fi
pip=("$venv/bin/python" -m pip install --quiet --disable-pip-version-check)
# mypy: its stubtest checks the hand-written stubs against the module.
"${pip[@]}" "maturin>=1.5,<2" "numpy>=1.21" "pytest>=7" "mypy>=1.18,<3"
# Optional packages the API and examples use when present (to_pandas, progress bars, figures);
# their tests skip when they cannot be installed.
"${pip[@]}" pandas tqdm matplotlib || echo "pandas/tqdm/matplotlib not installed: their tests are skipped"
# Build the extension in release mode and install it into the venv (in-place, no wheel upload).
VIRTUAL_ENV="$PWD/$venv" PATH="$PWD/$venv/bin:$PATH" \
  "$venv/bin/maturin" develop --release --quiet --manifest-path python/Cargo.toml
QUANTREPLICA_BIN="$PWD/target/release/quantreplica" "$venv/bin/python" -m pytest -q python/tests
