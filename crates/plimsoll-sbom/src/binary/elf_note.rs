//! ELF package notes: the `.note.package` note (owner `FDO`, type
//! `0xcafe1a7e`) that distributions following systemd's "package metadata
//! for executable files" convention link into every binary and library
//! (Debian's and Fedora's systemd, Azure Linux, CBL-Mariner images built
//! without a package database), a JSON object naming the package:
//!
//! ```json
//! {"type":"deb","os":"Debian","name":"systemd","version":"252.38-1~deb12u1","architecture":"amd64"}
//! ```
//!
//! As syft 1.18's `elf-binary-package-cataloger` does, each note is a package
//! of its `type` (deb, rpm, apk; other types are skipped with a warning) with
//! its files; the same package noted by several files is one package. A
//! package whose files an OS package database already lists (the usual
//! case: dpkg owns `/usr/bin/busctl`) is left out, it is that package; what
//! remains is the evidence of distroless and database-less images.
//!
//! The note is found through the program headers (`PT_NOTE`), which sit at
//! the start of the file: executables are read whole for the Go and Rust
//! catalogers anyway; shared libraries without an exec bit (`*.so*`) are read
//! only for their first [`NOTE_PREFIX`] bytes.

use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use serde::{Deserialize, Serialize};

use super::{MIN_ELF, content_limit as binary_limit, is_candidate};
use crate::merge::{LazyOsOwnedFiles, OsOwnedFiles};
use crate::purl::{deb_purl, purl};
use crate::{Inventory, MergeContext, Package, PackageType};

/// How much of a shared library without an exec bit is read for its notes.
pub const NOTE_PREFIX: u64 = 64 * 1024;
/// `FDO_PACKAGING_METADATA`.
const NT_FDO_PACKAGING_METADATA: u32 = 0xcafe_1a7e;

/// What one note says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageNote {
    /// `deb`, `rpm`, `apk`.
    pub kind: String,
    pub os: String,
    pub os_version: String,
    pub name: String,
    pub version: String,
    pub architecture: String,
}

/// A file's note, or why it could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteRecord {
    pub note: Option<PackageNote>,
    pub warnings: plimsoll_report::Warnings,
}

/// What [`ElfNoteCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElfNoteLayerFacts {
    pub files: Vec<(String, NoteRecord)>,
}

/// ELF package notes: an [`Analyzer`] for the engine's pass.
pub struct ElfNoteCataloger;

pub struct ElfNoteVisitor(ElfNoteLayerFacts);

/// A shared library: `lib*.so`, `*.so.1.2`.
fn is_shared_library(entry: &Entry<'_>) -> bool {
    let name = entry.path.rsplit('/').next().unwrap_or(entry.path);
    entry.kind == EntryKind::File
        && entry.size >= MIN_ELF
        && (name.ends_with(".so") || name.contains(".so."))
}

impl Analyzer for ElfNoteCataloger {
    type Facts = ElfNoteLayerFacts;
    type Visitor = ElfNoteVisitor;
    const NAME: &'static str = "sbom-elf-notes";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        binary_limit(entry)
            .or_else(|| is_shared_library(entry).then_some(entry.size.min(NOTE_PREFIX)))
    }

    fn visitor(&self) -> ElfNoteVisitor {
        ElfNoteVisitor(ElfNoteLayerFacts::default())
    }
}

impl LayerVisitor for ElfNoteVisitor {
    type Facts = ElfNoteLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if !is_candidate(entry) && !is_shared_library(entry) {
            return;
        }
        let Some(data) = content else { return };
        let record = parse(data);
        if record.note.is_none() && record.warnings.is_empty() {
            return;
        }
        // A path stored twice in one tar: the later entry wins.
        self.0.files.retain(|(p, _)| p != entry.path);
        self.0.files.push((entry.path.to_string(), record));
    }

    fn finish(self) -> ElfNoteLayerFacts {
        self.0
    }
}

/// The package note of an ELF file (or of the start of one), if it has one.
pub fn parse(data: &[u8]) -> NoteRecord {
    use object::elf::{FileHeader32, FileHeader64, PT_NOTE};
    use object::read::elf::{FileHeader, ProgramHeader};
    use object::{Endianness, FileKind};

    fn notes<H: FileHeader<Endian = Endianness>>(data: &[u8]) -> Result<Option<Vec<u8>>, String> {
        let header = H::parse(data).map_err(|e| e.to_string())?;
        let endian = header.endian().map_err(|e| e.to_string())?;
        let headers = header
            .program_headers(endian, data)
            .map_err(|e| e.to_string())?;
        for ph in headers {
            if ph.p_type(endian) != PT_NOTE {
                continue;
            }
            // A note segment past the part read (a library read in part):
            // not there to be read.
            let Ok(Some(mut notes)) = ph.notes(endian, data) else {
                continue;
            };
            while let Ok(Some(note)) = notes.next() {
                if note.name() == b"FDO" && note.n_type(endian) == NT_FDO_PACKAGING_METADATA {
                    return Ok(Some(note.desc().to_vec()));
                }
            }
        }
        Ok(None)
    }

    let found = match FileKind::parse(data) {
        Ok(FileKind::Elf32) => notes::<FileHeader32<Endianness>>(data),
        Ok(FileKind::Elf64) => notes::<FileHeader64<Endianness>>(data),
        _ => return NoteRecord::default(),
    };
    let warn = |why: String| NoteRecord {
        note: None,
        warnings: plimsoll_report::Warnings::from_iter([why]),
    };
    let desc = match found {
        Ok(Some(desc)) => desc,
        Ok(None) => return NoteRecord::default(),
        // Unreadable headers are the Go cataloger's to report (it reads the
        // same executables); a library cut to NOTE_PREFIX may end early.
        Err(_) => return NoteRecord::default(),
    };
    let text = desc.split(|&b| b == 0).next().unwrap_or(&[]);
    let json: serde_json::Value = match serde_json::from_slice(text) {
        Ok(v) => v,
        Err(e) => return warn(format!("package note is not JSON ({e}): skipped")),
    };
    let field = |k: &str| {
        json.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let note = PackageNote {
        kind: field("type"),
        os: field("os"),
        os_version: field("osVersion"),
        name: field("name"),
        version: field("version"),
        architecture: field("architecture"),
    };
    if note.name.is_empty() || note.name.contains(char::is_whitespace) {
        return warn("package note names no package: skipped".into());
    }
    NoteRecord {
        note: Some(note),
        warnings: plimsoll_report::Warnings::new(),
    }
}

/// The package type and purl of a note; None for a type plimsoll has no
/// package type for.
fn typed(n: &PackageNote) -> Option<(PackageType, String)> {
    let os = n.os.to_lowercase();
    let distro =
        (!os.is_empty() && !n.os_version.is_empty()).then(|| format!("{os}-{}", n.os_version));
    Some(match n.kind.as_str() {
        "deb" => (
            PackageType::Deb,
            deb_purl(
                &os,
                &n.name,
                &n.version,
                &n.architecture,
                distro.as_deref(),
                None,
            ),
        ),
        "rpm" => (
            PackageType::Rpm,
            purl(
                "rpm",
                (!os.is_empty()).then_some(os.as_str()),
                &n.name,
                &n.version,
                &[
                    ("arch", &n.architecture),
                    ("distro", distro.as_deref().unwrap_or("")),
                ],
            ),
        ),
        "apk" => (
            PackageType::Apk,
            purl(
                "apk",
                (!os.is_empty()).then_some(os.as_str()),
                &n.name,
                &n.version,
                &[
                    ("arch", &n.architecture),
                    ("distro", distro.as_deref().unwrap_or("")),
                ],
            ),
        ),
        _ => return None,
    })
}

/// The noted packages of the final image that no OS package database lists,
/// added to `inventory` (call after the OS catalogers' merges).
pub(crate) fn merge(
    ctx: &MergeContext<'_>,
    facts: &[ElfNoteLayerFacts],
    owned: &LazyOsOwnedFiles,
    inventory: &mut Inventory,
) {
    let visible = ctx.visible_in(facts, |f| &f.files);
    if visible.is_empty() {
        return;
    }
    let owned = OsOwnedFiles::get(owned, ctx, inventory);
    let mut found: Vec<Package> = Vec::new();
    let mut by_purl: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    let mut warnings = Vec::new();
    for (layer, path, record) in visible {
        for w in record.warnings.iter() {
            warnings.push(format!("layer {layer}: {path}: {w}"));
        }
        let Some(note) = &record.note else { continue };
        if owned.contains(path) {
            continue;
        }
        let Some((package_type, purl)) = typed(note) else {
            warnings.push(format!(
                "layer {layer}: {path}: package note of type {:?} ({}): no such package type, skipped",
                note.kind, note.name
            ));
            continue;
        };
        // One package per purl, however many files carry its note.
        match by_purl.get(&purl) {
            Some(&i) => found[i].files.push(path.to_string()),
            None => {
                by_purl.insert(purl.clone(), found.len());
                let mut pkg =
                    Package::new(package_type, &note.name, &note.version, purl, path, layer);
                pkg.files = vec![path.to_string()];
                found.push(pkg);
            }
        }
    }
    for w in warnings {
        inventory.warnings.push(w);
    }
    for p in &mut found {
        p.files.sort();
    }
    inventory.packages.extend(found);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ELF64 little-endian file with one PT_NOTE segment holding `notes`.
    fn elf_with_notes(notes: &[(&[u8], u32, &[u8])]) -> Vec<u8> {
        let mut body = Vec::new();
        for (name, kind, desc) in notes {
            body.extend((name.len() as u32 + 1).to_le_bytes());
            body.extend((desc.len() as u32).to_le_bytes());
            body.extend(kind.to_le_bytes());
            body.extend(*name);
            body.push(0);
            while body.len() % 4 != 0 {
                body.push(0);
            }
            body.extend(*desc);
            while body.len() % 4 != 0 {
                body.push(0);
            }
        }
        let (ehsize, phsize) = (64u16, 56u16);
        let note_off = (ehsize + phsize) as u64;
        let mut f = Vec::new();
        f.extend(b"\x7fELF\x02\x01\x01\x00");
        f.extend([0u8; 8]);
        f.extend(3u16.to_le_bytes()); // ET_DYN
        f.extend(62u16.to_le_bytes()); // x86-64
        f.extend(1u32.to_le_bytes());
        f.extend(0u64.to_le_bytes()); // entry
        f.extend((ehsize as u64).to_le_bytes()); // phoff
        f.extend(0u64.to_le_bytes()); // shoff
        f.extend(0u32.to_le_bytes());
        f.extend(ehsize.to_le_bytes());
        f.extend(phsize.to_le_bytes());
        f.extend(1u16.to_le_bytes()); // phnum
        f.extend(64u16.to_le_bytes());
        f.extend(0u16.to_le_bytes());
        f.extend(0u16.to_le_bytes());
        // PT_NOTE
        f.extend(4u32.to_le_bytes());
        f.extend(4u32.to_le_bytes());
        f.extend(note_off.to_le_bytes());
        f.extend(note_off.to_le_bytes());
        f.extend(note_off.to_le_bytes());
        f.extend((body.len() as u64).to_le_bytes());
        f.extend((body.len() as u64).to_le_bytes());
        f.extend(4u64.to_le_bytes());
        f.extend(body);
        f
    }

    #[test]
    fn this_machines_systemd_note() {
        // The note as Debian 12's systemd 252 links it (readelf -n
        // /usr/bin/busctl), next to the GNU build-id note.
        let json = br#"{"type":"deb","os":"Debian","name":"systemd","version":"252.38-1~deb12u1","architecture":"amd64","debugInfoUrl":"https://debuginfod.debian.net"}"#;
        let elf = elf_with_notes(&[
            (b"GNU", 3, &[0xab; 20]),
            (b"FDO", NT_FDO_PACKAGING_METADATA, json),
        ]);
        let r = parse(&elf);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let n = r.note.unwrap();
        assert_eq!(
            (n.name.as_str(), n.version.as_str()),
            ("systemd", "252.38-1~deb12u1")
        );
        let (t, purl) = typed(&n).unwrap();
        assert_eq!(t, PackageType::Deb);
        assert_eq!(purl, "pkg:deb/debian/systemd@252.38-1~deb12u1?arch=amd64");
        // Cut inside the note: nothing, no panic.
        for cut in 0..elf.len() {
            let _ = parse(&elf[..cut]);
        }
        // No FDO note, another note type, a broken JSON: nothing or a warning.
        assert_eq!(
            parse(&elf_with_notes(&[(b"GNU", 3, b"abcd")])),
            NoteRecord::default()
        );
        assert!(
            parse(&elf_with_notes(&[(
                b"FDO",
                NT_FDO_PACKAGING_METADATA,
                b"{nope"
            )]))
            .warnings[0]
                .contains("not JSON")
        );
        assert!(parse(b"#!/bin/sh\n").note.is_none());
    }
}
