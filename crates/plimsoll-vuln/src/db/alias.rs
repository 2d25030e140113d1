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
    /// Each group's name.
    pub names: Vec<Box<str>>,
    /// Merges refused because they would join two different CVEs.
    pub refused: u64,
}

fn is_cve(id: &str) -> bool {
    id.starts_with("CVE-")
}

/// Identifiers as nodes of a union-find; each identifier is stored once.
#[derive(Default)]
struct UnionFind {
    index: HashMap<Box<str>, u32>,
    parent: Vec<u32>,
    /// The CVE a root's set contains, as a node index.
    cve: Vec<Option<u32>>,
}

impl UnionFind {
    fn node(&mut self, id: &str) -> u32 {
        if let Some(&n) = self.index.get(id) {
            return n;
        }
        let n = self.parent.len() as u32;
        self.index.insert(id.into(), n);
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

/// Groups advisories given one at a time, in id order (as the database
/// stores them), so the build never holds every advisory at once.
#[derive(Default)]
pub(crate) struct Grouper {
    uf: UnionFind,
    /// Node of each advisory's own id.
    own: Vec<u32>,
    refused: u64,
}

impl Grouper {
    /// Adds the next advisory (ids ascending).
    pub(crate) fn add(&mut self, advisory: &Advisory) {
        let n = self.uf.node(&advisory.id);
        self.own.push(n);
        let cves = advisory.identifiers().filter(|i| is_cve(i)).count();
        if cves > 1 {
            return;
        }
        for alias in &advisory.aliases {
            let m = self.uf.node(alias);
            if !self.uf.union(n, m) {
                self.refused += 1;
            }
        }
    }

    /// Ends the grouping: hands every group to `emit`, in group order, one
    /// at a time (the groups are never all in memory), and returns each
    /// advisory's group and each group's name.
    pub(crate) fn finish<E>(
        self,
        mut emit: impl FnMut(AliasGroup) -> Result<(), E>,
    ) -> Result<Grouping, E> {
        let Grouper {
            mut uf,
            own,
            refused,
        } = self;
        // Groups are numbered by their first advisory.
        let mut group_of_root: HashMap<u32, u32> = HashMap::new();
        let mut of_advisory = Vec::with_capacity(own.len());
        for &n in &own {
            let root = uf.find(n);
            let next = group_of_root.len() as u32;
            of_advisory.push(*group_of_root.entry(root).or_insert(next));
        }
        let groups = group_of_root.len();
        // Every identifier with its group, sorted by group then name.
        let mut names: Vec<(u32, &str, u32)> = Vec::with_capacity(uf.index.len());
        let roots: Vec<u32> = (0..uf.parent.len() as u32).map(|n| uf.find(n)).collect();
        for (name, &n) in &uf.index {
            if let Some(&g) = group_of_root.get(&roots[n as usize]) {
                names.push((g, &**name, n));
            }
        }
        drop(roots);
        names.sort_unstable();
        let mut members: Vec<(u32, u32)> = of_advisory
            .iter()
            .enumerate()
            .map(|(i, &g)| (g, i as u32))
            .collect();
        members.sort_unstable();
        let mut cve_of_group: Vec<Option<u32>> = vec![None; groups];
        for (&root, &g) in &group_of_root {
            cve_of_group[g as usize] = uf.cve[root as usize];
        }
        let mut group_names = Vec::with_capacity(groups);
        let (mut at_name, mut at_member) = (0, 0);
        for g in 0..groups as u32 {
            let k = names[at_name..].iter().take_while(|x| x.0 == g).count();
            let mine = &names[at_name..at_name + k];
            at_name += k;
            let identifiers: Vec<String> = mine.iter().map(|x| x.1.to_string()).collect();
            let k = members[at_member..].iter().take_while(|x| x.0 == g).count();
            let advisories: Vec<u32> = members[at_member..at_member + k]
                .iter()
                .map(|x| x.1)
                .collect();
            at_member += k;
            let name = match cve_of_group[g as usize] {
                // The CVE is one of the group's identifiers.
                Some(c) => mine
                    .iter()
                    .find(|x| x.2 == c)
                    .map(|x| x.1.to_string())
                    .unwrap_or_default(),
                None => identifiers
                    .iter()
                    .find(|i| i.starts_with("GHSA-"))
                    .or_else(|| identifiers.first())
                    .cloned()
                    .unwrap_or_default(),
            };
            group_names.push(name.clone().into_boxed_str());
            emit(AliasGroup {
                name,
                advisories,
                identifiers,
            })?;
        }
        Ok(Grouping {
            of_advisory,
            names: group_names,
            refused,
        })
    }
}

/// Groups advisories (given sorted by id, as the database stores them).
#[cfg(test)]
pub(crate) fn group(advisories: &[&Advisory]) -> (Grouping, Vec<AliasGroup>) {
    let mut g = Grouper::default();
    for a in advisories {
        g.add(a);
    }
    let mut groups = Vec::new();
    let grouping = g
        .finish(|group| {
            groups.push(group);
            Ok::<(), ()>(())
        })
        .unwrap();
    (grouping, groups)
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
            origin: Default::default(),
            kev: None,
            epss: None,
        }
    }

    fn names(list: &[Advisory]) -> Vec<String> {
        let refs: Vec<&Advisory> = list.iter().collect();
        let (g, groups) = group(&refs);
        for (i, group) in groups.iter().enumerate() {
            assert_eq!(&*g.names[i], group.name);
        }
        g.of_advisory
            .iter()
            .map(|&i| groups[i as usize].name.clone())
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
        let (g, _) = group(&refs);
        assert_eq!(g.refused, 1);
        assert_eq!(names(&list), ["CVE-2024-1", "CVE-2024-2"]);
    }
}
