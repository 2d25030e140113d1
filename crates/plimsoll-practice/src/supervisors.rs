//! Programs that start and watch other programs: a container that runs one
//! of them runs several processes (practice P-A1, one application per
//! container).

/// Process supervisors, by file name (no directory): their job is to start,
/// watch and restart other programs, which hides the others' crashes from the
/// container runtime and mixes their logs.
pub const SUPERVISORS: &[&str] = &[
    "supervisord",
    // s6: the scanner, the per-service supervisor, and s6-overlay's entry point.
    "s6-svscan",
    "s6-supervise",
    "s6-overlay-suexec",
    // runit
    "runsvdir",
    "runit",
    "runit-init",
    "systemd",
    "circusd",
    "monit",
    // Node: runs several commands side by side.
    "concurrently",
    // phusion/baseimage's init: runit plus every service under /etc/service.
    "my_init",
];

/// Small inits that reap zombies and forward signals to ONE child (what
/// `docker run --init` adds): fine on their own, but the program they start
/// is what the container runs.
pub const SMALL_INITS: &[&str] = &[
    "tini",
    "tini-static",
    "dumb-init",
    "docker-init",
    "catatonit",
];

/// Full paths that boot a whole init system (systemd or SysV init).
pub const INIT_SYSTEMS: &[&str] = &[
    "/sbin/init",
    "/usr/sbin/init",
    "/lib/systemd/systemd",
    "/usr/lib/systemd/systemd",
];

/// Procfile runners: `NAME start` runs every process of the Procfile.
pub const PROCFILE_RUNNERS: &[&str] = &["honcho", "foreman", "forego", "overmind", "hivemind"];
