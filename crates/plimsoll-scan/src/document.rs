//! What an SBOM document says about its subject: the image, the tool and
//! the creation time.

use plimsoll_oci::{Image, ImageRef, NameRef};
use plimsoll_sbom::{DocumentContext, ImageSubject, MAX_TIMESTAMP, ToolInfo};

use crate::{INFO_URI, ScanError};

/// The creation time documents state: `SOURCE_DATE_EPOCH` when it is set
/// (reproducible builds' convention), else now.
pub fn source_date_epoch() -> Result<u64, ScanError> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) => v
            .trim()
            .parse::<u64>()
            .ok()
            .filter(|s| *s <= MAX_TIMESTAMP)
            .ok_or_else(|| {
                ScanError::SourceDateEpoch(format!(
                    "must be whole seconds since 1970 up to year 9999, got {v:?}"
                ))
            }),
        Err(std::env::VarError::NotPresent) => Ok(std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0)),
        Err(e) => Err(ScanError::SourceDateEpoch(e.to_string())),
    }
}

/// The image, tool and creation time (`created`, seconds since 1970) an
/// SBOM document of `image` states.
pub fn document_context(image: &Image, created: u64) -> DocumentContext {
    let (name, repository_url) = image_name(&image.reference);
    DocumentContext {
        subject: ImageSubject {
            reference: image.reference.to_string(),
            digest: image.id().to_string(),
            name,
            repository_url,
            tag: image.tag.clone(),
            platform: image.platform(),
            diff_ids: image.diff_ids(),
        },
        tool: plimsoll_tool(),
        created,
    }
}

/// plimsoll as the tool that wrote a document (an image's or an SBOM's scan).
pub(crate) fn plimsoll_tool() -> ToolInfo {
    ToolInfo {
        name: "plimsoll".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        info_uri: INFO_URI.into(),
    }
}

/// The purl name (the repository's last segment, lowercased) and, for
/// registry images, the `registry/repository` the purl's repository_url
/// names. Local layouts and archives are named after their directory or file.
fn image_name(reference: &ImageRef) -> (String, Option<String>) {
    let last = |p: &std::path::Path, strip_ext: bool| {
        let os = if strip_ext {
            p.file_stem()
        } else {
            p.file_name()
        };
        os.map(|s| s.to_string_lossy().to_lowercase())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "image".into())
    };
    match reference {
        ImageRef::OciLayout { dir, .. } | ImageRef::Dir { dir } => (last(dir, false), None),
        ImageRef::DockerArchive { file } => (last(file, true), None),
        ImageRef::Registry { reference } => {
            let n = NameRef::parse(reference);
            let short = n.name.rsplit('/').next().unwrap_or(n.name).to_lowercase();
            let short = if short.is_empty() {
                "image".into()
            } else {
                short
            };
            (short, Some(n.name.to_lowercase()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_images_for_purls() {
        let r = |s: &str| image_name(&ImageRef::parse(s).unwrap());
        assert_eq!(
            r("registry:127.0.0.1:5000/Team/App:1.0"),
            ("app".into(), Some("127.0.0.1:5000/team/app".into()))
        );
        assert_eq!(
            r("host/app@sha256:ab"),
            ("app".into(), Some("host/app".into()))
        );
        assert_eq!(r("oci:/x/Big:latest"), ("big".into(), None));
        assert_eq!(r("docker-archive:/x/big.tar"), ("big".into(), None));
    }
}
