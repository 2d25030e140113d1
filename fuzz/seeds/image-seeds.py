#!/usr/bin/env python3
"""Seeds for the `image` fuzz target (fuzz/fuzz_targets/image.rs): small layer tars with
the entries the engine, the audit and the catalogers care about, each prefixed with the
two control bytes the target reads (storage mode, manifest lies).

    python3 fuzz/seeds/image-seeds.py OUT_DIR
"""
import io
import os
import sys
import tarfile


def tar(entries, fmt=tarfile.GNU_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for e in entries:
            kind, name = e[0], e[1]
            ti = tarfile.TarInfo(name)
            data = b""
            if kind == "f":
                data = e[2]
                ti.size = len(data)
                ti.mode = e[3] if len(e) > 3 else 0o644
            elif kind == "d":
                ti.type = tarfile.DIRTYPE
                ti.mode = 0o755
            elif kind == "l":
                ti.type = tarfile.SYMTYPE
                ti.linkname = e[2]
            elif kind == "h":
                ti.type = tarfile.LNKTYPE
                ti.linkname = e[2]
            elif kind == "p":
                ti.type = tarfile.FIFOTYPE
            t.addfile(ti, io.BytesIO(data) if data else None)
    return b.getvalue()


DPKG = b"Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u1\nSource: glibc\n\n"
APK = b"C:Q1abc=\nP:musl\nV:1.2.4-r2\nA:x86_64\nL:MIT\no:musl\n\n"
OS = b'ID=debian\nVERSION_ID="12"\n'
PY = b"Metadata-Version: 2.1\nName: jinja2\nVersion: 2.10\n"
NPM = b'{"name": "lodash", "version": "4.17.20", "license": "MIT"}'

SEEDS = {
    "basic": [("d", "etc"), ("f", "etc/os-release", OS), ("f", "etc/passwd", b"root:x:0:0::/root:/bin/sh\n")],
    "dpkg": [("d", "var/lib/dpkg"), ("f", "var/lib/dpkg/status", DPKG), ("f", "etc/os-release", OS)],
    "apk": [("f", "lib/apk/db/installed", APK), ("f", "etc/os-release", b"ID=alpine\nVERSION_ID=3.18.4\n")],
    "python": [("f", "usr/lib/python3/site-packages/Jinja2-2.10.dist-info/METADATA", PY)],
    "npm": [("f", "app/node_modules/lodash/package.json", NPM)],
    "links": [("d", "usr/bin"), ("l", "bin", "usr/bin"), ("f", "usr/bin/sudo", b"x", 0o4755),
              ("h", "usr/bin/sudo2", "usr/bin/sudo"), ("p", "run/fifo")],
    "whiteouts": [("f", "opt/.wh.blob", b""), ("f", ".wh..wh..opq", b""), ("f", "a/.wh..wh..opq", b"")],
    "secret": [("f", "srv/app/.env", b"DB_PASSWORD=Zq9vK2mN7xP4wL8t\n")],
    "longname": [("f", "a/" + "b" * 200 + "/c", b"x")],
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, entries in SEEDS.items():
        for fmt_name, fmt in (("gnu", tarfile.GNU_FORMAT), ("pax", tarfile.PAX_FORMAT)):
            body = tar(entries, fmt)
            for mode in range(3):  # tar, gzip, zstd as declared
                with open(os.path.join(out, f"{name}-{fmt_name}-{mode}"), "wb") as f:
                    f.write(bytes([mode, 0]) + body)


if __name__ == "__main__":
    main()
