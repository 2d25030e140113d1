//! The Linux kernel cataloger: kernel images and the kernel modules
//! installed beside them, as syft 1.18.1's `linux-kernel-cataloger` finds
//! them.
//!
//! - Kernel images: files named `kernel`, `kernel-*`, `vmlinux`,
//!   `vmlinux-*`, `vmlinuz` or `vmlinuz-*` anywhere (`boot/vmlinuz-6.1.0-28-amd64`,
//!   Fedora's `lib/modules/<release>/vmlinuz`) that are x86 boot executables
//!   (the boot protocol's setup header, `Documentation/arch/x86/boot.rst`:
//!   the boot flag `0xAA55` at 0x1FE, `HdrS` at 0x202, and at 0x20E the
//!   offset, from 0x200, of the NUL-terminated version string). The package
//!   is `linux-kernel` at the version string's first word (the release,
//!   `6.1.0-28-amd64`), type `linux-kernel`, purl
//!   `pkg:generic/linux-kernel@<release>`. Images without a version string
//!   in their header (ARM64 `Image`, compressed images) are no package, as
//!   for syft, whose file-magic rules read the same header.
//! - Kernel modules: `lib/modules/**/*.ko` (ELF; compressed `.ko.xz` and
//!   `.ko.zst` are not read, as by syft): the NUL-separated `key=value`
//!   strings of the `.modinfo` section give the package `name`, `version`,
//!   `license`, `author` and `vermagic` (whose first word is the kernel
//!   release the module was built for; a module without one is no package).
//!   Type `linux-kernel-module`, purl `pkg:generic/<name>@<version>` (no
//!   version when the module declares none: most in-tree modules).
//!
//! A module that is no ELF file or has no `.modinfo` is skipped with a
//! warning naming the layer and path.

use object::{Object, ObjectSection};
use plimsoll_engine::{Analyzer, Entry, EntryKind, LayerVisitor};
use plimsoll_report::Warnings;
use serde::{Deserialize, Serialize};

use crate::license::{clip, normalize};
use crate::purl::purl;
use crate::{Inventory, MergeContext, Package, PackageType};

/// Modules larger than this are not read (the engine buffers them whole);
/// the largest real ones (GPU drivers) are some tens of MiB.
pub const KERNEL_MODULE_LIMIT: u64 = 128 * 1024 * 1024;
/// Of a kernel image, the setup header and the version string it points
/// to: at most 0x200 + 0xFFFF bytes.
const KERNEL_HEADER_LIMIT: u64 = 0x200 + 0x1_0000;

/// A kernel image's identity from its setup header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelImage {
    /// The release, e.g. `6.1.0-28-amd64`.
    pub version: String,
    /// The whole version string, e.g. `6.1.0-28-amd64 (debian-kernel@…) #1 SMP …`.
    pub extended_version: String,
    /// `bzImage` or `zImage`.
    pub format: String,
}

/// A kernel module's `.modinfo`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelModule {
    pub name: String,
    /// Empty when the module declares none.
    pub version: String,
    pub license: String,
    pub author: String,
    /// `vermagic`'s first word: the kernel release it was built for.
    pub kernel_version: String,
    pub vermagic: String,
}

/// A module file as one layer stores it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleRecord {
    /// None when the file is no kernel module (see `warnings`).
    pub module: Option<KernelModule>,
    pub warnings: Warnings,
}

/// What [`KernelCataloger`] found in one layer, keyed by file path.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KernelLayerFacts {
    /// Kernel images (files with a kernel's name that are none are left out).
    pub kernels: Vec<(String, KernelImage)>,
    pub modules: Vec<(String, ModuleRecord)>,
}

/// Kernel images and modules: an [`Analyzer`] for the engine's pass.
pub struct KernelCataloger;

pub struct KernelVisitor(KernelLayerFacts);

/// syft's kernel image names: `kernel`, `vmlinux`, `vmlinuz`, each alone or
/// followed by `-…`.
fn is_kernel_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    ["kernel", "vmlinux", "vmlinuz"].iter().any(|k| {
        name.strip_prefix(k)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
    })
}

/// `…lib/modules/<anything>/<name>.ko`.
fn is_module_path(path: &str) -> bool {
    const MODULES: &str = "lib/modules/";
    path.ends_with(".ko")
        && path.len() > ".ko".len()
        && !path.ends_with("/.ko")
        && path.match_indices(MODULES).any(|(at, _)| {
            (at == 0 || path.as_bytes()[at - 1] == b'/') && !path[at + MODULES.len()..].is_empty()
        })
}

impl Analyzer for KernelCataloger {
    type Facts = KernelLayerFacts;
    type Visitor = KernelVisitor;
    const NAME: &'static str = "sbom-kernel";
    const VERSION: u32 = 1;

    fn content_limit(&self, entry: &Entry<'_>) -> Option<u64> {
        if entry.kind != EntryKind::File {
            return None;
        }
        if is_module_path(entry.path) {
            return (entry.size <= KERNEL_MODULE_LIMIT).then_some(entry.size);
        }
        is_kernel_name(entry.path).then(|| entry.size.min(KERNEL_HEADER_LIMIT))
    }

    fn visitor(&self) -> KernelVisitor {
        KernelVisitor(KernelLayerFacts::default())
    }
}

impl LayerVisitor for KernelVisitor {
    type Facts = KernelLayerFacts;

    fn visit(&mut self, entry: &Entry<'_>, content: Option<&[u8]>) {
        if entry.kind != EntryKind::File {
            return;
        }
        let content = content.unwrap_or(&[]);
        let path = entry.path.to_string();
        // A path stored twice in one tar: the later entry wins.
        if is_module_path(entry.path) {
            let record = if entry.size > KERNEL_MODULE_LIMIT {
                ModuleRecord {
                    module: None,
                    warnings: Warnings::from_iter([format!(
                        "{} bytes, larger than {KERNEL_MODULE_LIMIT}: not read",
                        entry.size
                    )]),
                }
            } else {
                parse_module(content)
            };
            self.0.modules.retain(|(p, _)| *p != path);
            self.0.modules.push((path, record));
        } else if is_kernel_name(entry.path) {
            self.0.kernels.retain(|(p, _)| *p != path);
            if let Some(k) = parse_kernel_image(content) {
                self.0.kernels.push((path, k));
            }
        }
    }

    fn finish(self) -> KernelLayerFacts {
        self.0
    }
}

fn le16(data: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(data.get(at..at + 2)?.try_into().ok()?))
}

/// The kernel release of an x86 boot image (bzImage, zImage) from its setup
/// header; None for anything else or a header without a version string.
pub fn parse_kernel_image(data: &[u8]) -> Option<KernelImage> {
    if data.get(0x202..0x206)? != b"HdrS" || le16(data, 0x1FE)? != 0xAA55 {
        return None;
    }
    // Boot protocol 2.00 and later carry the version pointer.
    if le16(data, 0x206)? < 0x200 {
        return None;
    }
    let format = match data.get(0x211)? & 1 {
        1 => "bzImage",
        _ => "zImage",
    };
    let offset = le16(data, 0x20E)?;
    if offset == 0 {
        return None;
    }
    let start = 0x200 + offset as usize;
    let rest = data.get(start..)?;
    let end = rest.iter().position(|&b| b == 0 || b == b'\n')?;
    let text = std::str::from_utf8(&rest[..end]).ok()?.trim();
    let version = text.split_whitespace().next()?.to_string();
    Some(KernelImage {
        version,
        extended_version: clip(text, 200),
        format: format.to_string(),
    })
}

/// A kernel module's `.modinfo`. No ELF, no section, no `vermagic`: no
/// module, with a warning saying which.
pub fn parse_module(data: &[u8]) -> ModuleRecord {
    let bad = |why: String| ModuleRecord {
        module: None,
        warnings: Warnings::from_iter([why]),
    };
    if !data.starts_with(b"\x7fELF") {
        return bad("not an ELF file: no kernel module, skipped".into());
    }
    let file = match object::File::parse(data) {
        Ok(f) => f,
        Err(e) => return bad(format!("unreadable ELF ({e}): skipped")),
    };
    let Some(section) = file.section_by_name(".modinfo") else {
        return bad("no .modinfo section: no kernel module, skipped".into());
    };
    let info = match section.data() {
        Ok(d) => d,
        Err(e) => return bad(format!("unreadable .modinfo section ({e}): skipped")),
    };
    let mut m = KernelModule {
        name: String::new(),
        version: String::new(),
        license: String::new(),
        author: String::new(),
        kernel_version: String::new(),
        vermagic: String::new(),
    };
    for field in info.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let field = String::from_utf8_lossy(field);
        let (key, value) = field.split_once('=').unwrap_or((&field, ""));
        let value = value.to_string();
        match key {
            "name" => m.name = value,
            "version" => m.version = value,
            "license" => m.license = value,
            "author" => m.author = value,
            "vermagic" => {
                m.kernel_version = value.split_whitespace().next().unwrap_or("").to_string();
                m.vermagic = value;
            }
            _ => {}
        }
    }
    if m.kernel_version.is_empty() {
        return bad("no vermagic in .modinfo: no kernel module, skipped".into());
    }
    ModuleRecord {
        module: Some(m),
        warnings: Warnings::new(),
    }
}

/// `pkg:generic/<name>@<version>`, a `/` in the name making a namespace,
/// as syft writes kernel and module purls.
pub fn kernel_purl(name: &str, version: &str) -> String {
    let (namespace, name) = match name.split_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, name),
    };
    purl("generic", namespace, name, version, &[])
}

/// The kernels and modules of the final image, added to `inventory`.
pub(crate) fn merge(ctx: &MergeContext<'_>, facts: &[KernelLayerFacts], inventory: &mut Inventory) {
    for (layer, path, k) in ctx.visible_in(facts, |f| &f.kernels) {
        let mut pkg = Package::new(
            PackageType::LinuxKernel,
            "linux-kernel",
            &k.version,
            kernel_purl("linux-kernel", &k.version),
            path,
            layer,
        );
        pkg.files = vec![path.to_string()];
        inventory.packages.push(pkg);
    }
    for (layer, path, record) in ctx.visible_in(facts, |f| &f.modules) {
        inventory
            .warnings
            .extend_from(&record.warnings, |w| format!("layer {layer}: {path}: {w}"));
        let Some(m) = &record.module else {
            continue;
        };
        // Every module since Linux 4.x names itself; older ones by file.
        let name = if m.name.is_empty() {
            let file = path.rsplit('/').next().unwrap_or(path);
            file.strip_suffix(".ko").unwrap_or(file)
        } else {
            &m.name
        };
        let mut pkg = Package::new(
            PackageType::LinuxKernelModule,
            name,
            &m.version,
            kernel_purl(name, &m.version),
            path,
            layer,
        );
        pkg.licenses = normalize(&m.license).into_iter().collect();
        pkg.supplier = Some(m.author.clone()).filter(|a| !a.is_empty());
        // The kernel the module was built for, as dpkg names a source.
        pkg.source_name = Some("linux-kernel".to_string());
        pkg.source_version = Some(m.kernel_version.clone());
        pkg.files = vec![path.to_string()];
        inventory.packages.push(pkg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &[u8] = include_bytes!("../tests/data/kernel/vmlinuz-6.1.0-50-cloud-amd64.head");
    const KO_8021Q: &[u8] = include_bytes!(
        "../tests/data/kernel/lib/modules/6.1.0-50-cloud-amd64/kernel/net/8021q/8021q.ko"
    );
    const KO_PKTTYPE: &[u8] = include_bytes!(
        "../tests/data/kernel/lib/modules/6.1.0-50-cloud-amd64/kernel/net/netfilter/xt_pkttype.ko"
    );

    #[test]
    fn a_real_debian_kernel_header() {
        let k = parse_kernel_image(HEADER).unwrap();
        assert_eq!(k.version, "6.1.0-50-cloud-amd64");
        assert_eq!(k.format, "bzImage");
        assert!(
            k.extended_version
                .starts_with("6.1.0-50-cloud-amd64 (debian-kernel@lists.debian.org) #1 SMP"),
            "{}",
            k.extended_version
        );
        assert_eq!(
            kernel_purl("linux-kernel", &k.version),
            "pkg:generic/linux-kernel@6.1.0-50-cloud-amd64"
        );
        // Cut before the version string, or not a kernel: nothing.
        assert_eq!(parse_kernel_image(&HEADER[..0x300]), None);
        assert_eq!(parse_kernel_image(&HEADER[..0x100]), None);
        assert_eq!(parse_kernel_image(b"#!/bin/sh\necho kernel\n"), None);
        assert_eq!(parse_kernel_image(KO_8021Q), None);
        let mut no_version = HEADER.to_vec();
        no_version[0x20E] = 0;
        no_version[0x20F] = 0;
        assert_eq!(parse_kernel_image(&no_version), None);
    }

    #[test]
    fn real_debian_modules() {
        let r = parse_module(KO_8021Q);
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        let m = r.module.unwrap();
        assert_eq!(
            (m.name.as_str(), m.version.as_str(), m.license.as_str()),
            ("8021q", "1.8", "GPL")
        );
        assert_eq!(m.kernel_version, "6.1.0-50-cloud-amd64");
        assert!(
            m.vermagic
                .starts_with("6.1.0-50-cloud-amd64 SMP preempt mod_unload")
        );
        assert_eq!(kernel_purl(&m.name, &m.version), "pkg:generic/8021q@1.8");
        let m = parse_module(KO_PKTTYPE).module.unwrap();
        assert_eq!((m.name.as_str(), m.version.as_str()), ("xt_pkttype", ""));
        assert_eq!(kernel_purl(&m.name, &m.version), "pkg:generic/xt_pkttype");
    }

    #[test]
    fn broken_modules_are_warned_about() {
        for (data, why) in [
            (&b"plain text"[..], "not an ELF file"),
            (&KO_8021Q[..64], "unreadable ELF"),
            (&HEADER[..1024], "not an ELF file"),
        ] {
            let r = parse_module(data);
            assert!(r.module.is_none());
            assert!(r.warnings[0].contains(why), "{why}: {:?}", r.warnings);
        }
        // An ELF file without .modinfo: the section's name changed.
        let mut renamed = KO_8021Q.to_vec();
        let at = renamed.windows(9).position(|w| w == b".modinfo\0").unwrap();
        renamed[at + 1] = b'X';
        let r = parse_module(&renamed);
        assert!(r.warnings[0].contains("no .modinfo"), "{:?}", r.warnings);
        // .modinfo without vermagic.
        let mut no_magic = KO_8021Q.to_vec();
        let at = no_magic.windows(9).position(|w| w == b"vermagic=").unwrap();
        no_magic[at] = b'X';
        let r = parse_module(&no_magic);
        assert!(r.warnings[0].contains("no vermagic"), "{:?}", r.warnings);
    }

    #[test]
    fn paths() {
        for p in [
            "boot/vmlinuz-6.1.0-28-amd64",
            "lib/modules/6.0.7-301.fc37.x86_64/vmlinuz",
            "boot/vmlinux",
            "kernel",
            "boot/kernel-6.1",
        ] {
            assert!(is_kernel_name(p), "{p}");
        }
        for p in ["boot/vmlinuz.old", "usr/bin/kernelx", "boot/initrd.img-6.1"] {
            assert!(!is_kernel_name(p), "{p}");
        }
        assert!(is_module_path(
            "lib/modules/6.1.0-28-amd64/kernel/net/8021q/8021q.ko"
        ));
        assert!(is_module_path("usr/lib/modules/6.1/extra/zfs.ko"));
        assert!(!is_module_path("lib/modules/6.1/kernel/x.ko.xz"));
        assert!(is_module_path("lib/modules/x.ko"));
        assert!(!is_module_path("lib/modules/.ko"));
        assert!(!is_module_path("usr/xlib/modules/6.1/a.ko"));
    }
}
