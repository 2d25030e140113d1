#!/usr/bin/python3
"""Writes cran.tsv: pairs of R package version strings and the order R
itself gives them (`compareVersion(a, b)`, after `package_version` has
accepted both). Random strings of numbers (leading zeros too) joined by
`.` and `-`, and the shapes real CRAN releases have (`1.5.0.9000`,
`0.1-2`, `2023.10.1`). Needs Rscript on PATH (Debian's r-base-core)."""
import random, subprocess, sys
random.seed(18)
NUM = ["0", "1", "2", "9", "10", "00", "01", "11", "99", "100", "9000", "2023", "1234567"]
def rnd():
    n = random.randint(2, 5)
    return "".join((random.choice([".", ".", "-"]) if i else "") + random.choice(NUM) for i in range(n))
def usual():
    v = ".".join(random.choice(NUM[:5]) for _ in range(random.randint(2, 3)))
    r = random.random()
    if r < 0.3:
        v += "-" + random.choice(NUM[:5])
    elif r < 0.4:
        v += ".9000"
    return v
pairs = []
for _ in range(1500):
    pairs.append((rnd(), rnd()))
    a = usual()
    pairs.append((a, usual() if random.random() < 0.8 else a))
src = "\n".join(f"{a}\t{b}" for a, b in pairs)
script = r'''
con <- file("stdin"); lines <- readLines(con); close(con)
for (l in lines) { p <- strsplit(l, "\t")[[1]]
  stopifnot(!is.na(package_version(p[1], strict = TRUE)), !is.na(package_version(p[2], strict = TRUE)))
  cat(p[1], "\t", p[2], "\t", compareVersion(p[1], p[2]), "\n", sep = "") }
'''
out = subprocess.run(["Rscript", "-e", script], input=src, capture_output=True, text=True, check=True).stdout
ver = subprocess.run(["Rscript", "-e", "cat(R.version.string)"], capture_output=True, text=True, check=True).stdout
sys.stdout.write(f"# A<TAB>B<TAB>R: R = compareVersion(A, B) of {ver} (Debian's r-base-core), both accepted by\n"
                 "# package_version(strict = TRUE); made by gen_cran_oracle.py on random strings of numbers joined by . and -\n"
                 "# and on the shapes real CRAN releases have.\n")
sys.stdout.write(out)
