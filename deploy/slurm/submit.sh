#!/bin/bash
# Submits an hvsim comparison (or sweep) to Slurm: N shards as a job array,
# then the merge, which runs only if every shard succeeded.
#
#   deploy/slurm/submit.sh [compare|sweep] N RESULTS SCENARIO [arguments...]
#   deploy/slurm/submit.sh 16 /shared/run-7 plan.yaml --runs 1000000 --seed 7
#   deploy/slurm/submit.sh sweep 16 /shared/sweep-7 plan.yaml --runs 100000 --set teams.ops.members=2..8
#
# The first argument names the command whose shards these are: `compare`
# (the default, when it is left out) or `sweep`. Prints the array's and the
# merge's job ids (`ARRAY MERGE`). The report lands in RESULTS/report.txt
# (and report.json); the logs in RESULTS/logs/.
# Extra `sbatch` options go in SBATCH_ARGS (e.g. SBATCH_ARGS="--partition=long").
set -euo pipefail

command=compare
case "${1:-}" in
    compare | sweep) command="$1"; shift ;;
esac
if [ "$#" -lt 3 ]; then
    echo "usage: $0 [compare|sweep] N RESULTS SCENARIO [hvsim compare or sweep arguments...]" >&2
    exit 2
fi
shards="$1"
results="$2"
shift 2
case "$shards" in
    '' | *[!0-9]* | 0) echo "N must be a whole number of shards, 1 or more (got '$shards')" >&2; exit 2 ;;
esac
here="$(cd "$(dirname "$0")" && pwd)"
mkdir -p "${results}/logs"

# shellcheck disable=SC2086 # SBATCH_ARGS is a list of options
array="$(sbatch --parsable ${SBATCH_ARGS:-} --array="0-$((shards - 1))" \
    --output="${results}/logs/shard-%a.out" \
    "${here}/shard.sbatch" "$command" "$shards" "$results" "$@")"
array="${array%%;*}"
# --kill-on-invalid-dep: if a shard fails for good, the merge is
# cancelled instead of waiting forever.
# shellcheck disable=SC2086
merge="$(sbatch --parsable ${SBATCH_ARGS:-} --dependency="afterok:${array}" --kill-on-invalid-dep=yes \
    --output="${results}/logs/merge.out" \
    "${here}/merge.sbatch" "$shards" "$results")"
merge="${merge%%;*}"
echo "$array $merge"
