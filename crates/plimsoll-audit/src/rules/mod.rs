//! One rule per file. Codes are stable: never renumber, never reuse.

mod attacker_tool;
mod download_at_startup;
mod download_piped_to_shell;
mod injected_service_in_production;
mod moving_tag;
mod no_healthcheck;
mod privileged_port;
mod process_supervisor;
mod runs_as_root;
mod secret_in_config;
mod secret_in_file;
mod setuid_setgid_file;
mod shell_form_command;
mod ssh_server;
mod unapproved_base;
mod wasted_bytes;
mod writable_path_binary;

pub use attacker_tool::AttackerTools;
pub use download_at_startup::StartupDownload;
pub use download_piped_to_shell::CurlPipeShell;
pub use injected_service_in_production::InjectedServiceInProduction;
pub use moving_tag::MovingTag;
pub use no_healthcheck::NoHealthcheck;
pub use privileged_port::PrivilegedPort;
pub use process_supervisor::Supervisor;
pub use runs_as_root::RunsAsRoot;
pub use secret_in_config::SecretsInConfig;
pub use secret_in_file::SecretsInFiles;
pub use setuid_setgid_file::Setuid;
pub use shell_form_command::ShellForm;
pub use ssh_server::Sshd;
pub use unapproved_base::ApprovedBaseLineage;
pub use wasted_bytes::WastedBytes;
pub use writable_path_binary::PathBinaries;

use crate::Rule;

/// The registry: every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &RunsAsRoot,
    &Setuid,
    &SecretsInFiles,
    &SecretsInConfig,
    &AttackerTools,
    &Sshd,
    &PathBinaries,
    &WastedBytes,
    &PrivilegedPort,
    &ShellForm,
    &Supervisor,
    &NoHealthcheck,
    &CurlPipeShell,
    &ApprovedBaseLineage,
    &MovingTag,
    &StartupDownload,
    &InjectedServiceInProduction,
];

/// Shared by the rules that look for programs: the standard binary
/// directories, and a lookup that follows symlinks (merged /usr).
pub(crate) mod programs {
    use plimsoll_engine::{EntryKind, FileTree};

    pub const BIN_DIRS: &[&str] = &[
        "usr/local/sbin",
        "usr/local/bin",
        "usr/sbin",
        "usr/bin",
        "sbin",
        "bin",
    ];

    /// The first `/dir/name` (in BIN_DIRS order) that resolves to a regular
    /// file; names ending in `*` match by prefix.
    pub fn find(tree: &FileTree, names: &[&str]) -> Option<String> {
        for dir in BIN_DIRS {
            for name in names {
                let found = match name.strip_suffix('*') {
                    Some(prefix) => {
                        let start = format!("{dir}/{prefix}");
                        tree.files
                            .range_from(&start)
                            .take_while(|(k, _)| k.starts_with(&start))
                            .find(|(k, _)| !k[dir.len() + 1..].contains('/'))
                            .map(|(k, _)| k.to_string())
                    }
                    None => Some(format!("{dir}/{name}")),
                };
                let Some(path) = found else { continue };
                if let Ok(Some((_, node))) = tree.resolve(&path)
                    && node.kind == EntryKind::File
                {
                    return Some(format!("/{path}"));
                }
            }
        }
        None
    }
}

/// Shell-command helpers shared by the rules reading commands.
pub(crate) mod shell {
    /// The shell script of a shell-form command (`sh -c SCRIPT`), if it is one.
    pub fn script(cmd: &[String]) -> Option<&str> {
        let prog = cmd.first()?;
        let base = prog.rsplit('/').next().unwrap_or(prog);
        if plimsoll_practice::shells::is_shell(base) && cmd.get(1).map(String::as_str) == Some("-c")
        {
            return cmd.get(2).map(String::as_str);
        }
        None
    }

    /// `curl …| sh`, `wget -O- … | bash`, `… | python`, and friends.
    pub fn pipes_download_to_interpreter(text: &str) -> bool {
        static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        RE.get_or_init(|| {
            regex::Regex::new(
                r"(?i)\b(curl|wget|fetch)\b[^|;&]*\|\s*(sudo\s+(-\S+\s+)*)?(env\s+\S+\s+)?(/\S*/)?(ba|da|z|k|a)?sh\b|\b(curl|wget)\b[^|;&]*\|\s*(sudo\s+)?(/\S*/)?(python[0-9.]*|perl|ruby|node)\b|\b(ba|da|z)?sh\s+(-c\s+)?[\x22']?\$\(\s*(curl|wget)\b|\b(ba|da|z)?sh\s+<\(\s*(curl|wget)\b",
            )
            .expect("valid regex")
        })
        .is_match(text)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn detects_download_piped_to_shell() {
            for yes in [
                "curl -fsSL https://get.example/install.sh | sh",
                "/bin/sh -c wget -qO- http://x/y | sudo -E bash -",
                "curl -s http://x | python3",
                "sh -c \"$(curl -fsSL http://x/install.sh)\"",
                "bash <(curl -s http://x)",
            ] {
                assert!(pipes_download_to_interpreter(yes), "{yes}");
            }
            for no in [
                "curl -o /tmp/x http://x && sha256sum -c sums && sh /tmp/x",
                "apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
                "cat file | sh",
                "curl -fsSL http://x | tar -xz",
            ] {
                assert!(!pipes_download_to_interpreter(no), "{no}");
            }
        }
    }
}
