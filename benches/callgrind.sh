#!/usr/bin/env bash
# Instruction counts (valgrind --tool=callgrind, one thread: load-independent) of the README's
# "Before and after the redesign" rows, for one or more quantreplica binaries side by side.
#
#   benches/callgrind.sh OLD_BINARY NEW_BINARY [ROW...]
#
# Each RS row and sweep20 are counted twice: the whole command, and inside `rs::solve` alone (the
# library's solver, what `cargo bench --bench rs` and `--bench sweep` time); AMP inside
# `Amp::step` as well. Rows: rs5 (finite-β RS point), rsinf (β = ∞ RS point), rs8 (b = 8, β = 5), sweep20 (20 × 20
# sweep, whole command), sweep200 (every 11th point of the 200 × 200 sweep, `--shard 0/11`:
# 3637 points, a few minutes per binary), amp (one AMP iteration), asq (exact s = 16 / 4, approx
# s = 16), or all (the default). Per-point and per-iteration counts are differences of two runs,
# so process start-up and output cancel. The pre-redesign binary: `git worktree add /tmp/old
# bb6de7f && (cd /tmp/old && cargo build --release)`.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,13p "$0"; exit 2; }
bins=("$1" "$2")
shift 2
rows=("$@")
[ ${#rows[@]} -gt 0 ] || rows=(rs5 rsinf rs8 sweep20 sweep200 amp asq)
export RAYON_NUM_THREADS=1
declare -A solver_fn=([rs5]=quantreplica::rs::solve [rsinf]=quantreplica::rs::solve
    [rs8]=quantreplica::rs::solve [sweep20]=quantreplica::rs::solve
    [amp]=quantreplica::amp::Amp::step)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions of one command under callgrind (with $FN set: only inside that function, e.g. the
# library's solver without the command line's parsing and output).
count() {
    rm -f "$tmp"/shard*
    local toggle=()
    [ -z "${FN:-}" ] || toggle=("--toggle-collect=$FN")
    valgrind --tool=callgrind "${toggle[@]}" --callgrind-out-file="$tmp/cg.out" "$@" \
        >/dev/null 2>"$tmp/err" ||
        { cat "$tmp/err" >&2; return 1; }
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$tmp/err"
}

# `row NAME DIVISOR ARGS_A -- ARGS_B`: (count(A) − count(B)) / DIVISOR per binary
# (ARGS_B empty: the whole command A).
row() {
    local name=$1 div=$2
    shift 2
    local a=() b=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do a+=("$1"); shift; done
    [ $# -gt 0 ] && shift
    b=("$@")
    local out=() base=
    for bin in "${bins[@]}"; do
        local ia ib=0
        ia=$(count "$bin" "${a[@]}")
        [ ${#b[@]} -eq 0 ] || ib=$(count "$bin" "${b[@]}")
        out+=("$(( (ia - ib) / div ))")
    done
    base=${out[0]}
    printf '%-16s' "$name${FN:+ (${FN##*::})}"
    for v in "${out[@]}"; do printf ' %15d' "$v"; done
    awk -v a="$base" -v b="${out[-1]}" 'BEGIN { printf "   %.4f\n", b / a }'
}

printf "%-16s %15s %15s   %s\n" row "${bins[0]}" "${bins[1]}" ratio
for r in "${rows[@]}"; do
  for FN in "" ${solver_fn[$r]:-}; do
    case $r in
    rs5) row rs5 10 sweep --threads 1 --bits 2 --width 1.3 --beta 5 --over alpha=1:3:11 \
        -- sweep --threads 1 --bits 2 --width 1.3 --beta 5 --over alpha=2 ;;
    rsinf) row rsinf 10 sweep --threads 1 --bits 2 --width 1.3 --over alpha=1:3:11 \
        -- sweep --threads 1 --bits 2 --width 1.3 --over alpha=2 ;;
    rs8) row rs8 10 sweep --threads 1 --bits 8 --width 3 --beta 5 --over alpha=1:3:11 \
        -- sweep --threads 1 --bits 8 --width 3 --beta 5 --over alpha=2 ;;
    sweep20) row sweep20 1 sweep --threads 1 --bits 2 --beta 5 --over alpha=0.2:4:20 \
        --over width=0.05:4:20 ;;
    sweep200) row sweep200 1 sweep --threads 1 --bits 2 --beta 5 --over alpha=0.2:4:200 \
        --over width=0.05:4:200 --shard 0/11 --checkpoint "$tmp/shard" ;;
    amp) row amp 20 amp --n 2000 --alpha 2 --beta 5 --width 1.3 --seeds 1 --tol 1e-300 \
        --max-iter 40 -- amp --n 2000 --alpha 2 --beta 5 --width 1.3 --seeds 1 --tol 1e-300 \
        --max-iter 20 ;;
    asq)
        row asq_ex16 1 asq --dist lognormal --s 16
        row asq_ex4 1 asq --dist lognormal --s 4
        row asq_ap16 1 asq --dist lognormal --s 16 --method approx --bins 1000 ;;
    *) echo "unknown row $r" >&2; exit 2 ;;
    esac
  done
done
