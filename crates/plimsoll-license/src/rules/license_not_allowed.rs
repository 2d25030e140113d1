use plimsoll_report::{Finding, declare_rule};
use plimsoll_sbom::Package;

declare_rule! {
    /// A package is under a licence the licence policy does not allow.
    ///
    /// Third-party software shipped in an image is redistributed, and must be
    /// licensed for it (P-C9): a licence on `[licenses] deny` (an SPDX
    /// identifier such as `AGPL-3.0`, or a category: `forbidden`, `copyleft`,
    /// `weak-copyleft`, `permissive`, `public-domain`, `unknown`), or one
    /// outside a non-empty `allow` list, is a finding on the package, with
    /// its version, the file that lists it and the layer that added it.
    /// Licences are those the package metadata declares (the SBOM's); an
    /// `OR` is allowed when one choice is, an `AND` (and a list of several)
    /// needs every part; a package with no licence, or a name that is not
    /// SPDX, is `unknown`. `[licenses] ignore` takes package-URL globs
    /// (`pkg:deb/*` leaves OS packages to the distribution's review).
    ///
    /// Fix: replace the package, obtain another licence, or record the
    /// decision in `[licenses] ignore`.
    pub struct LicenseNotAllowed {
        code: "LIC001",
        name: "license-not-allowed",
        practice: "P-C9",
        severity: High,
    }
}

/// The finding on `package`, with why each licence is refused.
pub fn finding(package: &Package, why: &[String]) -> Finding {
    let mut f = Finding::new(
        &LicenseNotAllowed::INFO,
        format!(
            "{} {} (layer {}): {}",
            package.name,
            package.version,
            package.layer,
            why.join("; ")
        ),
    )
    .at_path(format!("/{}", package.location.trim_start_matches('/')))
    .at_field(package.purl.clone())
    .with_help("replace the package, get another licence, or add its purl to [licenses] ignore");
    f.location.layer = Some(package.layer);
    f
}
