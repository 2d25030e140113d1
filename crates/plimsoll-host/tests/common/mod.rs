//! Host trees built in a temporary directory for the host-audit tests (also
//! used by the CLI tests of `plimsoll host audit`), and a Unix-socket HTTP
//! server replaying the Engine API's documented `/info` and `/version`.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const DOCKER_SERVICE: &str = include_str!("../data/debian-docker.io/docker.service");
pub const DOCKER_SOCKET: &str = include_str!("../data/debian-docker.io/docker.socket");
pub const INFO_JSON: &str = include_str!("../data/engine-api/info.json");
pub const VERSION_JSON: &str = include_str!("../data/engine-api/version.json");

/// A host filesystem under a temporary directory. Files are owned by the
/// user running the tests; the tree's own `/etc/passwd` and `/etc/group`
/// name that uid and gid (as `root`, or otherwise), since the audit takes
/// names from the audited host, so no test needs to chown.
pub struct Tree {
    pub dir: tempfile::TempDir,
    /// Sockets listening in the tree (kept open while the tree lives).
    sockets: Vec<UnixListener>,
}

impl Tree {
    pub fn empty() -> Tree {
        Tree {
            dir: tempfile::tempdir().unwrap(),
            sockets: Vec::new(),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The uid and gid files in the tree are owned by.
    pub fn ids(&self) -> (u32, u32) {
        let m = std::fs::metadata(self.path()).unwrap();
        (m.uid(), m.gid())
    }

    fn real(&self, path: &str) -> PathBuf {
        self.path().join(path.trim_start_matches('/'))
    }

    pub fn file(&mut self, path: &str, text: &str, mode: u32) -> &mut Tree {
        let p = self.real(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        self
    }

    pub fn dir(&mut self, path: &str, mode: u32) -> &mut Tree {
        let p = self.real(path);
        std::fs::create_dir_all(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        self
    }

    pub fn link(&mut self, path: &str, target: &str) -> &mut Tree {
        let p = self.real(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        symlink(target, p).unwrap();
        self
    }

    /// A listening Unix socket (nothing answers on it).
    pub fn socket(&mut self, path: &str, mode: u32) -> &mut Tree {
        let p = self.real(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let l = UnixListener::bind(&p).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        self.sockets.push(l);
        self
    }

    /// `/etc/passwd` and `/etc/group` naming the tree's owner `user:group`,
    /// with a docker group (gid + 1000 unless `group` is docker) of `members`.
    pub fn accounts(&mut self, user: &str, group: &str, members: &str) -> &mut Tree {
        let (uid, gid) = self.ids();
        let passwd = format!(
            "{user}:x:{uid}:{gid}:{user}:/root:/bin/sh\nalice:x:{}:{}::/home/alice:/bin/sh\n",
            uid + 1001,
            gid + 1001
        );
        let groups = if group == "docker" {
            format!("docker:x:{gid}:{members}\n")
        } else {
            format!("{group}:x:{gid}:\ndocker:x:{}:{members}\n", gid + 1000)
        };
        self.file("/etc/passwd", &passwd, 0o644)
            .file("/etc/group", &groups, 0o644)
    }
}

/// Audit rules for every path of CIS 1.1.3–1.1.18, in both forms, some
/// through links (`/var/run` is a link to `/run` in the trees).
pub const AUDIT_RULES: &str = "\
## Docker (CIS 1.1.3-1.1.18)
-w /usr/sbin/dockerd -k docker
-a exit,always -F path=/run/containerd -F perm=war -k docker
-w /var/lib/docker -k docker
-w /etc/docker -k docker
-w /lib/systemd/system/docker.service -k docker
-w /var/run/containerd/containerd.sock -k docker
-a always,exit -F path=/lib/systemd/system/docker.socket -F perm=wa -k docker
-w /etc/default/docker -k docker
-w /etc/containerd/config.toml -k docker
-w /etc/sysconfig/docker -k docker
-w /usr/bin/containerd -k docker
-w /usr/bin/containerd-shim -k docker
-w /usr/bin/containerd-shim-runc-v1 -k docker
-w /usr/bin/containerd-shim-runc-v2 -k docker
-w /usr/bin/runc -k docker
";

const BINARIES: &[&str] = &[
    "/usr/sbin/dockerd",
    "/usr/bin/containerd",
    "/usr/bin/containerd-shim",
    "/usr/bin/containerd-shim-runc-v1",
    "/usr/bin/containerd-shim-runc-v2",
    "/usr/bin/runc",
];

/// A host that meets every check (but 3.15/3.16, whose socket wants the
/// docker group: see [`socket_tree`]): Debian's unit files with a drop-in,
/// options in `/etc/default/docker`, a hardened `daemon.json`, TLS files,
/// registry certificates, audit rules, its own data-root partition and
/// content trust on.
pub fn good_tree() -> Tree {
    let mut t = Tree::empty();
    t.accounts("root", "root", "alice");
    for b in BINARIES {
        t.file(b, "", 0o755);
    }
    t.dir("/run/containerd", 0o711)
        .link("/var/run", "/run")
        .socket("/run/containerd/containerd.sock", 0o660)
        .file("/lib/systemd/system/docker.service", DOCKER_SERVICE, 0o644)
        .file("/lib/systemd/system/docker.socket", DOCKER_SOCKET, 0o644)
        .file(
            "/etc/systemd/system/docker.service.d/override.conf",
            "[Service]\nExecStart=\nExecStart=/usr/sbin/dockerd --containerd=/run/containerd/containerd.sock $DOCKER_OPTS\n",
            0o644,
        )
        .file(
            "/etc/default/docker",
            "# Docker Upstart and SysVinit configuration file\nDOCKER_OPTS=\"--icc=false --userland-proxy=false -l info\"\n",
            0o644,
        )
        .file("/etc/sysconfig/docker", "OPTIONS=\n", 0o600)
        .file("/etc/containerd/config.toml", "version = 2\n", 0o644)
        .dir("/etc/docker", 0o755)
        .file(
            "/etc/docker/daemon.json",
            r#"{
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
  "tlsverify": true,
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/cert.pem",
  "tlskey": "/etc/docker/tls/key.pem",
  "log-level": "info",
  "iptables": true,
  "storage-driver": "overlay2",
  "default-ulimits": {"nofile": {"Name": "nofile", "Hard": 4096, "Soft": 1024}},
  "userns-remap": "default",
  "storage-opts": ["overlay2.size=20G"],
  "authorization-plugins": ["opa-docker-authz"],
  "log-driver": "syslog",
  "no-new-privileges": true,
  "live-restore": true,
  "seccomp-profile": "/etc/docker/seccomp.json",
  "experimental": false
}
"#,
            0o644,
        )
        .file("/etc/docker/seccomp.json", "{}", 0o644)
        .file("/etc/docker/tls/ca.pem", "ca", 0o444)
        .file("/etc/docker/tls/cert.pem", "cert", 0o444)
        .file("/etc/docker/tls/key.pem", "key", 0o400)
        .file("/etc/docker/certs.d/registry.example:5000/ca.crt", "ca", 0o444)
        .dir("/var/lib/docker", 0o710)
        .file(
            "/proc/mounts",
            "/dev/sda1 / ext4 rw,relatime 0 0\n/dev/sdb1 /var/lib/docker ext4 rw,relatime 0 0\n",
            0o444,
        )
        .file("/etc/audit/rules.d/docker.rules", AUDIT_RULES, 0o640)
        .file("/etc/environment", "PATH=\"/usr/bin:/bin\"\nDOCKER_CONTENT_TRUST=1\n", 0o644);
    t
}

/// A host that fails every check it can: the daemon's worst settings,
/// modes one bit too open (daemon.json at 0470, which docker-bench-security
/// passes as "≤ 644"), files owned by another user, audit rules commented
/// out, no partition, content trust off, an untrusted docker group member.
pub fn bad_tree() -> Tree {
    let mut t = Tree::empty();
    t.accounts("alice", "staff", "alice,mallory");
    for b in BINARIES {
        t.file(b, "", 0o755);
    }
    t.dir("/run/containerd", 0o711)
        .link("/var/run", "/run")
        .socket("/run/containerd/containerd.sock", 0o666)
        .socket("/run/docker.sock", 0o666)
        .file("/lib/systemd/system/docker.service", DOCKER_SERVICE, 0o664)
        .file("/lib/systemd/system/docker.socket", DOCKER_SOCKET, 0o646)
        .file("/etc/default/docker", "DOCKER_OPTS=\"-l debug\"\n", 0o666)
        .file("/etc/sysconfig/docker", "OPTIONS=\n", 0o646)
        .file("/etc/containerd/config.toml", "version = 2\n", 0o644)
        .dir("/etc/docker", 0o775)
        .file(
            "/etc/docker/daemon.json",
            r#"{
  "icc": true,
  "iptables": false,
  "insecure-registries": ["registry.internal:5000", "127.0.0.0/8"],
  "storage-driver": "aufs",
  "hosts": ["tcp://0.0.0.0:2375"],
  "tlscacert": "/etc/docker/tls/ca.pem",
  "tlscert": "/etc/docker/tls/cert.pem",
  "tlskey": "/etc/docker/tls/key.pem",
  "cgroup-parent": "/custom",
  "storage-opts": ["dm.basesize=50G"],
  "log-driver": "json-file",
  "no-new-privileges": false,
  "live-restore": false,
  "userland-proxy": true,
  "seccomp-profile": "unconfined",
  "experimental": true
}
"#,
            0o470,
        )
        .file("/etc/docker/tls/ca.pem", "ca", 0o644)
        .file("/etc/docker/tls/cert.pem", "cert", 0o464)
        .file("/etc/docker/tls/key.pem", "key", 0o440)
        .file(
            "/etc/docker/certs.d/registry.example:5000/ca.crt",
            "ca",
            0o644,
        )
        .dir("/var/lib/docker", 0o711)
        .file("/proc/mounts", "/dev/sda1 / ext4 rw,relatime 0 0\n", 0o444)
        .file(
            "/etc/audit/audit.rules",
            "# -w /usr/sbin/dockerd -k docker\n-w /var/log/audit -k auditlog\n",
            0o640,
        )
        .file(
            "/etc/profile.d/docker.sh",
            "export DOCKER_CONTENT_TRUST=0\n",
            0o644,
        )
        .file("/etc/environment", "DOCKER_CONTENT_TRUST=1\n", 0o644);
    t
}

/// A host whose Docker socket is owned root:docker with mode 0660.
pub fn socket_tree() -> Tree {
    let mut t = Tree::empty();
    t.accounts("root", "docker", "");
    t.link("/var/run", "/run")
        .socket("/run/docker.sock", 0o660)
        .file("/etc/docker/daemon.json", "{}", 0o644);
    t
}

/// Serves `GET /info` (with Content-Length) and `GET /version` (chunked)
/// on a Unix socket, from the Engine API documentation's examples; any
/// other path is a 404. Runs until the process ends.
pub fn serve_engine_api(socket: &Path) {
    let listener = UnixListener::bind(socket).unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(s) = conn else { continue };
            answer(s);
        }
    });
}

/// The same answers over TCP on 127.0.0.1 (a free port), in plain HTTP or,
/// with a rustls server configuration, over TLS (the server closes with
/// `close_notify`, as Go's does). Returns the address.
pub fn serve_engine_api_tcp(tls: Option<Arc<rustls::ServerConfig>>) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(s) = conn else { continue };
            s.set_read_timeout(Some(std::time::Duration::from_secs(5)))
                .unwrap();
            match &tls {
                None => answer(s),
                Some(config) => {
                    let Ok(c) = rustls::ServerConnection::new(config.clone()) else {
                        continue;
                    };
                    let mut stream = rustls::StreamOwned::new(c, s);
                    answer(&mut stream);
                    stream.conn.send_close_notify();
                    let _ = stream.flush();
                }
            }
        }
    });
    addr
}

/// Reads one request from `s` and writes the recorded answer.
fn answer(mut s: impl Read + Write) {
    let mut req = Vec::new();
    let mut buf = [0u8; 1024];
    while !req.windows(4).any(|w| w == b"\r\n\r\n") {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => req.extend_from_slice(&buf[..n]),
        }
    }
    let line = String::from_utf8_lossy(&req)
        .lines()
        .next()
        .unwrap_or("")
        .to_string();
    let path = line.split_whitespace().nth(1).unwrap_or("");
    let response = match path {
        "/info" => format!(
            "HTTP/1.1 200 OK\r\nApi-Version: 1.24\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{INFO_JSON}",
            INFO_JSON.len()
        ),
        "/version" => {
            let (a, b) = VERSION_JSON.split_at(VERSION_JSON.len() / 2);
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n{:x}\r\n{a}\r\n{:x}\r\n{b}\r\n0\r\n\r\n",
                a.len(),
                b.len()
            )
        }
        _ => {
            let body = r#"{"message":"page not found"}"#;
            format!(
                "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
                body.len()
            )
        }
    };
    let _ = s.write_all(response.as_bytes());
    let _ = s.flush();
}
