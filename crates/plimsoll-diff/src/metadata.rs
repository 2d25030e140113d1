//! The image config compared: run settings field by field (environment
//! variables and labels one by one), and the build history as a sequence.

use std::collections::{BTreeMap, BTreeSet};

use plimsoll_oci::{Image, RunConfig};
use serde::Serialize;
use serde_json::{Value, json};

/// One config setting that differs. `image1`/`image2` are absent where the
/// image does not set it. Fields: `user`, `env.NAME`, `entrypoint`, `cmd`,
/// `exposed_ports`, `label.KEY`, `healthcheck`, `working_dir`, `volumes`,
/// `stop_signal`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetadataChange {
    pub field: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image1: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image2: Option<Value>,
}

/// History steps (`created_by`, trimmed) only in the second image
/// (`added`) or only in the first (`removed`), by longest common
/// subsequence, in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct HistoryDiff {
    pub added: Vec<String>,
    pub removed: Vec<String>,
}

impl HistoryDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The settings compared, one value per field (absent: not set).
fn fields(c: &RunConfig) -> Vec<(String, Option<Value>)> {
    let set =
        |m: &BTreeMap<String, Value>| (!m.is_empty()).then(|| json!(m.keys().collect::<Vec<_>>()));
    let mut out = vec![
        ("user".to_string(), c.user.as_ref().map(|u| json!(u))),
        (
            "entrypoint".to_string(),
            c.entrypoint.as_ref().map(|v| json!(v)),
        ),
        ("cmd".to_string(), c.cmd.as_ref().map(|v| json!(v))),
        ("exposed_ports".to_string(), set(&c.exposed_ports)),
        (
            "healthcheck".to_string(),
            c.healthcheck.as_ref().map(|h| json!(h.test)),
        ),
        (
            "working_dir".to_string(),
            c.working_dir.as_ref().map(|w| json!(w)),
        ),
        ("volumes".to_string(), set(&c.volumes)),
        (
            "stop_signal".to_string(),
            c.stop_signal.as_ref().map(|s| json!(s)),
        ),
    ];
    for (k, v) in env(c) {
        out.push((format!("env.{k}"), Some(json!(v))));
    }
    for (k, v) in &c.labels {
        out.push((format!("label.{k}"), Some(json!(v))));
    }
    out
}

/// `NAME=value` entries by name (a later one wins, as at run time).
fn env(c: &RunConfig) -> BTreeMap<&str, &str> {
    c.env
        .iter()
        .map(|e| e.split_once('=').unwrap_or((e.as_str(), "")))
        .collect()
}

pub(crate) fn diff(a: &RunConfig, b: &RunConfig) -> Vec<MetadataChange> {
    let fa: BTreeMap<String, Option<Value>> = fields(a).into_iter().collect();
    let fb: BTreeMap<String, Option<Value>> = fields(b).into_iter().collect();
    let mut names: Vec<&String> = fa.keys().chain(fb.keys()).collect();
    names.sort_by(|x, y| (field_rank(x), x).cmp(&(field_rank(y), y)));
    names.dedup();
    names
        .into_iter()
        .filter_map(|name| {
            let va = fa.get(name).cloned().flatten();
            let vb = fb.get(name).cloned().flatten();
            (va != vb).then(|| MetadataChange {
                field: name.clone(),
                image1: va,
                image2: vb,
            })
        })
        .collect()
}

/// The order fields are listed in: the run settings, then variables, then labels.
fn field_rank(name: &str) -> u8 {
    if name.starts_with("env.") {
        1
    } else if name.starts_with("label.") {
        2
    } else {
        0
    }
}

pub(crate) fn history(a: &Image, b: &Image) -> HistoryDiff {
    let steps = |i: &Image| -> Vec<String> {
        i.config
            .history
            .iter()
            .map(|h| h.created_by.as_deref().unwrap_or("").trim().to_string())
            .collect()
    };
    let (added, removed) = sequence_diff(&steps(a), &steps(b));
    HistoryDiff { added, removed }
}

/// The largest table [`sequence_diff`] fills (histories of some 2,000 steps each).
const MAX_LCS_CELLS: usize = 4_000_000;

/// Items of `b` outside a longest common subsequence with `a` (added), and
/// items of `a` outside it (removed), each in order.
pub(crate) fn sequence_diff(a: &[String], b: &[String]) -> (Vec<String>, Vec<String>) {
    let (n, m) = (a.len(), b.len());
    if n.saturating_mul(m) > MAX_LCS_CELLS {
        // A history no build makes: compare as sets rather than fill a huge table.
        let (sa, sb): (BTreeSet<&String>, BTreeSet<&String>) =
            (a.iter().collect(), b.iter().collect());
        let added = b.iter().filter(|x| !sa.contains(x)).cloned().collect();
        let removed = a.iter().filter(|x| !sb.contains(x)).cloned().collect();
        return (added, removed);
    }
    // lcs[i][j]: the LCS length of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut added, mut removed) = (Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < m && (i == n || lcs[i][j + 1] >= lcs[i + 1][j]) {
            added.push(b[j].clone());
            j += 1;
        } else {
            removed.push(a[i].clone());
            i += 1;
        }
    }
    (added, removed)
}

/// container-diff's metadata lines (`Key: value`, Go's formatting) for the
/// fields plimsoll reads; the others are empty in both images alike.
pub(crate) fn container_diff_lines(c: &RunConfig) -> Vec<String> {
    let pairs = |m: &BTreeMap<String, Value>| -> String {
        m.keys()
            .map(|k| format!("{k}:{{}}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let labels = c
        .labels
        .iter()
        .map(|(k, v)| format!("{k}:{v}"))
        .collect::<Vec<_>>()
        .join(" ");
    let join = |v: &Option<Vec<String>>| v.as_deref().unwrap_or_default().join(",");
    vec![
        format!("User: {}", c.user.as_deref().unwrap_or("")),
        format!("ExposedPorts: {}", pairs(&c.exposed_ports)),
        format!("Env: {}", c.env.join(",")),
        format!("Cmd: {}", join(&c.cmd)),
        format!("Volumes: {}", pairs(&c.volumes)),
        format!("Workdir: {}", c.working_dir.as_deref().unwrap_or("")),
        format!("Entrypoint: {}", join(&c.entrypoint)),
        format!("Labels: {labels}"),
        format!("StopSignal: {}", c.stop_signal.as_deref().unwrap_or("")),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn sequence_diff_keeps_the_common_order() {
        let (added, removed) = sequence_diff(&s(&["a", "b", "c"]), &s(&["a", "x", "c", "d"]));
        assert_eq!(added, s(&["x", "d"]));
        assert_eq!(removed, s(&["b"]));
        let (added, removed) = sequence_diff(&s(&["a"]), &s(&["a"]));
        assert!(added.is_empty() && removed.is_empty());
    }
}
