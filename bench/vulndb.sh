#!/usr/bin/env bash
# Benchmark of the advisory database (crates/plimsoll-vuln/benches/vulndb.rs): import of
# >= 100,000 OSV advisories from a zip archive, database size, open time, and the lookup of
# 1,000 packages (target <= 50 ms once the database is open).
#
#   bench/vulndb.sh [OSV_DIR]     (default ../shared/testdata/advisories)
#
# The real advisories of OSV_DIR are replicated with new ids up to $PLIMSOLL_BENCH_ADVISORIES
# (default 100000); the generated archive is cached in $CARGO_TARGET_DIR/bench-vulndb/.
# Then the import's memory: peak RSS of `plimsoll db import` over BENCH_IMPORT_RECORDS (default
# 50000) and 4 x as many synthetic records (bench/osv-records.py); the difference over the
# difference of records is what each record costs (BENCH_IMPORT_RECORDS=0 skips; needs
# /usr/bin/time).
# Then, when syft, hyperfine and the lab images ($PLIMSOLL_LAB_IMAGES, default
# $CARGO_TARGET_DIR/lab-images) are there: `plimsoll scan sbom:FILE` of syft's CycloneDX JSON and
# SPDX JSON of the big image against the database of OSV_DIR, beside `plimsoll scan oci:` of the
# image itself (no grype here to compare with; BENCH_SBOM=0 skips; PLIMSOLL_BENCH_BIN names a
# plimsoll binary instead of the release build).
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

N1="${BENCH_IMPORT_RECORDS:-50000}"
if [ "$N1" != 0 ] && [ -x /usr/bin/time ]; then
  N2=$((4 * N1))
  cargo build -q --release -p plimsoll 2>/dev/null
  PLIM="$CARGO_TARGET_DIR/release/plimsoll"
  TMP="$(mktemp -d)"; trap 'rm -rf "$TMP"' EXIT
  declare -A RSS
  {
    echo "import memory (peak RSS of plimsoll db import, synthetic records of about 1.3 KB)"
    for n in "$N1" "$N2"; do
      python3 "$ROOT/bench/osv-records.py" "$n" "$TMP/osv-$n.zip"
      /usr/bin/time -f "%M %e" -o "$TMP/time-$n" "$PLIM" db import "$TMP/osv-$n.zip" --db "$TMP/db-$n" >/dev/null
      read -r kib secs < "$TMP/time-$n"
      RSS[$n]=$kib
      printf '  %-16s  %.1f MiB peak RSS, %s s\n' "$n records" "$(awk -v k="$kib" 'BEGIN { print k / 1024 }')" "$secs"
      rm -f "$TMP/osv-$n.zip" "$TMP/db-$n"
    done
    awk -v a="${RSS[$N1]}" -v b="${RSS[$N2]}" -v n="$((N2 - N1))" \
      'BEGIN { printf "  per record        %.0f bytes of RSS ((RSS(%d) - RSS(%d)) / %d)\n", (b - a) * 1024 / n, 0, 0, n }' \
      | sed "s/RSS(0) - RSS(0)/RSS($N2) - RSS($N1)/"
  } | tee -a "$ROOT/bench/results/vulndb-latest.txt"
fi

LAB="${PLIMSOLL_LAB_IMAGES:-$CARGO_TARGET_DIR/lab-images}"
if [ "${BENCH_SBOM:-1}" != 0 ] && command -v syft >/dev/null && command -v hyperfine >/dev/null \
  && [ -f "$LAB/big/index.json" ]; then
  PLIM="${PLIMSOLL_BENCH_BIN:-}"
  if [ -z "$PLIM" ]; then
    cargo build -q --release -p plimsoll 2>/dev/null
    PLIM="$CARGO_TARGET_DIR/release/plimsoll"
  fi
  STMP="$(mktemp -d)"
  SYFT_CHECK_FOR_APP_UPDATE=false syft scan "oci-dir:$LAB/big" -q \
    -o "cyclonedx-json=$STMP/big.cdx.json" -o "spdx-json=$STMP/big.spdx.json"
  "$PLIM" db import "$DIR" --db "$STMP/vuln.db" >/dev/null 2>&1 || true
  {
    echo "scan sbom: (syft 1.18.1's documents of the big lab image; $(du -h "$STMP/big.cdx.json" | cut -f1) CycloneDX, $(du -h "$STMP/big.spdx.json" | cut -f1) SPDX) against the database of $DIR"
    hyperfine -N -w 1 -r 10 --ignore-failure --export-markdown "$STMP/md" \
      -n "scan sbom:big.cdx.json" "$PLIM scan sbom:$STMP/big.cdx.json --offline --db $STMP/vuln.db --format json -o /dev/null" \
      -n "scan sbom:big.spdx.json" "$PLIM scan sbom:$STMP/big.spdx.json --offline --db $STMP/vuln.db --format json -o /dev/null" \
      -n "scan oci:big (the image, no cache)" "$PLIM scan oci:$LAB/big:latest --offline --db $STMP/vuln.db --format json -o /dev/null --no-cache --no-progress" \
      >/dev/null 2>&1
    sed 's/^/  /' "$STMP/md"
  } | tee -a "$ROOT/bench/results/vulndb-latest.txt"
  rm -rf "$STMP"
fi
