#!/usr/bin/env bash
# Merging at scale (docs/distributed.md, BENCHMARKS.md): the time and peak
# memory of `hvsim merge` over 10, 100 and 1,000 shard files of one run,
# and the size of a shard file of 64 against 1,000,000 replications.
# Merge reads one shard at a time and folds it into the total, so its
# memory should not grow with the number of shards, and a shard's size
# should not grow with its replications (histograms and integer moments).
#
#   bash benches/merge-at-scale.sh            (about 3 minutes on 2 cores)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --locked --release --quiet
hvsim="$(pwd)/target/release/hvsim"
scenario=benches/fixtures/plain-restore.yaml
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Every run has 64,000 replications, so each of 1,000 shards holds one
# block of 64.
runs=64000
measure() { # N: merge shard-0 .. shard-(N-1) of an N-shard run
    local n="$1" dir="$work/n$1"
    mkdir -p "$dir"
    for ((i = 0; i < n; i++)); do
        "$hvsim" compare "$scenario" --runs "$runs" --seed 7 --jobs 1 \
            --shard "$i/$n" --out "$dir/shard-$i.json" 2>/dev/null
    done
    local files=()
    for ((i = 0; i < n; i++)); do files+=("$dir/shard-$i.json"); done
    /usr/bin/time -f "%e %M" -o "$work/time" "$hvsim" merge --json "${files[@]}" >"$dir/merged.json"
    read -r secs kib <"$work/time"
    printf '%6d shards: merge %6.2f s, peak memory %6.1f MiB, %5.2f ms per shard\n' \
        "$n" "$secs" "$(echo "$kib / 1024" | bc -l)" "$(echo "$secs * 1000 / $n" | bc -l)"
}
for n in 10 100 1000; do measure "$n"; done
cmp "$work/n10/merged.json" "$work/n1000/merged.json" &&
    echo "the 10-shard and the 1,000-shard merges are byte-identical"

# One shard of 1,000,000 replications against one of 64.
"$hvsim" compare "$scenario" --runs 64 --seed 7 --shard 0/1 --out "$work/small.json"
start=$SECONDS
"$hvsim" compare "$scenario" --runs 1000000 --seed 7 --shard 0/1 --out "$work/big.json"
echo "a shard of 1,000,000 replications: $(stat -c %s "$work/big.json") bytes (made in $((SECONDS - start)) s); of 64: $(stat -c %s "$work/small.json") bytes"
/usr/bin/time -f "%e %M" -o "$work/time" "$hvsim" merge "$work/big.json" >/dev/null
read -r secs kib <"$work/time"
printf 'merging it: %.2f s, peak memory %.1f MiB\n' "$secs" "$(echo "$kib / 1024" | bc -l)"
