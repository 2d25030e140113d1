//! Where each byte of a text assembled from pieces of a Dockerfile (a logical line joined
//! from continuation lines, a script with its here-documents) came from in the source.
//! Kept as runs, one per piece, not one offset per byte: a 50 MB line is one run of 16
//! bytes instead of 400 MB of offsets.

/// One run: bytes `text_start..` of the text map to `src_start..` (`step` 1) or all to
/// `src_start` (`step` 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    text_start: usize,
    src_start: usize,
    step: usize,
}

/// The source offset of each byte of a text, and of the position just past its end.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    runs: Vec<Run>,
    len: usize,
}

impl OffsetMap {
    /// `len` positions that map to `start`, `start + 1`, … but never past `end`.
    pub fn linear(start: usize, len: usize, end: usize) -> Self {
        let mut m = OffsetMap::default();
        let straight = len.min(end.saturating_sub(start));
        m.push_run(start, straight);
        m.push_repeat(end, len - straight);
        m
    }

    /// Number of positions mapped.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// `n` positions mapping to `src`, `src + 1`, …
    pub fn push_run(&mut self, src: usize, n: usize) {
        self.push_with_step(src, n, 1);
    }

    /// One position mapping to `src`.
    pub fn push(&mut self, src: usize) {
        self.push_with_step(src, 1, 1);
    }

    /// `n` positions all mapping to `src`.
    pub fn push_repeat(&mut self, src: usize, n: usize) {
        self.push_with_step(src, n, 0);
    }

    fn push_with_step(&mut self, src: usize, n: usize, step: usize) {
        if n == 0 {
            return;
        }
        let at = self.len;
        self.len += n;
        if let Some(last) = self.runs.last()
            && last.step == step
            && last.src_start + step * (at - last.text_start) == src
            && (step == 1 || last.src_start == src)
        {
            return; // continues the last run
        }
        self.runs.push(Run {
            text_start: at,
            src_start: src,
            step,
        });
    }

    /// The source offset of position `i`, if mapped.
    pub fn get(&self, i: usize) -> Option<usize> {
        if i >= self.len {
            return None;
        }
        let k = self.runs.partition_point(|r| r.text_start <= i) - 1;
        let r = self.runs[k];
        Some(r.src_start + r.step * (i - r.text_start))
    }

    /// The source offset of the last position.
    pub fn last(&self) -> Option<usize> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// The map of positions `from..to`, renumbered from 0.
    pub fn slice(&self, from: usize, to: usize) -> OffsetMap {
        let to = to.min(self.len);
        let mut out = OffsetMap::default();
        if from >= to {
            return out;
        }
        let first = self.runs.partition_point(|r| r.text_start <= from) - 1;
        for (k, r) in self.runs.iter().enumerate().skip(first) {
            let run_end = self.runs.get(k + 1).map_or(self.len, |n| n.text_start);
            let (s, e) = (r.text_start.max(from), run_end.min(to));
            if s >= e {
                if r.text_start >= to {
                    break;
                }
                continue;
            }
            out.push_with_step(r.src_start + r.step * (s - r.text_start), e - s, r.step);
        }
        out
    }

    /// The positions from `from` to the end, renumbered from 0.
    pub fn from(&self, from: usize) -> OffsetMap {
        self.slice(from, self.len)
    }

    /// Appends `other`'s positions.
    pub fn extend(&mut self, other: &OffsetMap) {
        for (k, r) in other.runs.iter().enumerate() {
            let run_end = other.runs.get(k + 1).map_or(other.len, |n| n.text_start);
            self.push_with_step(r.src_start, run_end - r.text_start, r.step);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map as one offset per position, the representation it replaces.
    fn flat(m: &OffsetMap) -> Vec<usize> {
        (0..m.len()).map(|i| m.get(i).unwrap()).collect()
    }

    #[test]
    fn runs_answer_like_a_flat_list() {
        let mut m = OffsetMap::default();
        m.push_run(10, 5);
        m.push_run(15, 3); // continues
        m.push_run(40, 2);
        m.push_repeat(50, 3);
        m.push(50);
        m.push(60);
        assert_eq!(
            flat(&m),
            vec![10, 11, 12, 13, 14, 15, 16, 17, 40, 41, 50, 50, 50, 50, 60]
        );
        assert_eq!(m.runs.len(), 5);
        assert_eq!(m.last(), Some(60));
        assert_eq!(m.get(15), None);
        let all = flat(&m);
        for from in 0..=all.len() {
            for to in from..=all.len() + 1 {
                assert_eq!(
                    flat(&m.slice(from, to)),
                    all[from..to.min(all.len())].to_vec(),
                    "{from}..{to}"
                );
            }
        }
        let mut joined = m.slice(0, 7);
        joined.extend(&m.from(7));
        assert_eq!(flat(&joined), all);
    }

    #[test]
    fn linear_clamps_at_the_end() {
        assert_eq!(flat(&OffsetMap::linear(5, 6, 8)), vec![5, 6, 7, 8, 8, 8]);
        assert_eq!(flat(&OffsetMap::linear(5, 2, 8)), vec![5, 6]);
        assert_eq!(flat(&OffsetMap::linear(9, 2, 8)), vec![8, 8]);
    }
}
