#!/usr/bin/python3
"""Writes hex.tsv and hex-invalid.txt: pairs of Hex version strings and the
order Elixir's Version.compare gives them, and the strings Version.parse
rejects. Random strings of SemVer's parts (numbers with and without
leading zeros, pre-release and build identifiers, stray separators,
shorthands), and the shapes real Hex releases have. Needs `elixir` on PATH
(Debian's elixir package)."""
import random, subprocess, sys
random.seed(18)
NUM = ["0", "1", "2", "9", "10", "00", "01", "123", "99999999999999999999"]
PRE = ["alpha", "beta", "rc", "RC", "a", "b", "0", "1", "2", "10", "01", "0a", "x-y", "-", "A", "dev", "pre", "a_b", ""]
def num(p=0.9):
    return random.choice(NUM[:5] if random.random() < p else NUM)
def ident():
    return random.choice(PRE) if random.random() < 0.95 else ""
def rnd():
    parts = random.choice([3, 3, 3, 3, 2, 1, 4])
    v = ".".join(num(0.8) for _ in range(parts))
    if random.random() < 0.1:
        v = random.choice(["v", " ", "V"]) + v
    if random.random() < 0.5:
        v += "-" + ".".join(ident() for _ in range(random.randint(1, 3)))
    if random.random() < 0.2:
        v += "+" + ".".join(random.choice(["b", "01", "1", "sha.5114f85", "", "x_y"]) for _ in range(random.randint(1, 2)))
    return v
def usual():
    v = ".".join(random.choice(NUM[:5]) for _ in range(3))
    r = random.random()
    if r < 0.25:
        v += "-" + random.choice(["alpha", "beta", "rc", "dev", "pre"]) + random.choice(["", ".0", ".1", ".2", ".10", "1", "2"])
    elif r < 0.3:
        v += "+build." + random.choice(NUM[:4])
    return v
strings = sorted({rnd() for _ in range(1500)} | {usual() for _ in range(600)})
strings = [s for s in strings if "\t" not in s and "\n" not in s and s.strip() and "#" not in s]
ex = r'''
lines = IO.stream(:stdio, :line) |> Enum.map(&String.trim_trailing(&1, "\n"))
Enum.each(lines, fn line ->
  case String.split(line, "\t") do
    ["P", s] -> IO.puts(if Version.parse(s) == :error, do: "invalid\t" <> s, else: "valid\t" <> s)
    ["C", a, b] ->
      r = case Version.compare(a, b) do :lt -> "-1"; :eq -> "0"; :gt -> "1" end
      IO.puts(a <> "\t" <> b <> "\t" <> r)
  end
end)
'''
def run(lines):
    return subprocess.run(["elixir", "-e", ex], input="".join(l + "\n" for l in lines),
                          capture_output=True, text=True, check=True).stdout.splitlines()
valid, invalid = [], []
for line in run(["P\t" + s for s in strings]):
    kind, s = line.split("\t", 1)
    (valid if kind == "valid" else invalid).append(s)
pairs = []
for _ in range(3000):
    a = random.choice(valid)
    b = random.choice(valid) if random.random() < 0.6 else random.choice([v for v in valid if v.split("-")[0].split("+")[0] == a.split("-")[0].split("+")[0]] or [a])
    pairs.append((a, b))
out = run([f"C\t{a}\t{b}" for a, b in pairs])
ver = subprocess.run(["elixir", "--version"], capture_output=True, text=True).stdout.strip().splitlines()[-1]
with open(sys.argv[1], "w") as f:
    f.write(f"# A<TAB>B<TAB>R: R = Version.compare(A, B) of {ver} (Debian's elixir package)\n")
    f.write("# as -1/0/1; made by gen_hex_oracle.py on random strings of SemVer parts and the shapes real Hex releases have.\n")
    f.write("".join(l + "\n" for l in out))
with open(sys.argv[2], "w") as f:
    f.write(f"# Strings Version.parse of {ver} (Debian's elixir package) rejects (:error), one a line\n")
    f.write("# (leading/trailing spaces kept); made by gen_hex_oracle.py.\n")
    f.write("".join(s + "\n" for s in invalid))
print(len(valid), len(invalid), len(out), file=sys.stderr)
