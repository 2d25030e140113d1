#!/usr/bin/python3
"""Writes packagist.tsv: pairs of Packagist version strings and the order
PHP's version_compare gives them (after a leading v/V is dropped, as
Composer and OSV drop it). Random strings of the parts Composer versions
are made of, and the shapes real Packagist releases have."""
import random, subprocess, sys
random.seed(18)
NUM = ["0", "1", "2", "9", "10", "00", "01", "123"]
WORD = ["dev", "alpha", "a", "beta", "b", "RC", "rc", "pl", "p", "patch", "stable", "abc", "x", "zz", "A", "B", "Beta"]
SEP = [".", ".", ".", "-", "_", "+", "", "..", "~", " "]
def rnd():
    n = random.randint(1, 6)
    s = random.choice(NUM + ["v1", "V2"] if random.random() < 0.1 else NUM)
    for _ in range(n - 1):
        s += random.choice(SEP) + random.choice(NUM + WORD if random.random() < 0.6 else NUM)
    return s
def usual():
    v = ".".join(random.choice(NUM[:6]) for _ in range(random.randint(1, 4)))
    if random.random() < 0.2:
        v = "v" + v
    r = random.random()
    if r < 0.15:
        v += random.choice(["-alpha", "-beta", "-RC", "-rc", "-dev", "-p", "-pl", "-patch", "-beta.", "-RC."]) + random.choice(NUM[:4])
    elif r < 0.25:
        v += random.choice(["alpha", "beta", "RC", "b", "a", "p"]) + random.choice(NUM[:4])
    elif r < 0.3:
        v += random.choice(["-alpha", "-beta", "-dev", "-stable"])
    return v
pairs = []
for _ in range(2500):
    pairs.append((rnd(), rnd()))
for _ in range(2500):
    a = usual()
    b = usual() if random.random() < 0.7 else a.split("-")[0]
    pairs.append((a, b))
def branch(v):
    # plimsoll refuses branches (dev-main, 2.x-dev): not releases.
    t = v[1:] if v[:1] in "vV" else v
    return t.startswith("dev-") or (t.endswith("-dev") and any(c in t for c in "xX*"))
pairs = [(a, b) for a, b in pairs if a.strip() and b.strip() and "#" not in a + b
         and not branch(a) and not branch(b)]
php = r'''
$in = fopen("php://stdin", "r");
while (($line = fgets($in)) !== false) {
  $f = explode("\t", rtrim($line, "\n"));
  $a = preg_replace('/^[vV]/', '', $f[0]);
  $b = preg_replace('/^[vV]/', '', $f[1]);
  echo $f[0], "\t", $f[1], "\t", version_compare($a, $b), "\n";
}
'''
out = subprocess.run(["php", "-r", php], input="".join(f"{a}\t{b}\n" for a, b in pairs),
                     capture_output=True, text=True, check=True).stdout
ver = subprocess.run(["php", "-r", "echo PHP_VERSION;"], capture_output=True, text=True).stdout
print(f"# A<TAB>B<TAB>R: R = version_compare(A, B) of PHP {ver} (Debian's php8.2-cli), a leading")
print("# v/V dropped first as Composer and OSV drop it; made by gen_packagist_oracle.py (/usr/bin/python3, php on PATH) on random")
print("# strings of Composer version parts and on the shapes real Packagist releases have.")
sys.stdout.write(out)
