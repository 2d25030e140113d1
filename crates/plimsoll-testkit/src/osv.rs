//! OSV advisory records for vulnerability tests, and the zip archives OSV
//! publishes them in (`<Ecosystem>/all.zip`).

use std::io::Write;

use serde_json::{Value, json};

/// An OSV record (schema 1.6.0, modified 2024-05-01, published 2024-01-01,
/// summary "summary of ID"); the fields of `extra` are set at the top level
/// over those (`json!({})` for none).
pub fn record(id: &str, aliases: &[&str], affected: Value, extra: Value) -> Value {
    let mut r = json!({
        "schema_version": "1.6.0",
        "id": id,
        "modified": "2024-05-01T00:00:00Z",
        "published": "2024-01-01T00:00:00Z",
        "aliases": aliases,
        "summary": format!("summary of {id}"),
        "affected": affected,
    });
    if let (Some(r), Value::Object(extra)) = (r.as_object_mut(), extra) {
        r.extend(extra);
    }
    r
}

/// One `affected[]` entry: package `name` of `ecosystem`, one range of
/// type `kind` (`ECOSYSTEM`, `SEMVER`, `GIT`) with `events`.
pub fn affected(ecosystem: &str, name: &str, kind: &str, events: Value) -> Value {
    json!({
        "package": {"ecosystem": ecosystem, "name": name},
        "ranges": [{"type": kind, "events": events}],
    })
}

/// An `affected[]` entry from `introduced: 0` to `fixed: <fixed>` in the
/// ecosystem's order.
pub fn fixed_in(ecosystem: &str, name: &str, fixed: &str) -> Value {
    affected(
        ecosystem,
        name,
        "ECOSYSTEM",
        json!([{"introduced": "0"}, {"fixed": fixed}]),
    )
}

/// An `affected[]` entry with no fix: every version since `introduced: 0`.
pub fn unfixed(ecosystem: &str, name: &str) -> Value {
    affected(ecosystem, name, "ECOSYSTEM", json!([{"introduced": "0"}]))
}

/// A zip archive of `(name, content)` entries, in order.
pub fn zip_of<D: AsRef<[u8]>>(entries: &[(&str, D)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, data) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(data.as_ref()).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// DSA-5514-1 (CVE-2023-4911, CVSS 7.8: high): Debian 12's glibc before
/// 2.36-9+deb12u3. The advisory the scan, server and gate tests match.
pub fn glibc_dsa_5514() -> Value {
    record(
        "DSA-5514-1",
        &["CVE-2023-4911"],
        json!([fixed_in("Debian:12", "glibc", "2.36-9+deb12u3")]),
        json!({"summary": "glibc security update",
               "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}]}),
    )
}

/// A directory `root/osv` holding [`glibc_dsa_5514`], for `import`.
pub fn glibc_dir(root: &std::path::Path) -> std::path::PathBuf {
    let dir = root.join("osv");
    std::fs::create_dir_all(&dir).expect("creating the OSV directory");
    std::fs::write(dir.join("DSA-5514-1.json"), glibc_dsa_5514().to_string())
        .expect("writing the OSV record");
    dir
}
