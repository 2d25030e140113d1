//! Maven's `pom.xml`: the project itself and the dependencies it declares,
//! as syft 1.18's pom cataloger lists them:
//!
//! - the project (`groupId` and `version` inherited from `<parent>` when
//!   it names none);
//! - every `<dependency>` of `<project><dependencies>` and of each
//!   `<profile><dependencies>`, any scope (test ones included);
//!   `<dependencyManagement>` entries are not dependencies, but give the
//!   version of a dependency that names none;
//! - `${…}` in a version or group is resolved within the file: the
//!   `<properties>` (which may refer to each other), `project.version`,
//!   `project.groupId`, `project.artifactId`, `project.parent.version`,
//!   `project.parent.groupId` (and the old `pom.` and bare forms).
//!
//! Parent POMs found in the same tree count ([`parents`]): the one at the
//! `<parent>`'s `relativePath` (Maven's default `../pom.xml`; a directory
//! means its `pom.xml`) when its artifactId is the one named, else the pom
//! of the tree whose coordinates are the ones named (as a Maven reactor, and
//! syft's resolver, find a module's parent). Their `<properties>` and
//! `<dependencyManagement>` resolve the child's, the child's own winning, and
//! `${project.*}` in a parent means the child's project, as in Maven's
//! effective model. A parent's own `<dependencies>` are listed with the
//! parent's file, not again with each child.
//!
//! What the tree cannot tell (a parent POM or an imported BOM from a
//! repository) is not guessed and not fetched: such a dependency is listed
//! without a version, as syft lists it, and so is a version range
//! (`[1.0,2.0)`), which pins nothing. Plugins are build tools, not
//! dependencies, and are not listed.
//!
//! A file that is not UTF-8 is read as ISO-8859-1, the other encoding
//! POMs are written in (whether their XML declaration says so or not):
//! every byte is a character of Latin-1.

use std::collections::HashMap;

use roxmltree::{Document, Node};

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// How deep `${a}` → `${b}` → … is followed before giving up (a cycle).
const MAX_DEPTH: usize = 16;

/// How many parents up a chain is followed (real ones are a handful deep).
const MAX_PARENTS: usize = 16;

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

fn text(node: Node<'_, '_>, name: &str) -> Option<String> {
    let t = child(node, name)?.text()?.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// The file's properties and project coordinates, for `${…}`.
struct Properties(HashMap<String, String>);

impl Properties {
    /// `chain`: the project, then its parents, nearest first; a property
    /// of a nearer one wins.
    fn new(chain: &[Node<'_, '_>]) -> Properties {
        let project = chain[0];
        let mut map = HashMap::new();
        for pom in chain.iter().rev() {
            if let Some(props) = child(*pom, "properties") {
                for p in props.children().filter(Node::is_element) {
                    map.insert(
                        p.tag_name().name().to_string(),
                        p.text().unwrap_or("").trim().to_string(),
                    );
                }
            }
        }
        let parent = child(project, "parent");
        let parent_group = parent.and_then(|p| text(p, "groupId"));
        let parent_version = parent.and_then(|p| text(p, "version"));
        let group = text(project, "groupId").or(parent_group.clone());
        let version = text(project, "version").or(parent_version.clone());
        for (key, value) in [
            ("groupId", group),
            ("artifactId", text(project, "artifactId")),
            ("version", version),
            ("parent.groupId", parent_group),
            ("parent.version", parent_version),
        ] {
            if let Some(v) = value {
                for prefix in ["project.", "pom.", ""] {
                    // A `<properties>` entry of the same name wins only
                    // for the bare form, as Maven's model does not let a
                    // property override `project.*`.
                    let k = format!("{prefix}{key}");
                    if prefix.is_empty() && map.contains_key(&k) {
                        continue;
                    }
                    map.insert(k, v.clone());
                }
            }
        }
        Properties(map)
    }

    /// `value` with every `${name}` replaced; None if one is unknown.
    fn resolve(&self, value: &str) -> Option<String> {
        let mut value = value.to_string();
        for _ in 0..MAX_DEPTH {
            let Some(start) = value.find("${") else {
                return Some(value);
            };
            let end = start + value[start..].find('}')?;
            let replacement = self.0.get(&value[start + 2..end])?;
            value.replace_range(start..=end, replacement);
        }
        None
    }
}

fn package(group: &str, artifact: &str, version: &str) -> LockedPackage {
    LockedPackage {
        package_type: PackageType::Maven,
        name: artifact.to_string(),
        version: version.to_string(),
        purl: purl("maven", Some(group), artifact, version, &[]),
        licenses: Vec::new(),
    }
}

/// The text of a POM: UTF-8, else ISO-8859-1.
fn decode(content: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(content) {
        Ok(s) => s.into(),
        Err(_) => content
            .iter()
            .map(|&b| char::from(b))
            .collect::<String>()
            .into(),
    }
}

/// Reads a `pom.xml` on its own.
pub fn parse(content: &[u8]) -> Parsed {
    parse_with_parents(content, &[])
}

/// Reads a `pom.xml` whose parent POMs' contents are `parents`, nearest
/// first (see [`parents`]); one that is not a POM is ignored.
pub fn parse_with_parents(content: &[u8], parents: &[&[u8]]) -> Parsed {
    let xml = decode(content);
    let doc = match Document::parse(&xml) {
        Ok(d) => d,
        Err(e) => return Parsed::unreadable(format!("not valid XML ({e}): skipped")),
    };
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return Parsed::unreadable("no <project> element: not a pom.xml, skipped".into());
    }
    let parent_texts: Vec<_> = parents.iter().map(|c| decode(c)).collect();
    let parent_docs: Vec<Document<'_>> = parent_texts
        .iter()
        .filter_map(|t| Document::parse(t).ok())
        .collect();
    let mut chain = vec![project];
    chain.extend(
        parent_docs
            .iter()
            .map(Document::root_element)
            .filter(|r| r.tag_name().name() == "project"),
    );
    let props = Properties::new(&chain);
    let mut out = Parsed::default();

    // The project itself.
    let resolve = |v: Option<String>| v.and_then(|v| props.resolve(&v)).unwrap_or_default();
    let group = resolve(props.0.get("project.groupId").cloned());
    let artifact = resolve(text(project, "artifactId"));
    let version = resolve(props.0.get("project.version").cloned());
    if !artifact.is_empty() {
        out.push(package(&group, &artifact, &version));
    }

    // Versions managed in this file or a parent, by (group, artifact); the
    // nearest one wins.
    let mut managed = HashMap::new();
    for pom in &chain {
        let Some(deps) = child(*pom, "dependencyManagement").and_then(|m| child(m, "dependencies"))
        else {
            continue;
        };
        for d in deps
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "dependency")
        {
            let (Some(g), Some(a), Some(v)) = (
                text(d, "groupId").and_then(|g| props.resolve(&g)),
                text(d, "artifactId").and_then(|a| props.resolve(&a)),
                text(d, "version").and_then(|v| props.resolve(&v)),
            ) else {
                continue;
            };
            managed.entry((g, a)).or_insert(v);
        }
    }

    let mut lists: Vec<Node<'_, '_>> = child(project, "dependencies").into_iter().collect();
    if let Some(profiles) = child(project, "profiles") {
        lists.extend(
            profiles
                .children()
                .filter(|p| p.is_element() && p.tag_name().name() == "profile")
                .filter_map(|p| child(p, "dependencies")),
        );
    }
    for deps in lists {
        for (i, d) in deps
            .children()
            .filter(|c| c.is_element() && c.tag_name().name() == "dependency")
            .enumerate()
        {
            let group = text(d, "groupId")
                .and_then(|g| props.resolve(&g))
                .unwrap_or_default();
            let Some(artifact) = text(d, "artifactId").and_then(|a| props.resolve(&a)) else {
                let line = doc.text_pos_at(d.range().start).row;
                out.warnings.push(format!(
                    "dependency {} (line {line}) has no artifactId: skipped",
                    i + 1
                ));
                continue;
            };
            let version = match text(d, "version") {
                Some(v) => props.resolve(&v),
                None => managed.get(&(group.clone(), artifact.clone())).cloned(),
            };
            // A range pins nothing.
            let version = version
                .filter(|v| !v.starts_with(['[', '(']))
                .unwrap_or_default();
            out.push(package(&group, &artifact, &version));
        }
    }
    out
}

/// What a POM's `<parent>` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentRef {
    pub group: String,
    pub artifact: String,
    pub version: String,
    /// `relativePath`, Maven's `../pom.xml` when absent; empty when the
    /// POM says `<relativePath/>` (look it up in a repository only).
    pub relative_path: String,
}

/// (groupId, artifactId, version).
type Coordinates = (String, String, String);

/// A POM's own coordinates (group and version inherited from its
/// `<parent>`, `${…}` resolved within the file) and its parent reference.
fn identity(content: &[u8]) -> Option<(Coordinates, Option<ParentRef>)> {
    let xml = decode(content);
    let doc = Document::parse(&xml).ok()?;
    let project = doc.root_element();
    if project.tag_name().name() != "project" {
        return None;
    }
    let props = Properties::new(&[project]);
    let get = |key: &str| {
        props
            .0
            .get(key)
            .and_then(|v| props.resolve(v))
            .unwrap_or_default()
    };
    let own = (
        get("project.groupId"),
        get("project.artifactId"),
        get("project.version"),
    );
    let parent = child(project, "parent").map(|p| {
        let field = |name| {
            text(p, name)
                .and_then(|v| props.resolve(&v))
                .unwrap_or_default()
        };
        ParentRef {
            group: field("groupId"),
            artifact: field("artifactId"),
            version: field("version"),
            relative_path: match child(p, "relativePath") {
                None => "../pom.xml".to_string(),
                Some(n) => n.text().unwrap_or("").trim().to_string(),
            },
        }
    });
    Some((own, parent))
}

/// `dir` joined with the relative `path`, `.` and `..` resolved; None if
/// it climbs above the root.
fn join(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty()).collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The parent POMs of the POM at `path` among `poms` (path → content of
/// every POM of the tree), nearest first: each found at its child's
/// `relativePath` when that file's artifactId is the one named, else the
/// one POM of the tree with the named coordinates (any version when the
/// child's reference does not resolve, `${revision}`). The chain stops at a
/// parent the tree does not hold, at an ambiguous one, and at a cycle.
pub fn parents<'a>(path: &str, poms: &HashMap<&str, &'a [u8]>) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut seen = vec![path.to_string()];
    let mut current = path.to_string();
    let Some(mut content) = poms.get(path).copied() else {
        return out;
    };
    let mut ids: Option<Vec<(&str, Coordinates)>> = None;
    while out.len() < MAX_PARENTS {
        let Some((_, Some(parent))) = identity(content) else {
            break;
        };
        let dir = current.rsplit_once('/').map_or("", |(d, _)| d);
        let by_path = (!parent.relative_path.is_empty())
            .then(|| join(dir, &parent.relative_path))
            .flatten()
            .map(|p| {
                if p.ends_with(".xml") {
                    p
                } else if p.is_empty() {
                    "pom.xml".to_string()
                } else {
                    format!("{p}/pom.xml")
                }
            })
            .filter(|p| {
                poms.get(p.as_str())
                    .and_then(|c| identity(c))
                    .is_some_and(|((_, a, _), _)| a == parent.artifact)
            });
        let found = by_path.or_else(|| {
            let ids = ids.get_or_insert_with(|| {
                poms.iter()
                    .filter_map(|(p, c)| identity(c).map(|(id, _)| (*p, id)))
                    .collect()
            });
            // A version the child cannot resolve (`${revision}`, a CI-friendly
            // version set by the top POM) is taken to be the one the tree has.
            let any_version = parent.version.is_empty() || parent.version.contains("${");
            let mut hits = ids.iter().filter(|(_, (g, a, v))| {
                *g == parent.group && *a == parent.artifact && (any_version || *v == parent.version)
            });
            let first = hits.next()?;
            hits.next().is_none().then(|| first.0.to_string())
        });
        let Some(found) = found else { break };
        if seen.contains(&found) {
            break;
        }
        content = poms[found.as_str()];
        out.push(content);
        seen.push(found.clone());
        current = found;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str) -> Parsed {
        let path = format!("{}/tests/data/lock/java/{path}", env!("CARGO_MANIFEST_DIR"));
        parse(&std::fs::read(path).unwrap())
    }

    fn purls(p: &Parsed) -> Vec<&str> {
        let mut v: Vec<_> = p.packages.iter().map(|p| p.purl.as_str()).collect();
        v.sort();
        v
    }

    #[test]
    fn syft_fixture_app() {
        let p = read("pom-app/pom.xml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(
            purls(&p),
            [
                "pkg:maven/com.joda/joda-time@2.9.2",
                "pkg:maven/junit/junit@4.12",
                "pkg:maven/org.anchore/example-java-app-maven@0.1.0",
            ]
        );
    }

    #[test]
    fn commons_text_properties_and_parent() {
        // Apache Commons Text 1.10.0's own pom.xml: group inherited from
        // its parent, versions from its <properties>, junit-jupiter's
        // version managed by the parent's BOM (not in the file).
        let p = read("pom-commons-text/pom.xml");
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        let purls = purls(&p);
        for want in [
            "pkg:maven/org.apache.commons/commons-text@1.10.0",
            "pkg:maven/org.apache.commons/commons-lang3@3.12.0",
            "pkg:maven/org.mockito/mockito-inline@4.8.0",
            "pkg:maven/org.graalvm.js/js@22.0.0.2",
            "pkg:maven/org.openjdk.jmh/jmh-core@1.35",
            "pkg:maven/org.junit.jupiter/junit-jupiter",
        ] {
            assert!(purls.contains(&want), "{want} not in {purls:?}");
        }
        assert_eq!(p.packages.len(), 11);
        assert!(!purls.iter().any(|p| p.contains("commons-parent")));
        assert!(!purls.iter().any(|p| p.contains("plugin")));
    }

    #[test]
    fn latin1_files() {
        // syft's ISO-8859-1 fixtures (an accented name in the <developers>),
        // with and without the encoding in the XML declaration.
        for dir in ["latin1-declared", "latin1-undeclared"] {
            let p = read(&format!("{dir}/pom.xml"));
            assert!(p.warnings.is_empty(), "{dir}: {:?}", p.warnings);
            assert_eq!(p.packages.len(), 30, "{dir}");
            let purls = purls(&p);
            assert!(
                purls
                    .contains(&"pkg:maven/com.alogient.cameleon.java.sdk/cameleon4java-sdk@1.12.2")
            );
            assert!(purls.contains(&"pkg:maven/com.google.guava/guava@r07"));
            // An exclusion's artifactId is no dependency.
            assert!(!purls.iter().any(|p| p.contains("commons-logging")));
        }
    }

    #[test]
    fn resolution_rules() {
        let p = parse(
            br#"<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
<parent><groupId>p.g</groupId><artifactId>par</artifactId><version>7</version></parent>
<artifactId>me</artifactId>
<properties><a.v>1.${b.v}</a.v><b.v>2</b.v><loop>${loop}</loop></properties>
<dependencyManagement><dependencies><dependency><groupId>dm</groupId><artifactId>managed</artifactId><version>9.9</version></dependency></dependencies></dependencyManagement>
<dependencies>
<dependency><groupId>g</groupId><artifactId>prop</artifactId><version>${a.v}</version></dependency>
<dependency><groupId>g</groupId><artifactId>undef</artifactId><version>${nope.v}</version></dependency>
<dependency><groupId>g</groupId><artifactId>cycle</artifactId><version>${loop}</version></dependency>
<dependency><groupId>${project.groupId}</groupId><artifactId>projv</artifactId><version>${project.version}</version></dependency>
<dependency><groupId>g</groupId><artifactId>range</artifactId><version>[1.0,2.0)</version></dependency>
<dependency><groupId>dm</groupId><artifactId>managed</artifactId></dependency>
<dependency><groupId>g</groupId><artifactId>parentv</artifactId><version>${project.parent.version}</version></dependency>
<dependency><groupId>g</groupId><version>1</version></dependency>
</dependencies>
<profiles><profile><id>x</id><dependencies><dependency><groupId>prof</groupId><artifactId>inprofile</artifactId><version>1</version></dependency></dependencies></profile></profiles>
</project>"#,
        );
        assert_eq!(
            purls(&p),
            [
                "pkg:maven/dm/managed@9.9",
                "pkg:maven/g/cycle",
                "pkg:maven/g/parentv@7",
                "pkg:maven/g/prop@1.2",
                "pkg:maven/g/range",
                "pkg:maven/g/undef",
                "pkg:maven/p.g/me@7",
                "pkg:maven/p.g/projv@7",
                "pkg:maven/prof/inprofile@1",
            ]
        );
        assert_eq!(
            p.warnings.as_slice(),
            ["dependency 8 (line 14) has no artifactId: skipped"]
        );
    }

    /// syft's parent-resolution fixtures (with `mvn dependency:tree`'s
    /// answer for child-1 in its comment), read as a tree.
    #[test]
    fn parents_in_the_tree() {
        let dir = format!("{}/tests/data/lock/java/local", env!("CARGO_MANIFEST_DIR"));
        let names = [
            "child-1",
            "child-2",
            "child-3",
            "circular-1",
            "circular-2",
            "contains-child-1",
            "parent-1",
            "parent-2",
            "parent-3",
        ];
        let files: Vec<(String, Vec<u8>)> = names
            .iter()
            .map(|n| {
                (
                    format!("{n}/pom.xml"),
                    std::fs::read(format!("{dir}/{n}/pom.xml")).unwrap(),
                )
            })
            .collect();
        let poms: HashMap<&str, &[u8]> = files
            .iter()
            .map(|(p, c)| (p.as_str(), c.as_slice()))
            .collect();
        let read = |path: &str| {
            let chain = parents(path, &poms);
            (chain.len(), parse_with_parents(poms[path], &chain))
        };
        // child-1 → parent-1 → parent-2 by relativePath; the version
        // `${project.one}.3.6` from parent-2's property; commons-lang3's
        // version managed by parent-1 as `3.1${project.parent.version}.0`,
        // where project.parent is child-1's parent (3.11.0): 3.12.0, as Maven
        // resolves it.
        let (depth, p) = read("child-1/pom.xml");
        assert_eq!(depth, 2);
        assert_eq!(
            purls(&p),
            [
                "pkg:maven/my.org/child-one@1.3.6",
                "pkg:maven/org.apache.commons/commons-lang3@3.12.0"
            ]
        );
        // relativePath naming a directory; the parent's `${revision}`.
        let (depth, p) = read("child-2/pom.xml");
        assert_eq!(depth, 1);
        assert_eq!(purls(&p), ["pkg:maven/my.org/child-two@3.3.3"]);
        // A relativePath that holds nothing: found by coordinates.
        let (depth, p) = read("child-3/pom.xml");
        assert_eq!(depth, 1);
        assert_eq!(purls(&p), ["pkg:maven/my.org/child-three@3.3.3"]);
        // A parent the tree does not hold: nothing guessed.
        let (depth, p) = read("circular-2/pom.xml");
        assert_eq!(depth, 0);
        assert_eq!(purls(&p), ["pkg:maven/my.org/something"]);
        // On its own, child-1 knows neither its version nor lang3's.
        assert_eq!(
            purls(&parse(poms["child-1/pom.xml"])),
            [
                "pkg:maven/my.org/child-one",
                "pkg:maven/org.apache.commons/commons-lang3"
            ]
        );
        // A cycle (a POM naming itself as its parent) ends.
        let me = br#"<project><groupId>g</groupId><artifactId>a</artifactId><version>1</version>
<parent><groupId>g</groupId><artifactId>a</artifactId><version>1</version><relativePath>pom.xml</relativePath></parent></project>"#;
        let cyc: HashMap<&str, &[u8]> = [("x/pom.xml", &me[..])].into_iter().collect();
        assert!(parents("x/pom.xml", &cyc).is_empty());
        assert_eq!(join("a/b", "../../.."), None);
        assert_eq!(
            join("a/b", "../c/./pom.xml").as_deref(),
            Some("a/c/pom.xml")
        );
    }

    #[test]
    fn malformed_files_warn() {
        for (bad, why) in [
            (&b"\xff"[..], "not valid XML"),
            (b"<project>", "not valid XML"),
            (b"<settings/>", "no <project> element"),
        ] {
            let p = parse(bad);
            assert!(p.packages.is_empty());
            assert!(p.warnings[0].contains(why), "{:?}", p.warnings);
        }
        // A DTD with entities is refused, not expanded.
        let p = parse(b"<!DOCTYPE p [<!ENTITY a \"aaaa\">]><project>&a;</project>");
        assert!(p.warnings[0].contains("not valid XML"), "{:?}", p.warnings);
    }
}
