use plimsoll_report::declare_rule;

declare_rule! {
    /// A release tag (`X.Y.Z`) points at another image than when first seen.
    ///
    /// `X.Y.Z` names one build for good: a deployment, an SBOM, a scan
    /// result or an approval that cites `app:1.4.2` is about that build
    /// (P-D2). Re-pushing the tag silently swaps what every one of them
    /// means; rollbacks stop rolling back. The first digest each `X.Y.Z`
    /// tag was seen with is kept (`plimsoll tags check --record FILE`, or
    /// the server's tag history, `--store`), and any later digest is this
    /// finding.
    ///
    /// Fix: push the new build as a new release (`X.Y.Z+1`), restore the
    /// tag to its first digest, and make the registry's tags immutable for
    /// the `X.Y.Z` pattern where it can (Harbor's tag immutability rules).
    pub struct MovedReleaseTag {
        code: "TAG001",
        name: "moved-release-tag",
        practice: "P-D2",
        severity: High,
    }
}
