//! What the run-time configuration rules (P-F) judge with, for every front
//! (Kubernetes manifests now; Compose, `docker run` and admission later).

/// A host path a container must not mount (P-F6), and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPath {
    pub path: &'static str,
    pub why: &'static str,
    /// A container runtime's API socket (or its directory): whoever can
    /// reach it controls every container on the host, read-only or not.
    pub runtime_socket: bool,
}

const fn dir(path: &'static str, why: &'static str) -> HostPath {
    HostPath {
        path,
        why,
        runtime_socket: false,
    }
}

const fn socket(path: &'static str) -> HostPath {
    HostPath {
        path,
        why: "a container runtime's API: control of every container on the host",
        runtime_socket: true,
    }
}

/// Sensitive host paths: mounting one of them (or anything below it) is a
/// finding; `/` and the runtime sockets are also found when a mount's
/// path is an ancestor (`/var/run` holds `docker.sock`).
pub const SENSITIVE_HOST_PATHS: &[HostPath] = &[
    dir("/", "the host's whole filesystem"),
    dir("/boot", "the host's kernel and boot loader"),
    dir("/dev", "the host's devices"),
    dir("/etc", "the host's configuration, users and credentials"),
    dir("/lib", "the host's libraries and kernel modules"),
    dir("/proc", "the host's processes and kernel settings"),
    dir("/sys", "the host's kernel and device settings"),
    dir("/usr", "the host's programs"),
    dir("/root", "the host root user's home and keys"),
    dir("/home", "the host users' homes: their keys and credentials"),
    dir(
        "/var/lib/kubelet",
        "the kubelet's pods, secrets and credentials",
    ),
    dir("/var/lib/docker", "every container's filesystem"),
    dir("/var/lib/containerd", "every container's filesystem"),
    socket("/var/run/docker.sock"),
    socket("/run/docker.sock"),
    socket("/var/run/containerd/containerd.sock"),
    socket("/run/containerd/containerd.sock"),
    socket("/var/run/crio/crio.sock"),
    socket("/run/crio/crio.sock"),
    socket("/var/run/cri-dockerd.sock"),
    socket("/run/cri-dockerd.sock"),
    socket("/var/run/podman/podman.sock"),
    socket("/run/podman/podman.sock"),
];

/// Files under sensitive directories that hold only public data, mounted
/// to share the host's time zone (a common idiom, not a host mount).
pub const HARMLESS_HOST_FILES: &[&str] = &["/etc/localtime", "/etc/timezone"];

/// The sensitive entry a host path mounts: the path itself or a parent of
/// it is one, or it is a parent of a runtime socket. `..` and repeated or
/// trailing slashes are normalised first. A relative path (Compose's `.`
/// or `./data`, `docker run -v ./x:/x`) is relative to the project or
/// working directory, which the configuration does not name: it is not
/// judged (`.` is the project, not the host's root).
pub fn sensitive_host_path(path: &str) -> Option<&'static HostPath> {
    if !path.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    let norm = format!("/{}", parts.join("/"));
    if HARMLESS_HOST_FILES.contains(&norm.as_str()) {
        return None;
    }
    let under =
        |base: &str, p: &str| p == base || p.strip_prefix(base).is_some_and(|r| r.starts_with('/'));
    if norm == "/" {
        return SENSITIVE_HOST_PATHS.iter().find(|h| h.path == "/");
    }
    // The most specific entry the path is in wins (a socket over its
    // directory); else the first runtime socket the path holds.
    let others = || SENSITIVE_HOST_PATHS.iter().filter(|h| h.path != "/");
    others()
        .filter(|h| under(h.path, &norm))
        .max_by_key(|h| h.path.len())
        .or_else(|| others().find(|h| h.runtime_socket && under(&norm, h.path)))
}

/// Capabilities that amount to root on the host, or close to it: adding
/// one is a finding of its own (P-F3), whatever else is dropped.
pub const DANGEROUS_CAPABILITIES: &[(&str, &str)] = &[
    ("ALL", "every capability"),
    ("SYS_ADMIN", "mounts, namespaces and most of root's powers"),
    (
        "NET_ADMIN",
        "the network stack: interfaces, routes, firewall",
    ),
    ("SYS_PTRACE", "tracing and reading other processes"),
    ("SYS_MODULE", "loading kernel modules"),
    ("SYS_RAWIO", "raw device and port I/O"),
    ("SYS_BOOT", "rebooting the host"),
    ("SYS_TIME", "the host clock"),
    (
        "DAC_READ_SEARCH",
        "reading any file (open_by_handle_at escapes)",
    ),
    ("BPF", "loading eBPF programs"),
    ("PERFMON", "performance monitoring of the whole host"),
    ("NET_RAW", "raw sockets: spoofing and sniffing"),
    ("MAC_ADMIN", "the mandatory access control policy"),
    ("MAC_OVERRIDE", "bypassing mandatory access control"),
    ("SYSLOG", "the kernel log and its addresses"),
    ("LINUX_IMMUTABLE", "immutable file flags"),
    ("SYS_RESOURCE", "resource limits"),
];

/// The capability as a name without `CAP_` and in upper case.
pub fn capability_name(word: &str) -> String {
    let up = word.trim().to_ascii_uppercase();
    up.strip_prefix("CAP_").map(String::from).unwrap_or(up)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_paths() {
        let p = |s| sensitive_host_path(s).map(|h| h.path);
        assert_eq!(p("/"), Some("/"));
        assert_eq!(p("//"), Some("/"));
        assert_eq!(p("/etc/ssl/"), Some("/etc"));
        assert_eq!(p("/srv/../etc"), Some("/etc"));
        assert_eq!(p("/var/run"), Some("/var/run/docker.sock"));
        assert_eq!(
            p("/run/containerd/containerd.sock"),
            Some("/run/containerd/containerd.sock")
        );
        assert_eq!(p("/data"), None);
        assert_eq!(p("/home/ci/.ssh"), Some("/home"));
        assert_eq!(p("/etcetera"), None);
        assert_eq!(p("/var/log"), None);
        // Relative to the project directory, wherever that is.
        assert_eq!(p("."), None);
        assert_eq!(p("./data"), None);
        assert_eq!(p("../.."), None);
        // The host's time zone, shared file by file; not the directory.
        assert_eq!(p("/etc/localtime"), None);
        assert_eq!(p("/etc/timezone"), None);
        assert_eq!(p("/etc/localtime/../shadow"), Some("/etc"));
        assert!(
            sensitive_host_path("/var/run/crio/crio.sock")
                .unwrap()
                .runtime_socket
        );
        assert_eq!(capability_name("cap_sys_admin"), "SYS_ADMIN");
    }
}
