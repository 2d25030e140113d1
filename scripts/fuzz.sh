#!/usr/bin/env bash
# Fuzzes plimsoll's parsers of untrusted input, each target for SECONDS (default 60):
#   dockerfile  the Dockerfile parser and the lint pass (fuzz/fuzz_targets/dockerfile.rs),
#               seeded with the Dockerfiles of the shared corpus;
#   image       an OCI layout built from fuzzed layer bytes and manifest fields: resolve,
#               the engine pass, the file tree, the audit and the catalogers
#               (fuzz/fuzz_targets/image.rs), seeded by fuzz/seeds/image-seeds.py;
#   osv         one OSV record: the parser and the version matcher (fuzz/fuzz_targets/osv.rs),
#               seeded with the shared corpus's advisories;
#   sbom_read   one SBOM document, CycloneDX JSON/XML or SPDX JSON/tag-value
#               (fuzz/fuzz_targets/sbom_read.rs), seeded with the reader's test documents.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      (default: every target)
#
# Exits non-zero when an input makes a target panic (or run out of time or memory),
# after printing the path of the saved input; reproduce it with
#   RUSTC_BOOTSTRAP=1 cargo fuzz run TARGET <path> --fuzz-dir fuzz
# Installs cargo-fuzz (0.13.2) when missing. Only the stable toolchain is
# needed: RUSTC_BOOTSTRAP lets cargo-fuzz pass its `-Z` flags to it.
# Environment: PLIMSOLL_SHARED (default ../shared), CARGO_TARGET_DIR (the
# fuzz build goes to $CARGO_TARGET_DIR/fuzz, else fuzz/target).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
case "$seconds" in '' | *[!0-9]*) echo "usage: $0 [SECONDS] [TARGET...]" >&2; exit 2 ;; esac
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(dockerfile image osv sbom_read)
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

# Seeds are copied into the corpus every run (fuzz/corpus is not committed), so a
# fresh clone starts from real inputs; the corpus grows across runs.
seed() {
  local target=$1 corpus=$2
  case "$target" in
    dockerfile)
      if [ -d "$SHARED/testdata/dockerfiles" ]; then
        find "$SHARED/testdata/dockerfiles" -maxdepth 1 -type f -exec cp -n {} "$corpus/" \;
      else
        echo "note: $SHARED/testdata/dockerfiles not found: fuzzing from an empty corpus" >&2
      fi
      ;;
    image) python3 fuzz/seeds/image-seeds.py "$corpus" ;;
    osv)
      if [ -d "$SHARED/testdata/advisories" ]; then
        # One of each source is plenty: libFuzzer mutates from there.
        find "$SHARED/testdata/advisories" -name '*.json' -size -64k | sort | awk 'NR % 8 == 1' |
          while read -r f; do cp -n "$f" "$corpus/$(basename "$(dirname "$f")")-$(basename "$f")"; done
      else
        echo "note: $SHARED/testdata/advisories not found: fuzzing from an empty corpus" >&2
      fi
      ;;
    sbom_read)
      find crates/plimsoll-sbom/tests/data/sbom -type f -size -64k ! -name README.md \
        -exec cp -n {} "$corpus/" \;
      ;;
    *) echo "unknown fuzz target '$target' (dockerfile, image, osv, sbom_read)" >&2; exit 2 ;;
  esac
}

for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  artifacts=fuzz/artifacts/$target
  mkdir -p "$corpus" "$artifacts"
  seed "$target" "$corpus"
  cargo fuzz build "${target_args[@]}" --fuzz-dir fuzz "$target"
done

status=0
for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  artifacts=fuzz/artifacts/$target
  extra=()
  max_len=8192
  case "$target" in
    dockerfile) extra=(-dict=fuzz/dockerfile.dict) ;;
    image) max_len=65536 ;;
    osv) max_len=65536 ;;
    sbom_read) max_len=65536 ;;
  esac
  stamp=$(mktemp)
  # -timeout: an input that takes 10 s is a hang; -rss_limit_mb: bounded memory is a
  # requirement too.
  run=0
  cargo fuzz run "${target_args[@]}" --fuzz-dir fuzz "$target" "$corpus" -- \
    "${extra[@]}" -max_total_time="$seconds" -timeout=10 -max_len="$max_len" \
    -rss_limit_mb=2048 -print_final_stats=1 || run=$?
  if [ "$run" -ne 0 ]; then
    echo "error: the $target fuzz target failed (exit $run); inputs saved:" >&2
    find "$artifacts" -type f -newer "$stamp" -print >&2
    status=1
  else
    echo "fuzz $target: no crash in ${seconds}s"
  fi
  rm -f "$stamp"
done
exit "$status"
