#!/usr/bin/env bash
# hvsim against SimPy on the plain-restore model (issue 19), in one run.
#
#   bash benches/vs-simpy.sh [RUNS_HVSIM] [RUNS_SIMPY]
#
# Builds the release binary, makes a venv under target/ with SimPy pinned,
# runs `hvsim compare benches/fixtures/plain-restore.yaml --jobs 1` and
# benches/simpy_plain_restore.py, one after the other, and prints both
# rates and their ratio. Both rates are per CPU second of one process on
# one core (user + system time), so that a loaded machine slows both
# alike; hvsim's own `--timing` line (wall clock) is printed too.
set -euo pipefail
cd "$(dirname "$0")/.."
runs_hvsim=${1:-20000}
runs_simpy=${2:-500}
target=${CARGO_TARGET_DIR:-target}
venv=target/simpy-venv
simpy_version=4.1.2

cargo build --release --quiet --bin hvsim
hvsim=$target/release/hvsim
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import simpy, sys; sys.exit(simpy.__version__ != '$simpy_version')" 2>/dev/null; then
    "$venv/bin/pip" install --quiet "simpy==$simpy_version"
fi

times=$(mktemp)
trap 'rm -f "$times"' EXIT

echo "$("$hvsim" --version)" >&2
/usr/bin/time -f '%U %S' -o "$times" "$hvsim" compare benches/fixtures/plain-restore.yaml \
    --runs "$runs_hvsim" --jobs 1 --timing 2>&1 >/dev/null | grep '^timing:' >&2
hvsim_cpu=$(awk '{ print $1 + $2 }' "$times")
simpy_line=$("$venv/bin/python" benches/simpy_plain_restore.py --runs "$runs_simpy" 2>/dev/null)
echo "$simpy_line" >&2
simpy_rate=$(echo "$simpy_line" | awk '{ print $2 }')

awk -v n="$runs_hvsim" -v cpu="$hvsim_cpu" -v simpy="$simpy_rate" 'BEGIN {
    hvsim = n / cpu
    printf "hvsim: %.0f replications per CPU second (%d replications, %.2f s, loading included)\n", hvsim, n, cpu
    printf "simpy: %.1f replications per CPU second\n", simpy
    printf "ratio: hvsim is %.0fx SimPy per core\n", hvsim / simpy
}'
