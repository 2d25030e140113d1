//! The web page: HTML rendered by the server (no build step, no script), a
//! list of images and a page per digest.

use std::fmt::Write;

use plimsoll_report::render::xml_escape as esc;
use plimsoll_store::{ImageFilter, ImageRow, QueueCounts};
use serde_json::Value;

const STYLE: &str = "body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1b1f24;background:#f6f8fa}\
header{background:#0b3d5c;color:#fff;padding:10px 24px;display:flex;gap:24px;align-items:baseline}\
header a{color:#fff;text-decoration:none;font-weight:600;font-size:18px}main{padding:16px 24px}\
table{border-collapse:collapse;width:100%;background:#fff}th,td{border-bottom:1px solid #d8dee4;padding:6px 8px;text-align:left;vertical-align:top}\
th{background:#eef1f4}code{font:12px ui-monospace,monospace}.passed{color:#1a7f37;font-weight:600}\
.failed{color:#cf222e;font-weight:600}.error{color:#9a6700;font-weight:600}.n{text-align:right}\
.critical{background:#cf222e;color:#fff}.high{background:#fb8f44}.medium{background:#f5d90a}.low{background:#cfe3ff}\
.sev{padding:1px 6px;border-radius:8px;font-size:12px}form{margin:0 0 12px}input{padding:4px}\
section{margin:18px 0}h2{font-size:16px;margin:0 0 6px}.muted{color:#57606a}";

fn head(title: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} · plimsoll</title>\
         <meta name=\"viewport\" content=\"width=device-width\"><style>{STYLE}</style></head><body>\
         <header><a href=\"/\">plimsoll</a><span>{}</span></header><main>",
        esc(title),
        esc(title)
    )
}

const TAIL: &str = "</main></body></html>\n";

/// `YYYY-MM-DD HH:MM:SS UTC` of milliseconds since 1970.
pub fn time(ms: i64) -> String {
    let iso = plimsoll_sbom::rfc3339_utc(u64::try_from(ms / 1000).unwrap_or(0));
    format!("{} UTC", iso.replace('T', " ").trim_end_matches('Z'))
}

fn verdict_cell(row: &ImageRow) -> String {
    match (row.status.as_str(), row.verdict.as_deref()) {
        ("scanned", Some(v)) => format!("<span class=\"{v}\">{v}</span>"),
        _ => "<span class=\"error\">scan failed</span>".into(),
    }
}

fn short(digest: &str) -> &str {
    digest.get(..19).unwrap_or(digest)
}

/// The list of images.
pub fn index(images: &[ImageRow], filter: &ImageFilter, queue: &QueueCounts) -> String {
    let mut s = head("Images");
    let _ = write!(
        s,
        "<form method=\"get\" action=\"/\"><input name=\"repository\" placeholder=\"repository\" value=\"{}\"> \
         <input name=\"tag\" placeholder=\"tag\" value=\"{}\"> <button>Filter</button> \
         <span class=\"muted\">{} images · queue: {} queued, {} scanning, {} failed</span></form>",
        esc(filter.repository.as_deref().unwrap_or("")),
        esc(filter.tag.as_deref().unwrap_or("")),
        images.len(),
        queue.queued,
        queue.running,
        queue.failed
    );
    s.push_str(
        "<table id=\"images\"><thead><tr><th>Repository</th><th>Tags</th><th>Digest</th><th>Verdict</th>\
         <th class=\"n\">Critical</th><th class=\"n\">High</th><th class=\"n\">Medium</th><th class=\"n\">Low</th>\
         <th class=\"n\">Findings</th><th>Scanned</th></tr></thead><tbody>",
    );
    if images.is_empty() {
        s.push_str("<tr><td colspan=\"10\" class=\"muted\">No image scanned yet: push one to the registry, or POST /v1/scans.</td></tr>");
    }
    for row in images {
        let mut repos: Vec<&str> = row.refs.iter().map(|r| r.repository.as_str()).collect();
        repos.dedup();
        let tags: Vec<String> = row
            .refs
            .iter()
            .filter(|r| !r.tag.is_empty())
            .map(|r| {
                if r.current {
                    esc(&r.tag)
                } else {
                    format!(
                        "<span class=\"muted\" title=\"moved to a newer digest\">{} (moved)</span>",
                        esc(&r.tag)
                    )
                }
            })
            .collect();
        let repo = if repos.is_empty() {
            row.reference
                .split('@')
                .next()
                .unwrap_or(&row.reference)
                .to_string()
        } else {
            repos.join(", ")
        };
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td><a href=\"/images/{}\"><code>{}</code></a></td><td>{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td>{}</td></tr>",
            esc(&repo),
            tags.join(", "),
            esc(&row.digest),
            esc(short(&row.digest)),
            verdict_cell(row),
            row.counts.critical,
            row.counts.high,
            row.counts.medium,
            row.counts.low,
            row.findings,
            time(row.scanned_at)
        );
    }
    s.push_str("</tbody></table>");
    s.push_str(TAIL);
    s
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The page of one digest.
pub fn image(row: &ImageRow, report: Option<&Value>) -> String {
    let mut s = head(short(&row.digest));
    let _ = write!(
        s,
        "<section><h2>Image</h2><table><tr><th>Digest</th><td><code id=\"digest\">{}</code></td></tr>\
         <tr><th>Reference</th><td><code>{}</code></td></tr><tr><th>Verdict</th><td id=\"verdict\">{}</td></tr>\
         <tr><th>Vulnerabilities</th><td id=\"counts\">{} critical, {} high, {} medium, {} low, {} other</td></tr>\
         <tr><th>Audit findings</th><td>{}</td></tr><tr><th>Packages</th><td>{}</td></tr>\
         <tr><th>Scanned</th><td>{} in {:.1} s, advisory database built {}</td></tr>",
        esc(&row.digest),
        esc(&row.reference),
        verdict_cell(row),
        row.counts.critical,
        row.counts.high,
        row.counts.medium,
        row.counts.low,
        row.counts.other,
        row.findings,
        row.packages,
        time(row.scanned_at),
        row.duration_ms as f64 / 1000.0,
        esc(row.database_built.as_deref().unwrap_or("?"))
    );
    if let Some(e) = &row.error {
        let _ = write!(
            s,
            "<tr><th>Error</th><td class=\"error\">{}</td></tr>",
            esc(e)
        );
    }
    let _ = write!(
        s,
        "<tr><th>Documents</th><td><a href=\"/v1/images/{d}\">JSON</a> · <a href=\"/v1/images/{d}/sarif\">SARIF</a> · \
         <a href=\"/v1/images/{d}/sbom?format=cyclonedx\">CycloneDX</a> · <a href=\"/v1/images/{d}/sbom?format=spdx\">SPDX</a></td></tr></table></section>",
        d = esc(&row.digest)
    );

    s.push_str("<section><h2>Tags and repositories</h2><table><thead><tr><th>Repository</th><th>Tag</th><th>First seen</th><th>Last seen</th></tr></thead><tbody>");
    for r in &row.refs {
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.repository),
            match (r.tag.is_empty(), r.current) {
                (true, _) => "<span class=\"muted\">(by digest)</span>".to_string(),
                (false, true) => esc(&r.tag),
                (false, false) => format!(
                    "{} <span class=\"muted\">(moved to a newer digest)</span>",
                    esc(&r.tag)
                ),
            },
            time(r.first_seen),
            time(r.last_seen)
        );
    }
    s.push_str("</tbody></table></section>");

    let Some(report) = report else {
        s.push_str(TAIL);
        return s;
    };
    let empty = Vec::new();
    let vulns = report
        .pointer("/vulnerabilities/findings")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let _ = write!(
        s,
        "<section><h2>Vulnerabilities ({})</h2><table id=\"vulnerabilities\"><thead><tr><th>Severity</th><th>Id</th><th>Package</th>\
         <th>Installed</th><th>Fixed in</th><th>Summary</th></tr></thead><tbody>",
        vulns.len()
    );
    for v in vulns {
        let sev = str_of(v, "severity");
        let id = str_of(v, "id");
        let link = v.get("advisories").and_then(Value::as_array).and_then(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .find(|u| u.starts_with("https://"))
        });
        let id_html = match link {
            Some(u) => format!("<a href=\"{}\">{}</a>", esc(u), esc(id)),
            None => esc(id),
        };
        let fixed: Vec<&str> = v
            .get("fixed")
            .and_then(Value::as_array)
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let pkg = v.get("package").cloned().unwrap_or_default();
        let suppressed = v
            .get("suppressed")
            .is_some_and(|x| !x.is_null() && x != false);
        let _ = write!(
            s,
            "<tr{}><td><span class=\"sev {}\">{}</span></td><td>{}</td><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td></tr>",
            if suppressed { " class=\"muted\"" } else { "" },
            esc(sev),
            esc(sev),
            id_html,
            esc(str_of(&pkg, "name")),
            esc(str_of(&pkg, "version")),
            esc(&fixed.join(", ")),
            esc(str_of(v, "summary"))
        );
    }
    s.push_str("</tbody></table></section>");

    let findings = report
        .pointer("/audit/findings")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    let _ = write!(
        s,
        "<section><h2>Audit findings ({})</h2><table id=\"findings\"><thead><tr><th>Severity</th><th>Rule</th><th>Practice</th><th>Message</th><th>Where</th></tr></thead><tbody>",
        findings.len()
    );
    for f in findings {
        let sev = str_of(f, "severity");
        let loc = f.get("location").cloned().unwrap_or_default();
        let place = [str_of(&loc, "path"), str_of(&loc, "field")]
            .into_iter()
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(
            s,
            "<tr><td><span class=\"sev {}\">{}</span></td><td><code>{}</code> {}</td><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(sev),
            esc(sev),
            esc(str_of(f, "code")),
            esc(str_of(f, "name")),
            esc(str_of(f, "practice")),
            esc(str_of(f, "message")),
            esc(&place)
        );
    }
    s.push_str("</tbody></table></section>");

    let layers = report
        .pointer("/image/layers")
        .and_then(Value::as_array)
        .unwrap_or(&empty);
    s.push_str("<section><h2>Layers</h2><table id=\"layers\"><thead><tr><th>#</th><th>Digest</th><th class=\"n\">Size</th><th class=\"n\">Files</th><th>Created by</th></tr></thead><tbody>");
    for l in layers {
        let _ = write!(
            s,
            "<tr><td>{}</td><td><code>{}</code></td><td class=\"n\">{}</td><td class=\"n\">{}</td><td><code>{}</code></td></tr>",
            l.get("index").and_then(Value::as_u64).unwrap_or(0),
            esc(short(str_of(l, "digest"))),
            l.get("uncompressed_bytes")
                .and_then(Value::as_u64)
                .unwrap_or(0),
            l.get("entries").and_then(Value::as_u64).unwrap_or(0),
            esc(str_of(l, "created_by"))
        );
    }
    s.push_str("</tbody></table></section>");
    s.push_str(TAIL);
    s
}

pub fn not_found(digest: &str) -> String {
    let mut s = head("Not found");
    let _ = write!(
        s,
        "<p>{} has not been scanned. <a href=\"/\">All images</a></p>",
        esc(digest)
    );
    s.push_str(TAIL);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_times() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&apos;"
        );
        assert_eq!(time(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(time(1_796_212_800_000), "2026-12-02 12:00:00 UTC");
        assert_eq!(time(951_782_400_000), "2000-02-29 00:00:00 UTC");
    }
}
