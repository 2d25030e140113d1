//! [`Warnings`]: what a command says on stderr about input it could not
//! read fully, kept bounded whatever the input.

use serde::{Deserialize, Serialize};

/// At most this many distinct warnings are kept (and printed); the rest
/// are counted.
pub const MAX_WARNINGS: usize = 100;

/// Warnings, each distinct text kept once, at most [`MAX_WARNINGS`] of
/// them, in the order they were first pushed; warnings past the cap are
/// only counted ([`Warnings::omitted`]). A warning repeating one that is
/// kept is dropped and not counted (it says nothing new). So a hostile
/// input repeating one bad record a million times costs one warning, and
/// any input at most `MAX_WARNINGS` strings.
///
/// Serialised as `warnings` (the list) and `warnings_omitted` (the count),
/// so a struct that flattens it keeps a plain `warnings` list in its JSON.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warnings {
    #[serde(rename = "warnings", default)]
    shown: Vec<String>,
    #[serde(rename = "warnings_omitted", default)]
    omitted: u64,
}

impl Warnings {
    pub fn new() -> Warnings {
        Warnings::default()
    }

    /// Adds `warning` unless it is already kept; past the cap it is counted.
    pub fn push(&mut self, warning: impl Into<String>) {
        let warning = warning.into();
        if self.shown.contains(&warning) {
            return;
        }
        if self.shown.len() < MAX_WARNINGS {
            self.shown.push(warning);
        } else {
            self.omitted += 1;
        }
    }

    /// Adds `warning` at the front (a warning that explains the others,
    /// e.g. that the file was cut), dropping the last kept one if full.
    pub fn push_front(&mut self, warning: impl Into<String>) {
        let warning = warning.into();
        if self.shown.contains(&warning) {
            return;
        }
        if self.shown.len() >= MAX_WARNINGS {
            self.shown.pop();
            self.omitted += 1;
        }
        self.shown.insert(0, warning);
    }

    /// Adds every warning of `other` (its omitted ones stay counted),
    /// each rewritten by `map` (a prefix naming the layer, say).
    pub fn extend_from(&mut self, other: &Warnings, map: impl Fn(&str) -> String) {
        for w in &other.shown {
            self.push(map(w));
        }
        self.omitted += other.omitted;
    }

    /// Adds every warning of `other` as it is.
    pub fn append(&mut self, other: &Warnings) {
        self.extend_from(other, str::to_string);
    }

    /// How many warnings were past the cap (not kept, not repeats).
    pub fn omitted(&self) -> u64 {
        self.omitted
    }

    /// The kept warnings.
    pub fn as_slice(&self) -> &[String] {
        &self.shown
    }

    /// The lines to print: each kept warning, then `… and N more warnings`
    /// when some were omitted.
    pub fn lines(&self) -> impl Iterator<Item = String> + '_ {
        let more = (self.omitted > 0).then(|| {
            format!(
                "… and {} more warning{}",
                self.omitted,
                if self.omitted == 1 { "" } else { "s" }
            )
        });
        self.shown.iter().cloned().chain(more)
    }
}

impl std::ops::Deref for Warnings {
    type Target = [String];

    fn deref(&self) -> &[String] {
        &self.shown
    }
}

impl<S: Into<String>> Extend<S> for Warnings {
    fn extend<I: IntoIterator<Item = S>>(&mut self, iter: I) {
        for w in iter {
            self.push(w);
        }
    }
}

impl<S: Into<String>> FromIterator<S> for Warnings {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut w = Warnings::new();
        w.extend(iter);
        w
    }
}

impl<'a> IntoIterator for &'a Warnings {
    type Item = &'a String;
    type IntoIter = std::slice::Iter<'a, String>;

    fn into_iter(self) -> Self::IntoIter {
        self.shown.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_dropped_and_the_rest_counted() {
        let mut w = Warnings::new();
        for _ in 0..1000 {
            w.push("same");
        }
        assert_eq!(w.as_slice(), ["same"]);
        assert_eq!(w.omitted(), 0);
        for i in 0..MAX_WARNINGS + 50 {
            w.push(format!("w{i}"));
        }
        assert_eq!(w.len(), MAX_WARNINGS);
        assert_eq!(w.omitted(), 51);
        // A repeat of a kept warning is not counted again.
        w.push("same");
        assert_eq!(w.omitted(), 51);
        let lines: Vec<String> = w.lines().collect();
        assert_eq!(lines.len(), MAX_WARNINGS + 1);
        assert_eq!(lines.last().unwrap(), "… and 51 more warnings");

        let mut all = Warnings::new();
        all.push("first");
        all.extend_from(&w, |s| format!("layer 0: {s}"));
        assert_eq!(all.len(), MAX_WARNINGS);
        assert_eq!(all[1], "layer 0: same");
        // 51 omitted in `w`, and its last kept one did not fit in `all`.
        assert_eq!(all.omitted(), 52);
        all.push_front("cut");
        assert_eq!(all[0], "cut");
        assert_eq!((all.len(), all.omitted()), (MAX_WARNINGS, 53));
    }

    #[test]
    fn serialises_as_a_list_and_a_count() {
        #[derive(Serialize, Deserialize)]
        struct Doc {
            #[serde(flatten)]
            warnings: Warnings,
        }
        let mut w = Warnings::new();
        w.push("a");
        let json = serde_json::to_string(&Doc { warnings: w }).unwrap();
        assert_eq!(json, r#"{"warnings":["a"],"warnings_omitted":0}"#);
        // A document written before the count existed still reads.
        let old: Doc = serde_json::from_str(r#"{"warnings":["a","b"]}"#).unwrap();
        assert_eq!((old.warnings.len(), old.warnings.omitted()), (2, 0));
    }
}
