//! IMG011 process-supervisor: supervisors, and background jobs in the command.

use plimsoll_report::Severity;
use serde_json::json;

use super::*;

fn cmd(cmd: &[&str]) -> plimsoll_testkit::ImageSpec {
    image_configured(json!({ "Cmd": cmd }))
}

fn shell(script: &str) -> plimsoll_testkit::ImageSpec {
    cmd(&["/bin/sh", "-c", script])
}

#[test]
fn supervisord() {
    let f = one(
        "IMG011",
        cmd(&[
            "/usr/bin/supervisord",
            "-n",
            "-c",
            "/etc/supervisor/supervisord.conf",
        ]),
    );
    assert_eq!(f.name, "process-supervisor");
    assert_eq!(f.practice, "P-A1");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(
        f.message,
        "the container starts the supervisor /usr/bin/supervisord"
    );
    assert!(f.help.is_some());
}

#[test]
fn supervisor_in_the_entrypoint() {
    let f = one(
        "IMG011",
        image_configured(json!({"Entrypoint": ["/usr/bin/supervisord"], "Cmd": ["-n"]})),
    );
    assert_eq!(f.location.field.as_deref(), Some("config.Entrypoint"));
}

#[test]
fn s6_runit_systemd_and_friends() {
    for prog in [
        "/init",
        "/usr/bin/s6-svscan",
        "/command/s6-svscan",
        "runsvdir",
        "/sbin/runit",
        "/lib/systemd/systemd",
        "/sbin/init",
        "/usr/bin/monit",
        "circusd",
        "/package/admin/s6-overlay/command/s6-overlay-suexec",
    ] {
        let f = one("IMG011", cmd(&[prog]));
        assert_eq!(
            f.message,
            format!("the container starts the supervisor {prog}")
        );
    }
}

#[test]
fn a_background_job() {
    let f = one("IMG011", shell("php-fpm -D & nginx -g 'daemon off;'"));
    assert_eq!(f.location.field.as_deref(), Some("config.Cmd"));
    assert_eq!(
        f.message,
        "the command starts several programs or background jobs: `php-fpm -D & nginx -g 'daemon off;'`"
    );
}

#[test]
fn background_jobs_in_every_position() {
    for script in [
        "worker &",
        "redis-server &\nexec app",
        "cron&app",
        "(sleep 1; reload) & exec nginx",
    ] {
        one("IMG011", shell(script));
    }
}

#[test]
fn a_service_started_before_the_application() {
    let f = one(
        "IMG011",
        shell("service cron start && exec nginx -g 'daemon off;'"),
    );
    assert!(f.message.contains("service cron start"), "{}", f.message);
}

#[test]
fn supervisord_inside_a_shell_command() {
    one("IMG011", shell("/app/prepare.sh && exec supervisord -n"));
}

#[test]
fn a_shell_entrypoint_with_background_jobs() {
    let f = one(
        "IMG011",
        image_configured(
            json!({"Entrypoint": ["/bin/bash", "-c", "sshd -D & exec app"], "Cmd": null}),
        ),
    );
    assert!(f.message.contains("sshd -D & exec app"), "{}", f.message);
}

#[test]
fn a_supervisor_behind_a_small_init() {
    for config in [
        json!({"Entrypoint": ["/sbin/tini", "--"], "Cmd": ["supervisord", "-n"]}),
        json!({"Entrypoint": ["/usr/bin/dumb-init", "--single-child", "--"], "Cmd": ["/usr/bin/supervisord"]}),
        json!({"Entrypoint": ["tini", "-g", "--", "/usr/bin/s6-svscan", "/etc/s6"], "Cmd": null}),
        json!({"Entrypoint": ["/sbin/tini", "--"], "Cmd": ["/bin/sh", "-c", "nginx & exec app"]}),
    ] {
        one("IMG011", image_configured(config));
    }
}

#[test]
fn near_miss_a_small_init() {
    for init in [
        json!({"Entrypoint": ["/sbin/tini", "--"], "Cmd": ["/app/server"]}),
        json!({"Entrypoint": ["/usr/bin/dumb-init", "--"], "Cmd": ["/app/server"]}),
        json!({"Entrypoint": ["docker-init", "--"], "Cmd": ["/app/server"]}),
    ] {
        silent("IMG011", image_configured(init));
    }
}

#[test]
fn near_miss_look_alike_names() {
    for prog in [
        "/usr/local/bin/init-db",
        "/app/initialize",
        "systemctl",
        "/usr/bin/monitor",
        "s6-echo",
    ] {
        silent("IMG011", cmd(&[prog]));
    }
}

#[test]
fn near_miss_sequences_and_conditionals() {
    for script in [
        "migrate && exec server",
        "test -f /cfg || exit 1; exec server",
        "exec server &>/var/log/server.log",
        "exec app >/proc/1/fd/1 2>&1",
        "exec app 2>&1 </dev/null <&0",
        "exec app |& tee /proc/1/fd/1",
        "service_name=web exec server",
    ] {
        silent("IMG011", shell(script));
    }
}

#[test]
fn near_miss_a_supervisor_name_as_an_argument() {
    // Only the program decides; exec-form arguments are not commands.
    silent(
        "IMG011",
        cmd(&["/app/server", "--name", "supervisord", "&"]),
    );
}

#[test]
fn near_miss_no_command() {
    silent("IMG011", image_configured(json!({"Cmd": null})));
}
