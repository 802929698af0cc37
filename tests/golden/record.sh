#!/usr/bin/env bash
# Records the golden outputs of tests/golden/cases.txt with a given quantreplica binary.
# Usage: tests/golden/record.sh path/to/quantreplica   (run once, before the core redesign)
set -euo pipefail
bin=$1
dir=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/out"
grep -v '^#' "$dir/cases.txt" | while IFS='|' read -r name args; do
  name=$(echo "$name" | xargs)
  # shellcheck disable=SC2086
  "$bin" $args > "$dir/out/$name.txt"
done
