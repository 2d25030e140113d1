#!/usr/bin/env bash
# The whole test suite: formatting and lints, the self-contained workspace
# tests, then the reference suite on real images built from Debian packages
# (needs ../shared/tools/build-images.sh, or PLIMSOLL_LAB_IMAGES pointing at
# its output; mmdebstrap, umoci, skopeo, docker-registry, dive, chromium, postgresql), with a bounded
# fuzzing run of the Dockerfile parser (cargo-fuzz and a C++ compiler for libFuzzer).
#
#   scripts/test-all.sh                 everything
#   PLIMSOLL_SKIP_REFERENCE=1 scripts/test-all.sh   workspace tests only (says so)
#   PLIMSOLL_FUZZ_SECONDS=600 scripts/test-all.sh   fuzz longer than the default 60 s
#
# The suites after the workspace tests read ../shared: version-ordering oracles
# (dpkg, rpm, packaging), the Dockerfile corpus (and hadolint on it), the reference images.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
# Tests that run a Python validator (scripts/validate-sbom.py) fail instead of skipping
# when it cannot run: install scripts/test-requirements.txt first.
export PLIMSOLL_REQUIRE_VALIDATORS=1

step() { printf '\n== %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy (warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings
step "workspace tests (self-contained)"
cargo test --workspace --locked
step "plimsoll sbom dir:/ of this machine: pseudo-filesystems skipped, unreadable entries warned about, exit 0"
cargo test -p plimsoll --test sbom_dir --locked -- --ignored
step "SBOM gem, lock-file, .NET, GitHub Actions, conda, Arch (pacman), Linux kernel, Bitnami, Haskell, R, Hex, Dart, Swift, CocoaPods, portage, Nix, LuaRocks, SWI-Prolog, WordPress, Conan and opam catalogers against syft 1.18.1 on real files, as a directory and as an image (every difference explained in tests/syft-catalogers-*differences.tsv)"
cargo build -p plimsoll --locked
python3 scripts/catalog-tree.py "$CARGO_TARGET_DIR/catalog-tree" --oci "$CARGO_TARGET_DIR/catalog-oci"
python3 scripts/compare-syft.py "dir:$CARGO_TARGET_DIR/catalog-tree" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" \
  --known tests/syft-catalogers-differences.tsv --check --strict
python3 scripts/compare-syft.py "oci:$CARGO_TARGET_DIR/catalog-oci:t" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" \
  --known tests/syft-catalogers-image-differences.tsv --check --strict
step "SBOM of the same tree with the lock files' dependency relationships, against the CycloneDX 1.6 and SPDX 2.3 schemas"
for f in cyclonedx spdx; do
  "$CARGO_TARGET_DIR/debug/plimsoll" sbom "dir:$CARGO_TARGET_DIR/catalog-tree" --format "$f" --no-progress \
    > "$CARGO_TARGET_DIR/catalog-tree.$f.json"
done
python3 scripts/validate-sbom.py "$CARGO_TARGET_DIR/catalog-tree.cyclonedx.json" "$CARGO_TARGET_DIR/catalog-tree.spdx.json"
python3 - "$CARGO_TARGET_DIR/catalog-tree.cyclonedx.json" "$CARGO_TARGET_DIR/catalog-tree.spdx.json" <<'PY'
import json, sys
bom, spdx = (json.load(open(p)) for p in sys.argv[1:])
edges = sum(len(d.get("dependsOn", [])) for d in bom["dependencies"][1:])
depends = sum(r["relationshipType"] == "DEPENDS_ON" for r in spdx["relationships"])
print(f"{len(bom['dependencies']) - 1} packages with dependencies, {edges} edges; SPDX DEPENDS_ON {depends}")
sys.exit(0 if edges > 0 and edges == depends else 1)
PY
step "Go main-module versions of real Debian-built binaries (docker-registry, built with -trimpath: no -ldflags in its build info) against syft 1.18.1"
gobins="$CARGO_TARGET_DIR/go-binaries"
rm -rf "$gobins" && mkdir -p "$gobins" && cp /usr/bin/docker-registry "$gobins/"
python3 scripts/compare-syft.py "dir:$gobins" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" --check --strict
"$CARGO_TARGET_DIR/debug/plimsoll" sbom "dir:$gobins" --format json --no-progress \
  | jq -e '[.packages[] | select(.name == "github.com/docker/distribution/cmd/registry")][0].version | startswith("v2.")'
step "ELF package notes (.note.package) of Debian's systemd package, unpacked without its dpkg database, against syft 1.18.1"
notes="$CARGO_TARGET_DIR/elf-notes"
rm -rf "$notes" && mkdir -p "$notes" && (cd "$notes" && apt-get download systemd >/dev/null)
dpkg-deb -x "$notes"/systemd_*.deb "$notes/root"
python3 scripts/compare-syft.py "dir:$notes/root" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" --check --strict
step "memory per tar entry: file lists and tree of 2,000,000 files (at most 200 bytes of heap each)"
cargo test -p plimsoll-engine --test memory --locked -- --ignored
step "OSV import memory: 50,000 and 200,000 records (heap growth at most 400 bytes per record)"
cargo test -p plimsoll-vuln --test import_memory --locked -- --ignored

if [ -n "${PLIMSOLL_SKIP_REFERENCE:-}" ]; then
  step "suites on ../shared (oracles, corpus, reference images) SKIPPED because PLIMSOLL_SKIP_REFERENCE is set"
  exit 0
fi

step "version ordering against dpkg, rpm and packaging (../shared/testdata/versions)"
cargo test -p plimsoll-vuln --test oracle_versions --locked -- --ignored

step "CVSS scores published in ../shared/testdata/advisories"
cargo test -p plimsoll-vuln --test cvss --locked -- --ignored

step "OSV advisories of ../shared/testdata/advisories: import and database against a Python count"
cargo test -p plimsoll-vuln --test osv_corpus --locked -- --ignored

step "vulnerability matching on the real advisories and package databases (expected findings checked by hand)"
cargo test -p plimsoll-vuln --test matching_real --locked -- --ignored --skip big_image

step "dpkg databases from ../shared/testdata/pkgdb"
cargo test -p plimsoll-sbom --test real_pkgdb --test real_pkgdb_os --locked -- --ignored

step "SBOM binary classifiers against syft 1.18.1 on real programs of Debian packages (scripts/binary-tree.py), as a directory and as an image (every difference explained in tests/syft-binary-*differences.tsv)"
BINARY_DEBS="${PLIMSOLL_BINARY_DEBS:-$CARGO_TARGET_DIR/binary-debs}"
python3 scripts/binary-tree.py --have "$BINARY_DEBS" || python3 scripts/binary-tree.py --download "$BINARY_DEBS"
python3 scripts/binary-tree.py "$CARGO_TARGET_DIR/binary-tree" --debs "$BINARY_DEBS" --oci "$CARGO_TARGET_DIR/binary-oci"
python3 scripts/compare-syft.py "dir:$CARGO_TARGET_DIR/binary-tree" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" \
  --known tests/syft-binary-differences.tsv --check --strict
python3 scripts/compare-syft.py "oci:$CARGO_TARGET_DIR/binary-oci:t" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" \
  --known tests/syft-binary-image-differences.tsv --check --strict
"$CARGO_TARGET_DIR/debug/plimsoll" sbom "oci:$CARGO_TARGET_DIR/binary-oci:t" --format cyclonedx --no-progress \
  > "$CARGO_TARGET_DIR/binary-oci.cyclonedx.json"
"$CARGO_TARGET_DIR/debug/plimsoll" sbom "oci:$CARGO_TARGET_DIR/binary-oci:t" --format spdx --no-progress \
  > "$CARGO_TARGET_DIR/binary-oci.spdx.json"
python3 scripts/validate-sbom.py "$CARGO_TARGET_DIR/binary-oci.cyclonedx.json" "$CARGO_TARGET_DIR/binary-oci.spdx.json"

step "Dockerfile corpus: parse and lint every file of ../shared/testdata/dockerfiles"
cargo test -p plimsoll-dockerfile -p plimsoll-lint --test corpus --locked -- --ignored
step "lint SARIF of the corpus against the SARIF 2.1.0 schema"
SHARED="${PLIMSOLL_SHARED:-../shared}"
"$CARGO_TARGET_DIR/debug/plimsoll" lint "$SHARED/testdata/dockerfiles" --format sarif \
  -o "$CARGO_TARGET_DIR/corpus-lint.sarif" 2>/dev/null || [ $? -le 2 ]
python3 scripts/validate-sarif.py "$CARGO_TARGET_DIR/corpus-lint.sarif"
step "lint against hadolint on the corpus (disagreements explained in tests/hadolint-disagreements.tsv)"
PLIMSOLL_BIN="$CARGO_TARGET_DIR/debug/plimsoll" PLIMSOLL_SHARED="$SHARED" python3 scripts/compare-hadolint.py --check
step "lint against hadolint on the semantics cases (tests/hadolint-semantics: every disagreement listed with its reason)"
PLIMSOLL_BIN="$CARGO_TARGET_DIR/debug/plimsoll" python3 scripts/compare-hadolint.py --corpus tests/hadolint-semantics --disagreements tests/hadolint-semantics.tsv --check --strict
step "the label-schema rules against hadolint with the same .hadolint.yaml"
cargo test -p plimsoll --test lint_labels --locked -- --ignored
step "config audit against compose-lint on the Compose corpus (disagreements explained in tests/compose-lint-disagreements.tsv)"
PLIMSOLL_BIN="$CARGO_TARGET_DIR/debug/plimsoll" python3 scripts/compare-compose-lint.py --check
step "fuzz the Dockerfile parser and lint pass, the image reader and the OSV parser (${PLIMSOLL_FUZZ_SECONDS:-60} s each)"
PLIMSOLL_SHARED="$SHARED" scripts/fuzz.sh "${PLIMSOLL_FUZZ_SECONDS:-60}"

step "hostile input at full size (issue 19): 50 MB Dockerfile lines linted under a 1 GiB address-space limit"
cargo test -p plimsoll --test hostile --locked -- --ignored

step "plimsoll serve against the real docker-registry (notifications, skopeo pushes) and its page in headless Chromium"
cargo test -p plimsoll --test serve_registry --locked -- --ignored
step "plimsoll admission at the real docker-registry: tags resolved (a moved tag seen after its TTL), signatures by the configured keys required"
cargo test -p plimsoll --test admission --locked -- --ignored
step "plimsoll sign and verify against the real docker-registry (push of signature manifests, appended signatures, a signature repository)"
cargo test -p plimsoll --test sign --locked -- --ignored
step "plimsoll db push and db pull of the vulnerability database as an OCI artifact through the real docker-registry"
cargo test -p plimsoll --test db_transfer --locked -- --ignored
step "the store's tests on a real PostgreSQL (queue, leases, results, webhook deliveries, rescans)"
cargo test -p plimsoll-store --locked -- --ignored
step "plimsoll worker processes on a real PostgreSQL: concurrent claims, a worker killed with SIGKILL loses no job"
cargo test -p plimsoll --test serve_postgres --locked -- --ignored
step "plimsoll serve as a Harbor scanner adapter: the real docker-registry wanting Harbor's credential, every response checked against the spec (scripts/validate-harbor.py); its credentials table on PostgreSQL"
cargo test -p plimsoll --test serve_harbor --locked -- --ignored

step "SBOM kernel cataloger against syft 1.18.1 on Debian's current cloud kernel package (its vmlinuz and every module; no difference allowed)"
KDIR="$CARGO_TARGET_DIR/kernel-deb"
kpkg=$(apt-cache search --names-only '^linux-image-[0-9.]+-[0-9]+-cloud-amd64$' | cut -d' ' -f1 | sort -V | tail -1)
if [ -z "$kpkg" ]; then
  echo "error: no linux-image-*-cloud-amd64 package in the apt lists (run apt-get update)" >&2
  exit 1
fi
rm -rf "$KDIR" && mkdir -p "$KDIR/root"
(cd "$KDIR" && apt-get download -q "$kpkg" 2>&1 | grep -v "couldn't be accessed by user '_apt'" || true)
dpkg-deb -x "$KDIR/$kpkg"_*.deb "$KDIR/root"
modules=$(find "$KDIR/root" -name '*.ko' | wc -l)
echo "$kpkg: $modules modules"
[ "$modules" -gt 100 ] || { echo "error: $kpkg has $modules uncompressed modules, expected hundreds" >&2; exit 1; }
python3 scripts/compare-syft.py "dir:$KDIR/root" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" \
  --known /dev/null --check --strict

step "reference images"
LAB="${PLIMSOLL_LAB_IMAGES:-$CARGO_TARGET_DIR/lab-images}"
BUILD="${PLIMSOLL_BUILD_IMAGES:-../shared/tools/build-images.sh}"
if [ -f "$BUILD" ]; then
  sum=$(sha256sum "$BUILD" | cut -d' ' -f1)
  if [ ! -f "$LAB/big/index.json" ] || [ "$(cat "$LAB/.built-by" 2>/dev/null)" != "$sum" ]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    echo "building reference images into $LAB (registry check on 127.0.0.1:$port)"
    PORT=$port bash "$BUILD" "$LAB"
    rm -rf "$LAB/registry"   # the push check's storage; the tests start their own registry
    echo "$sum" > "$LAB/.built-by"
  else
    echo "reusing $LAB (built by the current $BUILD)"
  fi
elif [ ! -f "$LAB/big/index.json" ]; then
  echo "error: the reference suite needs $BUILD or PLIMSOLL_LAB_IMAGES=<dir built by it>;" >&2
  echo "       set PLIMSOLL_SKIP_REFERENCE=1 to run only the workspace tests" >&2
  exit 2
fi

step "SARIF output against the SARIF 2.1.0 schema"
out="$CARGO_TARGET_DIR/reference-big.sarif"
"$CARGO_TARGET_DIR/debug/plimsoll" image audit "oci:$LAB/big:latest" --format sarif -o "$out" --no-progress || [ $? = 1 ]
python3 scripts/validate-sarif.py --self-test "$out"

step "vulnerability matching on the big reference image, and its severities with the real GHSA/NVD/EPSS data of crates/plimsoll-vuln/tests/data/severity (none unknown)"
PLIMSOLL_LAB_IMAGES="$LAB" cargo test -p plimsoll-vuln --test matching_real --locked -- --ignored big_image

step "reference suite (real images, docker-registry, dive, syft)"
PLIMSOLL_LAB_IMAGES="$LAB" cargo test -p plimsoll --test reference_images --locked -- --ignored

# container-structure-test takes about half a minute per test on big.tar (the whole
# comparison, every configuration of tests/structure/, is some 25 minutes: run it with
# PLIMSOLL_CST_CONFIGS=all); by default the suite compares the configuration of failures.
CST_CONFIGS="${PLIMSOLL_CST_CONFIGS:-cst-failure.yaml}"
step "plimsoll test against container-structure-test --driver tar on the big reference image ($CST_CONFIGS; differences explained in tests/structure-test-disagreements.tsv)"
PLIMSOLL_CST_CONFIGS="$CST_CONFIGS" PLIMSOLL_LAB_IMAGES="$LAB" cargo test -p plimsoll --test structure_reference --locked -- --ignored

step "plimsoll diff on the reference images (small against big: shared base, packages, files, wasted bytes)"
PLIMSOLL_LAB_IMAGES="$LAB" cargo test -p plimsoll --test diff_reference --locked -- --ignored

step "plimsoll scan sbom:FILE on syft's four formats (CycloneDX JSON/XML, SPDX JSON/tag-value) and plimsoll's own CycloneDX/SPDX of the big image: syft's packages, the distribution, the image scan's findings"
PLIMSOLL_LAB_IMAGES="$LAB" cargo test -p plimsoll --test sbom_read_reference --locked -- --ignored

step "JaCoCo injected for test (plimsoll dockerfile inject, applied with umoci on the Debian base): the program run under the agent writes coverage; image audit --env prod flags the test image (IMG017), passes production"
PLIMSOLL_LAB_IMAGES="$LAB" cargo test -p plimsoll --test jacoco_reference --locked -- --ignored

step "SBOMs of the big reference image against the CycloneDX 1.6 and SPDX 2.3 schemas"
for fmt in cyclonedx spdx; do
  out="$CARGO_TARGET_DIR/reference-big.$fmt.json"
  for run in 1 2; do
    SOURCE_DATE_EPOCH=1700000000 "$CARGO_TARGET_DIR/debug/plimsoll" sbom "oci:$LAB/big:latest" \
      --format "$fmt" -o "$out.$run" --no-progress
  done
  cmp "$out.1" "$out.2" || { echo "error: two $fmt runs differ under SOURCE_DATE_EPOCH" >&2; exit 1; }
  mv "$out.1" "$out"; rm -f "$out.2"
done
python3 scripts/validate-sbom.py --self-test \
  "$CARGO_TARGET_DIR/reference-big.cyclonedx.json" "$CARGO_TARGET_DIR/reference-big.spdx.json"

step "SBOM against syft on the big reference image, per package type (scripts/compare-syft.py)"
python3 scripts/compare-syft.py "oci:$LAB/big:latest" --plimsoll "$CARGO_TARGET_DIR/debug/plimsoll" --check

step "scan of the big reference image: SARIF and CycloneDX-with-vulnerabilities against their schemas"
db="$CARGO_TARGET_DIR/reference-advisories.db"
"$CARGO_TARGET_DIR/debug/plimsoll" db import "$SHARED/testdata/advisories" --db "$db" \
  >"$CARGO_TARGET_DIR/reference-advisories.log" 2>&1
for fmt in sarif cyclonedx; do
  "$CARGO_TARGET_DIR/debug/plimsoll" scan "oci:$LAB/big:latest" --db "$db" --format "$fmt" \
    -o "$CARGO_TARGET_DIR/reference-big-scan.$fmt.json" --no-progress || [ $? = 1 ]
done
python3 scripts/validate-sarif.py "$CARGO_TARGET_DIR/reference-big-scan.sarif.json"
python3 scripts/validate-sbom.py "$CARGO_TARGET_DIR/reference-big-scan.cyclonedx.json"
