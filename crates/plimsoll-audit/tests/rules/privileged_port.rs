//! IMG009 privileged-port.

use plimsoll_report::Severity;
use serde_json::json;

use super::*;

fn exposing(ports: &[&str]) -> plimsoll_testkit::ImageSpec {
    let map: serde_json::Map<String, serde_json::Value> =
        ports.iter().map(|p| (p.to_string(), json!({}))).collect();
    image_configured(json!({ "ExposedPorts": map }))
}

#[test]
fn port_80() {
    let f = one("IMG009", exposing(&["80/tcp"]));
    assert_eq!(f.name, "privileged-port");
    assert_eq!(f.practice, "P-F8");
    assert_eq!(f.severity, Severity::Low);
    assert_eq!(f.message, "exposes privileged port 80/tcp");
    assert_eq!(
        f.location.field.as_deref(),
        Some("config.ExposedPorts[80/tcp]")
    );
}

#[test]
fn each_low_port_with_or_without_protocol() {
    let fields: Vec<_> = findings(
        "IMG009",
        exposing(&["443", "53/udp", "8080/tcp", "1023/tcp"]),
    )
    .into_iter()
    .filter_map(|f| f.location.field)
    .collect();
    assert_eq!(
        fields,
        [
            "config.ExposedPorts[1023/tcp]",
            "config.ExposedPorts[443]",
            "config.ExposedPorts[53/udp]",
        ]
    );
}

#[test]
fn near_miss_unprivileged_ports() {
    silent(
        "IMG009",
        exposing(&["1024/tcp", "8080/tcp", "8443", "65535/udp"]),
    );
}

#[test]
fn near_miss_no_exposed_ports() {
    silent("IMG009", image_configured(json!({ "ExposedPorts": null })));
}
