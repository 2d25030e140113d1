#!/usr/bin/env python3
"""Writes N synthetic OSV records (PyPI, about 1.3 KB each, one package per 4 records, a CVE alias
each, except every tenth, which names the CVE of the one before so their alias groups merge) into a
zip archive, as OSV's `all.zip` holds them. crates/plimsoll-vuln/tests/import_memory.rs writes the
same records.

    bench/osv-records.py N OUT.zip

Used by the import-memory benchmark and the explicit suite's memory test: the records are made
up (ids under the reserved `PLIM-` prefix); their shape follows real PyPI records."""
import json
import sys
import zipfile


def record(i):
    pkg = f"pkg-{i // 4:07d}"
    aliases = [f"CVE-2099-{i - 1 if i % 10 == 1 else i:07d}"]
    return {
        "schema_version": "1.6.0",
        "id": f"PLIM-{i:07d}",
        "modified": "2026-01-02T03:04:05Z",
        "published": "2025-01-02T03:04:05Z",
        "aliases": aliases,
        "summary": f"Synthetic advisory {i} for the import-memory test",
        "details": "Made-up record. " * 20,
        "severity": [
            {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
        ],
        "affected": [
            {
                "package": {"ecosystem": "PyPI", "name": pkg, "purl": f"pkg:pypi/{pkg}"},
                "ranges": [
                    {
                        "type": "ECOSYSTEM",
                        "events": [{"introduced": "0"}, {"fixed": f"1.{i % 97}.{i % 13}"}],
                    }
                ],
                "versions": [f"0.{k}.0" for k in range(i % 9)],
            }
        ],
        "references": [
            {"type": "ADVISORY", "url": f"https://example.invalid/advisories/{i}"},
            {"type": "FIX", "url": f"https://example.invalid/fix/{i}"},
        ],
    }


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(n):
            z.writestr(f"PLIM-{i:07d}.json", json.dumps(record(i)))


if __name__ == "__main__":
    main()
