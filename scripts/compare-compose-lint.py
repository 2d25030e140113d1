#!/usr/bin/env python3
"""Compares `plimsoll config audit` with compose-lint on a corpus of real
Compose files (tests/compose-corpus, provenance in its PROVENANCE.md).

compose-lint's rules are mapped onto plimsoll's (MAP below); a finding is the
triple (file, service, plimsoll rule code) on both sides, so several
compose-lint rules that one plimsoll rule covers (the capability families,
the mount families) count once. compose-lint rules without a plimsoll
counterpart, and plimsoll rules without a compose-lint one, are listed with
the reason in NO_COUNTERPART, not compared.

    scripts/compare-compose-lint.py            print the table
    scripts/compare-compose-lint.py --check    also fail (exit 1) unless every
        disagreement is explained by a line of tests/compose-lint-disagreements.tsv
        (file and service may be `*`); a line that explains nothing fails too,
        so the file stays true
    scripts/compare-compose-lint.py --list     print every disagreement as a TSV row

Environment: PLIMSOLL_BIN (default $CARGO_TARGET_DIR/debug/plimsoll, else
target/debug/plimsoll), COMPOSE_LINT (default `compose-lint`).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "compose-corpus"
DISAGREEMENTS = ROOT / "tests" / "compose-lint-disagreements.tsv"

# compose-lint rule -> the plimsoll rule judging the same thing.
MAP = {
    "CL-0001": "CFG008",  # Docker socket mounted: a runtime socket (P-F6)
    "CL-0002": "CFG001",  # privileged (P-F1)
    "CL-0003": "CFG014",  # no-new-privileges not set (P-F11)
    "CL-0004": "CFG016",  # no tag, or latest (P-D2)
    "CL-0006": "CFG003",  # ALL not dropped (P-F3)
    "CL-0007": "CFG005",  # writable root filesystem (P-F4)
    "CL-0008": "CFG002",  # host network (P-F2)
    "CL-0009": "CFG006",  # seccomp/AppArmor unconfined (P-F5)
    "CL-0010": "CFG002",  # host PID/IPC/userns (P-F2)
    "CL-0011": "CFG004",  # strong host-adjacent capabilities (P-F3)
    "CL-0013": "CFG008",  # sensitive host path (P-F6)
    "CL-0018": "CFG013",  # explicit root user (P-F11)
    "CL-0019": "CFG015",  # tag without digest (P-D1)
    "CL-0024": "CFG004",  # capabilities granting host code execution (P-F3)
    "CL-0025": "CFG008",  # root-equivalent host path mounted writable (P-F6)
    "CL-0016": "CFG008",  # host devices (P-F6 names /dev)
    "CL-0026": "CFG012",  # no memory/CPU limit (P-F10)
    "CL-0027": "CFG004",
    "CL-0028": "CFG004",
    "CL-0029": "CFG004",
    "CL-0030": "CFG004",
}

# Rules of one tool the other has no counterpart for, and why.
NO_COUNTERPART = {
    "CL-0005": "ports published on all interfaces: a network exposure choice, not one of the "
    "run-time practices (P-F8 is about privileged host ports, CFG010)",
    "CL-0014": "logging driver `none`: not a practice of docs/practices.md",
    "CL-0017": "shared mount propagation: not yet a plimsoll rule",
    "CL-0020": "credential-shaped environment keys: secrets in run-time configuration are "
    "not judged by `config audit` (the image's secrets are, IMG003/IMG004)",
    "CL-0021": "credentials in connection strings: as CL-0020",
    "CL-0022": "tmpfs with exec/suid: not yet a plimsoll rule",
    "CFG007": "no seccomp profile at all: Docker's default profile applies to Compose "
    "services, so plimsoll reports it only where it is turned off (CFG006)",
    "CFG009": "SSH server or port 22 (P-F7): compose-lint has no such rule",
    "CFG010": "privileged host port (P-F8): compose-lint has no such rule",
    "CFG011": "unbounded restarts (P-F9): compose-lint has no such rule",
    "CFG017": "untrusted registry (P-D5): needs a trusted list, none is given here",
    "CFG018": "Pod Security Standard: Kubernetes only",
}

SIDES = {"plimsoll-only", "compose-lint-only"}
VERDICTS = {
    # compose-lint reports it, plimsoll rightly does not.
    "compose-lint-false-positive",
    # plimsoll reports it rightly; compose-lint misses it.
    "compose-lint-false-negative",
    # plimsoll misses a real finding: to fix.
    "plimsoll-false-negative",
    # plimsoll reports a non-problem: to fix.
    "plimsoll-false-positive",
}


def plimsoll_bin():
    env = os.environ.get("PLIMSOLL_BIN")
    if env:
        return env
    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    return str(Path(target) / "debug" / "plimsoll")


def corpus_files():
    return sorted(
        p for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml")
    )


def run_plimsoll(files):
    out = subprocess.run(
        [plimsoll_bin(), "config", "audit", "--kind", "compose", "--format", "json"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    if out.returncode not in (0, 1):
        sys.exit(f"plimsoll config audit failed ({out.returncode}): {out.stderr}")
    report = json.loads(out.stdout)
    found = set()
    for f in report["findings"]:
        field = f["location"].get("field", "")
        if not field.startswith("service/"):
            sys.exit(f"a Compose finding without a service: {f}")
        service = field.split()[0].split("/", 1)[1]
        path = str(Path(f["location"]["path"]).resolve().relative_to(CORPUS))
        found.add((path, service, f["code"]))
    errors = [f for f in report["files"] if f.get("error")]
    return found, errors


def run_compose_lint(files):
    tool = os.environ.get("COMPOSE_LINT", "compose-lint")
    if not shutil.which(tool):
        sys.exit(f"{tool} not found: pip install -r scripts/test-requirements.txt")
    out = subprocess.run(
        [tool, "check", "--format", "json", "--fail-on", "critical"]
        + [str(f.relative_to(CORPUS)) for f in files],
        capture_output=True,
        text=True,
        cwd=CORPUS,
    )
    if out.returncode not in (0, 1):
        sys.exit(f"compose-lint failed ({out.returncode}): {out.stderr}")
    report = json.loads(out.stdout)
    found = set()
    unmapped = defaultdict(int)
    for f in report["findings"]:
        if f.get("suppressed"):
            continue
        code = MAP.get(f["rule_id"])
        if code is None:
            unmapped[f["rule_id"]] += 1
            continue
        found.add((f["file"], f["service"], code))
    return found, unmapped, report.get("errors", [])


def read_explanations():
    rows = []
    for number, line in enumerate(DISAGREEMENTS.read_text().splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 6:
            sys.exit(f"{DISAGREEMENTS}:{number}: want 6 tab-separated columns, got {len(cols)}")
        file, service, code, side, verdict, reason = cols
        if side not in SIDES or verdict not in VERDICTS or not reason.strip():
            sys.exit(f"{DISAGREEMENTS}:{number}: bad side, verdict or empty reason")
        rows.append((number, file, service, code, side, verdict))
    return rows


def matches(row, key, side):
    _, file, service, code, row_side, _ = row
    return (
        row_side == side
        and code == key[2]
        and file in ("*", key[0])
        and service in ("*", key[1])
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    files = corpus_files()
    if not files:
        sys.exit(f"no Compose files under {CORPUS}")
    ours, errors = run_plimsoll(files)
    theirs, unmapped, their_errors = run_compose_lint(files)
    compared = set(MAP.values())
    ours = {k for k in ours if k[2] in compared}

    by_code = defaultdict(lambda: [0, 0, 0])
    for k in ours & theirs:
        by_code[k[2]][0] += 1
    for k in ours - theirs:
        by_code[k[2]][1] += 1
    for k in theirs - ours:
        by_code[k[2]][2] += 1
    print(f"{len(files)} Compose files; plimsoll errors: {len(errors)}; compose-lint errors: {len(their_errors)}")
    print(f"{'rule':8} {'both':>5} {'plimsoll only':>14} {'compose-lint only':>18} agreement")
    for code in sorted(by_code):
        both, mine, other = by_code[code]
        total = both + mine + other
        print(f"{code:8} {both:5} {mine:14} {other:18} {both / total:9.0%}")
    for rule, n in sorted(unmapped.items()):
        print(f"{rule}: {n} findings, no plimsoll counterpart: {NO_COUNTERPART.get(rule, '(not listed)')}")
    missing = [r for r in unmapped if r not in NO_COUNTERPART]

    disagreements = [(k, "plimsoll-only") for k in sorted(ours - theirs)] + [
        (k, "compose-lint-only") for k in sorted(theirs - ours)
    ]
    if args.list:
        for k, side in disagreements:
            print("\t".join([k[0], k[1], k[2], side, "VERDICT", "REASON"]))
    if not args.check:
        return 0
    failed = False
    if errors or their_errors:
        print(f"error: files a tool could not read: {errors or their_errors}", file=sys.stderr)
        failed = True
    if missing:
        print(f"error: compose-lint rules neither mapped nor explained: {missing}", file=sys.stderr)
        failed = True
    rows = read_explanations()
    used = set()
    for k, side in disagreements:
        hit = [r for r in rows if matches(r, k, side)]
        if not hit:
            print(f"error: unexplained disagreement: {k[0]} service {k[1]} {k[2]} ({side})", file=sys.stderr)
            failed = True
        used.update(r[0] for r in hit)
    for r in rows:
        if r[0] not in used:
            print(f"error: {DISAGREEMENTS.name}:{r[0]} explains no disagreement now", file=sys.stderr)
            failed = True
    if failed:
        return 1
    print(f"every disagreement is explained ({len(disagreements)} by {len(rows)} lines)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
