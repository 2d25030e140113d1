//! The host audit's own renderings: a table, plimsoll's JSON and
//! docker-bench-security's JSON log shape (`tests[].results[]` with `id`,
//! `desc`, `result`, `details`, `items`, `remediation`), so dashboards
//! built for docker-bench-security keep working.

use std::fmt::Write as _;

use plimsoll_report::{Finding, Tool};
use serde::Serialize;
use serde_json::{Value, json};

use crate::host::LoadedRules;
use crate::{Host, HostAudit, LiveState, Status};

/// CIS section titles.
fn section_title(id: &str) -> &'static str {
    match id {
        "1" => "Host Configuration",
        "2" => "Docker daemon configuration",
        "3" => "Docker daemon configuration files",
        "4" => "Container Images and Build File",
        _ => "Other",
    }
}

fn live_line(host: &Host) -> String {
    match &host.live {
        LiveState::Reachable(l) => {
            let v = |k: &str| {
                l.version
                    .get(k)
                    .and_then(Value::as_str)
                    .unwrap_or("?")
                    .to_string()
            };
            format!(
                "{} answered: Docker {} (API {})",
                l.url,
                v("Version"),
                v("ApiVersion")
            )
        }
        _ => host.no_live(),
    }
}

/// The human report: where the configuration was read, then one line per
/// check (with the fix under each WARN), then the counts. Checks that could
/// not be decided (INFO) are one line naming them unless `verbose`, which
/// gives each its own line with the reason.
pub fn render_table(audit: &HostAudit, host: &Host, verbose: bool) -> String {
    let mut out = String::new();
    let d = &host.daemon;
    let _ = writeln!(
        out,
        "Host audit of {} (CIS Docker Benchmark v1.6.0 numbering)",
        host.root.dir().display()
    );
    let _ = writeln!(
        out,
        "daemon configuration: {}{}",
        d.config_path,
        if d.config.is_some() {
            ""
        } else {
            " (not present)"
        }
    );
    match &d.command_line {
        Some(c) => {
            let _ = writeln!(
                out,
                "dockerd command line: {} ({})",
                c.args.join(" "),
                c.source
            );
        }
        None => {
            let _ = writeln!(
                out,
                "dockerd command line: none found (no dockerd process, no docker.service)"
            );
        }
    }
    let _ = writeln!(out, "live daemon: {}", live_line(host));
    for n in &d.notes {
        let _ = writeln!(out, "note: {n}");
    }
    if let LoadedRules::Unavailable { why } = &host.loaded_rules {
        let _ = writeln!(out, "loaded audit rules: not read ({why})");
    }
    out.push('\n');
    let mut undecided = Vec::new();
    for r in &audit.results {
        let o = &r.outcome;
        if o.status == Status::Info && !verbose {
            undecided.push(o.check.id);
            continue;
        }
        let _ = writeln!(
            out,
            "[{}] {:<7} {} {}",
            o.status.as_str(),
            o.check.id,
            r.rule.code,
            o.message
        );
        if o.status == Status::Warn {
            let _ = writeln!(out, "       fix: {}", o.check.remediation);
        }
    }
    if !undecided.is_empty() {
        let _ = writeln!(
            out,
            "[INFO] not decided (a file absent, no daemon; --verbose says why for each): {}",
            undecided.join(" ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} checks: {} PASS, {} WARN, {} INFO, {} NOTE",
        audit.results.len(),
        audit.count(Status::Pass),
        audit.count(Status::Warn),
        audit.count(Status::Info),
        audit.count(Status::Note)
    );
    out
}

#[derive(Serialize)]
struct ResultJson<'a> {
    id: &'a str,
    desc: &'a str,
    status: Status,
    code: &'a str,
    rule: &'a str,
    practice: &'a str,
    severity: plimsoll_report::Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    items: &'a [String],
    remediation: &'a str,
}

/// plimsoll's JSON report of a host audit.
pub fn to_json(audit: &HostAudit, host: &Host) -> Value {
    let d = &host.daemon;
    let live = match &host.live {
        LiveState::Reachable(l) => json!({"url": l.url, "reachable": true, "version": l.version}),
        LiveState::Unreachable { url, why } => {
            json!({"url": url, "reachable": false, "error": why})
        }
        LiveState::NotAsked => json!({"reachable": false, "error": "not asked"}),
    };
    let results: Vec<ResultJson> = audit
        .results
        .iter()
        .map(|r| ResultJson {
            id: r.outcome.check.id,
            desc: r.outcome.check.desc,
            status: r.outcome.status,
            code: r.rule.code,
            rule: r.rule.name,
            practice: r.rule.practice,
            severity: r.severity,
            message: &r.outcome.message,
            path: r.outcome.path.as_deref(),
            items: &r.outcome.items,
            remediation: r.outcome.check.remediation,
        })
        .collect();
    let findings: Vec<Finding> = audit.findings();
    json!({
        "schema_version": 1,
        "tool": Tool::PLIMSOLL,
        "root": host.root.dir().display().to_string(),
        "daemon": {
            "config_file": d.config_path,
            "config_present": d.config.is_some(),
            "command_line": d.command_line,
            "notes": d.notes,
            "socket": {"path": d.socket.value, "source": d.socket.source},
            "live": live,
        },
        "audit_rules_loaded": match &host.loaded_rules {
            LoadedRules::Read { source, .. } => json!({"read": true, "source": source}),
            LoadedRules::Unavailable { why } => json!({"read": false, "error": why}),
            LoadedRules::NotAsked => json!({"read": false, "error": "not asked"}),
        },
        "summary": {
            "checks": audit.results.len(),
            "pass": audit.count(Status::Pass),
            "warn": audit.count(Status::Warn),
            "info": audit.count(Status::Info),
            "note": audit.count(Status::Note),
        },
        "results": results,
        "findings": findings,
    })
}

/// docker-bench-security's JSON log: sections in `tests`, each check in
/// `results` with `result` PASS/WARN/INFO/NOTE, `details` (the message) for
/// all but a bare PASS, `items` when there are any, `remediation` for all
/// but PASS; `checks` counts the checks, `score` is PASSes minus WARNs.
/// `start` and `end` are Unix seconds.
pub fn to_docker_bench(audit: &HostAudit, start: u64, end: u64) -> Value {
    let mut tests: Vec<Value> = Vec::new();
    let mut current: Option<(String, Vec<Value>)> = None;
    for r in &audit.results {
        let o = &r.outcome;
        let section = o.check.id.split('.').next().unwrap_or("").to_string();
        if current.as_ref().is_none_or(|(s, _)| *s != section) {
            if let Some((s, results)) = current.take() {
                tests.push(json!({"id": s, "desc": section_title(&s), "results": results}));
            }
            current = Some((section, Vec::new()));
        }
        let mut entry = json!({
            "id": o.check.id,
            "desc": o.check.desc,
            "result": o.status.as_str(),
        });
        let m = entry.as_object_mut().expect("an object");
        m.insert("details".into(), json!(o.message));
        if !o.items.is_empty() {
            m.insert("items".into(), json!(o.items));
        }
        if o.status != Status::Pass {
            m.insert("remediation".into(), json!(o.check.remediation));
        }
        if let Some((_, results)) = current.as_mut() {
            results.push(entry);
        }
    }
    if let Some((s, results)) = current {
        tests.push(json!({"id": s, "desc": section_title(&s), "results": results}));
    }
    let score = audit.count(Status::Pass) as i64 - audit.count(Status::Warn) as i64;
    json!({
        "dockerbenchsecurity": format!("plimsoll {}", env!("CARGO_PKG_VERSION")),
        "start": start,
        "tests": tests,
        "checks": audit.results.len(),
        "score": score,
        "end": end,
    })
}
