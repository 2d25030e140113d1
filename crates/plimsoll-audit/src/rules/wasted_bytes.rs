use plimsoll_report::human_bytes as human;
use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// Layers ship bytes that later layers delete or overwrite.
    ///
    /// Deleting a file in a later layer does not shrink the image: the lower
    /// layer still holds it, and every pull downloads it. The figures follow
    /// dive exactly: a path stored in more than one layer counts its sizes in
    /// every layer as wasted; the efficiency score is the sum of each path's
    /// smallest size over the sum of all its sizes. The rule fires when the
    /// score is below `min_efficiency` (default 0.9), when wasted bytes are
    /// above `max_wasted_ratio` (default 0.1) of the non-base layers, or above
    /// `max_wasted_bytes` when set, the thresholds of `dive --ci`.
    ///
    /// Fix: remove caches and build packages in the same RUN that created
    /// them, or use a multi-stage build.
    pub struct WastedBytes {
        code: "IMG008",
        name: "wasted-bytes",
        practice: "P-B3",
        severity: Medium,
    }
}

impl Rule for WastedBytes {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        let e = &ctx.tree.efficiency;
        let s = ctx.settings;
        let mut reasons = Vec::new();
        if e.score < s.min_efficiency {
            reasons.push(format!(
                "efficiency {:.2}% is below {:.2}%",
                e.score * 100.0,
                s.min_efficiency * 100.0
            ));
        }
        if e.wasted_user_ratio > s.max_wasted_ratio {
            reasons.push(format!(
                "wasted bytes are {:.2}% of the non-base layers (limit {:.2}%)",
                e.wasted_user_ratio * 100.0,
                s.max_wasted_ratio * 100.0
            ));
        }
        if let Some(max) = s.max_wasted_bytes
            && e.wasted_bytes > max
        {
            reasons.push(format!("wasted bytes exceed {}", human(max)));
        }
        if reasons.is_empty() {
            return Ok(());
        }
        let top: Vec<String> = e
            .inefficiencies
            .iter()
            .take(3)
            .map(|i| format!("/{} ×{} {}", i.path, i.count, human(i.cumulative_size)))
            .collect();
        let mut f = Finding::new(
            &Self::INFO,
            format!(
                "{} wasted ({}); largest: {}",
                human(e.wasted_bytes),
                reasons.join("; "),
                top.join(", ")
            ),
        )
        .with_help("delete files in the same RUN that creates them, or use a multi-stage build");
        if let Some(first) = e.inefficiencies.first() {
            f = f.at_path(format!("/{}", first.path));
        }
        out.push(f);
        Ok(())
    }
}
