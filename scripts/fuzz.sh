#!/usr/bin/env bash
# Fuzzes the Dockerfile parser and the lint pass (fuzz/fuzz_targets/dockerfile.rs)
# for SECONDS (default 60), seeded with the Dockerfiles of the shared corpus.
#
#   scripts/fuzz.sh [SECONDS]
#
# Exits non-zero when an input makes the target panic (or run out of time or
# memory), after printing the path of the saved input; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run dockerfile <path> --fuzz-dir fuzz
# Installs cargo-fuzz (0.13.2) when missing. Only the stable toolchain is
# needed: RUSTC_BOOTSTRAP lets cargo-fuzz pass its `-Z` flags to it.
# Environment: PLIMSOLL_SHARED (default ../shared), CARGO_TARGET_DIR (the
# fuzz build goes to $CARGO_TARGET_DIR/fuzz, else fuzz/target).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 [SECONDS]" >&2; exit 2 ;; esac
SHARED="${PLIMSOLL_SHARED:-../shared}"
export RUSTC_BOOTSTRAP=1

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked --version 0.13.2
fi

# No AddressSanitizer: the fuzzed crates (and brush-parser) have no unsafe
# code, so it would find nothing and cost 2-3x the executions. Panics,
# overflow checks and debug assertions (on by default) are what is hunted.
target_args=(--sanitizer none)
if [ -n "${CARGO_TARGET_DIR:-}" ]; then
  target_args+=(--target-dir "$CARGO_TARGET_DIR/fuzz")
fi

# The corpus grows across runs (fuzz/corpus is not committed); the seeds are
# copied in every run so a fresh clone starts from real Dockerfiles.
corpus=fuzz/corpus/dockerfile
artifacts=fuzz/artifacts/dockerfile
mkdir -p "$corpus" "$artifacts"
seeds="$SHARED/testdata/dockerfiles"
if [ -d "$seeds" ]; then
  find "$seeds" -maxdepth 1 -type f -exec cp -n {} "$corpus/" \;
else
  echo "note: $seeds not found: fuzzing from an empty corpus" >&2
fi

cargo fuzz build "${target_args[@]}" --fuzz-dir fuzz dockerfile
stamp=$(mktemp)
trap 'rm -f "$stamp"' EXIT
status=0
# -timeout: an input of at most 8 KiB (-max_len) that takes 10 s is a hang;
# -rss_limit_mb: bounded memory is a requirement too.
cargo fuzz run "${target_args[@]}" --fuzz-dir fuzz dockerfile "$corpus" -- \
  -dict=fuzz/dockerfile.dict -max_total_time="$seconds" -timeout=10 -max_len=8192 \
  -rss_limit_mb=2048 -print_final_stats=1 || status=$?
if [ "$status" -ne 0 ]; then
  echo "error: the dockerfile fuzz target failed (exit $status); inputs saved:" >&2
  find "$artifacts" -type f -newer "$stamp" -print >&2
  exit 1
fi
echo "fuzz: no crash in ${seconds}s"
