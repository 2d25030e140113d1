//! IMG017 injected-service-in-production.

use plimsoll_audit::AuditSettings;
use plimsoll_practice::services::Environment;
use plimsoll_report::Severity;
use serde_json::json;

use super::*;

/// The run config `plimsoll dockerfile inject --env test` gives the clean
/// image: the agent in JAVA_TOOL_OPTIONS and the injection labels.
fn injected() -> ImageSpec {
    image_configured(json!({
        "Env": [
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "JAVA_TOOL_OPTIONS=-Xmx256m -javaagent:/opt/jacoco/jacocoagent.jar=destfile=/tmp/jacoco.exec"
        ],
        "Labels": {
            "io.plimsoll.services.injected": "jacoco",
            "io.plimsoll.service.jacoco.source": "registry.example/jacoco@sha256:00",
            "com.example.environment": "test",
            "org.opencontainers.image.source": "https://example.com/app"
        }
    }))
}

fn settings(environment: Option<&str>, label: Option<&str>) -> AuditSettings {
    AuditSettings {
        environment: Environment {
            stated: environment.map(str::to_string),
            label: label.map(str::to_string),
            with_services: vec!["test".into(), "staging".into()],
        },
        ..AuditSettings::default()
    }
}

fn run(spec: ImageSpec, settings: AuditSettings) -> Vec<Finding> {
    Audit::new(spec).settings(settings).findings("IMG017")
}

#[test]
fn every_mark_in_an_image_for_prod() {
    let found = run(injected(), settings(Some("prod"), None));
    let seen: Vec<(&str, &str)> = found
        .iter()
        .map(|f| (f.location.field.as_deref().unwrap(), f.message.as_str()))
        .collect();
    assert_eq!(
        seen,
        [
            (
                "config.Env[JAVA_TOOL_OPTIONS]",
                "a -javaagent in `JAVA_TOOL_OPTIONS`: an injected service in an image for environment `prod`, which gets no services"
            ),
            (
                "config.Labels[io.plimsoll.service.jacoco.source]",
                "label `io.plimsoll.service.jacoco.source=registry.example/jacoco@sha256:00`: an injected service in an image for environment `prod`, which gets no services"
            ),
            (
                "config.Labels[io.plimsoll.services.injected]",
                "label `io.plimsoll.services.injected=jacoco`: an injected service in an image for environment `prod`, which gets no services"
            ),
        ]
    );
    let f = &found[0];
    assert_eq!(f.name, "injected-service-in-production");
    assert_eq!(f.practice, "P-I1");
    assert_eq!(f.severity, Severity::High);
    assert!(f.help.as_deref().unwrap().contains("--target"));
}

#[test]
fn off_without_an_environment_or_for_one_with_services() {
    assert!(run(injected(), AuditSettings::default()).is_empty());
    assert!(run(injected(), settings(Some("test"), None)).is_empty());
    assert!(run(injected(), settings(Some("staging"), None)).is_empty());
    // The label is configured, but the image says it is for `test`.
    assert!(run(injected(), settings(None, Some("com.example.environment"))).is_empty());
    // A configured label the image does not carry: no environment, off.
    assert!(run(injected(), settings(None, Some("com.example.stage"))).is_empty());
}

#[test]
fn the_configured_label_names_the_environment() {
    let spec = image_configured(json!({
        "Env": ["_JAVA_OPTIONS=-javaagent:/a.jar"],
        "Labels": {"com.example.environment": "production"}
    }));
    let found = run(spec, settings(None, Some("com.example.environment")));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].message,
        "a -javaagent in `_JAVA_OPTIONS`: an injected service in an image for environment `production`, which gets no services"
    );
}

#[test]
fn a_clean_production_image_passes() {
    // Near misses: JVM options without an agent, an agent in a variable the
    // JVM does not read, labels that only look alike.
    let spec = image_configured(json!({
        "Env": [
            "JAVA_TOOL_OPTIONS=-Xmx256m -XX:+UseG1GC",
            "JAVA_OPTS=-javaagent:/opt/app/own-agent.jar",
        ],
        "Labels": {
            "io.plimsoll.service.jacoco": "x",
            "org.opencontainers.image.source": "https://example.com/app"
        }
    }));
    assert!(run(spec, settings(Some("prod"), None)).is_empty());
}
