//! IMG010 shell-form-command.

use plimsoll_report::Severity;
use serde_json::json;

use super::*;

#[test]
fn shell_form_cmd() {
    let f = one(
        "IMG010",
        image_configured(json!({"Cmd": ["/bin/sh", "-c", "nginx -g 'daemon off;'"]})),
    );
    assert_eq!(f.name, "shell-form-command");
    assert_eq!(f.practice, "P-A2");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.location.field.as_deref(), Some("config.Cmd"));
    assert_eq!(
        f.message,
        "config.Cmd runs through a shell (`/bin/sh -c nginx -g 'daemon off;'`)"
    );
}

#[test]
fn shell_form_entrypoint() {
    let f = one(
        "IMG010",
        image_configured(json!({"Entrypoint": ["/bin/bash", "-c", "/app/start.sh"], "Cmd": null})),
    );
    assert_eq!(f.location.field.as_deref(), Some("config.Entrypoint"));
    assert_eq!(
        f.message,
        "config.Entrypoint runs through a shell (`/bin/bash -c /app/start.sh`)"
    );
}

#[test]
fn any_shell_by_its_base_name() {
    for shell in ["sh", "/usr/bin/dash", "ash", "zsh"] {
        one(
            "IMG010",
            image_configured(json!({"Cmd": [shell, "-c", "/app/server"]})),
        );
    }
}

#[test]
fn an_empty_entrypoint_leaves_cmd_to_judge() {
    let f = one(
        "IMG010",
        image_configured(json!({"Entrypoint": [], "Cmd": ["/bin/sh", "-c", "/app/server"]})),
    );
    assert_eq!(f.location.field.as_deref(), Some("config.Cmd"));
}

#[test]
fn near_miss_exec_form() {
    silent(
        "IMG010",
        image_configured(json!({"Cmd": ["nginx", "-g", "daemon off;"]})),
    );
}

#[test]
fn near_miss_a_shell_that_execs() {
    silent(
        "IMG010",
        image_configured(json!({"Cmd": ["/bin/sh", "-c", "  exec /app/server --port 8080"]})),
    );
}

#[test]
fn near_miss_a_shell_running_a_script_file() {
    // `sh script.sh` (no -c) is a script run by a shell, not the shell form.
    silent(
        "IMG010",
        image_configured(json!({"Cmd": ["/bin/sh", "/app/start.sh"]})),
    );
}

#[test]
fn near_miss_exec_form_entrypoint_with_shell_form_cmd() {
    // The entrypoint is PID 1; the shell-form Cmd is only its arguments.
    silent(
        "IMG010",
        image_configured(json!({
            "Entrypoint": ["/app/entrypoint"],
            "Cmd": ["/bin/sh", "-c", "/app/server"],
        })),
    );
}

#[test]
fn near_miss_no_command() {
    silent("IMG010", image_configured(json!({"Cmd": null})));
}
