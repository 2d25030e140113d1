#!/usr/bin/env python3
"""Writes the CVSS oracle corpus (cvss_oracle.tsv) with RedHat's `cvss` library.

    pip install cvss==3.6
    python3 gen_cvss_oracle.py [ADVISORY_DIR] > cvss_oracle.tsv
    python3 gen_cvss_oracle.py --exhaustive-v4 > /tmp/cvss_v4_all.tsv  # 104,976 lines
    python3 gen_cvss_oracle.py --random-v4 N > /tmp/cvss_v4_random.tsv  # N full v4.0 vectors

Rows: vector, base score, base severity, score of every group (v4.0: CVSS-B/BT/BE/BTE;
v2/v3: the base score again). The v4.0 base score is the library's score of the vector cut
down to its 11 base metrics. Vectors: every v2 and v3.x base vector, random v2/v3.x vectors
with temporal and environmental metrics (v3.x ones shuffled: any order is valid), random v4.0
base vectors and random full v4.0 vectors (seeded), and every CVSS vector found in the
advisories under ADVISORY_DIR.
"""

import itertools
import json
import os
import random
import re
import sys
from importlib.metadata import version

from cvss import CVSS2, CVSS3, CVSS4

V2_BASE = [("AV", "LAN"), ("AC", "HML"), ("Au", "MSN"), ("C", "NPC"), ("I", "NPC"), ("A", "NPC")]
V2_EXTRA = [
    ("E", ["U", "POC", "F", "H", "ND"]),
    ("RL", ["OF", "TF", "W", "U", "ND"]),
    ("RC", ["UC", "UR", "C", "ND"]),
    ("CDP", ["N", "L", "LM", "MH", "H", "ND"]),
    ("TD", ["N", "L", "M", "H", "ND"]),
    ("CR", ["L", "M", "H", "ND"]),
    ("IR", ["L", "M", "H", "ND"]),
    ("AR", ["L", "M", "H", "ND"]),
]
V3_BASE = [("AV", "NALP"), ("AC", "LH"), ("PR", "NLH"), ("UI", "NR"), ("S", "UC"), ("C", "HLN"), ("I", "HLN"), ("A", "HLN")]
V3_EXTRA = [
    ("E", "XHFPU"), ("RL", "XUWTO"), ("RC", "XCRU"), ("CR", "XHML"), ("IR", "XHML"), ("AR", "XHML"),
    ("MAV", "XNALP"), ("MAC", "XLH"), ("MPR", "XNLH"), ("MUI", "XNR"), ("MS", "XUC"),
    ("MC", "XNLH"), ("MI", "XNLH"), ("MA", "XNLH"),
]
V4_BASE = [
    ("AV", "NALP"), ("AC", "LH"), ("AT", "NP"), ("PR", "NLH"), ("UI", "NPA"),
    ("VC", "HLN"), ("VI", "HLN"), ("VA", "HLN"), ("SC", "HLN"), ("SI", "HLN"), ("SA", "HLN"),
]
V4_EXTRA = [
    ("E", ["X", "A", "P", "U"]),
    ("CR", list("XHML")), ("IR", list("XHML")), ("AR", list("XHML")),
    ("MAV", list("XNALP")), ("MAC", list("XLH")), ("MAT", list("XNP")), ("MPR", list("XNLH")),
    ("MUI", list("XNPA")), ("MVC", list("XHLN")), ("MVI", list("XHLN")), ("MVA", list("XHLN")),
    ("MSC", list("XHLN")), ("MSI", list("XSHLN")), ("MSA", list("XSHLN")),
    ("S", list("XNP")), ("AU", list("XNY")), ("R", list("XAUI")), ("V", list("XDC")),
    ("RE", list("XLMH")), ("U", ["X", "Clear", "Green", "Amber", "Red"]),
]


def join(pairs):
    return "/".join(f"{name}:{value}" for name, value in pairs)


def row(vector):
    if vector.startswith("CVSS:4.0/"):
        full = CVSS4(vector)
        base_names = {name for name, _ in V4_BASE}
        base_only = "/".join(
            part for part in vector.split("/") if part.startswith("CVSS:") or part.split(":")[0] in base_names
        )
        base = CVSS4(base_only)
        return (vector, base.base_score, base.severity, full.base_score)
    if vector.startswith("CVSS:3."):
        c = CVSS3(vector)
        return (vector, c.base_score, c.severities()[0], c.base_score)
    c = CVSS2(vector)
    return (vector, c.base_score, c.severities()[0], c.base_score)


def advisory_vectors(directory):
    found = set()
    pattern = re.compile(r'"((?:CVSS:[0-9.]+/|AV:[LAN]/AC:)[^"]*)"')
    for root, _, files in os.walk(directory):
        for name in sorted(files):
            with open(os.path.join(root, name), encoding="utf-8", errors="replace") as f:
                found.update(pattern.findall(f.read()))
    return sorted(found)


def main():
    rng = random.Random(20240601)
    out = sys.stdout
    if sys.argv[1:] == ["--exhaustive-v4"]:
        vectors = ["CVSS:4.0/" + join(zip([n for n, _ in V4_BASE], combo))
                   for combo in itertools.product(*[values for _, values in V4_BASE])]
        header_what = "every CVSS v4.0 base vector"
    elif sys.argv[1:2] == ["--random-v4"]:
        vectors = []
        for _ in range(int(sys.argv[2])):
            pairs = [(n, rng.choice(v)) for n, v in V4_BASE]
            pairs += [(n, rng.choice(v)) for n, v in V4_EXTRA if rng.random() < 0.5]
            vectors.append("CVSS:4.0/" + join(pairs))
        header_what = "random full CVSS v4.0 vectors"
    else:
        advisories = sys.argv[1] if len(sys.argv) > 1 else None
        vectors = []
        names = [n for n, _ in V2_BASE]
        vectors += [join(zip(names, combo)) for combo in itertools.product(*[v for _, v in V2_BASE])]
        for _ in range(200):
            pairs = [(n, rng.choice(v)) for n, v in V2_BASE]
            pairs += [(n, rng.choice(v)) for n, v in V2_EXTRA if rng.random() < 0.5]
            vectors.append(join(pairs))
        names = [n for n, _ in V3_BASE]
        for minor in ("3.0", "3.1"):
            vectors += [f"CVSS:{minor}/" + join(zip(names, combo))
                        for combo in itertools.product(*[v for _, v in V3_BASE])]
            for _ in range(300):
                pairs = [(n, rng.choice(v)) for n, v in V3_BASE]
                pairs += [(n, rng.choice(v)) for n, v in V3_EXTRA if rng.random() < 0.4]
                rng.shuffle(pairs)
                vectors.append(f"CVSS:{minor}/" + join(pairs))
        for _ in range(3000):
            vectors.append("CVSS:4.0/" + join((n, rng.choice(v)) for n, v in V4_BASE))
        for _ in range(1500):
            pairs = [(n, rng.choice(v)) for n, v in V4_BASE]
            pairs += [(n, rng.choice(v)) for n, v in V4_EXTRA if rng.random() < 0.5]
            vectors.append("CVSS:4.0/" + join(pairs))
        found = advisory_vectors(advisories) if advisories else []
        vectors += found
        header_what = f"{len(found)} vectors found in the advisories, and seeded random and exhaustive ones"
    seen = set()
    out.write(f"# CVSS oracle corpus: scores by RedHat's Python `cvss` {version('cvss')} ({header_what}).\n")
    out.write("# Made by tests/data/gen_cvss_oracle.py (see its docstring for the command); do not edit.\n")
    out.write("# vector\tbase score\tbase severity\tscore of every group\n")
    for vector in vectors:
        if vector in seen:
            continue
        seen.add(vector)
        try:
            fields = row(vector)
        except Exception as error:  # the library rejects it: so must the parser
            fields = (vector, "invalid", type(error).__name__, "")
        out.write("\t".join(str(field) for field in fields) + "\n")


if __name__ == "__main__":
    main()
