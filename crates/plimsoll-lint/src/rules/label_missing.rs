use std::collections::BTreeSet;

use plimsoll_dockerfile::Keyword;

use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// An image the Dockerfile builds lacks a label the label schema requires.
    ///
    /// A label schema (`[lint] label_schema` in plimsoll.toml, `label-schema`
    /// in `.hadolint.yaml`, `--require-label NAME:TYPE`) is the metadata a
    /// platform needs on every image: owner, source, revision, licence
    /// (P-I4, and the compliance checks of P-I3 read them). Each stage that
    /// is an image — the final stage, and any stage no later stage builds
    /// `FROM` or copies from — must set every schema label, itself or in the
    /// stages it is built `FROM` (labels are inherited). Builder stages only
    /// copied from are not images and need none. The finding is on the
    /// stage's `FROM` line, one per missing label, as hadolint reports it.
    ///
    /// Fix: `LABEL org.opencontainers.image.source="https://…"` in the stage
    /// (or in the stage it is built from).
    pub struct LabelMissing {
        code: "DF082",
        name: "label-missing",
        practice: "P-I4",
        hadolint: Some("DL3049"),
        severity: Low,
    }
}

impl Rule for LabelMissing {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let schema = &ctx.options.label_schema;
        if schema.is_empty() {
            return;
        }
        let df = ctx.df;
        // Stages a later stage builds FROM or copies from: not images.
        let mut used = BTreeSet::new();
        for stage in &df.stages {
            if let Some(parent) = df.stage_ref(&stage.image, stage.index) {
                used.insert(parent.index);
            }
            for ins in &df.instructions[stage.instructions.clone()] {
                if ins.keyword != Keyword::Copy {
                    continue;
                }
                if let Some(from) = ins.flag("from").and_then(|f| f.value.as_deref())
                    && let Some(src) = df.stage_ref(from, stage.index)
                {
                    used.insert(src.index);
                }
            }
        }
        for stage in df.stages.iter().filter(|s| !used.contains(&s.index)) {
            // The labels of the stage and of every stage it is built FROM.
            let mut set = BTreeSet::new();
            let mut current = Some(stage);
            let mut seen = BTreeSet::new();
            while let Some(s) = current {
                if !seen.insert(s.index) {
                    break;
                }
                for ins in &df.instructions[s.instructions.clone()] {
                    if ins.keyword == Keyword::Label {
                        set.extend(ins.key_values().into_iter().map(|(k, _)| k));
                    }
                }
                current = df.stage_ref(&s.image, s.index);
            }
            for key in schema.keys().filter(|k| !set.contains(*k)) {
                let what = match &stage.name {
                    Some(n) => format!("stage `{n}`"),
                    None if stage.index + 1 == df.stages.len() => "the final stage".into(),
                    None => format!("stage {}", stage.index),
                };
                out.push(
                    hit(
                        &Self::RULE,
                        stage.from,
                        stage.span.line,
                        format!(
                            "label `{key}` is missing from {what} (the label schema requires it)"
                        ),
                    )
                    .help(format!("add `LABEL {key}=…` to this stage")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::testing::run_with_labels;

    #[test]
    fn snapshot() {
        // The builder is only copied from; `base` is built FROM and gives its label to `app`;
        // `debug` is an image of its own and lacks both.
        let src = "FROM golang:1.23 AS builder\nRUN go build\n\
                   FROM debian:12 AS base\nLABEL version=1.0.0\n\
                   FROM base AS app\nLABEL owner=team\nCOPY --from=builder /a /a\n\
                   FROM debian:12 AS debug\n";
        assert_eq!(
            run_with_labels(
                "DF082",
                src,
                &[("version", "semver"), ("owner", "text")],
                false
            ),
            "8: label `owner` is missing from stage `debug` (the label schema requires it)\n\
             8: label `version` is missing from stage `debug` (the label schema requires it)\n"
        );
        // No schema: nothing is required.
        assert_eq!(run_with_labels("DF082", "FROM a:1\n", &[], false), "");
        assert_eq!(
            run_with_labels("DF082", "FROM a:1\n", &[("owner", "")], false),
            "1: label `owner` is missing from the final stage (the label schema requires it)\n"
        );
    }
}
