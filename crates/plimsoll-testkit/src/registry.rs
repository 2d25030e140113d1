//! The real `docker-registry` (CNCF distribution, Debian's package) on a
//! free loopback port, and `skopeo` to push to it; stopped on drop.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

pub struct Registry {
    child: Child,
    pub port: u16,
    _dir: tempfile::TempDir,
}

/// A free TCP port on 127.0.0.1 (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("binding a loopback port")
        .local_addr()
        .expect("a bound address")
        .port()
}

impl Registry {
    pub fn start() -> Registry {
        Self::start_with("")
    }

    /// Starts a registry on a free loopback port with `extra` appended to
    /// its YAML config (an `auth:` or `notifications:` section).
    pub fn start_with(extra: &str) -> Registry {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let port = free_port();
        let config = dir.path().join("config.yml");
        std::fs::write(
            &config,
            format!(
                "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {}\nhttp:\n  addr: 127.0.0.1:{port}\n{extra}",
                dir.path().join("data").display()
            ),
        )
        .expect("writing the registry config");
        let child = Command::new("docker-registry")
            .arg("serve")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("docker-registry must be installed for this suite (apt-get install docker-registry)");
        let reg = Registry {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return reg;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("docker-registry did not start on 127.0.0.1:{port}");
    }

    /// `host:port` of the registry.
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Pushes the `latest` image of an OCI layout as `name` (`repo:tag`).
    pub fn push(&self, layout: &Path, name: &str) {
        self.push_tag(layout, "latest", name);
    }

    /// Pushes the image tagged `tag` in an OCI layout as `name` (`repo:tag`).
    pub fn push_tag(&self, layout: &Path, tag: &str, name: &str) {
        let status = Command::new("skopeo")
            .args(["copy", "-q", "--dest-tls-verify=false"])
            .arg(format!("oci:{}:{tag}", layout.display()))
            .arg(format!("docker://127.0.0.1:{}/{name}", self.port))
            .status()
            .expect("skopeo must be installed for this suite (apt-get install skopeo)");
        assert!(status.success(), "skopeo copy to {name} failed");
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Registry {
    /// Freezes (SIGSTOP) or resumes (SIGCONT) the registry process: it
    /// accepts connections and answers nothing while frozen.
    pub fn freeze(&self, frozen: bool) {
        let status = Command::new("kill")
            .arg(if frozen { "-STOP" } else { "-CONT" })
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(status.success());
    }
}
