"""Independent count of an OSV directory, for tests/osv_corpus.rs.

Reads every file under argv[1] with Python's json module and applies the OSV
schema's rules as plimsoll documents them (src/import.rs, src/osv.rs): .json
files are records, others ignored; a record needs a non-empty string id,
string lists for aliases/upstream/related, a package with ecosystem and name,
range types ECOSYSTEM/SEMVER/GIT (GIT with a repo) and events holding exactly
one of introduced/fixed/last_affected/limit; an id withdrawn anywhere is
excluded. Prints one JSON object.
"""
import json, os, sys, collections
root = sys.argv[1]
EVENT_KEYS = {"introduced", "fixed", "last_affected", "limit"}
def nonempty(s): return isinstance(s, str) and s.strip() != "" and len(s.encode()) <= 1024
def valid(d):
    if not isinstance(d, dict) or not nonempty(d.get("id")): return False
    for k in ("aliases", "upstream", "related"):
        v = d.get(k)
        if v is not None and not (isinstance(v, list) and all(nonempty(x) for x in v)): return False
    for a in d.get("affected") or []:
        p = a.get("package")
        if p is None: continue
        if not (nonempty(p.get("ecosystem")) and nonempty(p.get("name"))): return False
        for r in a.get("ranges") or []:
            if r.get("type") not in ("ECOSYSTEM", "SEMVER", "GIT"): return False
            if r["type"] == "GIT" and not r.get("repo"): return False
            for e in r.get("events") or []:
                ks = [k for k in e if k in EVENT_KEYS and e[k] is not None]
                if len(ks) != 1 or not nonempty(e[ks[0]]): return False
        for v in a.get("versions") or []:
            if not nonempty(v): return False
    return True
files = json_files = ignored = malformed = 0
live, withdrawn = {}, set()
for dirpath, _, names in os.walk(root):
    for n in names:
        files += 1
        if not n.lower().endswith(".json"):
            ignored += 1; continue
        try:
            d = json.load(open(os.path.join(dirpath, n), encoding="utf-8"))
        except Exception:
            malformed += 1; continue
        if not valid(d):
            malformed += 1; continue
        if d.get("withdrawn") is not None:
            withdrawn.add(d["id"]); continue
        live[d["id"]] = d
for i in withdrawn: live.pop(i, None)
eco = collections.Counter()
for d in live.values():
    for e in {a["package"]["ecosystem"] for a in d.get("affected") or [] if a.get("package")}:
        eco[e] += 1
# Advisories naming exactly one CVE, by that CVE: those sharing one must share a group.
by_cve = collections.defaultdict(list)
for d in live.values():
    ids = {d["id"], *(d.get("aliases") or []), *(d.get("upstream") or [])}
    cves = [i for i in ids if i.startswith("CVE-")]
    if len(cves) == 1: by_cve[cves[0]].append(d["id"])
shared = {c: sorted(v) for c, v in by_cve.items() if len(v) > 1}
print(json.dumps({"files": files, "ignored": ignored, "malformed": malformed,
  "withdrawn": sorted(withdrawn), "advisories": len(live), "ecosystems": eco, "shared_cve": shared}))
