#!/usr/bin/python3
"""Writes order.tsv: every (installed, record) version pair that
tests/os_ecosystems.rs decides a finding on, ordered by the distribution's
own tool: rpm.labelCompare (python3-rpm, RPM 4.18) for rpm, `dpkg
--compare-versions` for deb. Run it with the system python (python3-rpm is
a Debian package): /usr/bin/python3 order_oracle.py > order.tsv
"""
import subprocess

import rpm

RPM = [
    # Red Hat (RHEL 8 dbus-tools, libsmartcols; versions of real RHEL 8 builds)
    ("1:1.12.8-12.el8_4.2", "1:1.12.8-14.el8"),
    ("1:1.12.8-12.el8_4.2", "1:1.12.8-12.el8_4.3"),
    ("1:1.12.8-14.el8", "1:1.12.8-14.el8"),
    ("2.32.1-27.el8", "0:2.32.1-28.el8"),
    ("2.32.1-28.el8", "0:2.32.1-28.el8"),
    # SUSE / openSUSE (versions of a real openSUSE Leap 15.5 image)
    ("1.1.1l-150500.17.34.1", "1.1.1l-150500.17.37.1"),
    ("1.1.1l-150500.17.34.1", "1.1.1l-150500.17.40.1"),
    ("8.0.1-150400.5.50.1", "8.0.1-150400.5.52.1"),
    ("8.0.1-150400.5.52.1", "8.0.1-150400.5.52.1"),
    # Photon OS 5.0 (real builds: earlier PHSA fixes)
    ("8.7.1-4.ph5", "8.12.0-1.ph5"),
    ("8.12.0-1.ph5", "8.12.0-1.ph5"),
    ("2.6.0-6.ph5", "2.7.1-1.ph5"),
    # Mageia 9, openEuler 22.03 LTS SP3 (by hand)
    ("2.5.0-1.mga9", "2.6.3-1.mga9"),
    ("2.6.3-1.mga9", "2.6.3-1.mga9"),
    ("1:1.1.1m-38.oe2203sp3", "1:1.1.1m-40.oe2203sp3"),
    ("1:1.1.1m-40.oe2203sp3", "1:1.1.1m-40.oe2203sp3"),
    # Azure Linux 3.0 (real builds: the OVAL states' versions; records without .azl3)
    ("9.7p1-1.azl3", "9.7p1-1"),
    ("9.7p1-1.azl3", "9.8p1-1"),
    ("9.8p1-1.azl3", "9.8p1-1"),
    ("3.3.0-1.azl3", "3.3.0-1"),
    ("3.3.0-1.azl3", "3.3.0-2"),
    ("3.3.0-2.azl3", "3.3.0-2"),
]
DPKG = [
    ("1.1.1-1ubuntu2.1~18.04.5", "1.1.1-1ubuntu2.1~18.04.21"),
    ("1.0.2g-1ubuntu4.20+esm5", "1.0.2g-1ubuntu4.20+esm6"),
    ("1.0.2g-1ubuntu4.20", "1.0.2g-1ubuntu4.20+esm6"),
    ("1.0.2g-1ubuntu4.20+esm6", "1.0.2g-1ubuntu4.20+esm6"),
]


def evr(v):
    epoch, _, rest = v.rpartition(":") if ":" in v else ("", "", v)
    version, _, release = rest.rpartition("-")
    return (epoch or None, version, release)


def dpkg(a, b):
    for op, r in (("lt", -1), ("eq", 0), ("gt", 1)):
        if subprocess.run(["dpkg", "--compare-versions", a, op, b]).returncode == 0:
            return r
    raise SystemExit(f"dpkg cannot order {a} {b}")


print("# tool\tinstalled\trecord\tresult (made by order_oracle.py)")
for a, b in RPM:
    print(f"rpm\t{a}\t{b}\t{rpm.labelCompare(evr(a), evr(b))}")
for a, b in DPKG:
    print(f"dpkg\t{a}\t{b}\t{dpkg(a, b)}")
