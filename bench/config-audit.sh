#!/usr/bin/env bash
# Benchmark of `plimsoll config audit` against checkov (PyPI), on the same 1,000 Kubernetes
# manifests in one run.
#
#   bench/config-audit.sh [N]       N manifests (default 1000)
#
# The manifests are real: the first N (by path) of the Pods kubernetes/pod-security-admission
# generates for its tests, vendored in crates/plimsoll-runtime/tests/pss/testdata.tar.zst (every
# version, pass and fail, baseline and restricted), one Pod per file in one directory.
# Measured: wall time of `plimsoll config audit DIR --format json` (median of 3) and of
# `checkov -d DIR --framework kubernetes -o json` (median of 3; checkov is installed into a
# virtualenv under the temp dir when it is not on PATH). Reports files/s and the ratio.
# Env: PLIMSOLL_BIN (default: target/release/plimsoll, built when missing), CHECKOV (a checkov
# binary to use). Writes bench/results/config-audit-latest.txt. Exit 2 when a tool is missing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-1000}"
cd "$ROOT"
log() { printf '%s\n' "$*" >&2; }
for tool in tar zstd python3 bc; do
  command -v "$tool" >/dev/null || { log "$tool is needed (apt-get install $tool)"; exit 2; }
done
TMP="$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-config-bench.XXXXXX")"
trap 'rm -rf "$TMP"' EXIT

PLIM="${PLIMSOLL_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/plimsoll}"
if [ ! -x "$PLIM" ]; then
  log "building the release binary"
  cargo build --release -q -p plimsoll
fi
CHECKOV="${CHECKOV:-$(command -v checkov || true)}"
if [ -z "$CHECKOV" ]; then
  log "installing checkov into $TMP/venv"
  python3 -m venv "$TMP/venv" && "$TMP/venv/bin/pip" install -q checkov >&2
  CHECKOV="$TMP/venv/bin/checkov"
fi

tar --zstd -xf crates/plimsoll-runtime/tests/pss/testdata.tar.zst -C "$TMP"
mkdir "$TMP/manifests"
i=0
while IFS= read -r f; do
  i=$((i + 1))
  cp "$f" "$TMP/manifests/$(printf '%05d' "$i")-$(basename "$f")"
done < <(find "$TMP/testdata" -name '*.yaml' | sort | head -n "$N")
files=$(find "$TMP/manifests" -name '*.yaml' | wc -l)
[ "$files" -eq "$N" ] || { log "only $files manifests in the test data"; exit 2; }

now() { date +%s.%N; }
median3() { sort -g | sed -n 2p; }
time3() { # command... -> median wall seconds of 3 runs (exit status ignored: findings exit 1)
  for _ in 1 2 3; do
    s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now)
    echo "$e - $s" | bc -l
  done | median3
}
p=$(time3 "$PLIM" config audit "$TMP/manifests" --format json -o "$TMP/plimsoll.json")
c=$(time3 "$CHECKOV" -d "$TMP/manifests" --framework kubernetes -o json --quiet --skip-download)
"$PLIM" config audit "$TMP/manifests" --format json -o "$TMP/plimsoll.json" >/dev/null 2>&1 || true
"$CHECKOV" -d "$TMP/manifests" --framework kubernetes -o json --quiet --skip-download >"$TMP/checkov.json" 2>/dev/null || true
pf=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["findings"]))' "$TMP/plimsoll.json")
cf=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
d = d if isinstance(d, list) else [d]
print(sum(len(x.get("results", {}).get("failed_checks", [])) for x in d))' "$TMP/checkov.json")

mkdir -p bench/results
{
  echo "bench/config-audit.sh on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), $N manifests, binary $PLIM, checkov $("$CHECKOV" --version 2>/dev/null)"
  printf '%-34s %8.2f s  %8.0f files/s  %6s findings\n' "plimsoll config audit" "$p" "$(echo "$N / $p" | bc -l)" "$pf"
  printf '%-34s %8.2f s  %8.0f files/s  %6s failed checks\n' "checkov --framework kubernetes" "$c" "$(echo "$N / $c" | bc -l)" "$cf"
  printf 'plimsoll is %.0fx faster\n' "$(echo "$c / $p" | bc -l)"
} | tee bench/results/config-audit-latest.txt
