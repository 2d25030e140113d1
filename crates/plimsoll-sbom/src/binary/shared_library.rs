//! The shared libraries an ELF file names in its dynamic section
//! (`DT_NEEDED`), as syft's binary classifiers read them for their
//! shared-library lookups (`sharedLibraries` in syft 1.18.1's
//! `classifier.go`, Go's `elf.File.ImportedLibraries`): the `SHT_DYNAMIC`
//! section found through the section headers, its names read from the
//! string table the section links to.
//!
//! Only ELF is read. syft also asks Mach-O and PE files for the libraries
//! they import, but the lookups' patterns (`^libpython…\.so.*$`,
//! `^libruby\.so.*$`) can match neither a Mach-O install name (a path,
//! `.dylib`) nor a DLL name, so the result is the same.

use object::elf::{DT_NEEDED, FileHeader32, FileHeader64};
use object::read::elf::{Dyn, FileHeader, SectionHeader};
use object::{Endianness, FileKind};
use serde::{Deserialize, Serialize};

/// One `DT_NEEDED` entry: the library's name and where the name is in the
/// file (the offset of the string in the dynamic string table).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeededLibrary {
    pub name: String,
    pub offset: u64,
}

/// The libraries `data` (a whole ELF file) needs, in the order its dynamic
/// section lists them. Anything that is no ELF file, has no dynamic section
/// or section headers, or whose tables are cut or malformed gives the
/// entries read so far (none for most): syft logs such files and goes on.
pub fn needed(data: &[u8]) -> Vec<NeededLibrary> {
    match FileKind::parse(data) {
        Ok(FileKind::Elf32) => read::<FileHeader32<Endianness>>(data),
        Ok(FileKind::Elf64) => read::<FileHeader64<Endianness>>(data),
        _ => Vec::new(),
    }
}

fn read<H: FileHeader<Endian = Endianness>>(data: &[u8]) -> Vec<NeededLibrary> {
    let mut out = Vec::new();
    let Ok(header) = H::parse(data) else {
        return out;
    };
    let Ok(endian) = header.endian() else {
        return out;
    };
    let Ok(sections) = header.sections(endian, data) else {
        return out;
    };
    let Ok(Some((entries, link))) = sections.dynamic(endian, data) else {
        return out;
    };
    let Ok(strings) = sections.strings(endian, data, link) else {
        return out;
    };
    let Ok(table) = sections.section(link) else {
        return out;
    };
    let base: u64 = table.sh_offset(endian).into();
    for entry in entries {
        if entry.tag32(endian) != Some(DT_NEEDED as i32) {
            continue;
        }
        let Ok(name) = entry.string(endian, strings) else {
            continue;
        };
        out.push(NeededLibrary {
            name: String::from_utf8_lossy(name).into_owned(),
            offset: base.saturating_add(entry.val(endian)),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_elf_needs_nothing() {
        assert!(needed(b"#!/bin/sh\nexec python3 \"$@\"\n").is_empty());
        assert!(needed(b"").is_empty());
        // An ELF header cut short.
        assert!(needed(b"\x7fELF\x02\x01\x01\x00").is_empty());
    }
}
