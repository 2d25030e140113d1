#!/usr/bin/env python3
"""Writes conan.tsv: pairs of Conan version strings and the order Conan's
own Version class gives them (conan.internal.model.version.Version of the
`conan` package, run in a virtualenv: `pip install conan`). Random strings
of the characters a Conan reference's version may hold ([A-Za-z0-9_+.-]),
and the shapes real ConanCenter versions have (1.2.13, cci.20210118,
3.0.0-beta1, 1.2+build.5)."""
import random, sys
from conan import __version__ as conan_version
from conan.internal.model.version import Version
random.seed(18)
NUM = ["0", "1", "2", "9", "10", "00", "01", "123", "20210118", "1_0", "-1", "+2"]
WORD = ["a", "b", "alpha", "beta", "rc", "RC", "pre", "cci", "dev", "Z", "_", "x1", "1a"]
SEP = [".", ".", ".", "-", "+", ""]
def rnd():
    s = random.choice(NUM + WORD)
    for _ in range(random.randint(0, 5)):
        s += random.choice(SEP) + random.choice(NUM + WORD if random.random() < 0.5 else NUM)
    return s
def usual():
    if random.random() < 0.1:
        return "cci." + random.choice(["20210118", "20230301", "20221005", "20200106"])
    v = ".".join(random.choice(NUM[:6]) for _ in range(random.randint(1, 4)))
    r = random.random()
    if r < 0.2:
        v += "-" + random.choice(["alpha", "beta", "rc", "pre", "a", "b", "dev"]) + random.choice(["", "1", ".2", "10"])
    elif r < 0.3:
        v += "+" + random.choice(["1", "build.5", "b", "2.0"])
    elif r < 0.35:
        v += random.choice(["a", "b", "c", "-"])
    return v
pairs = [(rnd(), rnd()) for _ in range(2500)]
for _ in range(2500):
    a = usual()
    b = usual() if random.random() < 0.7 else a.split("-")[0].split("+")[0]
    pairs.append((a, b))
pairs = [(a, b) for a, b in pairs if a and b]
print(f"# A<TAB>B<TAB>R: R = -1 if Version(A) < Version(B), 0 if ==, else 1, Version being")
print(f"# conan.internal.model.version.Version of conan {conan_version} (PyPI); made by")
print("# gen_conan_oracle.py on random strings of version characters and on ConanCenter's shapes.")
bad = 0
for a, b in pairs:
    va, vb = Version(a), Version(b)
    lt, eq, gt = va < vb, va == vb, vb < va
    if lt + eq + gt != 1:
        bad += 1  # Conan's order is not total on this pair: left out
        continue
    print(f"{a}\t{b}\t{-1 if lt else 0 if eq else 1}")
print(f"{bad} pairs left out (not totally ordered)", file=sys.stderr)
