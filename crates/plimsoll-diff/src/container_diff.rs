//! The diff in container-diff's `--json` shape
//! (`[{"Image1","Image2","DiffType","Diff"}]`), for its users. Typed, so
//! every object keeps container-diff's field order.

use plimsoll_sbom::PackageType;
use serde::Serialize;

use crate::packages::container_diff_path;
use crate::{FileInfo, ImageDiff, PackageInfo};

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DiffResult<'a> {
    image1: &'a str,
    image2: &'a str,
    diff_type: &'static str,
    diff: Diff,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Diff {
    Dir(DirDiff),
    Lines(LineDiff),
    Single(PackageDiff<Info>),
    Multi(PackageDiff<MultiInfo>),
    Size(Vec<SizeDiff>),
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DirDiff {
    adds: Vec<DirectoryEntry>,
    dels: Vec<DirectoryEntry>,
    mods: Vec<EntryDiff>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct DirectoryEntry {
    name: String,
    size: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct EntryDiff {
    name: String,
    size1: u64,
    size2: u64,
}

/// History and Metadata: lines only in image 2 (`Adds`) or image 1 (`Dels`).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct LineDiff {
    adds: Vec<String>,
    dels: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PackageDiff<I> {
    packages1: Vec<PackageOutput>,
    packages2: Vec<PackageOutput>,
    info_diff: Vec<I>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PackageOutput {
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    path: String,
    version: String,
    size: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct PackageInfoOut {
    version: String,
    size: u64,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Info {
    package: String,
    info1: PackageInfoOut,
    info2: PackageInfoOut,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct MultiInfo {
    package: String,
    info1: Vec<PackageInfoOut>,
    info2: Vec<PackageInfoOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct SizeDiff {
    name: String,
    size1: u64,
    size2: u64,
}

fn entries(list: &[FileInfo]) -> Vec<DirectoryEntry> {
    list.iter()
        .map(|f| DirectoryEntry {
            name: f.path.clone(),
            size: f.entry_bytes,
        })
        .collect()
}

fn info(p: &PackageInfo) -> PackageInfoOut {
    PackageInfoOut {
        version: p.version.clone(),
        size: p.files_bytes,
    }
}

fn of_type(list: &[PackageInfo], t: PackageType) -> Vec<&PackageInfo> {
    let mut v: Vec<&PackageInfo> = list.iter().filter(|p| p.package_type == t).collect();
    v.sort_by(|a, b| (&a.name, &a.version).cmp(&(&b.name, &b.version)));
    v
}

impl ImageDiff {
    /// `--format container-diff`: container-diff's `--json` output of
    /// `diff --type=apt --type=rpm --type=pip --type=node --type=file
    /// --type=history --type=metadata --type=size`, its differs in its
    /// (alphabetical) order. A package's `Size` is the sum of its files in
    /// the image; `Size` compares the sums of the final files' sizes.
    pub fn to_container_diff(&self) -> String {
        let files = &self.files;
        let mods = files
            .changed
            .iter()
            .filter(|c| c.content_changed())
            .map(|c| EntryDiff {
                name: c.path.clone(),
                size1: c.image1.entry_bytes,
                size2: c.image2.entry_bytes,
            })
            .collect();
        let (s1, s2) = (self.size.image1.files_bytes, self.size.image2.files_bytes);
        let size = if s1 == s2 {
            Vec::new()
        } else {
            vec![SizeDiff {
                name: String::new(),
                size1: s1,
                size2: s2,
            }]
        };
        let results = [
            ("Apt", Diff::Single(self.single_version(PackageType::Deb))),
            (
                "File",
                Diff::Dir(DirDiff {
                    adds: entries(&files.added),
                    dels: entries(&files.removed),
                    mods,
                }),
            ),
            (
                "History",
                Diff::Lines(LineDiff {
                    adds: self.history.added.clone(),
                    dels: self.history.removed.clone(),
                }),
            ),
            (
                "Metadata",
                Diff::Lines(LineDiff {
                    adds: self.container_diff_metadata.added.clone(),
                    dels: self.container_diff_metadata.removed.clone(),
                }),
            ),
            ("Node", Diff::Multi(self.multi_version(PackageType::Npm))),
            ("Pip", Diff::Multi(self.multi_version(PackageType::Pypi))),
            ("RPM", Diff::Single(self.single_version(PackageType::Rpm))),
            ("Size", Diff::Size(size)),
        ]
        .into_iter()
        .map(|(diff_type, diff)| DiffResult {
            image1: &self.image1.reference,
            image2: &self.image2.reference,
            diff_type,
            diff,
        })
        .collect::<Vec<_>>();
        serde_json::to_string_pretty(&results).unwrap_or_default() + "\n"
    }

    /// Apt and RPM: `Packages1` (only in image 1), `Packages2`, and
    /// `InfoDiff` (another version).
    fn single_version(&self, t: PackageType) -> PackageDiff<Info> {
        let out = |l: Vec<&PackageInfo>| -> Vec<PackageOutput> {
            l.into_iter()
                .map(|p| PackageOutput {
                    name: p.name.clone(),
                    path: String::new(),
                    version: p.version.clone(),
                    size: p.files_bytes,
                })
                .collect()
        };
        PackageDiff {
            packages1: out(of_type(&self.packages.removed, t)),
            packages2: out(of_type(&self.packages.added, t)),
            info_diff: self
                .packages
                .changed
                .iter()
                .filter(|c| c.package_type == t)
                .map(|c| Info {
                    package: c.name.clone(),
                    info1: info(&c.image1),
                    info2: info(&c.image2),
                })
                .collect(),
        }
    }

    /// Pip and Node: packages by name and path; a name both images hold
    /// differently goes to `InfoDiff` with every differing install.
    fn multi_version(&self, t: PackageType) -> PackageDiff<MultiInfo> {
        let removed = of_type(&self.packages.removed, t);
        let added = of_type(&self.packages.added, t);
        let changed: Vec<_> = self
            .packages
            .changed
            .iter()
            .filter(|c| c.package_type == t)
            .collect();
        let mut in_both: Vec<&str> = changed.iter().map(|c| c.name.as_str()).collect();
        in_both.extend(
            removed
                .iter()
                .filter(|r| added.iter().any(|a| a.name == r.name))
                .map(|r| r.name.as_str()),
        );
        in_both.sort_unstable();
        in_both.dedup();
        let out = |l: &[&PackageInfo]| -> Vec<PackageOutput> {
            l.iter()
                .filter(|p| !in_both.contains(&p.name.as_str()))
                .map(|p| PackageOutput {
                    name: p.name.clone(),
                    path: container_diff_path(p),
                    version: p.version.clone(),
                    size: p.files_bytes,
                })
                .collect()
        };
        let info_diff = in_both
            .iter()
            .map(|name| {
                let mut info1: Vec<PackageInfoOut> = removed
                    .iter()
                    .filter(|p| p.name == *name)
                    .map(|p| info(p))
                    .collect();
                let mut info2: Vec<PackageInfoOut> = added
                    .iter()
                    .filter(|p| p.name == *name)
                    .map(|p| info(p))
                    .collect();
                for c in changed.iter().filter(|c| c.name == *name) {
                    info1.push(info(&c.image1));
                    info2.push(info(&c.image2));
                }
                MultiInfo {
                    package: name.to_string(),
                    info1,
                    info2,
                }
            })
            .collect();
        PackageDiff {
            packages1: out(&removed),
            packages2: out(&added),
            info_diff,
        }
    }
}
