#!/usr/bin/env python3
"""Assembles a directory tree of real programs from Debian bookworm packages
for the binary classifiers (programs identified by their content), for a
`dir:` comparison with syft 1.18.1, and with --oci LAYOUT the same tree as the
single layer of an OCI image (tag `t`):

    scripts/binary-tree.py --download DIR        apt-get download the packages into DIR (.ci/run)
    scripts/binary-tree.py --have DIR            exit 1 unless DIR holds every package's .deb
    scripts/binary-tree.py DEST --debs DIR [--oci LAYOUT]
    scripts/compare-syft.py dir:DEST --plimsoll BIN --known tests/syft-binary-differences.tsv --strict
    scripts/compare-syft.py oci:LAYOUT:t --plimsoll BIN --known tests/syft-binary-image-differences.tsv --strict

DIR holds the .deb files (--download fetches them: .ci/run does it into
$PLIMSOLL_BINARY_DEBS). Whatever version Debian bookworm has is used (the
newest `apt-cache madison` lists from a bookworm suite, so another repository
configured on the machine, such as a newer nodejs, does not count): the
comparison is with syft on the same files, not with fixed versions. A missing
package is an error naming the download command.

Only the files the classifiers look at are copied (each deb is unpacked with
dpkg-deb -x into a scratch directory), at the paths the packages install them,
except where syft's glob wants another name than Debian's (listed in RENAMED).
Programs that need a shared library for syft's shared-library lookups
(python-binary, ruby-binary), as the official images have them: Debian's own
python3.11 is linked statically, so the interpreter of the python image's shape
(/usr/local/bin/python3.11 needing libpython3.11.so.1.0) is linked here with
the C compiler (cc) from Debian's real CPython main object (libpython3.11-dev's
python.o) against Debian's real libpython3.11, as CPython's Makefile links it
with --enable-shared (LINKED); Debian's ruby3.1 needs libruby-3.1.so.3.1,
which syft's lookup (libruby.so*) does not look for: both tools must report no
ruby for it.

There is no dpkg database for them: syft and plimsoll drop a program that a file
of an OS package holds. One package, jq, is installed for real (its dpkg status
stanza, file list and md5sums are written from the .deb's control data and contents),
so that both tools must report it as a deb and not as a binary.
DEST is emptied first.
"""

import glob
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))

# (package, path inside the package, path in the tree (None: the same))
FILES = [
    ("bash", "bin/bash", None),
    ("busybox", "bin/busybox", None),
    ("gzip", "bin/gzip", None),
    ("curl", "usr/bin/curl", None),
    ("openssl", "usr/bin/openssl", None),
    ("memcached", "usr/bin/memcached", None),
    ("perl-base", "usr/bin/perl", None),
    ("php8.2-cli", "usr/bin/php8.2", None),
    ("python3.11-minimal", "usr/bin/python3.11", None),
    ("libpython3.11", "usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", None),
    ("xz-utils", "usr/bin/xz", None),
    ("zstd", "usr/bin/zstd", None),
    ("lighttpd", "usr/sbin/lighttpd", None),
    ("nginx", "usr/sbin/nginx", None),
    ("haproxy", "usr/sbin/haproxy", None),
    ("postgresql-15", "usr/lib/postgresql/15/bin/postgres", None),
    ("mariadb-client-core", "usr/bin/mariadb", None),
    ("golang-1.19-go", "usr/lib/go-1.19/bin/go", None),
    ("golang-1.19-go", "usr/lib/go-1.19/VERSION", None),
    ("openjdk-17-jre-headless", "usr/lib/jvm/java-17-openjdk-amd64/release", None),
    ("openjdk-17-jre-headless", "usr/lib/jvm/java-17-openjdk-amd64/bin/java", None),
    ("nodejs", "usr/bin/node", None),
    ("libnode108", "usr/lib/x86_64-linux-gnu/libnode.so.108", None),
    ("ruby3.1", "usr/bin/ruby3.1", None),
    ("libruby3.1", "usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1.2", None),
]
# Debian names these otherwise than the images syft's globs were written for.
RENAMED = [
    # The httpd image's path; Debian's binary is usr/sbin/apache2.
    ("apache2-bin", "usr/sbin/apache2", "usr/local/apache2/bin/httpd"),
    # Debian's redis-server is a symlink to redis-check-rdb (one binary).
    ("redis-tools", "usr/bin/redis-check-rdb", "usr/local/bin/redis-server"),
    # The php image's path: syft's php-cli file name is `php` plus digits, not php8.2.
    ("php8.2-cli", "usr/bin/php8.2", "usr/local/bin/php"),
    # The python image's library directory; syft's lookup finds the library
    # by name anywhere, so the program finds both copies.
    ("libpython3.11", "usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", "usr/local/lib/libpython3.11.so.1.0"),
]
# (package, object in the package, program in the tree, library in the tree it
# is linked against): cc -o PROGRAM OBJECT LIBRARY, as CPython's Makefile
# links python with --enable-shared (-Xlinker -export-dynamic).
LINKED = [
    (
        "libpython3.11-dev",
        "usr/lib/python3.11/config-3.11-x86_64-linux-gnu/python.o",
        "usr/local/bin/python3.11",
        "usr/local/lib/libpython3.11.so.1.0",
    ),
]
# Symlinks as Debian ships them: syft matches a glob on the link's name and
# reads the target.
SYMLINKS = [
    ("usr/bin/mysql", "mariadb"),
    # The ruby package's link (Debian) and the python image's links.
    ("usr/bin/ruby", "ruby3.1"),
    ("usr/lib/x86_64-linux-gnu/libruby-3.1.so.3.1", "libruby-3.1.so.3.1.2"),
    ("usr/local/bin/python3", "python3.11"),
    ("usr/local/bin/python", "python3"),
    ("usr/local/lib/libpython3.11.so", "libpython3.11.so.1.0"),
]
# Installed with a dpkg database (status stanza and file list).
INSTALLED = ["jq"]


def packages():
    return sorted({p for p, _, _ in FILES + RENAMED} | {p for p, _, _, _ in LINKED} | set(INSTALLED))


def bookworm_version(package):
    """The newest version of `package` a bookworm suite offers."""
    out = subprocess.run(["apt-cache", "madison", package], check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        fields = [f.strip() for f in line.split("|")]
        if len(fields) == 3 and fields[0] == package and "bookworm" in fields[2] and "Sources" not in fields[2]:
            return fields[1]
    sys.exit(f"apt-cache madison {package}: no bookworm version (is a bookworm source configured?)")


def download(debs):
    os.makedirs(debs, exist_ok=True)
    for old in glob.glob(os.path.join(debs, "*.deb")):
        os.remove(old)  # a version bookworm has replaced since the last download
    wanted = [f"{p}={bookworm_version(p)}" for p in packages()]
    subprocess.run(["apt-get", "download", "-qq", *wanted], check=True, cwd=debs)


def deb_of(debs, package):
    found = sorted(glob.glob(os.path.join(debs, f"{package}_*.deb")))
    if not found:
        sys.exit(f"{debs}: no {package}_*.deb: run scripts/binary-tree.py --download {debs}")
    return found[-1]


def install(dest, deb, package):
    """Unpacks `deb` into dest with a dpkg status stanza and file list."""
    subprocess.run(["dpkg-deb", "-x", deb, dest], check=True)
    control = subprocess.run(["dpkg-deb", "-f", deb], check=True, capture_output=True, text=True).stdout
    lines = control.rstrip("\n").split("\n")
    lines.insert(1, "Status: install ok installed")
    info = os.path.join(dest, "var/lib/dpkg/info")
    os.makedirs(info, exist_ok=True)
    with open(os.path.join(dest, "var/lib/dpkg/status"), "a") as f:
        f.write("\n".join(lines) + "\n\n")
    listing = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, capture_output=True).stdout
    names = subprocess.run(["tar", "-t"], input=listing, check=True, capture_output=True).stdout.decode()
    paths = []
    for n in names.splitlines():
        n = n.lstrip(".").rstrip("/")
        paths.append(n or "/.")
    with open(os.path.join(info, f"{package}.list"), "w") as f:
        f.write("\n".join(paths) + "\n")
    # As dpkg installs it; syft takes a package's files from here.
    ctrl = subprocess.run(["dpkg-deb", "--ctrl-tarfile", deb], check=True, capture_output=True).stdout
    md5sums = subprocess.run(["tar", "-xO", "./md5sums"], input=ctrl, check=True, capture_output=True).stdout
    with open(os.path.join(info, f"{package}.md5sums"), "wb") as f:
        f.write(md5sums)


def main():
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--download":
        download(args[1])
        return 0
    if len(args) == 2 and args[0] == "--have":
        missing = [p for p in packages() if not glob.glob(os.path.join(args[1], f"{p}_*.deb"))]
        if missing:
            print(f"{args[1]}: no .deb for {' '.join(missing)}", file=sys.stderr)
            return 1
        return 0
    if not args or args[0].startswith("-"):
        sys.exit(__doc__)
    dest, debs, oci = args[0], None, None
    rest = args[1:]
    while rest:
        if rest[0] == "--debs" and len(rest) > 1:
            debs = rest[1]
        elif rest[0] == "--oci" and len(rest) > 1:
            oci = rest[1]
        else:
            sys.exit(__doc__)
        rest = rest[2:]
    if not debs:
        sys.exit("--debs DIR is needed (the downloaded .deb files)")
    if os.path.exists(dest):
        shutil.rmtree(dest)
    os.makedirs(dest)
    with tempfile.TemporaryDirectory() as scratch:
        unpacked = {}
        for package, src, dst in FILES + RENAMED:
            if package not in unpacked:
                d = os.path.join(scratch, package)
                subprocess.run(["dpkg-deb", "-x", deb_of(debs, package), d], check=True)
                unpacked[package] = d
            source = os.path.join(unpacked[package], src)
            if not os.path.isfile(source) or os.path.islink(source):
                sys.exit(f"{deb_of(debs, package)}: no regular file {src}")
            target = os.path.join(dest, dst or src)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copy2(source, target)
        for package, obj, program, library in LINKED:
            d = os.path.join(scratch, package)
            subprocess.run(["dpkg-deb", "-x", deb_of(debs, package), d], check=True)
            # -lNAME wants libNAME.so: a link to the tree's library, whose
            # soname the program then needs.
            libdir = os.path.join(scratch, "link-" + package)
            os.makedirs(libdir)
            lib = os.path.join(dest, library)
            name = os.path.basename(library).split(".so")[0]
            os.symlink(lib, os.path.join(libdir, name + ".so"))
            target = os.path.join(dest, program)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            subprocess.run(
                ["cc", "-o", target, os.path.join(d, obj), "-Xlinker", "-export-dynamic",
                 "-L" + libdir, "-l" + name[len("lib"):]],
                check=True,
            )
    for link, target in SYMLINKS:
        os.symlink(target, os.path.join(dest, link))
    for package in INSTALLED:
        install(dest, deb_of(debs, package), package)
    n = sum(len(fs) for _, _, fs in os.walk(dest))
    print(f"{dest}: {n} files from {len(packages())} Debian packages")
    if oci:
        spec = importlib.util.spec_from_file_location("catalog_tree", os.path.join(HERE, "catalog-tree.py"))
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        mod.write_oci(dest, oci)
        print(f"the same as oci:{oci}:t")
    return 0


if __name__ == "__main__":
    sys.exit(main())
