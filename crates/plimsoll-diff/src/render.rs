//! The diff as a table and as plimsoll's JSON.

use std::fmt::Write as _;

use plimsoll_report::human_bytes;
use serde_json::Value;

use crate::{FileInfo, ImageDiff, LayerInfo, MetadataChange, Sizes};

impl ImageDiff {
    /// `--format json`: every field, pretty, with a trailing newline
    /// (schema `schemas/image-diff.schema.json`).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// `--format table`: a section per kind of difference.
    pub fn to_table(&self) -> String {
        let mut t = String::new();
        let _ = writeln!(
            t,
            "image 1  {} ({})\nimage 2  {} ({})",
            self.image1.reference, self.image1.digest, self.image2.reference, self.image2.digest
        );
        if self.identical {
            let _ = writeln!(t, "\nno difference in files, packages, metadata or history");
        }
        self.layers_table(&mut t);
        sizes_table(&mut t, &self.size.image1, &self.size.image2);
        if !self.metadata.is_empty() {
            let _ = writeln!(t, "\nMetadata: {} changed", self.metadata.len());
            for m in &self.metadata {
                let _ = writeln!(t, "  {}", metadata_line(m));
            }
        }
        if !self.history.is_empty() {
            let _ = writeln!(
                t,
                "\nHistory: {} added, {} removed",
                self.history.added.len(),
                self.history.removed.len()
            );
            for h in &self.history.removed {
                let _ = writeln!(t, "  - {h}");
            }
            for h in &self.history.added {
                let _ = writeln!(t, "  + {h}");
            }
        }
        let p = &self.packages;
        if !p.is_empty() {
            let _ = writeln!(
                t,
                "\nPackages: {} added, {} removed, {} changed",
                p.added.len(),
                p.removed.len(),
                p.changed.len()
            );
            for (sign, list) in [('-', &p.removed), ('+', &p.added)] {
                for x in list {
                    let _ = writeln!(
                        t,
                        "  {sign} {:<7} {} {} (layer {})",
                        x.package_type.as_str(),
                        x.name,
                        x.version,
                        x.layer
                    );
                }
            }
            for c in &p.changed {
                let _ = writeln!(
                    t,
                    "  ~ {:<7} {} {} -> {} (layer {} -> {})",
                    c.package_type.as_str(),
                    c.name,
                    c.image1.version,
                    c.image2.version,
                    c.image1.layer,
                    c.image2.layer
                );
            }
        }
        if let Some(v) = &self.vulnerabilities {
            let _ = writeln!(
                t,
                "\nVulnerabilities ({}): {} fixed, {} introduced",
                v.database,
                v.fixed.len(),
                v.introduced.len()
            );
            for (mark, list) in [('-', &v.fixed), ('+', &v.introduced)] {
                for x in list {
                    let _ = writeln!(
                        t,
                        "  {mark} {:<16} {:<10} {} {} (layer {})",
                        x.id, x.severity, x.package, x.version, x.layer
                    );
                }
            }
        }
        let f = &self.files;
        if !f.is_empty() {
            let _ = writeln!(
                t,
                "\nFiles: {} added, {} removed, {} changed",
                f.added.len(),
                f.removed.len(),
                f.changed.len()
            );
            for x in &f.removed {
                let _ = writeln!(t, "  - {}", file_line(x));
            }
            for x in &f.added {
                let _ = writeln!(t, "  + {}", file_line(x));
            }
            for c in &f.changed {
                let (a, b) = (&c.image1, &c.image2);
                let what: Vec<String> = c
                    .changes
                    .iter()
                    .map(|k| match *k {
                        "kind" => format!("kind {} -> {}", a.kind, b.kind),
                        "size" => {
                            format!("size {} -> {}", human_bytes(a.size), human_bytes(b.size))
                        }
                        "mode" => format!("mode {} -> {}", a.mode, b.mode),
                        "owner" => format!("owner {}:{} -> {}:{}", a.uid, a.gid, b.uid, b.gid),
                        "link" => format!(
                            "link {} -> {}",
                            a.link.as_deref().unwrap_or("-"),
                            b.link.as_deref().unwrap_or("-")
                        ),
                        other => other.to_string(),
                    })
                    .collect();
                let _ = writeln!(t, "  ~ {}  {}", c.path, what.join(", "));
            }
        }
        t
    }

    fn layers_table(&self, t: &mut String) {
        let l = &self.layers;
        let _ = writeln!(
            t,
            "\nLayers: {} shared (the common base), {} only in image 1, {} only in image 2",
            l.shared,
            l.only_image1.len(),
            l.only_image2.len()
        );
        let row = |t: &mut String, side: &str, x: &LayerInfo| {
            let digest = x.digest.get(..19).unwrap_or(&x.digest);
            let by = x.created_by.as_deref().unwrap_or("");
            let by: String = by.chars().take(60).collect();
            let _ = writeln!(
                t,
                "  {side:<7} #{:<3} {digest}  {:>10}  {by}",
                x.index,
                human_bytes(x.compressed_bytes)
            );
        };
        for x in &l.shared_layers {
            row(t, "shared", x);
        }
        for x in &l.only_image1 {
            row(t, "image 1", x);
        }
        for x in &l.only_image2 {
            row(t, "image 2", x);
        }
    }
}

fn sizes_table(t: &mut String, a: &Sizes, b: &Sizes) {
    let _ = writeln!(
        t,
        "\n{:<18} {:>12} {:>12} {:>13}",
        "Size", "image 1", "image 2", "change"
    );
    let delta = |x: u64, y: u64| {
        if y >= x {
            format!("+{}", human_bytes(y - x))
        } else {
            format!("-{}", human_bytes(x - y))
        }
    };
    for (name, x, y) in [
        ("compressed", a.compressed_bytes, b.compressed_bytes),
        ("uncompressed", a.uncompressed_bytes, b.uncompressed_bytes),
        ("files' bytes", a.files_bytes, b.files_bytes),
        ("wasted bytes", a.wasted_bytes, b.wasted_bytes),
    ] {
        let _ = writeln!(
            t,
            "  {name:<16} {:>12} {:>12} {:>13}",
            human_bytes(x),
            human_bytes(y),
            delta(x, y)
        );
    }
    let _ = writeln!(
        t,
        "  {:<16} {:>12} {:>12} {:>+13}",
        "files",
        a.files,
        b.files,
        b.files as i64 - a.files as i64
    );
    let _ = writeln!(
        t,
        "  {:<16} {:>11.2}% {:>11.2}%",
        "efficiency",
        a.efficiency * 100.0,
        b.efficiency * 100.0
    );
}

fn value_text(v: &Option<Value>) -> String {
    match v {
        None => "(unset)".to_string(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(v) => v.to_string(),
    }
}

fn metadata_line(m: &MetadataChange) -> String {
    let mark = match (&m.image1, &m.image2) {
        (None, Some(_)) => '+',
        (Some(_), None) => '-',
        _ => '~',
    };
    format!(
        "{mark} {}: {} -> {}",
        m.field,
        value_text(&m.image1),
        value_text(&m.image2)
    )
}

fn file_line(f: &FileInfo) -> String {
    let link = f
        .link
        .as_deref()
        .map(|l| format!(" -> {l}"))
        .unwrap_or_default();
    format!(
        "{}{link}  ({}, {}, {} {}:{}, layer {})",
        f.path,
        f.kind,
        human_bytes(f.size),
        f.mode,
        f.uid,
        f.gid,
        f.layer
    )
}
