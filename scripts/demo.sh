#!/usr/bin/env bash
# Quick start: builds a small real image from Debian packages (a minbase
# root filesystem from mmdebstrap, plus an application layer with the usual
# mistakes: a planted fake credential, a setuid helper, root, shell-form CMD),
# then scans it with plimsoll: audit, SBOM and known vulnerabilities in one
# pass, against OSV's Debian advisories (downloaded once into
# target/demo-db; offline, the scan is an audit and says how to add the
# database). Needs root for apt-get/mmdebstrap on a fresh machine; installs
# mmdebstrap and umoci if they are missing.
#
#   scripts/demo.sh [OUT_DIR]      (default: target/demo-image)
#   PLIMSOLL_DEMO_OFFLINE=1 scripts/demo.sh   never touches the network for advisories
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${1:-$PWD/target/demo-image}"
SUITE="${SUITE:-$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")}"

missing=()
for c in mmdebstrap umoci; do command -v "$c" >/dev/null || missing+=("$c"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} (Debian packages)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mmdebstrap umoci >/dev/null
fi

if [ ! -f "$OUT/index.json" ]; then
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
  # The host's own apt sources, so no mirror is named here.
  { cat /etc/apt/sources.list.d/*.sources 2>/dev/null || true
    grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null || true; } > "$work/sources"
  echo "building a Debian $SUITE minbase image (about a minute) ..." >&2
  mmdebstrap --quiet --variant=minbase --format=tar "$SUITE" "$work/base.tar" - < "$work/sources"
  mkdir -p "$work/app/srv/app" "$work/app/usr/local/bin"
  printf 'DATABASE_URL=postgres://app:%s@db:5432/app\nAWS_ACCESS_KEY_ID=AKIA%s\n' \
    "s3cr3t-$RANDOM" "Z7QK3VXN5MBT2LPD" > "$work/app/srv/app/.env"
  printf '#!/bin/sh\nexec python3 -m http.server 8080\n' > "$work/app/srv/app/start.sh"
  chmod 755 "$work/app/srv/app/start.sh"
  tar -xOf "$work/base.tar" ./usr/bin/env > "$work/app/usr/local/bin/helper"
  chmod 4755 "$work/app/usr/local/bin/helper"
  tar --numeric-owner --owner=0 --group=0 -C "$work/app" -cf "$work/app.tar" .
  rm -rf "$OUT"
  umoci init --layout "$OUT"
  umoci new --image "$OUT:demo"
  umoci raw add-layer --image "$OUT:demo" "$work/base.tar" --history.created_by "mmdebstrap --variant=minbase $SUITE"
  umoci raw add-layer --image "$OUT:demo" "$work/app.tar" --history.created_by "COPY app/ /"
  umoci config --image "$OUT:demo" --config.exposedports 80/tcp \
    --config.cmd /bin/sh --config.cmd -c --config.cmd /srv/app/start.sh
  umoci gc --layout "$OUT"
fi

cargo build --release --quiet -p plimsoll
plimsoll=target/release/plimsoll
DB="$PWD/target/demo-db/vuln.db"
if [ -z "${PLIMSOLL_DEMO_OFFLINE:-}" ] && [ ! -f "$DB" ]; then
  echo "downloading OSV's Debian advisories into $DB (once) ..." >&2
  "$plimsoll" db update --db "$DB" --ecosystem Debian \
    || echo "(no network for the advisories: auditing only)" >&2
fi
status=0
if [ -f "$DB" ]; then
  echo "scanning oci:$OUT:demo (audit, SBOM, vulnerabilities)" >&2
  "$plimsoll" scan "oci:$OUT:demo" --db "$DB" --offline || status=$?
else
  echo "auditing oci:$OUT:demo (offline: add advisories with \`plimsoll db import <OSV files or all.zip>\` or \`plimsoll db pull\`)" >&2
  "$plimsoll" image audit "oci:$OUT:demo" || status=$?
fi
if [ "$status" = 1 ]; then
  echo "(exit code 1: findings at or above --fail-on, as this image was built to have)" >&2
  exit 0
fi
exit "$status"
