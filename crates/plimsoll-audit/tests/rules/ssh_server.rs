//! IMG006 ssh-server.

use plimsoll_report::Severity;
use plimsoll_testkit::{dir, file, file_mode};

use super::*;

#[test]
fn openssh_server() {
    let f = one(
        "IMG006",
        image_with(&[
            dir("usr"),
            dir("usr/sbin"),
            file_mode("usr/sbin/sshd", b"\x7fELF", 0o755, 0),
        ]),
    );
    assert_eq!(f.name, "ssh-server");
    assert_eq!(f.practice, "P-F7");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.message, "SSH server installed at /usr/sbin/sshd");
    assert_eq!(f.location.path.as_deref(), Some("/usr/sbin/sshd"));
    assert!(f.help.as_deref().unwrap_or("").contains("exec"));
}

#[test]
fn dropbear() {
    let f = one(
        "IMG006",
        image_with(&[file_mode("usr/sbin/dropbear", b"\x7fELF", 0o755, 0)]),
    );
    assert_eq!(f.location.path.as_deref(), Some("/usr/sbin/dropbear"));
}

#[test]
fn merged_usr_sbin_through_a_symlink() {
    // `sbin -> usr/sbin`: found once, at the first binary directory that has it.
    let f = one(
        "IMG006",
        image_with(&[
            plimsoll_testkit::symlink("sbin", "usr/sbin"),
            file_mode("usr/sbin/sshd", b"\x7fELF", 0o755, 0),
        ]),
    );
    assert_eq!(f.location.path.as_deref(), Some("/usr/sbin/sshd"));
}

#[test]
fn near_miss_the_client_and_the_config() {
    silent(
        "IMG006",
        image_with(&[
            file_mode("usr/bin/ssh", b"\x7fELF", 0o755, 0),
            file_mode("usr/bin/ssh-keygen", b"\x7fELF", 0o755, 0),
            dir("etc/ssh"),
            file("etc/ssh/sshd_config", "PermitRootLogin no\n"),
            file_mode("opt/sshd", b"\x7fELF", 0o755, 0),
        ]),
    );
}
