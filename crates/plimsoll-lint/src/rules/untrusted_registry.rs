use super::all_vars_known;
use crate::{Hit, LintContext, Rule, declare_rule, hit};

declare_rule! {
    /// FROM an image of a registry that is not trusted.
    ///
    /// Images should come only from the organisation's registries (P-D5):
    /// a base image pulled from anywhere else escapes the scanning, signing
    /// and approval those registries enforce. Active only when trusted
    /// registries are configured (plimsoll.toml `[lint] trusted_registries`,
    /// or `trustedRegistries` in `.hadolint.yaml`). Docker Hub images
    /// (`python:3.12`, `org/app`) come from `docker.io`; an entry `*.example.com`
    /// trusts every subdomain of example.com, `*` every registry. `scratch`
    /// and earlier stages are not pulled and are never flagged.
    ///
    /// Fix: pull the base image through a trusted registry (a mirror or
    /// proxy cache), or add its registry to the list.
    pub struct UntrustedRegistry {
        code: "DF052",
        name: "untrusted-registry",
        practice: "P-D5",
        hadolint: Some("DL3026"),
        severity: High,
    }
}

pub(crate) use plimsoll_oci::{registry_is_trusted as is_trusted, registry_of};

impl Rule for UntrustedRegistry {
    fn rule(&self) -> &'static crate::DfRule {
        &Self::RULE
    }

    fn check(&self, ctx: &LintContext<'_>, out: &mut Vec<Hit>) {
        let trusted = &ctx.options.trusted_registries;
        if trusted.is_empty() {
            return;
        }
        for st in &ctx.df.stages {
            let vars = ctx.vars_at(st.from);
            let image = if all_vars_known(&st.image, &vars) {
                plimsoll_dockerfile::expand(&st.image, &vars)
            } else {
                st.image.clone()
            };
            if image.is_empty()
                || image.eq_ignore_ascii_case("scratch")
                || ctx.df.stage_ref(&image, st.index).is_some()
            {
                continue;
            }
            // A variable left in the reference (no default, or a template
            // placeholder) hides the registry unless it comes after the
            // first `/`: `mcr.example/base:${VARIANT}` is still mcr.example.
            let registry = match image.find('$') {
                None => registry_of(&image),
                Some(at) if image[..at].contains('/') => registry_of(&image[..at]),
                Some(_) => continue,
            };
            if trusted.iter().any(|t| is_trusted(&registry, t)) {
                continue;
            }
            out.push(
                hit(
                    &Self::RULE,
                    st.from,
                    st.span.line,
                    format!(
                        "FROM `{image}` pulls from `{registry}`, which is not a trusted registry ({})",
                        trusted.join(", ")
                    ),
                )
                .help("pull the base image through a trusted registry, or add its registry to the trusted registries"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{is_trusted, registry_of};
    use crate::LintOptions;

    fn run(trusted: &[&str], src: &str) -> String {
        let options = LintOptions {
            trusted_registries: trusted.iter().map(|s| s.to_string()).collect(),
            ..LintOptions::default()
        };
        crate::lint_with_options("Dockerfile", src, &options)
            .unwrap()
            .iter()
            .filter(|f| f.code == "DF052")
            .map(|f| format!("{}: {}\n", f.location.line.unwrap_or(0), f.message))
            .collect()
    }

    #[test]
    fn registries() {
        for (image, registry) in [
            ("python:3.12", "docker.io"),
            ("org/app", "docker.io"),
            ("docker.io/library/debian:12", "docker.io"),
            ("index.docker.io/org/app", "docker.io"),
            ("GHCR.example/org/app@sha256:ab", "ghcr.example"),
            ("localhost/app", "localhost"),
            ("localhost:5000/app:1", "localhost:5000"),
            ("registry.example:5000/a/b/c", "registry.example:5000"),
        ] {
            assert_eq!(registry_of(image), registry, "{image}");
        }
        assert!(is_trusted("docker.io", "Docker.io"));
        assert!(is_trusted("docker.io", "index.docker.io"));
        assert!(is_trusted("eu.gcr.example", "*.gcr.example"));
        assert!(!is_trusted("gcr.example", "*.gcr.example"));
        assert!(!is_trusted("evilgcr.example", "*.gcr.example"));
        assert!(is_trusted("registry.example:5000", "registry.example*"));
        assert!(is_trusted("anything.example", "*"));
        assert!(!is_trusted("registry.example:5000", "registry.example"));
        assert!(!is_trusted("docker.io", ""));
    }

    #[test]
    fn snapshot() {
        let src = "ARG REG=mirror.example VARIANT=${templateOption:variant}\n\
                   FROM random.example/debian:12 AS a\n\
                   FROM a AS b\n\
                   FROM scratch\n\
                   FROM python:3.12\n\
                   FROM $REG/python:3.12\n\
                   FROM ${UNKNOWN}/python:3.12\n\
                   FROM mirror.example:5000/python:3.12\n\
                   FROM other.example/base:${VARIANT}\n\
                   FROM ${VARIANT}/base\n\
                   FROM python:${VARIANT}\n\
                   FROM other.example/app:${UNSET}\n";
        assert_eq!(
            run(&["mirror.example", "docker.io"], src),
            "2: FROM `random.example/debian:12` pulls from `random.example`, which is not a trusted registry (mirror.example, docker.io)\n\
             8: FROM `mirror.example:5000/python:3.12` pulls from `mirror.example:5000`, which is not a trusted registry (mirror.example, docker.io)\n\
             9: FROM `other.example/base:${templateOption:variant}` pulls from `other.example`, which is not a trusted registry (mirror.example, docker.io)\n\
             12: FROM `other.example/app:${UNSET}` pulls from `other.example`, which is not a trusted registry (mirror.example, docker.io)\n"
        );
        assert_eq!(
            run(&["mirror.example"], "FROM python:3.12\n"),
            "1: FROM `python:3.12` pulls from `docker.io`, which is not a trusted registry (mirror.example)\n"
        );
    }

    #[test]
    fn off_without_a_list() {
        assert_eq!(run(&[], "FROM random.example/debian:12\n"), "");
        // Opting in by code does not turn it on without a list either.
        let f = crate::lint_with("D", "FROM random.example/debian:12\n", &["DF052"]).unwrap();
        assert!(!f.iter().any(|f| f.code == "DF052"));
    }

    #[test]
    fn hadolint_ignore() {
        let src = "# hadolint ignore=DL3026\nFROM random.example/debian:12\nFROM other.example/x\n";
        assert_eq!(
            run(&["docker.io"], src),
            "3: FROM `other.example/x` pulls from `other.example`, which is not a trusted registry (docker.io)\n"
        );
    }
}
