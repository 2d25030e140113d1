#!/usr/bin/env bash
# Image diff on the reference images: `plimsoll diff small big` cold (--no-cache: every layer read,
# the shared base once, through the run's private cache) and warm (the layer cache filled: nothing
# read), in one hyperfine run, JSON and container-diff outputs. container-diff itself is archived
# and not installed here; the peer is what a user does without it: unpack both images with umoci
# and `diff -rq` the root filesystems (files only: no packages, metadata or layers).
#
#   bench/diff.sh [IMAGES_DIR]
#     IMAGES_DIR  default ./lab-images (built by ../shared/tools/build-images.sh; small/ and big/ are read)
#
# Prints each median and the cold/warm ratio; writes bench/results/diff-latest.txt.
# Env: PLIMSOLL_BIN=PATH (default: cargo build --release), BENCH_RUNS=N (default 5).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="${1:-$ROOT/lab-images}"
case "$IMAGES" in /*) ;; *) IMAGES="$PWD/$IMAGES" ;; esac
cd "$ROOT"
for i in small big; do
  [ -f "$IMAGES/$i/index.json" ] || { echo "no $IMAGES/$i: build it with ../shared/tools/build-images.sh $IMAGES" >&2; exit 2; }
done
command -v hyperfine >/dev/null || { echo "hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
command -v umoci >/dev/null || { echo "umoci is needed (apt-get install umoci)" >&2; exit 2; }
BIN="${PLIMSOLL_BIN:-}"
if [ -z "$BIN" ]; then
  cargo build --release -p plimsoll --quiet
  BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/plimsoll"
fi
RUNS="${BENCH_RUNS:-5}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT
A="oci:$IMAGES/small:latest"
B="oci:$IMAGES/big:latest"
# Once, to check it works and to fill the cache for the warm runs; then once warm, for its counts.
"$BIN" diff "$A" "$B" --cache-dir "$TMP/cache" --no-progress --format json -o "$TMP/diff.json"
"$BIN" diff "$A" "$B" --cache-dir "$TMP/cache" --no-progress --format json -o "$TMP/diff-warm.json"
# The peer: both root filesystems unpacked (umoci raw unpack, as root or --rootless), then diff -rq
# (exit 1 means "they differ", the expected answer).
ROOTLESS=""; [ "$(id -u)" = 0 ] || ROOTLESS="--rootless"
UNPACK_DIFF="rm -rf $TMP/u && mkdir $TMP/u && umoci raw unpack $ROOTLESS --image $IMAGES/small:latest $TMP/u/a >/dev/null && umoci raw unpack $ROOTLESS --image $IMAGES/big:latest $TMP/u/b >/dev/null && { diff -rq --no-dereference $TMP/u/a $TMP/u/b >$TMP/u.txt 2>&1 || [ \$? = 1 ]; }"
bash -c "$UNPACK_DIFF"
echo "diff -rq lines: $(wc -l < "$TMP/u.txt")" > "$TMP/peer.txt"
hyperfine -N --warmup 0 --runs "$RUNS" --export-json "$TMP/h.json" \
  -n cold "$BIN diff $A $B --no-cache --no-progress --format json -o /dev/null" \
  -n warm "$BIN diff $A $B --cache-dir $TMP/cache --no-progress --format json -o /dev/null" \
  -n warm-container-diff "$BIN diff $A $B --cache-dir $TMP/cache --no-progress --format container-diff -o /dev/null" \
  2>&1 | grep -v '^ *Warning' >&2 || true
hyperfine --warmup 0 --runs "$RUNS" --export-json "$TMP/h-peer.json" \
  -n umoci-unpack+diff-r "bash -c '$UNPACK_DIFF'" \
  2>&1 | grep -v '^ *Warning' >&2 || true
rm -rf "$TMP/u"
python3 - "$TMP/h.json" "$TMP/h-peer.json" "$TMP/diff.json" "$TMP/diff-warm.json" "$TMP/peer.txt" <<'PY' | tee "$ROOT/bench/results/diff-latest.txt"
import json, sys
r = {}
for h in sys.argv[1:3]:
    r.update({x["command"]: x["median"] for x in json.load(open(h))["results"]})
d = json.load(open(sys.argv[3]))
warm = json.load(open(sys.argv[4]))
f, p = d["files"], d["packages"]
print(f"small vs big: {d['layers']['shared']} shared layer(s); files +{len(f['added'])} -{len(f['removed'])} ~{len(f['changed'])}; "
      f"packages +{len(p['added'])} -{len(p['removed'])} ~{len(p['changed'])}")
for name, doc in (("first run", d), ("warm", warm)):
    rd = doc.get("read", {})
    print(f"{name}: layers read {rd.get('layers_read')}, from the cache {rd.get('layers_from_cache')}")
print(open(sys.argv[5]).read().strip())
print(f"{'command':<22} {'median s':>9}")
for k in ("cold", "warm", "warm-container-diff", "umoci-unpack+diff-r"):
    if k in r:
        print(f"{k:<22} {r[k]:>9.3f}")
if r.get("cold") and r.get("warm"):
    print(f"cold / warm: {r['cold'] / r['warm']:.1f}x")
peer = r.get("umoci-unpack+diff-r")
if peer:
    for k in ("cold", "warm"):
        if r.get(k):
            print(f"umoci-unpack+diff-r / {k}: {peer / r[k]:.1f}x")
PY
