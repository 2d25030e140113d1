#!/usr/bin/env python3
"""Compares `plimsoll sbom` with syft on the same image, per package type.

    scripts/compare-syft.py REF [--plimsoll BIN] [--syft-ref REF] [--check] [--strict]
                            [--known scripts/syft-differences.tsv]

REF is a plimsoll reference (oci:DIR:TAG, docker-archive:FILE, dir:PATH); syft
gets the same input (`oci-dir:DIR`, `docker-archive:FILE`, `dir:PATH`) unless
--syft-ref says otherwise. For every package type both tools report, prints
syft's count, ours, the common (name, version) pairs and syft's coverage by us,
then every difference.

--check exits 1 unless deb packages are equal and every other type covers at
least 99% of syft's pairs, where a difference listed in the known-differences
file (type, name, version, side, reason; tab-separated) is taken as explained
and not counted; a version of `*` stands for any version (for files built from
whatever version a distribution has today). --strict exits 1 on any unexplained difference of any type
(and on a known difference that no longer occurs, so the file stays true).
For programs identified by their content (type binary), the files each
package was found in are compared too, as type `binary-file` with the name
`NAME /PATH` (syft's `locations`, plimsoll's evidence files), for the packages
both report: a shared-library lookup adds the program and the library it links.
A missing syft or plimsoll is an error, never a skip.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys

# syft's package types -> purl types (what plimsoll reports as `type`).
SYFT_TYPES = {
    "deb": "deb",
    "apk": "apk",
    "rpm": "rpm",
    "python": "pypi",
    "npm": "npm",
    "go-module": "golang",
    "rust-crate": "cargo",
    "java-archive": "maven",
    "jenkins-plugin": "maven",
    "gem": "gem",
    "php-composer": "composer",
    "conda": "conda",
    "dotnet": "nuget",
    "github-action": "github",
    "github-action-workflow": "github",
    "alpm": "alpm",
    "linux-kernel": "linux-kernel",
    "linux-kernel-module": "linux-kernel-module",
    "bitnami": "bitnami",
    "binary": "binary",
    # -- hackcran (issue 18) --
    "hackage": "hackage",
    "R-package": "R-package",
    # -- hexpub (issue 18) --
    "hex": "hex",
    "dart-pub": "dart-pub",
    "erlang-otp": "erlang-otp",
    "swift": "swift",
    "pod": "pod",
    # -- portnix (issue 18) --
    "portage": "portage",
    "nix": "nix",
    "lua-rocks": "lua-rocks",
    "swiplpack": "swiplpack",
    "wordpress-plugin": "wordpress-plugin",
    # -- conan (issue 18) --
    "conan": "conan",
    # -- opam (issue 18) --
    "opam": "opam",
}
MIN_COVERAGE = 0.99


def norm_name(ptype, name):
    if ptype == "pypi":
        return re.sub(r"[-_.]+", "-", name).lower()
    return name


def syft_ref(ref):
    for ours, theirs in (("oci:", "oci-dir:"), ("docker-archive:", "docker-archive:"), ("dir:", "dir:")):
        if ref.startswith(ours):
            rest = ref[len(ours):]
            if ours == "oci:" and re.search(r":[^/]+$", rest):
                rest = rest.rsplit(":", 1)[0]
            return theirs + rest
    return ref


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, env=env)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}):\n{p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("ref")
    ap.add_argument("--plimsoll", default=os.environ.get("PLIMSOLL_BIN", "target/release/plimsoll"))
    ap.add_argument("--syft-ref")
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("--known", default=os.path.join(os.path.dirname(__file__), "syft-differences.tsv"))
    a = ap.parse_args()

    for tool in (a.plimsoll, "syft"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} not found: install it (syft: pip install -r scripts/test-requirements.txt)")
    ours_doc = run([a.plimsoll, "sbom", a.ref, "--format", "json", "--no-progress"])
    env = dict(os.environ, SYFT_CHECK_FOR_APP_UPDATE="false")
    theirs_doc = run(["syft", "scan", a.syft_ref or syft_ref(a.ref), "-o", "json", "-q"], env)

    ours, theirs = {}, {}
    our_files, their_files = {}, {}
    for p in ours_doc["packages"]:
        ours.setdefault(p["type"], set()).add((norm_name(p["type"], p["name"]), p["version"]))
        if p["type"] == "binary":
            key = (p["name"], p["version"])
            our_files.setdefault(key, set()).update("/" + e["path"] for e in p.get("evidence", []))
    for p in theirs_doc["artifacts"]:
        t = SYFT_TYPES.get(p["type"])
        if t is None:
            t = "syft:" + p["type"]
        version = p["version"]
        if t == "linux-kernel-module" and version == "UNKNOWN":
            # syft's JSON writes a module without a `version` in .modinfo (most
            # in-tree modules) as UNKNOWN; its purl has no version, as ours.
            version = ""
        theirs.setdefault(t, set()).add((norm_name(t, p["name"]), version))
        if t == "binary":
            their_files.setdefault((p["name"], version), set()).update(l["path"] for l in p.get("locations", []))
    for key in set(our_files) & set(their_files):
        name, version = key
        ours.setdefault("binary-file", set()).update((f"{name} {f}", version) for f in our_files[key])
        theirs.setdefault("binary-file", set()).update((f"{name} {f}", version) for f in their_files[key])

    known = set()
    if os.path.exists(a.known):
        for line in open(a.known, encoding="utf-8"):
            if line.startswith("#") or not line.strip():
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) < 5 or not f[4].strip():
                sys.exit(f"{a.known}: every line needs type, name, version, side, reason: {line!r}")
            known.add(tuple(f[:4]))

    def explained(t, name, version, side):
        return (t, name, version, side) in known or (t, name, "*", side) in known

    failed = False
    unexplained_any = 0
    print(f"{'type':<14} {'syft':>6} {'plimsoll':>9} {'common':>7} {'coverage':>9}  unexplained")
    diffs = []
    for t in sorted(set(ours) | set(theirs)):
        o, s = ours.get(t, set()), theirs.get(t, set())
        common = o & s
        only_syft = sorted(s - o)
        only_ours = sorted(o - s)
        unexplained = [d for d in only_syft if not explained(t, d[0], d[1], "syft-only")] + [
            d for d in only_ours if not explained(t, d[0], d[1], "plimsoll-only")
        ]
        unexplained_any += len(unexplained)
        cov = len(common) / len(s) if s else 1.0
        explained_cov = (len(s) - len([d for d in only_syft if not explained(t, d[0], d[1], "syft-only")])) / len(s) if s else 1.0
        print(f"{t:<14} {len(s):>6} {len(o):>9} {len(common):>7} {cov:>8.1%}  {len(unexplained)}")
        for n, v in only_syft:
            diffs.append((t, n, v, "syft-only"))
        for n, v in only_ours:
            diffs.append((t, n, v, "plimsoll-only"))
        if t.startswith("syft:"):
            continue  # a type plimsoll has no cataloger for: listed, not gated
        if t == "deb" and unexplained:
            failed = True
        elif explained_cov < MIN_COVERAGE:
            failed = True
    if diffs:
        print("\ndifferences (type, name, version, side, known reason):")
        reasons = {}
        if os.path.exists(a.known):
            for line in open(a.known, encoding="utf-8"):
                f = line.rstrip("\n").split("\t")
                if len(f) >= 5 and not line.startswith("#"):
                    reasons[tuple(f[:4])] = f[4]
        for d in diffs:
            reason = reasons.get(d) or reasons.get((d[0], d[1], "*", d[3]), "UNEXPLAINED")
            print("  " + "\t".join(d) + "\t" + reason)
    if a.strict:
        seen = set(diffs) | {(t, n, "*", side) for t, n, _, side in diffs}
        stale = sorted(k for k in known if k not in seen)
        for k in stale:
            print("  known difference that no longer occurs: " + "\t".join(k), file=sys.stderr)
        if unexplained_any or stale:
            print(f"\nFAIL: {unexplained_any} unexplained difference(s), {len(stale)} stale known one(s)", file=sys.stderr)
            return 1
    if a.check and failed:
        print("\nFAIL: deb must equal syft and every other type must cover >= 99% of syft's packages", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
