//! Executables that carry their own dependency list: Go's build info and
//! cargo-auditable's `.dep-v0` section. Both catalogers ask the engine for
//! the same files (every executable regular file up to [`BINARY_LIMIT`]), so
//! the engine reads each once; each parses only the ELF headers it needs.
//! The binary classifiers ([`classifier`], table in [`classifiers`]) read
//! only files whose names their globs match, in the same pass.

pub(crate) mod classifier;
pub(crate) mod classifiers;
pub(crate) mod elf_note;
pub(crate) mod golang;
pub(crate) mod jvm_release;
pub(crate) mod rust_audit;
pub(crate) mod shared_library;

use object::{Object, ObjectSection, ObjectSegment};
use plimsoll_engine::{Entry, EntryKind};

/// Executables larger than this are not read (the engine would buffer them
/// whole). Far above real Go and Rust binaries, which stay under ~200 MiB.
pub const BINARY_LIMIT: u64 = 256 * 1024 * 1024;
/// Smaller than an ELF header: not a binary.
pub(crate) const MIN_ELF: u64 = 64;
const ELF_MAGIC: &[u8] = b"\x7fELF";

/// Directories whose executables are scripts, docs or package-manager
/// hooks, never Go or Rust programs worth reading in full.
const NOT_BINARY_DIRS: &[&str] = &[
    "etc/",
    "var/lib/dpkg/info/",
    "usr/share/doc/",
    "usr/share/man/",
    "usr/include/",
    "proc/",
    "sys/",
    "dev/",
];

/// Extensions of executable text files.
const SCRIPT_EXTENSIONS: &[&str] = &[
    ".sh", ".bash", ".py", ".pl", ".pm", ".rb", ".js", ".txt", ".md", ".json", ".html", ".h", ".c",
];

/// Whether the Go and Rust catalogers want this entry: a regular file with
/// an exec bit, between an ELF header and [`BINARY_LIMIT`] in size, not
/// where only scripts live.
pub(crate) fn is_candidate(entry: &Entry<'_>) -> bool {
    entry.kind == EntryKind::File
        && entry.mode & 0o111 != 0
        && (MIN_ELF..=BINARY_LIMIT).contains(&entry.size)
        && !NOT_BINARY_DIRS.iter().any(|d| entry.path.starts_with(d))
        && !SCRIPT_EXTENSIONS.iter().any(|e| entry.path.ends_with(e))
}

/// The content limit both binary catalogers request.
pub(crate) fn content_limit(entry: &Entry<'_>) -> Option<u64> {
    is_candidate(entry).then_some(entry.size)
}

/// What the binary looks like to a cataloger. Lives on the stack for one
/// file at a time: its size does not matter.
#[allow(clippy::large_enum_variant)]
pub(crate) enum Binary<'d> {
    /// Not ELF (a script, a data file with an exec bit): nothing to do.
    NotElf,
    /// ELF magic, but the headers do not parse (truncated or corrupt).
    Broken(String),
    Elf(Elf<'d>),
}

/// A parsed ELF file: sections by name, and reads by virtual address
/// through the loadable segments.
pub(crate) struct Elf<'d> {
    file: object::File<'d>,
}

impl<'d> Binary<'d> {
    pub(crate) fn parse(data: &'d [u8]) -> Binary<'d> {
        if !data.starts_with(ELF_MAGIC) {
            return Binary::NotElf;
        }
        match object::File::parse(data) {
            Ok(file) if file.format() == object::BinaryFormat::Elf => Binary::Elf(Elf { file }),
            Ok(_) => Binary::NotElf,
            Err(e) => Binary::Broken(e.to_string()),
        }
    }
}

impl<'d> Elf<'d> {
    /// The file contents of a section, when the section table lists it.
    /// A section whose data lies outside the file is an error.
    pub(crate) fn section(&self, name: &str) -> Option<Result<&'d [u8], String>> {
        let section = self.file.section_by_name(name)?;
        Some(section.data().map_err(|e| e.to_string()))
    }

    pub(crate) fn has_sections(&self) -> bool {
        self.file.sections().next().is_some()
    }

    /// `len` bytes at virtual address `addr`, if a loadable segment holds
    /// them in the file.
    pub(crate) fn read_at(&self, addr: u64, len: u64) -> Option<&'d [u8]> {
        self.file.segments().find_map(|seg| {
            let start = seg.address();
            let end = start.checked_add(seg.size())?;
            if addr < start || addr >= end {
                return None;
            }
            seg.data_range(addr, len).ok().flatten()
        })
    }

    /// The file data of the first writable, non-executable loadable
    /// segment: where Go's linker puts the build info.
    pub(crate) fn first_data_segment(&self) -> Option<&'d [u8]> {
        self.file.segments().find_map(|seg| {
            let object::SegmentFlags::Elf { p_flags } = seg.flags() else {
                return None;
            };
            let writable = p_flags & object::elf::PF_W != 0;
            let executable = p_flags & object::elf::PF_X != 0;
            (writable && !executable).then(|| seg.data().ok()).flatten()
        })
    }

    pub(crate) fn is_little_endian(&self) -> bool {
        self.file.is_little_endian()
    }
}

/// A note about one file, kept with the file so that only files the final
/// image shows report anything.
pub(crate) fn truncated_note(entry: &Entry<'_>, got: usize) -> Option<String> {
    ((got as u64) < entry.size).then(|| {
        format!(
            "only the first {got} of {} bytes were read: the file changed or the tar is short",
            entry.size
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(path: &str, mode: u32, size: u64) -> Entry<'_> {
        Entry {
            path,
            kind: EntryKind::File,
            mode,
            uid: 0,
            gid: 0,
            size,
            link: None,
        }
    }

    #[test]
    fn which_files_are_candidates() {
        assert!(is_candidate(&entry("usr/local/bin/dive", 0o755, 10 << 20)));
        assert!(is_candidate(&entry("app/server", 0o700, 4096)));
        assert!(!is_candidate(&entry("usr/local/bin/dive", 0o644, 10 << 20)));
        assert!(!is_candidate(&entry("usr/bin/tiny", 0o755, 10)));
        assert!(!is_candidate(&entry(
            "usr/bin/huge",
            0o755,
            BINARY_LIMIT + 1
        )));
        assert!(!is_candidate(&entry("etc/init.d/ssh", 0o755, 4096)));
        assert!(!is_candidate(&entry(
            "var/lib/dpkg/info/curl.postinst",
            0o755,
            4096
        )));
        assert!(!is_candidate(&entry("usr/bin/run.sh", 0o755, 4096)));
        let mut dir = entry("usr/bin", 0o755, 4096);
        dir.kind = EntryKind::Dir;
        assert!(!is_candidate(&dir));
    }

    #[test]
    fn non_elf_and_broken_elf() {
        assert!(matches!(Binary::parse(b"#!/bin/sh\n"), Binary::NotElf));
        let mut truncated = b"\x7fELF\x02\x01\x01".to_vec();
        truncated.resize(40, 0);
        assert!(matches!(Binary::parse(&truncated), Binary::Broken(_)));
    }
}
