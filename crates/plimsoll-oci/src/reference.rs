//! Parsing what the user typed into where the image lives.

use std::fmt;
use std::path::PathBuf;

use crate::OciError;

/// Where an image comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// `oci:DIR[:TAG]`, an OCI image layout directory.
    OciLayout { dir: PathBuf, tag: Option<String> },
    /// `docker-archive:FILE`, what `docker save` writes.
    DockerArchive { file: PathBuf },
    /// `dir:PATH`, a directory (an unpacked root filesystem) as one layer.
    Dir { dir: PathBuf },
    /// `registry:HOST/REPO:TAG`, `HOST/REPO@sha256:…` or a bare reference.
    Registry { reference: String },
}

impl ImageRef {
    /// Parses a reference as typed on the command line.
    pub fn parse(s: &str) -> Result<Self, OciError> {
        let bad = |why: &str| OciError::BadReference {
            reference: s.to_string(),
            why: why.to_string(),
        };
        if s.trim().is_empty() {
            return Err(bad("empty reference"));
        }
        if let Some(rest) = s.strip_prefix("oci:") {
            // The tag is after the last ':' when that part has no '/'; a
            // directory whose name contains ':' needs an explicit tag.
            if rest.is_empty() {
                return Err(bad("expected oci:DIR[:TAG]"));
            }
            if let Some((dir, tag)) = rest.rsplit_once(':')
                && !tag.contains('/')
                && !dir.is_empty()
            {
                return Ok(ImageRef::OciLayout {
                    dir: PathBuf::from(dir),
                    tag: Some(tag.to_string()),
                });
            }
            return Ok(ImageRef::OciLayout {
                dir: PathBuf::from(rest),
                tag: None,
            });
        }
        if let Some(rest) = s.strip_prefix("docker-archive:") {
            if rest.is_empty() {
                return Err(bad("expected docker-archive:FILE"));
            }
            // The whole rest is the file name; the archive's first image is read.
            return Ok(ImageRef::DockerArchive {
                file: PathBuf::from(rest),
            });
        }
        if let Some(rest) = s.strip_prefix("dir:") {
            if rest.is_empty() {
                return Err(bad("expected dir:PATH"));
            }
            return Ok(ImageRef::Dir {
                dir: PathBuf::from(rest),
            });
        }
        let rest = s
            .strip_prefix("registry:")
            .or_else(|| s.strip_prefix("docker://"))
            .unwrap_or(s);
        if rest.is_empty() || rest.contains(char::is_whitespace) {
            return Err(bad("expected HOST/REPO[:TAG][@sha256:…]"));
        }
        Ok(ImageRef::Registry {
            reference: rest.to_string(),
        })
    }

    /// The tag the user asked for, if any (None for digests and tag-less refs).
    pub fn tag(&self) -> Option<String> {
        match self {
            ImageRef::OciLayout { tag, .. } => tag.clone(),
            ImageRef::DockerArchive { .. } | ImageRef::Dir { .. } => None,
            ImageRef::Registry { reference } => registry_tag(reference),
        }
    }
}

/// A registry reference `[HOST[:PORT]/]REPOSITORY[:TAG][@DIGEST]` split
/// into its parts as written (no defaults: Docker Hub's host and `library/`
/// are not added). The one reading of image names for every crate: the
/// registry source, the linter's FROM lines, SBOM purls, admission.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameRef<'a> {
    /// `[HOST[:PORT]/]REPOSITORY`: the reference without tag or digest.
    pub name: &'a str,
    /// The registry, when the first component names a host: it has a `.` or
    /// a `:`, or is `localhost` (Docker's rule).
    pub registry: Option<&'a str>,
    /// The repository path, without the registry.
    pub repository: &'a str,
    /// After the last `:` that follows the last `/`, before any `@`.
    pub tag: Option<&'a str>,
    /// After the `@`, e.g. `sha256:…`.
    pub digest: Option<&'a str>,
}

impl<'a> NameRef<'a> {
    /// Splits `s` (a name as a registry or a FROM line has it: no
    /// `registry:` form prefix, which [`ImageRef::parse`] removes).
    pub fn parse(s: &'a str) -> NameRef<'a> {
        let (rest, digest) = match s.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (s, None),
        };
        // A tag follows the last ':' after the last '/' (a port is before it).
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (name, tag) = match rest[last_slash..].rfind(':') {
            Some(c) => (&rest[..last_slash + c], Some(&rest[last_slash + c + 1..])),
            None => (rest, None),
        };
        let (registry, repository) = match name.split_once('/') {
            Some((first, repo)) if first.contains(['.', ':']) || first == "localhost" => {
                (Some(first), repo)
            }
            _ => (None, name),
        };
        NameRef {
            name,
            registry,
            repository,
            tag,
            digest,
        }
    }

    /// The repository's last path component, e.g. `app` of `team/app`.
    pub fn short_name(&self) -> &'a str {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
    }
}

/// The tag part of a registry reference: after the last ':' that follows
/// the last '/', and before any '@'.
pub fn registry_tag(reference: &str) -> Option<String> {
    NameRef::parse(reference).tag.map(str::to_string)
}

/// Whether a registry reference pins a digest.
pub fn registry_digest(reference: &str) -> Option<&str> {
    NameRef::parse(reference).digest
}

impl ImageRef {
    /// The digest the reference pins, if any (registry references only).
    pub fn digest(&self) -> Option<&str> {
        match self {
            ImageRef::Registry { reference } => registry_digest(reference),
            _ => None,
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::OciLayout { dir, tag: Some(t) } => write!(f, "oci:{}:{t}", dir.display()),
            ImageRef::OciLayout { dir, tag: None } => write!(f, "oci:{}", dir.display()),
            ImageRef::DockerArchive { file } => write!(f, "docker-archive:{}", file.display()),
            ImageRef::Dir { dir } => write!(f, "dir:{}", dir.display()),
            ImageRef::Registry { reference } => f.write_str(reference),
        }
    }
}

/// The registry an image reference pulls from, lower case: the first
/// component when it names a host (has a `.` or `:`, or is `localhost`),
/// else Docker Hub.
pub fn registry_of(image: &str) -> String {
    let first = NameRef::parse(image).registry.unwrap_or("docker.io");
    docker_hub_alias(&first.to_ascii_lowercase())
}

/// Docker Hub's other host name, spelled as the registry everyone writes.
fn docker_hub_alias(host: &str) -> String {
    match host {
        "index.docker.io" => "docker.io".to_string(),
        h => h.to_string(),
    }
}

/// Whether the configured entry `trusted` covers `registry` (both compared
/// lower case): equal, `*` (any), `*.domain` (a subdomain of domain) or
/// `prefix*`.
pub fn registry_is_trusted(registry: &str, trusted: &str) -> bool {
    let entry = trusted.trim().trim_end_matches('/').to_ascii_lowercase();
    let entry = docker_hub_alias(&entry);
    if entry == "*" {
        return true;
    }
    if let Some(suffix) = entry.strip_prefix('*') {
        return !suffix.is_empty() && registry.ends_with(suffix);
    }
    if let Some(prefix) = entry.strip_suffix('*') {
        return registry.starts_with(prefix);
    }
    registry == entry
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_form() {
        assert_eq!(
            ImageRef::parse("oci:/tmp/img:latest").unwrap(),
            ImageRef::OciLayout {
                dir: "/tmp/img".into(),
                tag: Some("latest".into())
            }
        );
        assert_eq!(
            ImageRef::parse("oci:img").unwrap(),
            ImageRef::OciLayout {
                dir: "img".into(),
                tag: None
            }
        );
        assert_eq!(
            ImageRef::parse("docker-archive:big.tar").unwrap(),
            ImageRef::DockerArchive {
                file: "big.tar".into()
            }
        );
        assert_eq!(
            ImageRef::parse("registry:127.0.0.1:5000/big:1.0").unwrap(),
            ImageRef::Registry {
                reference: "127.0.0.1:5000/big:1.0".into()
            }
        );
        assert!(ImageRef::parse("").is_err());
        assert!(ImageRef::parse("oci:").is_err());
    }

    #[test]
    fn finds_tags() {
        assert_eq!(registry_tag("127.0.0.1:5000/big:1.0"), Some("1.0".into()));
        assert_eq!(registry_tag("127.0.0.1:5000/big"), None);
        assert_eq!(registry_tag("host/big@sha256:abc"), None);
        assert_eq!(registry_tag("debian"), None);
        assert_eq!(registry_tag("debian:latest"), Some("latest".into()));
        assert_eq!(registry_digest("host/big@sha256:abc"), Some("sha256:abc"));
        assert_eq!(
            registry_tag("host:5000/a/b:1.2@sha256:abc"),
            Some("1.2".into())
        );
    }

    #[test]
    fn splits_names() {
        let n = NameRef::parse("registry:5000/team/app");
        assert_eq!(
            (n.registry, n.repository),
            (Some("registry:5000"), "team/app")
        );
        let n = NameRef::parse("127.0.0.1:5000/team/app:1.2@sha256:ab");
        assert_eq!(n.name, "127.0.0.1:5000/team/app");
        assert_eq!(n.registry, Some("127.0.0.1:5000"));
        assert_eq!(n.repository, "team/app");
        assert_eq!(n.short_name(), "app");
        assert_eq!((n.tag, n.digest), (Some("1.2"), Some("sha256:ab")));
        let n = NameRef::parse("library/debian");
        assert_eq!(
            (n.registry, n.repository, n.tag),
            (None, "library/debian", None)
        );
        let n = NameRef::parse("localhost/app:latest");
        assert_eq!((n.registry, n.repository), (Some("localhost"), "app"));
        let n = NameRef::parse("debian:12");
        assert_eq!(
            (n.name, n.short_name(), n.tag),
            ("debian", "debian", Some("12"))
        );
    }
}
