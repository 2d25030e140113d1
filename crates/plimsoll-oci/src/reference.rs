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

/// The tag part of a registry reference: after the last ':' that follows
/// the last '/', and before any '@'.
pub fn registry_tag(reference: &str) -> Option<String> {
    let name = reference.split('@').next().unwrap_or(reference);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, t)| t.to_string())
}

/// Whether a registry reference pins a digest.
pub fn registry_digest(reference: &str) -> Option<&str> {
    reference.split_once('@').map(|(_, d)| d)
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
    }
}
