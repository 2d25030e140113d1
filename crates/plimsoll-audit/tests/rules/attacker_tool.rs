//! IMG005 attacker-tool.

use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Layer, dir, file_mode, symlink, whiteout};

use super::*;

fn bin(path: &str) -> plimsoll_testkit::Item {
    file_mode(path, b"\x7fELF", 0o755, 0)
}

#[test]
fn netcat_in_usr_bin() {
    let (built, found) =
        Audit::new(image_with(&[dir("usr"), dir("usr/bin"), bin("usr/bin/nc")])).run_with_image();
    let found = only("IMG005", found);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.name, "attacker-tool");
    assert_eq!(f.practice, "P-C2");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        f.message,
        "netcat (reverse-shell helper) is installed at /usr/bin/nc"
    );
    assert_eq!(f.location.path.as_deref(), Some("/usr/bin/nc"));
    assert_eq!(f.location.layer, Some(1));
    assert_eq!(
        f.location.layer_digest.as_deref(),
        Some(built.image.layers[1].digest.to_string().as_str())
    );
}

#[test]
fn one_finding_per_tool() {
    let found = findings(
        "IMG005",
        image_with(&[
            bin("usr/bin/socat"),
            bin("usr/sbin/tcpdump"),
            bin("usr/local/bin/gdb"),
            bin("usr/bin/sudo"),
            bin("usr/bin/gcc-12"),
            bin("usr/bin/nc.openbsd"),
            bin("usr/bin/netcat"),
        ]),
    );
    let mut messages: Vec<_> = found.iter().map(|f| f.message.as_str()).collect();
    messages.sort();
    assert_eq!(
        messages,
        [
            "gcc (C compiler) is installed at /usr/bin/gcc-12",
            "gdb (debugger) is installed at /usr/local/bin/gdb",
            "netcat (reverse-shell helper) is installed at /usr/bin/netcat",
            "socat (reverse-shell helper) is installed at /usr/bin/socat",
            "sudo (privilege escalation tool) is installed at /usr/bin/sudo",
            "tcpdump (packet sniffer) is installed at /usr/sbin/tcpdump",
        ]
    );
}

#[test]
fn a_symlink_to_the_tool_counts() {
    let f = one(
        "IMG005",
        image_with(&[
            bin("usr/bin/ncat"),
            symlink("usr/local/bin/nc", "/usr/bin/ncat"),
        ]),
    );
    assert!(
        f.message
            .starts_with("netcat (reverse-shell helper) is installed at "),
        "{}",
        f.message
    );
}

#[test]
fn near_miss_tools_outside_the_binary_directories() {
    silent(
        "IMG005",
        image_with(&[
            dir("opt"),
            dir("opt/tools"),
            bin("opt/tools/nc"),
            bin("app/gcc"),
        ]),
    );
}

#[test]
fn near_miss_similar_names_and_directories() {
    silent(
        "IMG005",
        image_with(&[
            bin("usr/bin/ncdu"),
            bin("usr/bin/gccgo-wrapper-not"),
            bin("usr/bin/sudoku"),
            dir("usr/local/bin/go"),
            symlink("usr/bin/nc", "/usr/bin/missing"),
        ]),
    );
}

#[test]
fn near_miss_a_tool_removed_in_a_later_layer() {
    let add = Layer::new(&[bin("usr/bin/nc"), bin("usr/bin/gcc")], Compression::Gzip);
    let purge = Layer::new(
        &[whiteout("usr/bin/nc"), whiteout("usr/bin/gcc")],
        Compression::Gzip,
    );
    let spec = ImageSpec::new(vec![base_layer(), add, purge]).config(clean_config());
    silent("IMG005", spec);
}
