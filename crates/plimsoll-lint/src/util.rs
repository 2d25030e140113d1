//! Helpers shared by the rules: package-manager command lines, image references.

use plimsoll_dockerfile::ShellCommand;

/// `argv` without a leading `sudo` (and its options) or `env VAR=…`.
pub fn strip_wrappers(argv: &[String]) -> &[String] {
    let mut a = argv;
    loop {
        match a.first().map(|s| s.rsplit('/').next().unwrap_or(s)) {
            Some("sudo") => {
                a = &a[1..];
                while a.first().is_some_and(|s| s.starts_with('-')) {
                    let takes_value = matches!(a[0].as_str(), "-u" | "-g" | "-h" | "-p" | "-C");
                    a = &a[if takes_value { 2.min(a.len()) } else { 1 }..];
                }
            }
            Some("env") => {
                a = &a[1..];
                while a
                    .first()
                    .is_some_and(|s| s.contains('=') || s.starts_with('-'))
                {
                    a = &a[1..];
                }
            }
            _ => return a,
        }
    }
}

/// An `apt-get`/`apt` command line, parsed.
pub struct Apt<'a> {
    /// `install`, `update`, …
    pub sub: &'a str,
    /// Options anywhere on the line (`-y`, `--no-install-recommends`, `-o X=Y` as `X=Y`).
    pub options: Vec<&'a str>,
    /// Non-option words after the subcommand.
    pub packages: Vec<&'a str>,
}

impl Apt<'_> {
    pub fn has_yes(&self) -> bool {
        self.options.iter().any(|o| {
            matches!(
                *o,
                "--yes"
                    | "--assume-yes"
                    | "-qq"
                    | "-q=2"
                    | "--quiet=2"
                    | "APT::Get::Assume-Yes=true"
            ) || (o.starts_with('-') && !o.starts_with("--") && o.contains('y'))
        })
    }

    pub fn has_no_recommends(&self) -> bool {
        self.options.iter().any(|o| {
            *o == "--no-install-recommends"
                || o.eq_ignore_ascii_case("APT::Install-Recommends=false")
                || o.eq_ignore_ascii_case("APT::Install-Recommends=0")
        })
    }
}

/// Parses `cmd` as `apt-get …` or `apt …` (after `sudo`/`env`).
pub fn apt(cmd: &ShellCommand) -> Option<Apt<'_>> {
    let argv = strip_wrappers(&cmd.argv);
    let prog = argv.first()?.rsplit('/').next()?;
    if prog != "apt-get" && prog != "apt" {
        return None;
    }
    let mut sub = None;
    let mut options = Vec::new();
    let mut packages = Vec::new();
    let mut it = argv[1..].iter();
    while let Some(a) = it.next() {
        if matches!(
            a.as_str(),
            "-o" | "--option" | "-t" | "--target-release" | "-c" | "--config-file"
        ) {
            if let Some(v) = it.next() {
                options.push(v.as_str());
            }
        } else if let Some(v) = a.strip_prefix("-o").filter(|v| v.contains('=')) {
            options.push(v);
        } else if a.starts_with('-') {
            options.push(a.as_str());
        } else if sub.is_none() {
            sub = Some(a.as_str());
        } else {
            packages.push(a.as_str());
        }
    }
    Some(Apt {
        sub: sub?,
        options,
        packages,
    })
}

/// An image reference's tag and digest (no expansion).
pub struct ImageRef<'a> {
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

pub fn image_ref(s: &str) -> ImageRef<'_> {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    // A tag is after the last `:` that comes after the last `/` (a registry port is before it).
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    match rest[last_slash..].rfind(':') {
        Some(c) => ImageRef {
            tag: Some(&rest[last_slash + c + 1..]),
            digest,
        },
        None => ImageRef { tag: None, digest },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_refs() {
        let r = image_ref("registry:5000/team/app:1.2@sha256:ab");
        assert_eq!((r.tag, r.digest), (Some("1.2"), Some("sha256:ab")));
        let r = image_ref("registry:5000/app");
        assert_eq!((r.tag, r.digest), (None, None));
    }

    #[test]
    fn wrappers() {
        let v: Vec<String> = ["sudo", "-E", "env", "A=1", "apt-get", "install"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(strip_wrappers(&v), ["apt-get", "install"]);
    }
}
