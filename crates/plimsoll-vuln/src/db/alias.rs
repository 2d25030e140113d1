//! Alias groups: which advisories are the same vulnerability, so that a scan
//! reports one finding where GHSA, the CVE, PYSEC and a distribution all
//! describe it.
//!
//! The merge rule:
//!
//! 1. Every advisory's identifiers are its id, its `aliases` and its
//!    `upstream` ids (OSV says aliases are the same vulnerability; `related`
//!    ids are different vulnerabilities and never merge).
//! 2. An advisory that names **at most one CVE** among its identifiers
//!    describes one vulnerability: its identifiers are merged, transitively
//!    (union-find), with every other advisory sharing one of them.
//! 3. An advisory that names **two or more CVEs** is a bundle (a DSA, DLA,
//!    USN or ALSA covering several vulnerabilities): it adds no edge, or it
//!    would chain distinct CVEs into one group. It keeps its aliases, stays
//!    in its own group unless a single-vulnerability advisory names its id,
//!    and the matcher can still tell which CVEs it covers.
//! 4. A merge that would put two different CVEs in one group is refused, so
//!    inconsistent data (one GHSA aliased to two CVEs by two sources) cannot
//!    chain groups either. Advisories are visited in id order, so the result
//!    does not depend on input order.
//!
//! A group's name is its CVE when it has one, else its smallest GHSA id,
//! else its smallest identifier.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::osv::Advisory;

/// One vulnerability: the advisories that describe it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AliasGroup {
    /// The group's name (see the module documentation).
    pub name: String,
    /// Indices of its advisories in the database ([`crate::db::AdvisoryIndex`]).
    pub advisories: Vec<u32>,
    /// Every identifier of the group, sorted: member ids and the aliases
    /// that joined them.
    pub identifiers: Vec<String>,
}

pub(crate) struct Grouping {
    /// Group index of each advisory (same order as the input).
    pub of_advisory: Vec<u32>,
    pub groups: Vec<AliasGroup>,
    /// Merges refused because they would join two different CVEs.
    pub refused: u64,
}

fn is_cve(id: &str) -> bool {
    id.starts_with("CVE-")
}

struct UnionFind<'a> {
    index: HashMap<&'a str, u32>,
    names: Vec<&'a str>,
    parent: Vec<u32>,
    /// The CVE a root's set contains, as a node index.
    cve: Vec<Option<u32>>,
}

impl<'a> UnionFind<'a> {
    fn node(&mut self, id: &'a str) -> u32 {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        let n = self.names.len() as u32;
        self.index.insert(id, n);
        self.names.push(id);
        self.parent.push(n);
        self.cve.push(is_cve(id).then_some(n));
        n
    }

    fn find(&mut self, mut n: u32) -> u32 {
        while self.parent[n as usize] != n {
            let grand = self.parent[self.parent[n as usize] as usize];
            self.parent[n as usize] = grand;
            n = grand;
        }
        n
    }

    /// Merges two sets unless they hold different CVEs; false if refused.
    fn union(&mut self, a: u32, b: u32) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let (ca, cb) = (self.cve[ra as usize], self.cve[rb as usize]);
        if let (Some(x), Some(y)) = (ca, cb)
            && x != y
        {
            return false;
        }
        let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
        self.parent[child as usize] = root;
        self.cve[root as usize] = ca.or(cb);
        true
    }
}

/// Groups advisories (given sorted by id, as the database stores them).
pub(crate) fn group(advisories: &[&Advisory]) -> Grouping {
    let mut uf = UnionFind {
        index: HashMap::new(),
        names: Vec::new(),
        parent: Vec::new(),
        cve: Vec::new(),
    };
    let mut refused = 0;
    let own: Vec<u32> = advisories.iter().map(|a| uf.node(&a.id)).collect();
    for (a, &n) in advisories.iter().zip(&own) {
        let cves = a.identifiers().filter(|i| is_cve(i)).count();
        if cves > 1 {
            continue;
        }
        for alias in &a.aliases {
            let m = uf.node(alias);
            if !uf.union(n, m) {
                refused += 1;
            }
        }
    }

    let mut group_of_root: HashMap<u32, u32> = HashMap::new();
    let mut groups: Vec<AliasGroup> = Vec::new();
    let mut of_advisory = Vec::with_capacity(advisories.len());
    for (i, &n) in own.iter().enumerate() {
        let root = uf.find(n);
        let g = *group_of_root.entry(root).or_insert_with(|| {
            groups.push(AliasGroup {
                name: String::new(),
                advisories: Vec::new(),
                identifiers: Vec::new(),
            });
            (groups.len() - 1) as u32
        });
        groups[g as usize].advisories.push(i as u32);
        of_advisory.push(g);
    }
    for n in 0..uf.names.len() as u32 {
        let root = uf.find(n);
        if let Some(&g) = group_of_root.get(&root) {
            groups[g as usize]
                .identifiers
                .push(uf.names[n as usize].to_string());
        }
    }
    for (&root, &g) in &group_of_root {
        let group = &mut groups[g as usize];
        group.identifiers.sort();
        group.name = match uf.cve[root as usize] {
            Some(c) => uf.names[c as usize].to_string(),
            None => group
                .identifiers
                .iter()
                .find(|i| i.starts_with("GHSA-"))
                .or_else(|| group.identifiers.first())
                .cloned()
                .unwrap_or_default(),
        };
    }
    Grouping {
        of_advisory,
        groups,
        refused,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn adv(id: &str, aliases: &[&str]) -> Advisory {
        Advisory {
            id: id.into(),
            aliases: aliases.iter().map(|s| s.to_string()).collect(),
            related: vec![],
            summary: String::new(),
            published: None,
            modified: String::new(),
            severity: vec![],
            references: vec![],
            group: 0,
            vulnerability_id: String::new(),
        }
    }

    fn names(list: &[Advisory]) -> Vec<String> {
        let refs: Vec<&Advisory> = list.iter().collect();
        let g = group(&refs);
        g.of_advisory
            .iter()
            .map(|&i| g.groups[i as usize].name.clone())
            .collect()
    }

    #[test]
    fn merges_transitively_through_shared_ids() {
        let list = [
            adv("DEBIAN-CVE-2024-1", &["CVE-2024-1"]),
            adv("GHSA-aaaa", &["CVE-2024-1"]),
            adv("PYSEC-1", &["GHSA-aaaa"]),
            adv("GHSA-bbbb", &[]),
        ];
        assert_eq!(
            names(&list),
            ["CVE-2024-1", "CVE-2024-1", "CVE-2024-1", "GHSA-bbbb"]
        );
    }

    #[test]
    fn a_bundle_of_cves_does_not_chain_them() {
        let list = [
            adv("CVE-2024-1", &[]),
            adv("CVE-2024-2", &[]),
            adv("DSA-1-1", &["CVE-2024-1", "CVE-2024-2"]),
            adv("UBUNTU-CVE-2024-2", &["CVE-2024-2"]),
        ];
        assert_eq!(
            names(&list),
            ["CVE-2024-1", "CVE-2024-2", "DSA-1-1", "CVE-2024-2"]
        );
    }

    #[test]
    fn refuses_to_join_two_cves_through_inconsistent_aliases() {
        let list = [
            adv("GHSA-x", &["CVE-2024-1"]),
            adv("PYSEC-2", &["CVE-2024-2", "GHSA-x"]),
        ];
        let refs: Vec<&Advisory> = list.iter().collect();
        let g = group(&refs);
        assert_eq!(g.refused, 1);
        assert_eq!(names(&list), ["CVE-2024-1", "CVE-2024-2"]);
    }
}
