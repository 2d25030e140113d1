//! What can stop a host audit, or one of its reads. Every error names the
//! path (as seen inside the audited root) and the cause.

use std::path::PathBuf;

/// A failure to read the audited host.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// `--root` does not exist or is not a directory.
    #[error("--root {0}: not a directory")]
    RootNotDirectory(PathBuf),
    /// A symbolic link chain under the root that never ends (or is longer
    /// than 40 links, as the kernel's limit).
    #[error("{path}: too many levels of symbolic links (a loop under the audited root)")]
    SymlinkLoop { path: String },
    /// A file that exists but cannot be read.
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    /// `daemon.json` is not JSON, or not a JSON object.
    #[error("{path}:{line}:{column}: invalid daemon configuration: {message}")]
    DaemonJson {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A TLS file for the daemon connection (`--tlscacert`, `--tlscert`,
    /// `--tlskey`, `DOCKER_CERT_PATH`) is missing or not usable.
    #[error(
        "{path}: {message} (the daemon's TLS files: --tlscacert/--tlscert/--tlskey or DOCKER_CERT_PATH)"
    )]
    Tls { path: String, message: String },
    /// The live daemon could not be asked (`--docker-host`).
    #[error("docker daemon at {url}: {message}")]
    Daemon { url: String, message: String },
}
