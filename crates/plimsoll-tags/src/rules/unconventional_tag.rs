use plimsoll_report::declare_rule;

declare_rule! {
    /// A tag names neither a version (`X.Y.Z`, `X.Y`, `X`), `latest`, nor a git commit SHA.
    ///
    /// The tagging policy (P-D2) gives every tag a meaning a reader can
    /// rely on: semantic versions, of which only `X.Y.Z` is immutable, or
    /// the git commit SHA with continuous delivery. A tag such as `stable`,
    /// `prod` or `fix-login` says nothing of what it holds or whether it
    /// will move.
    ///
    /// Fix: tag releases `X.Y.Z` (and move `X.Y`, `X`, `latest`), or by
    /// commit SHA; a team with its own scheme lists it in `[tags] allow`
    /// (whole-tag regular expressions) or `--allow`.
    pub struct UnconventionalTag {
        code: "TAG003",
        name: "unconventional-tag",
        practice: "P-D2",
        severity: Low,
    }
}
