#!/usr/bin/python3
"""Writes opam.tsv: pairs of opam version strings and the order opam's own
`OpamVersionCompare.compare` gives them.

    gen_opam_oracle.py OPAMVERSIONCOMPARE_ML > opam.tsv

OPAMVERSIONCOMPARE_ML is `src/core/opamVersionCompare.ml` of opam's
source (github.com/ocaml/opam, tag 2.5.2); it is compiled with a tiny
driver by `ocamlopt` (Debian's ocaml-nox). The strings are the real opam
versions the OSV records of opam/records list (every release each record
names), and random strings of the characters opam versions are made of
(digits, letters, `.`, `-`, `+`, `_`, `~`), so that `~`, the revision split
at the last `-`, zeros and letters meet each other."""
import glob, json, os, random, subprocess, sys, tempfile

random.seed(18)
HERE = os.path.dirname(os.path.abspath(__file__))
if len(sys.argv) != 2:
    sys.exit(__doc__)
source = sys.argv[1]

real = set()
for path in glob.glob(os.path.join(HERE, "opam", "records", "*.json")):
    for a in json.load(open(path))["affected"]:
        real.update(a.get("versions", []))
        for r in a.get("ranges", []):
            if r["type"] == "ECOSYSTEM":
                for e in r["events"]:
                    real.update(v for k, v in e.items() if k in ("introduced", "fixed") and v != "0")
real = sorted(real)

PART = ["0", "1", "2", "9", "10", "00", "01", "123", "a", "b", "z", "A", "Z", "beta", "rc", "alpha", "dev", "~", ""]
SEP = [".", ".", "-", "+", "_", "~", "", "~~", "-", ":"]


def rnd():
    s = random.choice(PART[:8] + ["~", "a", "v"])
    for _ in range(random.randint(0, 5)):
        s += random.choice(SEP) + random.choice(PART)
    return s


def near(v):
    """`v` changed a little: a pre-release, a revision, a patch, zeros."""
    return random.choice([
        v + "~" + random.choice(["beta", "rc1", "alpha2", ""]),
        v + "-" + random.choice(["1", "2", "0", "beta", ""]),
        v + random.choice([".0", ".00", ".1", "a", "+dev", "+beta1", "_1"]),
        v.replace(".", ".0", 1),
        v.rsplit(".", 1)[0],
    ])


pairs = []
for _ in range(1500):
    pairs.append((random.choice(real), random.choice(real)))
for _ in range(1000):
    v = random.choice(real)
    pairs.append((v, near(v)))
for _ in range(2000):
    a = rnd()
    pairs.append((a, rnd() if random.random() < 0.6 else near(a)))
pairs = [(a, b) for a, b in pairs if a and b]

driver = r'''
let () =
  try
    while true do
      let line = input_line stdin in
      match String.index_opt line '\t' with
      | None -> ()
      | Some i ->
        let a = String.sub line 0 i
        and b = String.sub line (i + 1) (String.length line - i - 1) in
        Printf.printf "%s\t%s\t%d\n" a b (OpamVersionCompare.compare a b)
    done
  with End_of_file -> ()
'''
with tempfile.TemporaryDirectory() as tmp:
    with open(os.path.join(tmp, "opamVersionCompare.ml"), "w") as f:
        f.write(open(source).read())
    with open(os.path.join(tmp, "driver.ml"), "w") as f:
        f.write(driver)
    subprocess.run(["ocamlopt", "-o", "driver", "opamVersionCompare.ml", "driver.ml"], cwd=tmp, check=True)
    out = subprocess.run([os.path.join(tmp, "driver")], input="".join(f"{a}\t{b}\n" for a, b in pairs),
                         capture_output=True, text=True, check=True).stdout
ocaml = subprocess.run(["ocamlopt", "-version"], capture_output=True, text=True).stdout.strip()
print("# A<TAB>B<TAB>R: R = OpamVersionCompare.compare A B of opam 2.5.2 (src/core/opamVersionCompare.ml,")
print(f"# compiled by Debian's ocamlopt {ocaml}); made by gen_opam_oracle.py on the real versions of")
print("# opam/records and on random strings of opam version characters.")
sys.stdout.write(out)
