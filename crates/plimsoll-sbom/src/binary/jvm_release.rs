//! A JVM installation's `release` file (`JAVA_VERSION="17.0.9"`, …), as
//! syft 1.18.1's JVM cataloger reads it: type `binary`, named by vendor
//! and product (`openjdk`, `jre`/`jdk`, `zulu`), versioned by
//! `JAVA_RUNTIME_VERSION`, else `FULL_VERSION` (when its major version is
//! `JAVA_VERSION`'s), else `JAVA_VERSION`; purl
//! `pkg:generic/<vendor>/<product>@<version>` with the source repository as
//! `repository_url` (unescaped `/` and `:`, as syft writes it); the CPEs syft declares for it. A file named `release`
//! without `JAVA_VERSION` or `JAVA_RUNTIME_VERSION` is no JVM.

use serde::{Deserialize, Serialize};

use super::classifier::cpe_with_version;
use crate::purl::purl;

/// The class name kept in the evidence of a JVM package.
pub const CLASS: &str = "java-jvm-release";
/// syft reads at most 500 KB of a `release` file.
pub const LIMIT: u64 = 500 * 1024;

/// The fields of a `release` file the package is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JvmRelease {
    pub implementor: String,
    pub java_runtime_version: String,
    pub java_version: String,
    pub full_version: String,
    pub image_type: String,
    pub source_repo: String,
    pub build_source_repo: String,
}

/// A JVM package's identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JvmIdentity {
    pub name: String,
    pub version: String,
    pub purl: String,
    pub cpes: Vec<String>,
    /// The line the version comes from, kept as evidence.
    pub evidence: String,
}

/// Whether syft's JVM cataloger reads this path (`**/release`).
pub fn is_release(path: &str) -> bool {
    path == "release" || path.ends_with("/release")
}

/// The directory holding the `release` file: the installation.
pub fn install_dir(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(d, _)| d)
}

/// The fields of a `release` file; None when it names no Java version.
pub fn parse(data: &[u8]) -> Option<JvmRelease> {
    let text = String::from_utf8_lossy(data);
    let mut r = JvmRelease::default();
    for line in text.lines() {
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim_matches('"').to_string();
        match key {
            "IMPLEMENTOR" => r.implementor = value,
            "JAVA_RUNTIME_VERSION" => r.java_runtime_version = value,
            "JAVA_VERSION" => r.java_version = value,
            "FULL_VERSION" => r.full_version = value,
            "IMAGE_TYPE" => r.image_type = value,
            "SOURCE_REPO" => r.source_repo = value,
            "BUILD_SOURCE_REPO" => r.build_source_repo = value,
            _ => {}
        }
    }
    (!r.java_version.is_empty() || !r.java_runtime_version.is_empty()).then_some(r)
}

fn product_by_type(image_type: &str) -> &'static str {
    if image_type.to_lowercase().contains("jre") {
        "jre"
    } else {
        "jdk"
    }
}

impl JvmRelease {
    /// The version and the line it comes from.
    fn version(&self) -> (String, String) {
        if !self.java_runtime_version.is_empty() {
            let v = &self.java_runtime_version;
            return (v.clone(), format!("JAVA_RUNTIME_VERSION=\"{v}\""));
        }
        let major = |v: &str| v.split('.').next().unwrap_or("").to_string();
        if !self.full_version.is_empty() && major(&self.full_version) == major(&self.java_version) {
            let v = &self.full_version;
            return (v.clone(), format!("FULL_VERSION=\"{v}\""));
        }
        let v = &self.java_version;
        (v.clone(), format!("JAVA_VERSION=\"{v}\""))
    }

    /// Name, version, purl and CPEs of the installation whose `release`
    /// file is at `path`; `has_jdk` when it holds `bin/javac`.
    pub fn identity(&self, path: &str, has_jdk: bool) -> JvmIdentity {
        let (version, evidence) = self.version();
        let implementor = self.implementor.to_lowercase().replace(' ', "");
        let jdk_or_jre = if has_jdk || product_by_type(&self.image_type) == "jdk" {
            "jdk"
        } else {
            "jre"
        };
        let (vendor, product) = if implementor.contains("azul") || path.contains("zulu") {
            ("azul", "zulu")
        } else if implementor.contains("sun") {
            ("sun", jdk_or_jre)
        } else if implementor.contains("oracle") || path.contains("oracle") {
            ("oracle", jdk_or_jre)
        } else {
            ("oracle", "openjdk")
        };
        let repo = if self.source_repo.is_empty() {
            &self.build_source_repo
        } else {
            &self.source_repo
        };
        let mut purl = purl("generic", Some(vendor), product, &version, &[]);
        if !repo.is_empty() {
            // As syft writes it: `/` and `:` left as they are.
            let value = crate::purl::percent_encode(repo).replace("%2F", "/");
            purl = format!("{purl}?repository_url={value}");
        }
        let mut candidates: Vec<(&str, &str)> = Vec::new();
        match (vendor, product) {
            ("azul", _) => candidates.extend([("azul", "zulu"), ("oracle", "openjdk")]),
            ("sun", _) => candidates.extend(enterprise("sun", jdk_or_jre)),
            ("oracle", p) if p != "openjdk" => {
                candidates.push(("oracle", "java_se"));
                candidates.extend(enterprise("oracle", jdk_or_jre));
            }
            (v, p) => candidates.push((v, p)),
        }
        JvmIdentity {
            name: product.to_string(),
            purl,
            cpes: candidates
                .into_iter()
                .filter_map(|(v, p)| jvm_cpe(v, p, &version))
                .collect(),
            version,
            evidence,
        }
    }
}

fn enterprise(vendor: &'static str, jdk_or_jre: &str) -> Vec<(&'static str, &'static str)> {
    let mut out = vec![(vendor, "jre")];
    if jdk_or_jre == "jdk" {
        out.push((vendor, "jdk"));
    }
    out
}

/// syft's JVM CPE: the version before `+` (JEP 223) or `_` (legacy, whose
/// build number becomes the update field, `update302`).
fn jvm_cpe(vendor: &str, product: &str, version: &str) -> Option<String> {
    let (short, update) = if let Some((short, rest)) = version.split_once('_') {
        let update = rest.split('-').next().unwrap_or("");
        let trimmed = update.trim_start_matches('0');
        let update = if update.to_lowercase().contains("update") {
            update.to_string()
        } else {
            format!("update{}", if trimmed.is_empty() { "0" } else { trimmed })
        };
        (short, update)
    } else if let Some((short, _)) = version.split_once('+') {
        (short, String::new())
    } else {
        (version, String::new())
    };
    if short.is_empty() {
        return None;
    }
    let mut cpe = cpe_with_version(
        &format!("cpe:2.3:a:{vendor}:{product}:*:*:*:*:*:*:*:*"),
        short,
    );
    if !update.is_empty() {
        let mut fields: Vec<&str> = cpe.split(':').collect();
        fields[6] = &update;
        cpe = fields.join(":");
    }
    Some(cpe)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The first lines of Debian's openjdk-17-jre-headless 17.0.21.1+2-1~deb12u1
    /// `usr/lib/jvm/java-17-openjdk-amd64/release` (MODULES shortened).
    const DEBIAN_17: &[u8] = b"IMPLEMENTOR=\"Debian\"\n\
JAVA_RUNTIME_VERSION=\"17.0.21.1+2-1-deb12u1-Debian\"\n\
JAVA_VERSION=\"17.0.21.1\"\n\
JAVA_VERSION_DATE=\"2026-11-17\"\n\
LIBC=\"gnu\"\n\
MODULES=\"java.base java.compiler\"\n\
OS_ARCH=\"x86_64\"\n\
OS_NAME=\"Linux\"\n\
SOURCE=\"\"\n";

    #[test]
    fn debian_openjdk() {
        let r = parse(DEBIAN_17).unwrap();
        let id = r.identity("usr/lib/jvm/java-17-openjdk-amd64/release", false);
        assert_eq!(id.name, "openjdk");
        assert_eq!(id.version, "17.0.21.1+2-1-deb12u1-Debian");
        assert_eq!(
            id.purl,
            "pkg:generic/oracle/openjdk@17.0.21.1%2B2-1-deb12u1-Debian"
        );
        assert_eq!(
            id.cpes,
            ["cpe:2.3:a:oracle:openjdk:17.0.21.1:*:*:*:*:*:*:*"]
        );
        assert!(id.evidence.starts_with("JAVA_RUNTIME_VERSION="));
    }

    #[test]
    fn legacy_oracle_jre_and_not_a_jvm() {
        let r = parse(
            b"IMPLEMENTOR=\"Oracle Corporation\"\nJAVA_VERSION=\"1.8.0_302\"\nIMAGE_TYPE=\"JRE\"\n",
        )
        .unwrap();
        let id = r.identity("opt/java/release", false);
        assert_eq!(
            (id.name.as_str(), id.version.as_str()),
            ("jre", "1.8.0_302")
        );
        assert_eq!(
            id.cpes,
            [
                "cpe:2.3:a:oracle:java_se:1.8.0:update302:*:*:*:*:*:*",
                "cpe:2.3:a:oracle:jre:1.8.0:update302:*:*:*:*:*:*"
            ]
        );
        assert_eq!(parse(b"NAME=\"Debian\"\nVERSION=12\n"), None);
        assert_eq!(parse(b"\xff\xfe\x00garbage"), None);
        assert!(is_release("opt/java/openjdk/release") && !is_release("etc/os-release"));
    }
}
