#!/usr/bin/env bash
# Benchmark of the advisory database (crates/plimsoll-vuln/benches/vulndb.rs): import of
# >= 100,000 OSV advisories from a zip archive, database size, open time, and the lookup of
# 1,000 packages (target <= 50 ms once the database is open).
#
#   bench/vulndb.sh [OSV_DIR]     (default ../shared/testdata/advisories)
#
# The real advisories of OSV_DIR are replicated with new ids up to $PLIMSOLL_BENCH_ADVISORIES
# (default 100000); the generated archive is cached in $CARGO_TARGET_DIR/bench-vulndb/.
# Prints the figures and writes them to bench/results/vulndb-latest.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/../shared/testdata/advisories}"
[ -d "$DIR" ] || { echo "no OSV directory at $DIR" >&2; exit 2; }
case "$DIR" in /*) ;; *) DIR="$PWD/$DIR" ;; esac
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
mkdir -p "$ROOT/bench/results"
cd "$ROOT"
PLIMSOLL_BENCH_OSV="$DIR" cargo bench -q -p plimsoll-vuln --bench vulndb 2>/dev/null \
  | tee "$ROOT/bench/results/vulndb-latest.txt"
