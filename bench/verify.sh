#!/usr/bin/env bash
# Benchmark of `plimsoll verify` against the real docker-registry on loopback: one image
# with 1, 10 and 100 signatures (each by its own key, the last by the key verified with);
# each verify run fetches the image manifest, the sha256-<hex>.sig manifest, the referrers
# fallback tag and every payload blob, and checks every signature. Reported: wall time per
# run (mean of BENCH_RUNS) and the marginal time per signature, (t100 - t1) / 99, which is
# one payload fetch plus one ECDSA P-256 verification. Target: <= 10 ms per verification
# after the manifests are fetched. Beside it, the local scan of the same image (`image
# audit`, no cache) and the ratio verify / audit.
#
#   bench/verify.sh                          (release build; BENCH_RUNS=10)
#   PLIMSOLL_BIN=target/debug/plimsoll bench/verify.sh
#
# Needs docker-registry and skopeo. Prints the figures and writes them to
# bench/results/verify-latest.txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
RUNS="${BENCH_RUNS:-10}"
for t in docker-registry skopeo python3; do
  command -v "$t" >/dev/null || { echo "$t is needed" >&2; exit 2; }
done
if [ -z "${PLIMSOLL_BIN:-}" ]; then
  cargo build -q --release -p plimsoll
  PLIMSOLL_BIN="$CARGO_TARGET_DIR/release/plimsoll"
fi
PLIM="$PLIMSOLL_BIN"
TMP="$(mktemp -d)"
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
HOST="127.0.0.1:$PORT"
cat > "$TMP/registry.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $TMP/data
http:
  addr: $HOST
YAML
docker-registry serve "$TMP/registry.yml" >/dev/null 2>&1 &
PID=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break; sleep 0.1; done

# A one-layer image in an OCI layout, pushed three times as three repositories.
python3 - "$TMP/layout" <<'PY'
import hashlib, io, json, os, sys, tarfile
d = sys.argv[1]; os.makedirs(d + "/blobs/sha256")
def put(b):
    h = hashlib.sha256(b).hexdigest(); open(f"{d}/blobs/sha256/{h}", "wb").write(b); return "sha256:" + h, len(b)
buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w") as t:
    data = b"signed\n"; i = tarfile.TarInfo("etc/motd"); i.size = len(data); t.addfile(i, io.BytesIO(data))
layer = put(buf.getvalue())
config = put(json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                         "rootfs": {"type": "layers", "diff_ids": [layer[0]]}}).encode())
manifest = put(json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config[0], "size": config[1]},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layer[0], "size": layer[1]}]}).encode())
open(d + "/oci-layout", "w").write('{"imageLayoutVersion":"1.0.0"}')
open(d + "/index.json", "w").write(json.dumps({"schemaVersion": 2, "manifests": [{
    "mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": manifest[0], "size": manifest[1],
    "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}))
PY
export PLIMSOLL_PASSWORD=bench
"$PLIM" key generate --output-prefix "$TMP/k" 2>/dev/null
for n in 1 10 100; do
  skopeo copy -q --dest-tls-verify=false "oci:$TMP/layout:latest" "docker://$HOST/bench/s$n:1"
  # n-1 signatures by other keys (a plain PKCS#8 key each: no scrypt), then one by ours.
  for i in $(seq 2 "$n"); do
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TMP/o.key" 2>/dev/null
    "$PLIM" sign "$HOST/bench/s$n:1" --key "$TMP/o.key" --insecure "$HOST" 2>/dev/null
  done
  "$PLIM" sign "$HOST/bench/s$n:1" --key "$TMP/k.key" --insecure "$HOST" 2>/dev/null
done

OUT="$TMP/out.txt"
{
  echo "plimsoll verify against docker-registry on $HOST ($(nproc) cores, $RUNS runs each, $(basename "$(dirname "$PLIM")") build)"
  declare -A MS
  for n in 1 10 100; do
    "$PLIM" verify "$HOST/bench/s$n:1" --key "$TMP/k.pub" --insecure "$HOST" --format json > "$TMP/v.json"
    checks=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["checks"]), d["verified"])' "$TMP/v.json")
    start=$(date +%s%N)
    for _ in $(seq "$RUNS"); do
      "$PLIM" verify "$HOST/bench/s$n:1" --key "$TMP/k.pub" --insecure "$HOST" >/dev/null
    done
    end=$(date +%s%N)
    MS[$n]=$(( (end - start) / RUNS / 1000 ))
    printf '%4d signatures (checked, verified: %s): %8.1f ms per verify run\n' "$n" "$checks" "$(echo "${MS[$n]} / 1000" | bc -l)"
  done
  printf 'marginal time per signature (fetch its payload + verify): %.2f ms\n' \
    "$(echo "(${MS[100]} - ${MS[1]}) / 99 / 1000" | bc -l)"
  # The peer on the same input: the local scan a pipeline runs beside the verification
  # (plimsoll image audit of the same image from the same registry, without the cache).
  start=$(date +%s%N)
  for _ in $(seq "$RUNS"); do
    "$PLIM" image audit "$HOST/bench/s1:1" --insecure "$HOST" --no-cache >/dev/null || true
  done
  end=$(date +%s%N)
  AUDIT=$(( (end - start) / RUNS / 1000 ))
  printf 'image audit of the same image (no cache): %8.1f ms per run; verify (1 signature) / audit: %.2f\n' \
    "$(echo "$AUDIT / 1000" | bc -l)" "$(echo "${MS[1]} / $AUDIT" | bc -l)"
} | tee "$OUT"
mkdir -p "$ROOT/bench/results"
cp "$OUT" "$ROOT/bench/results/verify-latest.txt"
