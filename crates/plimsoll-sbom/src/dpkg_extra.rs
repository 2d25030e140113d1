//! What dpkg knows about a package beyond its database paragraph: its files
//! (`var/lib/dpkg/info/<pkg>[:<arch>].list`, or the distroless
//! `status.d/<pkg>.md5sums`) and its licences (`usr/share/doc/<pkg>/copyright`).
//! Each layer keeps only the paths the lists name and the licence names the
//! copyright files declare, never the texts.

use std::collections::BTreeMap;

use plimsoll_engine::EntryKind;
use serde::{Deserialize, Serialize};

use crate::copyright::copyright_licenses;
use crate::{MergeContext, Package};

pub const INFO_DIR: &str = "var/lib/dpkg/info/";
pub const DOC_DIR: &str = "usr/share/doc/";
/// A file list larger than this names only the files of its first bytes.
pub const LIST_LIMIT: u64 = 16 * 1024 * 1024;
/// A copyright file larger than this is read up to the cut.
pub const COPYRIGHT_LIMIT: u64 = 4 * 1024 * 1024;

/// A `.list` or `.md5sums` file: the image paths it names.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpkgFileList {
    pub files: Vec<String>,
    pub truncated: bool,
}

/// A copyright file: the licences it declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DpkgCopyright {
    pub licenses: Vec<String>,
    pub truncated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ExtraFile {
    /// `info/<pkg>.list`: one absolute path a line, directories included.
    List,
    /// `status.d/<pkg>.md5sums`: `<md5>  <path>` lines, files only.
    Md5sums,
    Copyright,
}

pub(crate) fn classify(path: &str) -> Option<ExtraFile> {
    let single = |rest: &str| !rest.is_empty() && !rest.contains('/');
    if let Some(name) = path.strip_prefix(INFO_DIR)
        && single(name)
        && name.len() > ".list".len()
        && name.ends_with(".list")
    {
        return Some(ExtraFile::List);
    }
    if let Some(name) = path.strip_prefix(crate::dpkg::STATUS_D)
        && single(name)
        && name.len() > ".md5sums".len()
        && name.ends_with(".md5sums")
    {
        return Some(ExtraFile::Md5sums);
    }
    if let Some(rest) = path.strip_prefix(DOC_DIR)
        && let Some(pkg) = rest.strip_suffix("/copyright")
        && single(pkg)
    {
        return Some(ExtraFile::Copyright);
    }
    None
}

pub(crate) fn limit(kind: ExtraFile) -> u64 {
    match kind {
        ExtraFile::List | ExtraFile::Md5sums => LIST_LIMIT,
        ExtraFile::Copyright => COPYRIGHT_LIMIT,
    }
}

/// The image paths (no leading `/`) of a `.list` or `.md5sums` file.
pub(crate) fn parse_file_list(kind: ExtraFile, content: &[u8], truncated: bool) -> DpkgFileList {
    let text = String::from_utf8_lossy(content);
    let mut files: Vec<String> = crate::whole_lines(&text, truncated)
        .into_iter()
        .filter_map(|line| {
            let line = line.strip_suffix('\r').unwrap_or(line);
            let path = match kind {
                ExtraFile::Md5sums => line.split_once(char::is_whitespace)?.1.trim_start(),
                _ => line,
            };
            let path = path.trim_start_matches('/');
            let path = path.strip_prefix("./").unwrap_or(path);
            (!path.is_empty() && path != "." && !path.split('/').any(|s| s == ".."))
                .then(|| path.to_string())
        })
        .collect();
    files.sort();
    files.dedup();
    DpkgFileList { files, truncated }
}

pub(crate) fn parse_copyright(content: &[u8], truncated: bool) -> DpkgCopyright {
    DpkgCopyright {
        licenses: copyright_licenses(content),
        truncated,
    }
}

/// Fills in the files and licences of the final image's Debian packages
/// from the layers' lists and copyright files the final image shows.
pub(crate) fn attach(
    ctx: &MergeContext<'_>,
    facts: &[crate::dpkg::DpkgLayerFacts],
    packages: &mut [Package],
    warnings: &mut plimsoll_report::Warnings,
) {
    let lists: BTreeMap<&str, (usize, &DpkgFileList)> = ctx
        .visible_in(facts, |f| &f.file_lists)
        .into_iter()
        .map(|(layer, path, list)| (path, (layer, list)))
        .collect();
    let copyrights: BTreeMap<&str, (usize, &DpkgCopyright)> = ctx
        .visible_in(facts, |f| &f.copyrights)
        .into_iter()
        .map(|(layer, path, c)| (path, (layer, c)))
        .collect();
    for pkg in packages.iter_mut() {
        let arch = pkg.arch.as_deref().unwrap_or("");
        let candidates = if pkg.location.starts_with(crate::dpkg::STATUS_D) {
            vec![format!("{}.md5sums", pkg.location)]
        } else {
            vec![
                format!("{INFO_DIR}{}:{arch}.list", pkg.name),
                format!("{INFO_DIR}{}.list", pkg.name),
            ]
        };
        if let Some((path, (layer, list))) = candidates
            .iter()
            .find_map(|c| lists.get_key_value(c.as_str()))
        {
            if list.truncated {
                warnings.push(format!(
                    "layer {layer}: {path}: larger than {LIST_LIMIT} bytes: \
                     the files after that are not listed"
                ));
            }
            pkg.files = list
                .files
                .iter()
                .filter(|f| !is_directory(ctx, f))
                .cloned()
                .collect();
        }
        // The doc directory is often a symlink to another package's
        // (`libgcc-s1` -> `gcc-12-base`): follow it as the kernel would.
        let copyright = format!("{DOC_DIR}{}/copyright", pkg.name);
        if let Ok(Some((real, node))) = ctx.tree.resolve(&copyright)
            && node.kind == EntryKind::File
            && let Some((layer, c)) = copyrights.get(real.as_str())
        {
            if c.truncated {
                warnings.push(format!(
                    "layer {layer}: {real}: larger than {COPYRIGHT_LIMIT} bytes: \
                     licences after that are not read"
                ));
            }
            pkg.licenses = c.licenses.clone();
        }
    }
}

/// Whether the final image has a directory at `path` (after symlinks:
/// dpkg lists `/bin/...` where merged-/usr images have `usr/bin`).
fn is_directory(ctx: &MergeContext<'_>, path: &str) -> bool {
    match ctx.tree.files.get(path) {
        Some(node) => node.kind == EntryKind::Dir,
        None => matches!(ctx.tree.resolve(path), Ok(Some((_, n))) if n.kind == EntryKind::Dir),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_paths_are_read() {
        assert_eq!(
            classify("var/lib/dpkg/info/libc6:amd64.list"),
            Some(ExtraFile::List)
        );
        assert_eq!(
            classify("var/lib/dpkg/info/bash.list"),
            Some(ExtraFile::List)
        );
        assert_eq!(
            classify("var/lib/dpkg/status.d/base.md5sums"),
            Some(ExtraFile::Md5sums)
        );
        assert_eq!(
            classify("usr/share/doc/bash/copyright"),
            Some(ExtraFile::Copyright)
        );
        for no in [
            "var/lib/dpkg/info/.list",
            "var/lib/dpkg/info/bash.md5sums",
            "var/lib/dpkg/info/x/y.list",
            "usr/share/doc/copyright",
            "usr/share/doc/a/b/copyright",
            "usr/share/doc/bash/copyright.gz",
        ] {
            assert_eq!(classify(no), None, "{no}");
        }
    }

    #[test]
    fn lists_become_sorted_image_paths() {
        let l = parse_file_list(
            ExtraFile::List,
            b"/.\n/usr\n/usr/bin/bash\n/bin/bash\n\n/usr/../etc/x\n/usr/share/doc/ba",
            true,
        );
        assert_eq!(l.files, ["bin/bash", "usr", "usr/bin/bash"]);
        let m = parse_file_list(
            ExtraFile::Md5sums,
            b"d41d8cd98f00b204e9800998ecf8427e  usr/share/doc/base-files/README\r\nbroken\n",
            false,
        );
        assert_eq!(m.files, ["usr/share/doc/base-files/README"]);
    }
}
