#!/bin/sh
# Regenerates the oracle files of tests/real_pkgdb_os.rs from ../shared/testdata/pkgdb
# with tools that are not plimsoll: syft 1.18.1 (`syft scan dir:`) and Debian 12's
# rpm 4.18.0 (`apt-get install rpm sqlite3`). Run from this directory.
#
# Each database is put at its standard path in a scratch root with an os-release
# (the ID/VERSION_ID below; the fixtures carry none), as an image would have it.
#   <name>.syft.tsv  name, version, arch, purl of every package syft reports
#   <name>.rpm.tsv   rpm -qa: name, EPOCHNUM:version-release, arch, SOURCERPM,
#                    LICENSE, VENDOR, number of files; `(none)` is rpm's word
#                    for an absent tag
# rpm-header-blob-claircore is a bare header: it is inserted into an empty rpm
# SQLite database (`rpm --initdb`, then `sqlite3 ... readfile()`) for both tools.
set -eu
pkgdb=${PKGDB:-$(cd ../../../../../shared/testdata/pkgdb && pwd)}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

# root NAME DBFILE DBPATH ID VERSION_ID
root() {
    mkdir -p "$scratch/$1/etc" "$scratch/$1/$(dirname "$3")"
    cp "$2" "$scratch/$1/$3"
    printf 'ID=%s\nVERSION_ID=%s\n' "$4" "$5" > "$scratch/$1/etc/os-release"
}

syft_tsv() {
    syft scan "dir:$scratch/$1" -o json -q | python3 -c '
import json, sys
d = json.load(sys.stdin)
rows = sorted((a["name"], a["version"], a["metadata"].get("architecture") or a["metadata"].get("arch") or "", a["purl"]) for a in d["artifacts"])
print("# syft 1.18.1 scan dir: (see make-os-oracles.sh)")
for r in rows: print("\t".join(r))
' > "$1.syft.tsv"
}

rpm_tsv() { # NAME DBDIR [BACKEND]
    {
        echo "# rpm 4.18.0 -qa (see make-os-oracles.sh)"
        rpm --dbpath "$2" ${3:+--define "_db_backend $3"} -qa \
            --qf '%{NAME}\t%{EPOCHNUM}:%{VERSION}-%{RELEASE}\t%{ARCH}\t%{SOURCERPM}\t%{LICENSE}\t%{VENDOR}\t%{BASENAMES:arraysize}\n' 2>/dev/null |
            sort
    } > "$1.rpm.tsv"
}

for f in grype-match-coverage osv-scalibr syft-multiple-2 trivy; do
    root "apk-installed-$f" "$pkgdb/apk-installed-$f" lib/apk/db/installed alpine 3.18.4
    syft_tsv "apk-installed-$f"
done

for spec in grype-centos:centos:7 grype-sles:sles:15.2 osv-scalibr-epoch:centos:7 syft-pkg-coverage:rocky:9.3; do
    f=${spec%%:*}; id=$(echo "$spec" | cut -d: -f2); ver=${spec##*:}
    root "rpm-Packages-bdb-$f" "$pkgdb/rpm-Packages-bdb-$f" var/lib/rpm/Packages "$id" "$ver"
    syft_tsv "rpm-Packages-bdb-$f"
    rpm_tsv "rpm-Packages-bdb-$f" "$scratch/rpm-Packages-bdb-$f/var/lib/rpm" bdb_ro
done

root rpmdb-sqlite-rpmbuild-fixture "$pkgdb/rpmdb-sqlite-rpmbuild-fixture.sqlite" usr/lib/sysimage/rpm/rpmdb.sqlite rhel 9.4
syft_tsv rpmdb-sqlite-rpmbuild-fixture
rpm_tsv rpmdb-sqlite-rpmbuild-fixture "$scratch/rpmdb-sqlite-rpmbuild-fixture/usr/lib/sysimage/rpm"

mkdir -p "$scratch/blobdb"
rpm --dbpath "$scratch/blobdb" --initdb
sqlite3 "$scratch/blobdb/rpmdb.sqlite" "PRAGMA journal_mode=DELETE; INSERT INTO Packages(hnum, blob) VALUES (1, readfile('$pkgdb/rpm-header-blob-claircore'));" >/dev/null
root rpm-header-blob-claircore "$scratch/blobdb/rpmdb.sqlite" usr/lib/sysimage/rpm/rpmdb.sqlite fedora 34
syft_tsv rpm-header-blob-claircore
rpm_tsv rpm-header-blob-claircore "$scratch/rpm-header-blob-claircore/usr/lib/sysimage/rpm"
