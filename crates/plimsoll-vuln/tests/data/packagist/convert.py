#!/usr/bin/python3
"""Writes records/*.json: OSV records made from advisories of
FriendsOfPHP/security-advisories (see PROVENANCE.md). Each branch's
`versions` bounds become one ECOSYSTEM range, ranges that meet joined; the
id is the advisory's CVE.
Usage: python3 convert.py ADVISORIES_CHECKOUT"""
import json
import sys

import yaml

ADVISORIES = [
    ("symfony/http-kernel/CVE-2022-24894.yaml", "Packagist"),
    ("drupal/core/CVE-2022-25277.yaml", "Packagist:https://packages.drupal.org/8"),
    ("magento/product-community-edition/CVE-2019-8090.yaml", "Packagist"),
    ("composer/composer/CVE-2015-8371.yaml", "Packagist"),
]


def events(bounds):
    out = [{"introduced": "0"}]
    for b in bounds:
        b = b.strip()
        if b.startswith(">="):
            out[0] = {"introduced": b[2:]}
        elif b.startswith("<"):
            out.append({"fixed": b[1:]})
        else:
            raise SystemExit(f"bound {b!r} not handled")
    return out


def merged(branches):
    """One range per branch, ranges that meet (one's fix is the next one's
    start: `<5.1.0`, `>=5.1.0`) joined, as GitHub's records write them."""
    out = []
    for b in branches.values():
        e = events(b["versions"])
        if out and len(out[-1]) == 2 and out[-1][1].get("fixed") == e[0]["introduced"]:
            out[-1] = [out[-1][0]] + e[1:]
        else:
            out.append(e)
    return out


for path, ecosystem in ADVISORIES:
    a = yaml.safe_load(open(f"{sys.argv[1]}/{path}"))
    name = a["reference"].removeprefix("composer://")
    times = [str(b["time"]) for b in a["branches"].values()]
    record = {
        "schema_version": "1.6.0",
        "id": a["cve"],
        "modified": max(times).replace(" ", "T") + "Z",
        "published": min(times).replace(" ", "T") + "Z",
        "summary": a["title"],
        "affected": [{
            "package": {"ecosystem": ecosystem, "name": name, "purl": f"pkg:composer/{name}"},
            "ranges": [{"type": "ECOSYSTEM", "events": e} for e in merged(a["branches"])],
        }],
        "references": [{"type": "ADVISORY", "url": a["link"]}],
    }
    with open(f"records/{a['cve']}.json", "w") as f:
        json.dump(record, f, indent=2)
        f.write("\n")
