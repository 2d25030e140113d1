#!/usr/bin/env bash
# Benchmark of `plimsoll admission` over TLS on loopback with wrk (Debian's wrk):
#   (a) a Deployment with 3 containers judged on its pod spec (the default policy);
#   (b) the same with require_scan: every image's verdict read from a SQLite store, cached
#       (unknown_scan = "warn", unknown_ttl_secs = 300: the answer is cached per digest);
#   (c) the cold path: the same with no cache (unknown_ttl_secs = 0), one store read per image.
# Each case: wrk with 1 connection (latency at the rate one client reaches) and with 16
# connections (maximum throughput). Target: p99 <= 5 ms at 1,000 req/s.
#
#   bench/admission.sh            (BENCH_SECONDS=10 per run)
#
# Prints the figures and writes them to bench/results/admission-latest.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SECS="${BENCH_SECONDS:-10}"
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "openssl is needed" >&2; exit 2; }
cargo build -q --release -p plimsoll
PLIM="$CARGO_TARGET_DIR/release/plimsoll"
TMP="$(mktemp -d)"
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
  -keyout "$TMP/tls.key" -out "$TMP/tls.crt" -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null

D() { printf 'sha256:%064d' "$1"; }
cat > "$TMP/review.json" <<JSON
{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"b1c2d3e4-0000-4000-8000-000000000001",
"kind":{"group":"apps","version":"v1","kind":"Deployment"},"resource":{"group":"apps","version":"v1","resource":"deployments"},
"name":"web","namespace":"shop","operation":"CREATE","userInfo":{"username":"system:serviceaccount:ci:deployer"},
"object":{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"shop"},
"spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},
"spec":{"securityContext":{"runAsNonRoot":true,"seccompProfile":{"type":"RuntimeDefault"}},"containers":[
{"name":"web","image":"registry.example/web@$(D 1)","ports":[{"containerPort":8080}],
 "resources":{"limits":{"memory":"256Mi","cpu":"500m"}},"securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}},
{"name":"sidecar","image":"registry.example/proxy@$(D 2)","resources":{"limits":{"memory":"64Mi","cpu":"100m"}},
 "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}},
{"name":"metrics","image":"registry.example/metrics@$(D 3)","resources":{"limits":{"memory":"64Mi","cpu":"100m"}},
 "securityContext":{"allowPrivilegeEscalation":false,"readOnlyRootFilesystem":true,"capabilities":{"drop":["ALL"]}}}]}}}},
"dryRun":false}}
JSON
cat > "$TMP/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$TMP/review.json", "r")
wrk.body = f:read("*a")
f:close()
LUA

run_case() { # name, config text
  local name="$1"
  printf '%s\n' "$2" > "$TMP/$name.toml"
  "$PLIM" admission --listen 127.0.0.1:0 --tls-cert "$TMP/tls.crt" --tls-key "$TMP/tls.key" \
    --config "$TMP/$name.toml" 2> "$TMP/$name.log" &
  PID=$!
  local url=""
  for _ in $(seq 100); do
    url=$(sed -n 's|.*listening on \(https://[^ ]*\)|\1|p' "$TMP/$name.log")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$TMP/$name.log" >&2; exit 1; }
  local answer
  answer=$(curl -sS --cacert "$TMP/tls.crt" -H 'Content-Type: application/json' --data @"$TMP/review.json" "$url")
  echo "== ($name) $(echo "$answer" | jq -c '{allowed: .response.allowed, warnings: (.response.warnings // [] | length)}')"
  for c in 1 16; do
    wrk -t1 -c"$c" -d"${SECS}s" --latency -s "$TMP/post.lua" "$url" > "$TMP/$name-$c.txt"
    local rps p50 p99
    rps=$(awk '/Requests\/sec/ {print $2}' "$TMP/$name-$c.txt")
    p50=$(awk '$1 == "50%" {print $2}' "$TMP/$name-$c.txt")
    p99=$(awk '$1 == "99%" {print $2}' "$TMP/$name-$c.txt")
    printf '   %2d connection(s): %8s req/s  p50 %-8s p99 %s\n' "$c" "$rps" "$p50" "$p99"
  done
  kill "$PID"; wait "$PID" 2>/dev/null || true; PID=
}

{
  echo "plimsoll admission benchmark ($(nproc) cores, wrk over TLS on 127.0.0.1, ${SECS}s per run)"
  run_case "a-pod-spec" '[admission]'
  run_case "b-verdicts-cached" "[admission]
require_scan = true
unknown_scan = \"warn\"
store = \"sqlite:$TMP/store.db\"
unknown_ttl_secs = 300"
  run_case "c-verdicts-cold" "[admission]
require_scan = true
unknown_scan = \"warn\"
store = \"sqlite:$TMP/store.db\"
unknown_ttl_secs = 0"
} | tee "$ROOT/bench/results/admission-latest.txt"
