#!/usr/bin/env python3
"""Compares `plimsoll lint` with hadolint on the shared Dockerfile corpus.

For every plimsoll rule that names a hadolint counterpart (`hadolint:
Some("DL…")` in crates/plimsoll-lint/src/rules/*.rs), a finding is the triple
(file, instruction line, DL code). Both tools' lines are mapped to the first
line of the instruction they fall in: hadolint reports the instruction,
plimsoll the shell command inside it. Per rule:

    agreement = |plimsoll ∩ hadolint| / |plimsoll ∪ hadolint|

Files either tool cannot parse are left out (and listed).

    scripts/compare-hadolint.py            print the table
    scripts/compare-hadolint.py --check    also fail (exit 1) unless every
        shared rule agrees >= 95% or each of its disagreements is listed in
        tests/hadolint-disagreements.tsv; listed lines that no longer
        disagree fail too, so the file stays true
    scripts/compare-hadolint.py --list     print every disagreement as a TSV
        row (for updating the file; the reason column must be written by hand)
    scripts/compare-hadolint.py --corpus tests/hadolint-semantics \
        --disagreements tests/hadolint-semantics.tsv --check --strict
        the same on another corpus (the semantics cases: one Dockerfile per
        point where the tools read the Dockerfile reference differently);
        --strict: every disagreement must be listed, whatever the agreement

Environment: PLIMSOLL_BIN (default $CARGO_TARGET_DIR/debug/plimsoll, else
target/debug/plimsoll), HADOLINT (default `hadolint`), PLIMSOLL_SHARED
(default ../shared).
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "crates" / "plimsoll-lint" / "src" / "rules"
DISAGREEMENTS = ROOT / "tests" / "hadolint-disagreements.tsv"
THRESHOLD = 0.95
# Verdicts a disagreement may carry in the TSV (column 5).
VERDICTS = {
    # hadolint reports it, plimsoll rightly does not.
    "hadolint-false-positive",
    # plimsoll reports it, rightly; hadolint misses it.
    "hadolint-false-negative",
    # plimsoll misses a real finding: to fix.
    "plimsoll-false-negative",
    # plimsoll reports something that is not a problem: to fix.
    "plimsoll-false-positive",
}


def rule_map():
    """plimsoll code -> hadolint code, from the rule declarations."""
    out = {}
    for path in sorted(RULES_DIR.glob("*.rs")):
        text = path.read_text(encoding="utf-8")
        for block in re.findall(r"declare_rule!\s*\{(.*?)\n\}", text, re.S):
            code = re.search(r'code:\s*"([A-Z]+[0-9]+)"', block)
            dl = re.search(r'hadolint:\s*Some\("([A-Z]+[0-9]+)"\)', block)
            if code and dl:
                out[code.group(1)] = dl.group(1)
    return out


def instruction_starts(text):
    """1-based first lines of the instructions of a Dockerfile: lines that are
    not blank, not comments, not continuations and not heredoc bodies."""
    escape = "\\"
    starts = []
    lines = text.splitlines()
    in_directives = True
    continuing = False
    heredocs = []  # pending terminators, in order
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r")
        stripped = line.strip()
        if heredocs:
            body = line.lstrip("\t") if heredocs[0][1] else line
            if body == heredocs[0][0]:
                heredocs.pop(0)
            continue
        if in_directives:
            m = re.match(r"#\s*escape\s*=\s*(\S)", stripped, re.I)
            if m:
                escape = m.group(1)
                continue
            if not re.match(r"#\s*[a-zA-Z]+\s*=", stripped):
                in_directives = False
        if not stripped or stripped.startswith("#"):
            continue
        if not continuing:
            starts.append(n)
        for m in re.finditer(r"<<(-?)([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2", line):
            heredocs.append((m.group(3), m.group(1) == "-"))
        continuing = line.rstrip().endswith(escape) and not heredocs
    return starts


def to_instruction(starts, line):
    """The first line of the instruction `line` falls in."""
    best = line
    for s in starts:
        if s > line:
            break
        best = s
    return best


def run_json(argv):
    proc = subprocess.run(argv, capture_output=True, text=True, check=False)
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError:
        sys.exit(
            f"error: {argv[0]} gave no JSON (exit {proc.returncode}): {proc.stderr[:500]}"
        )


def collect(corpus, plimsoll_bin, hadolint_bin, mapping):
    files = sorted(p for p in corpus.iterdir() if p.is_file() and "Dockerfile" in p.name)
    names = {str(p): p.name for p in files}
    starts = {p.name: instruction_starts(p.read_text(encoding="utf-8", errors="replace")) for p in files}
    skipped = {}

    ours = run_json([plimsoll_bin, "lint", "--format", "json", *map(str, files)])
    mine = set()
    for f in ours.get("files", []):
        name = names.get(f["path"], Path(f["path"]).name)
        if f.get("error"):
            skipped[name] = f"plimsoll: {f['error']}"
            continue
        for x in f.get("findings", []):
            dl = mapping.get(x["code"])
            if dl and x["location"].get("line"):
                mine.add((name, to_instruction(starts[name], x["location"]["line"]), dl))

    theirs = set()
    for x in run_json([hadolint_bin, "--no-fail", "--format", "json", *map(str, files)]):
        name = names.get(x["file"], Path(x["file"]).name)
        if x["code"] == "DL1000":
            skipped[name] = f"hadolint: {x['message'].splitlines()[0]}"
            continue
        theirs.add((name, to_instruction(starts[name], x["line"]), x["code"]))

    mine = {k for k in mine if k[0] not in skipped}
    theirs = {k for k in theirs if k[0] not in skipped and k[2] in mapping.values()}
    return files, skipped, mine, theirs


def load_disagreements(path=None):
    """(file, line, code, side) -> (verdict, reason); errors for bad rows."""
    path = path or DISAGREEMENTS
    listed, errors = {}, []
    if not path.exists():
        return listed, errors
    for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.startswith("#"):
            continue
        cols = raw.split("\t")
        if len(cols) != 6:
            errors.append(f"{path.name}:{n}: want 6 tab-separated columns, got {len(cols)}")
            continue
        file, line, code, side, verdict, reason = cols
        if side not in ("plimsoll-only", "hadolint-only"):
            errors.append(f"{path.name}:{n}: side must be plimsoll-only or hadolint-only")
        if verdict not in VERDICTS:
            errors.append(f"{path.name}:{n}: verdict must be one of {sorted(VERDICTS)}")
        if len(reason.strip()) < 15:
            errors.append(f"{path.name}:{n}: give the concrete reason")
        if not line.isdigit():
            errors.append(f"{path.name}:{n}: line must be a number")
            continue
        listed[(file, int(line), code, side)] = (verdict, reason)
    return listed, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="fail on unexplained disagreements")
    ap.add_argument("--list", action="store_true", help="print disagreements as TSV rows")
    ap.add_argument("--corpus", type=Path, help="a directory of Dockerfiles [default: the shared corpus]")
    ap.add_argument("--disagreements", type=Path, help=f"the TSV of explained disagreements [default: {DISAGREEMENTS.relative_to(ROOT)}]")
    ap.add_argument("--strict", action="store_true", help="every disagreement must be listed, whatever the agreement")
    args = ap.parse_args()

    target = os.environ.get("CARGO_TARGET_DIR", str(ROOT / "target"))
    plimsoll_bin = os.environ.get("PLIMSOLL_BIN", str(Path(target) / "debug" / "plimsoll"))
    hadolint_bin = os.environ.get("HADOLINT", "hadolint")
    shared = Path(os.environ.get("PLIMSOLL_SHARED", ROOT.parent / "shared"))
    corpus = args.corpus or shared / "testdata" / "dockerfiles"
    if not corpus.is_dir():
        sys.exit(f"error: no corpus at {corpus} (set PLIMSOLL_SHARED)")

    if shutil.which(hadolint_bin) is None:
        sys.exit(f"error: hadolint not found ({hadolint_bin}); install it or set HADOLINT")
    if not Path(plimsoll_bin).is_file():
        sys.exit(f"error: no plimsoll binary at {plimsoll_bin} (cargo build -p plimsoll, or set PLIMSOLL_BIN)")
    mapping = rule_map()
    files, skipped, mine, theirs = collect(corpus, plimsoll_bin, hadolint_bin, mapping)
    listed, errors = load_disagreements(args.disagreements)

    by_dl = defaultdict(lambda: {"ours": set(), "theirs": set()})
    for k in mine:
        by_dl[k[2]]["ours"].add(k)
    for k in theirs:
        by_dl[k[2]]["theirs"].add(k)
    df_of = {dl: df for df, dl in mapping.items()}

    version = subprocess.run([hadolint_bin, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}; {len(files) - len(skipped)} of {len(files)} files compared; left out (a tool cannot parse them):")
    for name, why in sorted(skipped.items()):
        print(f"  {name}: {why}")
    print()
    print(f"{'rule':<7} {'hadolint':<8} {'both':>5} {'only us':>8} {'only them':>10} {'agreement':>10}  unexplained")
    failing = []
    rows = []
    seen = set()
    for dl in sorted(mapping.values()):
        s = by_dl[dl]
        both = s["ours"] & s["theirs"]
        union = s["ours"] | s["theirs"]
        diffs = [(k, "plimsoll-only") for k in s["ours"] - s["theirs"]]
        diffs += [(k, "hadolint-only") for k in s["theirs"] - s["ours"]]
        unexplained = 0
        for (file, line, code), side in sorted(diffs):
            key = (file, line, code, side)
            seen.add(key)
            if key not in listed:
                unexplained += 1
                rows.append(f"{file}\t{line}\t{code}\t{side}\t?\t?")
        agreement = len(both) / len(union) if union else 1.0
        pct = f"{agreement:.1%}" if union else "n/a"
        print(
            f"{df_of[dl]:<7} {dl:<8} {len(both):>5} {len(s['ours'] - s['theirs']):>8} "
            f"{len(s['theirs'] - s['ours']):>10} {pct:>10}  {unexplained or ''}"
        )
        if (agreement < THRESHOLD or args.strict) and unexplained:
            failing.append(f"{df_of[dl]} ({dl}): {agreement:.1%} with {unexplained} unexplained disagreement(s)")
    stale = sorted(k for k in listed if k not in seen)
    by_verdict = defaultdict(int)
    for key in seen & set(listed):
        by_verdict[listed[key][0]] += 1
    print()
    print("listed disagreements by verdict: " + ", ".join(f"{v} {n}" for v, n in sorted(by_verdict.items())))

    if args.list:
        print()
        print("\n".join(rows))
    if not args.check:
        return 0
    for e in errors:
        print(f"error: {e}", file=sys.stderr)
    for k in stale:
        print(f"error: listed but no longer a disagreement: {'  '.join(map(str, k))}", file=sys.stderr)
    for f in failing:
        print(f"error: {f}; list them in {args.disagreements or DISAGREEMENTS.relative_to(ROOT)} (--list)", file=sys.stderr)
    if errors or stale or failing:
        return 1
    print("check passed: every shared rule agrees >= 95% or its disagreements are explained")
    return 0


if __name__ == "__main__":
    sys.exit(main())
