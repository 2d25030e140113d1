#!/usr/bin/env bash
# Benchmark of `plimsoll serve` on the reference images, against a local `plimsoll scan`.
#
#   bench/serve.sh [IMAGES_DIR]     (IMAGES_DIR holds small/ and big/ OCI layouts, tag latest,
#                                    as written by shared/tools/build-images.sh)
#
# Measured in one run, each server fresh (empty SQLite store, no layer cache: --no-cache):
#   local scan     plimsoll scan oci:IMAGES_DIR/<img>:latest --no-cache (median of 3)
#   push → result  skopeo copy to a docker-registry on 127.0.0.1 that notifies the server; time
#                  from the push's return to GET /v1/verdict/<digest> answering passed|failed
#                  (polled every 10 ms); target: small image ≤ 2 s and ≤ 1.2× the local scan
#   throughput     BENCH_PUSHES (default 50) distinct small images (umoci adds a label to each:
#                  same layers, distinct digests) pushed back to back, with 1 and 2 workers:
#                  scans per minute until the last verdict; on SQLite (one process) and on
#                  PostgreSQL (one serve process with 1 worker; serve --workers 0 with two
#                  `plimsoll worker` processes), when PostgreSQL is installed
#   re-match       after the SQLite run, the advisory database is rebuilt under the running
#                  server: time until every stored result is re-matched from its SBOM (no pull),
#                  against the time the scans took
#   read API       wrk -t2 -c16 -d10s --latency on GET /v1/verdict/<digest>: requests/s and p99
#                  at saturation (Debian's wrk cannot hold a fixed rate; saturation is the worst
#                  case for p99); target p99 ≤ 5 ms
# The advisory database: ../shared/testdata/advisories imported when present, else empty.
# Env: PLIMSOLL_BIN (default: target/release/plimsoll, built when missing), BENCH_PUSHES.
# Writes bench/results/serve-latest.txt. Exit 2 on a missing tool, 1 when a measurement failed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="${1:-$ROOT/lab-images}"
case "$IMAGES" in /*) ;; *) IMAGES="$PWD/$IMAGES" ;; esac
cd "$ROOT"
log() { printf '%s\n' "$*" >&2; }
for tool in docker-registry skopeo jq curl umoci bc python3; do
  command -v "$tool" >/dev/null || { log "$tool is needed (apt-get install $tool)"; exit 2; }
done
[ -f "$IMAGES/small/index.json" ] || { log "no $IMAGES/small: build the reference images first"; exit 2; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-serve-bench.XXXXXX")"
PIDS=()
PGDIR=""
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ -n "$PGDIR" ]; then as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1 || true; rm -rf "$PGDIR"; fi
  rm -rf "$TMP"
}
trap cleanup EXIT

PLIM="${PLIMSOLL_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/plimsoll}"
if [ ! -x "$PLIM" ]; then
  log "building the release binary"
  cargo build --release -q -p plimsoll
fi
now() { date +%s.%N; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
TOKEN="bench-token-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf '%s\n' "$TOKEN" > "$TMP/token"

DB="$TMP/vuln.db"
ADV="$ROOT/../shared/testdata/advisories"
if [ -d "$ADV" ]; then
  "$PLIM" db import "$ADV" --db "$DB" >/dev/null 2>&1
else
  mkdir -p "$TMP/empty-osv" && "$PLIM" db import "$TMP/empty-osv" --db "$DB" --allow-empty >/dev/null 2>&1
fi

# registry PORT NOTIFY_PORT: a docker-registry notifying the server on NOTIFY_PORT.
start_registry() {
  local rport=$1 sport=$2 dir="$TMP/registry-$1"
  mkdir -p "$dir"
  cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $dir/data
http:
  addr: 127.0.0.1:$rport
notifications:
  endpoints:
    - name: plimsoll
      url: http://127.0.0.1:$sport/v1/registry/events
      headers:
        Authorization: ["Bearer $TOKEN"]
      timeout: 2s
      threshold: 5
      backoff: 1s
EOF
  docker-registry serve "$dir/config.yml" >"$dir/log" 2>&1 &
  PIDS+=($!)
  wait_port "$rport"
}
wait_port() { for _ in $(seq 300); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; log "nothing listens on $1"; exit 1; }
# serve PORT WORKERS [STORE_URL]: a fresh server with an empty store (SQLite by default).
start_serve() {
  local sport=$1 workers=$2 store=${3:-sqlite:$TMP/store-$1.db}
  "$PLIM" serve --listen "127.0.0.1:$sport" --database "$store" \
    --token-file "$TMP/token" --db "$DB" --no-cache --workers "$workers" \
    --insecure "127.0.0.1:$REG_PORT" 2>"$TMP/serve-$sport.log" &
  PIDS+=($!)
  wait_port "$sport"
}
# worker STORE_URL: one `plimsoll worker` process with one worker.
start_worker() {
  "$PLIM" worker --database "$1" --token-file "$TMP/token" --db "$DB" --no-cache --workers 1 \
    --insecure "127.0.0.1:$REG_PORT" 2>>"$TMP/workers.log" &
  PIDS+=($!)
}
verdict() { curl -s "http://127.0.0.1:$1/v1/verdict/$2" | jq -r .verdict; }
wait_verdict() { # port digest
  while :; do
    case "$(verdict "$1" "$2")" in passed|failed|error) return 0 ;; esac
    sleep 0.01
  done
}
digest_of() { skopeo inspect --tls-verify=false --raw "docker://127.0.0.1:$REG_PORT/$1" | sha256sum | sed 's/^/sha256:/; s/ .*//'; }

median3() { sort -g | sed -n 2p; }
results=()
row() { results+=("$(printf '%-44s %s' "$1" "$2")"); log "$1: $2"; }

for img in small big; do
  [ -f "$IMAGES/$img/index.json" ] || continue
  local_times=$(for _ in 1 2 3; do
    s=$(now); "$PLIM" scan "oci:$IMAGES/$img:latest" --no-cache --db "$DB" --format json -o /dev/null --no-progress || true; e=$(now)
    echo "$e - $s" | bc -l
  done | median3)
  row "local scan, $img (median of 3)" "$(printf '%.2f s' "$local_times")"
  SPORT=$(port); REG_PORT=$(port)
  start_registry "$REG_PORT" "$SPORT"
  start_serve "$SPORT" 1
  skopeo copy -q --dest-tls-verify=false "oci:$IMAGES/$img:latest" "docker://127.0.0.1:$REG_PORT/bench/$img:1"
  t0=$(now)
  d=$(digest_of "bench/$img:1")
  wait_verdict "$SPORT" "$d"
  t1=$(now)
  p=$(echo "$t1 - $t0" | bc -l)
  row "push → verdict, $img" "$(printf '%.2f s (%.2f× the local scan)' "$p" "$(echo "$p / $local_times" | bc -l)")"
  if [ "$img" = small ]; then SMALL_PORT=$SPORT SMALL_DIGEST=$d SMALL_REG=$REG_PORT; fi
done

# Throughput: distinct small images, 1 and 2 workers.
N="${BENCH_PUSHES:-50}"
cp -r "$IMAGES/small" "$TMP/variants"
for i in $(seq "$N"); do
  umoci config --image "$TMP/variants:latest" --tag "v$i" --config.label "bench.variant=$i" >/dev/null 2>&1 \
    || { log "umoci config failed"; exit 1; }
done
# throughput LABEL WORKERS STORE_URL EXTRA_WORKER_PROCESSES: N pushes until the last verdict.
throughput() {
  local label=$1 workers=$2 store=$3 procs=$4
  SPORT=$(port); REG_PORT=$(port)
  start_registry "$REG_PORT" "$SPORT"
  start_serve "$SPORT" "$workers" "$store"
  for _ in $(seq "$procs"); do start_worker "$store"; done
  DIGESTS=()
  t0=$(now)
  for i in $(seq "$N"); do
    skopeo copy -q --dest-tls-verify=false "oci:$TMP/variants:v$i" "docker://127.0.0.1:$REG_PORT/bench/v:$i"
  done
  pushed=$(now)
  for i in $(seq "$N"); do d=$(digest_of "bench/v:$i"); DIGESTS+=("$d"); wait_verdict "$SPORT" "$d"; done
  t1=$(now)
  SCAN_SECS=$(echo "$t1 - $t0" | bc -l)
  row "$N pushes, $label" "$(printf '%.1f s (pushes %.1f s), %.0f scans/min' \
    "$SCAN_SECS" "$(echo "$pushed - $t0" | bc -l)" "$(echo "$N * 60 / $SCAN_SECS" | bc -l)")"
}
built_of() { curl -s "http://127.0.0.1:$1/v1/images/$2" | jq -r .database_built; }

throughput "1 worker, SQLite" 1 "sqlite:$TMP/store-t1.db" 0
throughput "2 workers, SQLite" 2 "sqlite:$TMP/store-t2.db" 0

# Re-match: the database rebuilt under the running server (a later build time); every stored
# result is matched again from its SBOM, without pulling.
old_built=$(built_of "$SPORT" "${DIGESTS[0]}")
sleep 1.1
if [ -d "$ADV" ]; then "$PLIM" db import "$ADV" --db "$TMP/vuln-new.db" >/dev/null 2>&1
else "$PLIM" db import "$TMP/empty-osv" --db "$TMP/vuln-new.db" --allow-empty >/dev/null 2>&1; fi
t0=$(now)
mv "$TMP/vuln-new.db" "$DB"
for d in "${DIGESTS[@]}"; do
  while [ "$(built_of "$SPORT" "$d")" = "$old_built" ]; do sleep 0.05; done
done
t1=$(now)
rm=$(echo "$t1 - $t0" | bc -l)
row "re-match $N results after a db update" "$(printf '%.1f s (%.0f/min; the scans took %.1f s: %.1f× faster)' \
  "$rm" "$(echo "$N * 60 / $rm" | bc -l)" "$SCAN_SECS" "$(echo "$SCAN_SECS / $rm" | bc -l)")"

if [ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ]; then
  PGDIR="$(mktemp -d /tmp/plimsoll-bench-pg.XXXXXX)"
  PGPORT=$(port)
  [ "$(id -u)" = 0 ] && chown postgres "$PGDIR"
  as_pg "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w \
    -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
  for db in t1 t2; do as_pg "$PGBIN/psql" -qh 127.0.0.1 -p "$PGPORT" -U postgres -c "CREATE DATABASE $db" >/dev/null; done
  throughput "1 worker, PostgreSQL" 1 "postgres://postgres@127.0.0.1:$PGPORT/t1" 0
  throughput "2 worker processes, PostgreSQL" 0 "postgres://postgres@127.0.0.1:$PGPORT/t2" 2
else
  row "$N pushes, PostgreSQL" "not measured (apt-get install postgresql)"
fi

if command -v wrk >/dev/null && [ -n "${SMALL_PORT:-}" ]; then
  out=$(wrk -t2 -c16 -d10s --latency "http://127.0.0.1:$SMALL_PORT/v1/verdict/$SMALL_DIGEST")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  row "GET /v1/verdict (wrk -t2 -c16, saturated)" "$rps req/s, p50 $p50, p99 $p99"
else
  row "GET /v1/verdict" "not measured (apt-get install wrk)"
fi

mkdir -p bench/results
{
  echo "bench/serve.sh on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%M:%SZ), binary $PLIM"
  printf '%s\n' "${results[@]}"
} | tee bench/results/serve-latest.txt
