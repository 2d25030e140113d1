use plimsoll_report::{Finding, RuleInfo};

use crate::{AuditContext, AuditError, Rule, declare_rule};

declare_rule! {
    /// A file in a layer contains a secret: a private key, a cloud or API
    /// key, a token or a password.
    ///
    /// Everything in any layer ships with the image, and anyone who can pull
    /// the image can read it, including files a later layer deleted. The scan
    /// reads the content of text files up to 2 MiB with an allowlist for
    /// documentation and test fixtures, and shows only a redacted prefix of
    /// what it found.
    ///
    /// Limit: a file larger than 2 MiB is not read at all (large files are
    /// data, archives and bundles, where reading costs the scan its speed),
    /// so a secret in one is missed.
    ///
    /// Fix: never COPY secrets into an image; use build secrets
    /// (`RUN --mount=type=secret`) and runtime secret stores; rotate the
    /// secret, since it is already exposed.
    pub struct SecretsInFiles {
        code: "IMG003",
        name: "secret-in-file",
        practice: "P-C6",
        severity: Critical,
    }
}

impl Rule for SecretsInFiles {
    fn info(&self) -> &'static RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &AuditContext<'_>, out: &mut Vec<Finding>) -> Result<(), AuditError> {
        for (layer, files) in ctx.secrets.iter().enumerate() {
            for file in files {
                let visible = ctx
                    .tree
                    .files
                    .get(&file.path)
                    .is_some_and(|n| n.layer() == layer);
                for hit in &file.hits {
                    let mut msg =
                        format!("{} in /{} ({})", hit.description, file.path, hit.redacted);
                    if !visible {
                        msg.push_str(&format!(
                            "; a later layer deletes or replaces the file, but layer {layer} still ships it"
                        ));
                    }
                    out.push(
                        Finding::new(&Self::INFO, msg)
                            .at_path(format!("/{}", file.path))
                            .at_line(hit.line)
                            .in_layer(layer, ctx.layer_digest(layer))
                            .with_help("remove the secret from the build context and rotate it"),
                    );
                }
            }
        }
        Ok(())
    }
}
