//! Tools that help an attacker who got a shell in a container (practice
//! P-C2): the image rules look for their binaries, the Dockerfile rules for
//! the packages that install them, the run-time rules for either.

/// A tool, by the files it installs and the packages that install it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tool {
    /// The tool's usual name, shown in findings about its binaries (`netcat`).
    pub name: &'static str,
    /// What it is (`reverse-shell helper`), shown next to the name.
    pub what: &'static str,
    /// What it gives an attacker (`reverse shells`), shown next to a package.
    pub gives: &'static str,
    /// File names in the binary directories (`/usr/bin`, `/bin`…); a trailing
    /// `*` matches a version suffix (`gcc-*`).
    pub binaries: &'static [&'static str],
    /// Names of the packages that install it, in apt (Debian, Ubuntu), apk
    /// (Alpine), dnf/yum (RHEL, Fedora) and zypper (SUSE).
    pub packages: &'static [&'static str],
}

/// Network, debugging and privilege-escalation tools no application needs
/// at run time. SSH servers are [`SSH_SERVERS`] and compilers
/// [`COMPILERS`]: other practices judge them on their own.
pub const ATTACKER_TOOLS: &[Tool] = &[
    Tool {
        name: "netcat",
        what: "reverse-shell helper",
        gives: "reverse shells",
        binaries: &["nc", "netcat", "ncat", "nc.traditional", "nc.openbsd"],
        packages: &[
            "netcat",
            "netcat-openbsd",
            "netcat-traditional",
            "openbsd-netcat",
            "nc",
            "ncat",
            "nmap-ncat",
        ],
    },
    Tool {
        name: "socat",
        what: "reverse-shell helper",
        gives: "reverse shells",
        binaries: &["socat"],
        packages: &["socat"],
    },
    Tool {
        name: "nmap",
        what: "network scanner",
        gives: "network scanning",
        binaries: &["nmap"],
        packages: &["nmap"],
    },
    Tool {
        name: "masscan",
        what: "network scanner",
        gives: "network scanning",
        binaries: &["masscan"],
        packages: &["masscan"],
    },
    Tool {
        name: "hping3",
        what: "network scanner",
        gives: "network scanning",
        binaries: &["hping3"],
        packages: &["hping3"],
    },
    Tool {
        name: "tcpdump",
        what: "packet sniffer",
        gives: "traffic capture",
        binaries: &["tcpdump"],
        packages: &["tcpdump"],
    },
    Tool {
        name: "tshark",
        what: "packet sniffer",
        gives: "traffic capture",
        binaries: &["tshark"],
        packages: &["tshark", "wireshark"],
    },
    Tool {
        name: "telnet",
        what: "clear-text remote access",
        gives: "clear-text remote access",
        binaries: &["telnet", "telnetd", "in.telnetd"],
        packages: &["telnet", "telnetd", "inetutils-telnet"],
    },
    Tool {
        name: "gdb",
        what: "debugger",
        gives: "a debugger",
        binaries: &["gdb"],
        packages: &["gdb"],
    },
    Tool {
        name: "strace",
        what: "debugger",
        gives: "a debugger",
        binaries: &["strace", "ltrace"],
        packages: &["strace", "ltrace"],
    },
    Tool {
        name: "sudo",
        what: "privilege escalation tool",
        gives: "privilege escalation",
        binaries: &["sudo"],
        packages: &["sudo"],
    },
];

/// SSH servers: a way in that bypasses the orchestrator (practice P-F7), and
/// for an attacker a door that stays open.
pub const SSH_SERVERS: &[Tool] = &[Tool {
    name: "SSH server",
    what: "remote shell server",
    gives: "an SSH server",
    binaries: &["sshd", "dropbear"],
    packages: &["openssh-server", "dropbear"],
}];

/// Compilers, found by their binaries in the image that ships: they build
/// exploits on the spot. (The Dockerfile rule on build toolchains, P-B4,
/// judges packages with its own wider list of SDKs and build systems.)
pub const COMPILERS: &[Tool] = &[
    Tool {
        name: "gcc",
        what: "C compiler",
        gives: "a compiler",
        binaries: &[
            "gcc",
            "cc",
            "gcc-*",
            "x86_64-linux-gnu-gcc*",
            "aarch64-linux-gnu-gcc*",
        ],
        packages: &["gcc"],
    },
    Tool {
        name: "g++",
        what: "C++ compiler",
        gives: "a compiler",
        binaries: &["g++", "c++", "g++-*", "x86_64-linux-gnu-g++*"],
        packages: &["g++", "gcc-c++"],
    },
    Tool {
        name: "clang",
        what: "C compiler",
        gives: "a compiler",
        binaries: &["clang", "clang-*"],
        packages: &["clang"],
    },
    Tool {
        name: "rustc",
        what: "Rust compiler",
        gives: "a compiler",
        binaries: &["rustc"],
        packages: &["rustc", "rust"],
    },
    Tool {
        name: "go",
        what: "Go compiler",
        gives: "a compiler",
        binaries: &["go"],
        packages: &["golang", "golang-go", "go"],
    },
    Tool {
        name: "javac",
        what: "Java compiler",
        gives: "a compiler",
        binaries: &["javac"],
        packages: &["default-jdk", "default-jdk-headless"],
    },
];

/// The tool a package installs, among `tables`.
pub fn tool_of_package<'a>(tables: &[&'a [Tool]], package: &str) -> Option<&'a Tool> {
    tables
        .iter()
        .flat_map(|t| t.iter())
        .find(|t| t.packages.contains(&package))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_has_binaries_and_packages() {
        for t in ATTACKER_TOOLS.iter().chain(SSH_SERVERS).chain(COMPILERS) {
            assert!(
                !t.binaries.is_empty() && !t.packages.is_empty(),
                "{}",
                t.name
            );
        }
        let nc = tool_of_package(&[ATTACKER_TOOLS], "netcat-openbsd").unwrap();
        assert_eq!(nc.name, "netcat");
        assert!(tool_of_package(&[ATTACKER_TOOLS], "openssh-server").is_none());
        assert_eq!(
            tool_of_package(&[ATTACKER_TOOLS, SSH_SERVERS], "dropbear").map(|t| t.gives),
            Some("an SSH server")
        );
    }
}
