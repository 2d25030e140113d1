use plimsoll_report::declare_rule;

declare_rule! {
    /// A moving tag (`X.Y`, `X` or `latest`) is not on the newest release it follows.
    ///
    /// `X.Y` and `X` move to the newest `X.Y.Z` that matches them, and
    /// `latest` to the newest release (P-D2); with a variant (`1.2-alpine`)
    /// the newest release of that variant. A moving tag left behind serves
    /// an old build, usually with the vulnerabilities the newer release
    /// fixed, to everyone who follows it. Pre-releases (`2.0.0-rc1`) are
    /// never what a moving tag should follow.
    ///
    /// Fix: re-tag the newest matching release (`crane tag`, `skopeo copy`,
    /// or the release pipeline's tagging step) every time one is pushed.
    pub struct StaleMovingTag {
        code: "TAG002",
        name: "stale-moving-tag",
        practice: "P-D2",
        severity: Medium,
    }
}
