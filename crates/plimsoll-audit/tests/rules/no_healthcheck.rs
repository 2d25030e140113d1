//! IMG012 no-healthcheck.

use plimsoll_report::Severity;
use serde_json::json;

use super::*;

#[test]
fn no_healthcheck() {
    let f = one("IMG012", image_configured(json!({"Healthcheck": null})));
    assert_eq!(f.name, "no-healthcheck");
    assert_eq!(f.practice, "P-F9");
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.message, "no HEALTHCHECK is defined");
    assert_eq!(f.location.field.as_deref(), Some("config.Healthcheck"));
}

#[test]
fn a_healthcheck_without_a_test() {
    for hc in [
        json!({"Test": []}),
        json!({"Test": null}),
        json!({"Interval": 30_000_000_000u64}),
    ] {
        let f = one("IMG012", image_configured(json!({ "Healthcheck": hc })));
        assert_eq!(f.message, "no HEALTHCHECK is defined");
    }
}

#[test]
fn a_disabled_healthcheck() {
    let f = one(
        "IMG012",
        image_configured(json!({"Healthcheck": {"Test": ["NONE"]}})),
    );
    assert_eq!(f.message, "HEALTHCHECK is disabled (NONE)");
    assert_eq!(f.location.field.as_deref(), Some("config.Healthcheck"));
}

#[test]
fn near_miss_exec_and_shell_healthchecks() {
    for test in [
        json!(["CMD", "/app/healthcheck"]),
        json!(["CMD-SHELL", "curl -f http://localhost/ || exit 1"]),
    ] {
        silent(
            "IMG012",
            image_configured(json!({"Healthcheck": {"Test": test}})),
        );
    }
}
