//! Injected environment services (P-I1): the marks `plimsoll dockerfile
//! inject` leaves (its labels) and the one a JVM agent needs (`-javaagent`
//! in a JVM options variable), judged here for the Dockerfile rule (DF053)
//! and the image rule (IMG017), so a test-only agent is recognised the same
//! way in a Dockerfile and in a built image's config.

use std::fmt;

/// The label naming the services injected (comma-separated).
pub const INJECTED_LABEL: &str = "io.plimsoll.services.injected";
/// `io.plimsoll.service.<name>.source`: where a service's files came from.
pub const SOURCE_LABEL_PREFIX: &str = "io.plimsoll.service.";
/// The suffix of [`SOURCE_LABEL_PREFIX`] labels.
pub const SOURCE_LABEL_SUFFIX: &str = ".source";
/// The JVM variables an agent is loaded through.
pub const JVM_OPTIONS: [&str; 3] = ["JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"];

/// One sign that an environment service was added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    /// An injection label: [`INJECTED_LABEL`] or a service's source label.
    Label { key: String, value: String },
    /// `-javaagent` in one of [`JVM_OPTIONS`].
    JavaAgent { variable: String },
}

impl fmt::Display for Mark {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mark::Label { key, value } => write!(f, "label `{key}={value}`"),
            Mark::JavaAgent { variable } => write!(f, "a -javaagent in `{variable}`"),
        }
    }
}

/// The service source label of service `name`.
pub fn source_label(name: &str) -> String {
    format!("{SOURCE_LABEL_PREFIX}{name}{SOURCE_LABEL_SUFFIX}")
}

/// The mark a label is, if it is one.
pub fn label_mark(key: &str, value: &str) -> Option<Mark> {
    let source = key
        .strip_prefix(SOURCE_LABEL_PREFIX)
        .and_then(|k| k.strip_suffix(SOURCE_LABEL_SUFFIX))
        .is_some_and(|name| !name.is_empty());
    (key == INJECTED_LABEL || source).then(|| Mark::Label {
        key: key.to_string(),
        value: value.to_string(),
    })
}

/// The mark an environment variable is, if it is one: a JVM options
/// variable whose value loads an agent (`-javaagent:…`).
pub fn env_mark(name: &str, value: &str) -> Option<Mark> {
    (JVM_OPTIONS.contains(&name) && value.contains("-javaagent")).then(|| Mark::JavaAgent {
        variable: name.to_string(),
    })
}

/// Whether an image or Dockerfile for `environment` must carry no
/// service: no `[[services]]` entry lists it (`environments_with_services`
/// are the environments the catalogue lists).
pub fn service_free<S: AsRef<str>>(environment: &str, environments_with_services: &[S]) -> bool {
    !environments_with_services
        .iter()
        .any(|e| e.as_ref() == environment)
}

/// Which environment an image or a Dockerfile is built for, and which
/// environments get services: the one decision DF053 and IMG017 share.
/// Stated (`--env prod`), or read from the label named by plimsoll.toml's
/// `[environments] label` (`com.example.environment=prod`); both unset:
/// the rules are off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Environment {
    /// `--env`: the environment, stated; wins over the label.
    pub stated: Option<String>,
    /// The label whose value names the environment when none is stated.
    pub label: Option<String>,
    /// The environments the `[[services]]` catalogue lists (they get services).
    pub with_services: Vec<String>,
}

impl Environment {
    /// No environment, no label: the rules are off.
    pub const NONE: Environment = Environment {
        stated: None,
        label: None,
        with_services: Vec::new(),
    };

    /// The environment built for, when it gets no services (the rules
    /// then flag every mark): the stated one, else `labelled`, the value
    /// the image or Dockerfile gives the configured [`Environment::label`].
    pub fn service_free<'a>(&'a self, labelled: Option<&'a str>) -> Option<&'a str> {
        let env = match &self.stated {
            Some(e) => e.as_str(),
            None => labelled.filter(|_| self.label.is_some())?,
        };
        service_free(env, &self.with_services).then_some(env)
    }
}

/// The finding's message: `mark`, in `what` (`a Dockerfile`, `an image`)
/// built for `environment`.
pub fn message(mark: &Mark, what: &str, environment: &str) -> String {
    format!(
        "{mark}: an injected service in {what} for environment `{environment}`, which gets no services"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(
            label_mark(INJECTED_LABEL, "jacoco").map(|m| m.to_string()),
            Some("label `io.plimsoll.services.injected=jacoco`".into())
        );
        assert!(label_mark(&source_label("jacoco"), "r@sha256:00").is_some());
        for other in [
            "io.plimsoll.service..source",
            "io.plimsoll.service.jacoco",
            "org.opencontainers.image.source",
            "io.plimsoll.services.injected.note",
        ] {
            assert_eq!(label_mark(other, "x"), None, "{other}");
        }
    }

    #[test]
    fn java_agents() {
        for v in JVM_OPTIONS {
            assert_eq!(
                env_mark(v, "-Xmx1g -javaagent:/opt/a.jar=destfile=/tmp/x"),
                Some(Mark::JavaAgent { variable: v.into() })
            );
            assert_eq!(env_mark(v, "-Xmx1g"), None);
        }
        assert_eq!(env_mark("JAVA_OPTS", "-javaagent:/a.jar"), None);
        assert_eq!(
            message(
                &env_mark("JAVA_TOOL_OPTIONS", "-javaagent:/a.jar").unwrap(),
                "an image",
                "prod"
            ),
            "a -javaagent in `JAVA_TOOL_OPTIONS`: an injected service in an image for environment `prod`, which gets no services"
        );
    }

    #[test]
    fn the_environment_stated_or_labelled() {
        let e = |stated: Option<&str>, label: Option<&str>| Environment {
            stated: stated.map(str::to_string),
            label: label.map(str::to_string),
            with_services: vec!["test".into()],
        };
        assert_eq!(e(Some("prod"), None).service_free(None), Some("prod"));
        assert_eq!(
            e(Some("test"), Some("env")).service_free(Some("prod")),
            None
        );
        assert_eq!(
            e(None, Some("env")).service_free(Some("prod")),
            Some("prod")
        );
        assert_eq!(e(None, Some("env")).service_free(Some("test")), None);
        assert_eq!(e(None, Some("env")).service_free(None), None);
        assert_eq!(Environment::NONE.service_free(Some("prod")), None);
    }

    #[test]
    fn environments() {
        assert!(service_free("prod", &["test", "staging"]));
        assert!(!service_free("test", &["test", "staging"]));
        assert!(service_free::<&str>("test", &[]));
    }
}
