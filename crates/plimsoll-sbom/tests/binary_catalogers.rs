//! The Go, cargo-auditable and Java catalogers on tiny images built here:
//! ELF files written byte by byte per the ELF and Go build info formats,
//! jars written with the zip crate.

use std::io::{Cursor, Write};

use plimsoll_sbom::{Inventory, PackageType, catalog};
use plimsoll_testkit::{Item, file, file_mode, scan_layers, whiteout};

// ---------------------------------------------------------------- images

fn inventory(layers: Vec<Vec<Item>>) -> Inventory {
    catalog(&scan_layers(layers, plimsoll_sbom::register)).unwrap()
}

fn exe(path: &str, data: Vec<u8>) -> Item {
    file_mode(path, data, 0o755, 0)
}

/// (name, version, location, layer) of one package type.
fn of(inv: &Inventory, t: PackageType) -> Vec<(String, String, String, usize)> {
    inv.of_type(t)
        .map(|p| {
            (
                p.name.clone(),
                p.version.clone(),
                p.location.clone(),
                p.layer,
            )
        })
        .collect()
}

fn row(name: &str, version: &str, location: &str, layer: usize) -> (String, String, String, usize) {
    (name.into(), version.into(), location.into(), layer)
}

// ---------------------------------------------------------------- ELF

const PF_X: u32 = 1;
const PF_W: u32 = 2;
const PF_R: u32 = 4;

struct Section {
    name: &'static str,
    /// Virtual address; 0 for a non-loaded section.
    addr: u64,
    data: Vec<u8>,
}

fn sec(name: &'static str, addr: u64, data: Vec<u8>) -> Section {
    Section { name, addr, data }
}

/// A little-endian ELF64 x86-64 executable: every section with an address
/// gets a read-write PT_LOAD segment (plus one read-execute `.text`
/// segment first, like a real binary); section headers are written last,
/// as linkers do, unless `section_headers` is false (`sstrip`).
fn elf(sections: &[Section], section_headers: bool) -> Vec<u8> {
    let text = sec(".text", 0x401000, vec![0xc3; 64]);
    let all: Vec<&Section> = std::iter::once(&text).chain(sections).collect();
    let loaded: Vec<&Section> = all.iter().copied().filter(|s| s.addr != 0).collect();
    let phoff = 64usize;
    let mut out = vec![0u8; phoff + 56 * loaded.len()];
    let mut offsets = Vec::new();
    for s in &all {
        out.resize(out.len().next_multiple_of(16), 0);
        offsets.push(out.len());
        out.extend_from_slice(&s.data);
    }
    let mut shstrtab = vec![0u8];
    let mut names = Vec::new();
    for s in all.iter().map(|s| s.name).chain([".shstrtab"]) {
        names.push(shstrtab.len() as u32);
        shstrtab.extend_from_slice(s.as_bytes());
        shstrtab.push(0);
    }
    let shstrtab_off = out.len();
    out.extend_from_slice(&shstrtab);
    out.resize(out.len().next_multiple_of(8), 0);
    let shoff = out.len();
    // Header.
    out[..16].copy_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    let put = |out: &mut Vec<u8>, at: usize, bytes: &[u8]| {
        out[at..at + bytes.len()].copy_from_slice(bytes)
    };
    put(&mut out, 16, &2u16.to_le_bytes()); // ET_EXEC
    put(&mut out, 18, &62u16.to_le_bytes()); // EM_X86_64
    put(&mut out, 20, &1u32.to_le_bytes());
    put(&mut out, 24, &0x401000u64.to_le_bytes());
    put(&mut out, 32, &(phoff as u64).to_le_bytes());
    let shnum = if section_headers { all.len() + 2 } else { 0 };
    put(
        &mut out,
        40,
        &(if section_headers { shoff as u64 } else { 0 }).to_le_bytes(),
    );
    put(&mut out, 52, &64u16.to_le_bytes());
    put(&mut out, 54, &56u16.to_le_bytes());
    put(&mut out, 56, &(loaded.len() as u16).to_le_bytes());
    put(&mut out, 58, &64u16.to_le_bytes());
    put(&mut out, 60, &(shnum as u16).to_le_bytes());
    put(
        &mut out,
        62,
        &(if section_headers { all.len() + 1 } else { 0 } as u16).to_le_bytes(),
    );
    // Program headers.
    let mut ph = phoff;
    for (i, s) in all.iter().enumerate() {
        if s.addr == 0 {
            continue;
        }
        let flags = if s.name == ".text" {
            PF_R | PF_X
        } else {
            PF_R | PF_W
        };
        let len = s.data.len() as u64;
        put(&mut out, ph, &1u32.to_le_bytes());
        put(&mut out, ph + 4, &flags.to_le_bytes());
        put(&mut out, ph + 8, &(offsets[i] as u64).to_le_bytes());
        put(&mut out, ph + 16, &s.addr.to_le_bytes());
        put(&mut out, ph + 24, &s.addr.to_le_bytes());
        put(&mut out, ph + 32, &len.to_le_bytes());
        put(&mut out, ph + 40, &len.to_le_bytes());
        put(&mut out, ph + 48, &16u64.to_le_bytes());
        ph += 56;
    }
    if section_headers {
        out.extend_from_slice(&[0u8; 64]); // SHN_UNDEF
        let mut shdr = |name: u32, ty: u32, flags: u64, addr: u64, off: usize, size: usize| {
            let mut h = [0u8; 64];
            h[0..4].copy_from_slice(&name.to_le_bytes());
            h[4..8].copy_from_slice(&ty.to_le_bytes());
            h[8..16].copy_from_slice(&flags.to_le_bytes());
            h[16..24].copy_from_slice(&addr.to_le_bytes());
            h[24..32].copy_from_slice(&(off as u64).to_le_bytes());
            h[32..40].copy_from_slice(&(size as u64).to_le_bytes());
            h[48..56].copy_from_slice(&1u64.to_le_bytes());
            out.extend_from_slice(&h);
        };
        for (i, s) in all.iter().enumerate() {
            let flags = if s.addr != 0 { 2 | 1 } else { 0 }; // ALLOC | WRITE
            shdr(names[i], 1, flags, s.addr, offsets[i], s.data.len());
        }
        shdr(names[all.len()], 3, 0, 0, shstrtab_off, shstrtab.len());
    }
    out
}

// ---------------------------------------------------------------- Go build info

const MAGIC: &[u8] = b"\xff Go buildinf:";
const SENTINEL_START: &[u8] = b"0w\xaf\x0c\x92t\x08\x02A\xe1\xc1\x07\xe6\xd6\x18\xe6";
const SENTINEL_END: &[u8] = b"\xf92C1\x86\x18 r\x00\x82B\x10A\x16\xd8\xf2";

fn modinfo(text: &str) -> Vec<u8> {
    [SENTINEL_START, text.as_bytes(), SENTINEL_END].concat()
}

fn uvarint(out: &mut Vec<u8>, mut n: usize) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

/// Go 1.18+: header, then the version and module info inline.
fn inline_buildinfo(version: &str, text: &str) -> Vec<u8> {
    let mut b = MAGIC.to_vec();
    b.extend([8, 2]);
    b.resize(32, 0);
    let info = modinfo(text);
    for s in [version.as_bytes(), &info] {
        uvarint(&mut b, s.len());
        b.extend_from_slice(s);
    }
    b
}

/// Before Go 1.18: the header points (8-byte little-endian pointers) at two
/// Go string headers in `.data` at `data_addr`; returns (.go.buildinfo, .data).
fn pointer_buildinfo(version: &str, text: &str, data_addr: u64) -> (Vec<u8>, Vec<u8>) {
    let info = modinfo(text);
    let mut data = Vec::new();
    let strings_at = data_addr + 32;
    let version_at = strings_at;
    let info_at = strings_at + version.len() as u64;
    for (ptr, len) in [(version_at, version.len()), (info_at, info.len())] {
        data.extend(ptr.to_le_bytes());
        data.extend((len as u64).to_le_bytes());
    }
    data.extend_from_slice(version.as_bytes());
    data.extend_from_slice(&info);
    let mut header = MAGIC.to_vec();
    header.extend([8, 0]);
    header.extend(data_addr.to_le_bytes());
    header.extend((data_addr + 16).to_le_bytes());
    header.resize(32, 0);
    (header, data)
}

const DIVE_LIKE: &str = "path\tgithub.com/acme/tool\n\
    mod\tgithub.com/acme/tool\tv0.13.1+dirty\t\n\
    dep\tgithub.com/cespare/xxhash/v2\tv2.3.0\th1:abc=\n\
    dep\tgithub.com/docker/cli\tv28.0.2+incompatible\th1:def=\n\
    dep\tgithub.com/old/lib\tv1.0.0\th1:ghi=\n\
    =>\tgithub.com/fork/lib\tv1.0.1\th1:jkl=\n\
    build\t-compiler=gc\nbuild\tGOARCH=amd64\nbuild\tGOOS=linux\n";

#[test]
fn go_binaries_inline_pointer_and_stripped() {
    let inline = elf(
        &[
            sec(
                ".go.buildinfo",
                0x500000,
                inline_buildinfo("go1.24.1", DIVE_LIKE),
            ),
            sec(".noptrdata", 0x501000, vec![7; 100]),
        ],
        true,
    );
    let (header, data) = pointer_buildinfo(
        "go1.16.15",
        "path\tgolang.org/x/old/cmd/old\nmod\tgolang.org/x/old\t(devel)\t\n\
         dep\tgithub.com/pkg/errors\tv0.9.1\th1:x=\n",
        0x600000,
    );
    let pointer = elf(
        &[
            sec(".go.buildinfo", 0x500000, header),
            sec(".data", 0x600000, data),
        ],
        true,
    );
    // No section headers at all: found in the first writable segment.
    let stripped = elf(
        &[sec(
            ".data",
            0x500000,
            [
                vec![1u8; 48],
                inline_buildinfo("go1.22.0", "path\tx.io/s\nmod\tx.io/s\tv1.0.0\t\n"),
            ]
            .concat(),
        )],
        false,
    );
    let plain_elf = elf(&[sec(".data", 0x500000, vec![0u8; 256])], true);
    let inv = inventory(vec![vec![
        exe("usr/local/bin/tool", inline.clone()),
        exe("opt/old", pointer),
        exe("usr/bin/stripped", stripped),
        exe("usr/bin/plain", plain_elf),
        exe(
            "usr/bin/script",
            b"#!/bin/sh\necho hello, this is long enough to be a candidate\n".to_vec(),
        ),
        // Not executable: not read.
        file("srv/data/tool.copy", &inline),
    ]]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let tool = "usr/local/bin/tool";
    assert_eq!(
        of(&inv, PackageType::Golang),
        [
            row("github.com/acme/tool", "v0.13.1+dirty", tool, 0),
            row("github.com/cespare/xxhash/v2", "v2.3.0", tool, 0),
            row("github.com/docker/cli", "v28.0.2+incompatible", tool, 0),
            row("github.com/fork/lib", "v1.0.1", tool, 0),
            row("github.com/pkg/errors", "v0.9.1", "opt/old", 0),
            row("golang.org/x/old", "(devel)", "opt/old", 0),
            row("stdlib", "go1.16.15", "opt/old", 0),
            row("stdlib", "go1.22.0", "usr/bin/stripped", 0),
            row("stdlib", "go1.24.1", tool, 0),
            row("x.io/s", "v1.0.0", "usr/bin/stripped", 0),
        ]
    );
    let purls: Vec<&str> = inv
        .of_type(PackageType::Golang)
        .filter(|p| p.location == tool)
        .map(|p| p.purl.as_str())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:golang/github.com/acme/tool@v0.13.1%2Bdirty",
            "pkg:golang/github.com/cespare/xxhash/v2@v2.3.0",
            "pkg:golang/github.com/docker/cli@v28.0.2%2Bincompatible",
            "pkg:golang/github.com/fork/lib@v1.0.1",
            "pkg:golang/stdlib@1.24.1",
        ]
    );
    let arch = inv
        .of_type(PackageType::Golang)
        .find(|p| p.location == tool)
        .unwrap();
    assert_eq!(arch.arch.as_deref(), Some("amd64"));
}

#[test]
fn truncated_and_garbage_elf_warn_without_panicking() {
    let full = elf(
        &[sec(
            ".go.buildinfo",
            0x500000,
            inline_buildinfo("go1.21.3", DIVE_LIKE),
        )],
        true,
    );
    // Cut before the section headers: the blob is still there to find.
    let cut = full[..full.len() - 100].to_vec();
    let mut garbage = b"\x7fELF\x02\x01\x01\0".to_vec();
    garbage.extend([0xa5; 200]);
    let inv = inventory(vec![vec![exe("app/cut", cut), exe("app/garbage", garbage)]]);
    assert_eq!(inv.warnings.len(), 2, "{:?}", inv.warnings);
    assert!(
        inv.warnings[0].starts_with("layer 0: app/cut: unreadable ELF headers"),
        "{:?}",
        inv.warnings
    );
    assert!(inv.warnings[0].ends_with("Go build info found by scanning"));
    assert!(inv.warnings[1].starts_with("layer 0: app/garbage: unreadable ELF headers"));
    let names: Vec<String> = inv
        .of_type(PackageType::Golang)
        .map(|p| p.name.clone())
        .collect();
    assert!(
        names.contains(&"github.com/fork/lib".to_string()),
        "{names:?}"
    );
    assert!(names.contains(&"stdlib".to_string()));
}

#[test]
fn later_layers_replace_and_delete_binaries() {
    let v1 = elf(
        &[sec(
            ".go.buildinfo",
            0x500000,
            inline_buildinfo("go1.21.0", "mod\tx.io/app\tv1.0.0\t\n"),
        )],
        true,
    );
    let v2 = elf(
        &[sec(
            ".go.buildinfo",
            0x500000,
            inline_buildinfo("go1.22.0", "mod\tx.io/app\tv2.0.0\t\n"),
        )],
        true,
    );
    let inv = inventory(vec![
        vec![exe("bin/app", v1.clone()), exe("bin/gone", v1)],
        vec![exe("bin/app", v2), whiteout("bin/gone")],
    ]);
    assert_eq!(
        of(&inv, PackageType::Golang),
        [
            row("stdlib", "go1.22.0", "bin/app", 1),
            row("x.io/app", "v2.0.0", "bin/app", 1),
        ]
    );
}

// ---------------------------------------------------------------- cargo-auditable

fn zlib(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn cargo_auditable_binaries() {
    let json = br#"{"packages":[
        {"name":"tool","version":"0.3.0","source":"local","dependencies":[1,2],"root":true},
        {"name":"serde","version":"1.0.210","source":"crates.io","dependencies":[2]},
        {"name":"serde_derive","version":"1.0.210","source":"crates.io","kind":"build"},
        {"name":"my-fork","version":"0.1.0-alpha.1","source":"git"}]}"#;
    let good = elf(&[sec(".dep-v0", 0, zlib(json))], true);
    let corrupt = elf(
        &[sec(".dep-v0", 0, b"\x78\x9cnot really zlib".to_vec())],
        true,
    );
    let inv = inventory(vec![vec![
        exe("usr/bin/tool", good),
        exe("usr/bin/bad", corrupt),
    ]]);
    assert_eq!(
        of(&inv, PackageType::Cargo),
        [
            row("my-fork", "0.1.0-alpha.1", "usr/bin/tool", 0),
            row("serde", "1.0.210", "usr/bin/tool", 0),
            row("tool", "0.3.0", "usr/bin/tool", 0),
        ]
    );
    let serde = inv
        .of_type(PackageType::Cargo)
        .find(|p| p.name == "serde")
        .unwrap();
    assert_eq!(serde.purl, "pkg:cargo/serde@1.0.210");
    assert_eq!(inv.warnings.len(), 1, "{:?}", inv.warnings);
    assert!(inv.warnings[0].starts_with("layer 0: usr/bin/bad: .dep-v0: not zlib data"));
}

// ---------------------------------------------------------------- Java

fn zip(members: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn pom(group: &str, artifact: &str, version: &str) -> (String, Vec<u8>) {
    (
        format!("META-INF/maven/{group}/{artifact}/pom.properties"),
        format!("#Generated by Maven\ngroupId={group}\nartifactId={artifact}\nversion={version}\n")
            .into_bytes(),
    )
}

fn jar(
    manifest: Option<&str>,
    poms: &[(&str, &str, &str)],
    extra: Vec<(&str, Vec<u8>)>,
) -> Vec<u8> {
    let poms: Vec<(String, Vec<u8>)> = poms.iter().map(|(g, a, v)| pom(g, a, v)).collect();
    let mut members: Vec<(&str, Vec<u8>)> = Vec::new();
    if let Some(m) = manifest {
        members.push(("META-INF/MANIFEST.MF", m.replace('\n', "\r\n").into_bytes()));
    }
    members.extend(poms.iter().map(|(n, d)| (n.as_str(), d.clone())));
    members.push(("org/example/A.class", vec![0xca, 0xfe, 0xba, 0xbe]));
    members.extend(extra);
    zip(&members)
}

#[test]
fn jars_wars_and_nested_archives() {
    let lang3 = jar(
        Some(
            "Manifest-Version: 1.0\nBundle-SymbolicName: org.apache.commons.lang3\nBundle-Version: 3.12.0\n",
        ),
        &[("org.apache.commons", "commons-lang3", "3.12.0")],
        vec![],
    );
    let guava = jar(
        Some("Manifest-Version: 1.0\nImplementation-Version: 31.1-jre\n"),
        &[("com.google.guava", "guava", "31.1-jre")],
        vec![],
    );
    // A jar known only by its file name and manifest.
    let plain = jar(
        Some("Manifest-Version: 1.0\nImplementation-Vendor: org.plain\n"),
        &[],
        vec![],
    );
    // A nested archive inside the nested archive.
    let fat = jar(
        Some("Manifest-Version: 1.0\n"),
        &[("io.acme", "fat", "2.0")],
        vec![(
            "lib/inner-1.5.jar",
            jar(Some("Manifest-Version: 1.0\n"), &[], vec![]),
        )],
    );
    let war = jar(
        Some("Manifest-Version: 1.0\nImplementation-Title: shop\n"),
        &[("com.acme", "shop", "1.0.0")],
        vec![
            ("WEB-INF/lib/guava-31.1-jre.jar", guava),
            ("WEB-INF/lib/plain-lib-0.9.jar", plain),
            ("WEB-INF/lib/fat-2.0.jar", fat),
        ],
    );
    let inv = inventory(vec![vec![
        file("usr/share/java/commons-lang3.jar", &lang3),
        file("srv/shop.war", &war),
    ]]);
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);
    let war_at = |inner: &str| format!("srv/shop.war:{inner}");
    assert_eq!(
        of(&inv, PackageType::Maven),
        [
            row(
                "commons-lang3",
                "3.12.0",
                "usr/share/java/commons-lang3.jar",
                0
            ),
            row("fat", "2.0", &war_at("WEB-INF/lib/fat-2.0.jar"), 0),
            row(
                "guava",
                "31.1-jre",
                &war_at("WEB-INF/lib/guava-31.1-jre.jar"),
                0
            ),
            row(
                "inner",
                "1.5",
                &war_at("WEB-INF/lib/fat-2.0.jar:lib/inner-1.5.jar"),
                0
            ),
            row(
                "plain-lib",
                "0.9",
                &war_at("WEB-INF/lib/plain-lib-0.9.jar"),
                0
            ),
            row("shop", "1.0.0", "srv/shop.war", 0),
        ]
    );
    let purl = |name: &str| {
        inv.of_type(PackageType::Maven)
            .find(|p| p.name == name)
            .unwrap()
            .purl
            .clone()
    };
    assert_eq!(
        purl("commons-lang3"),
        "pkg:maven/org.apache.commons/commons-lang3@3.12.0"
    );
    assert_eq!(purl("plain-lib"), "pkg:maven/org.plain/plain-lib@0.9");
    assert_eq!(purl("inner"), "pkg:maven/inner/inner@1.5");
}

#[test]
fn hostile_and_broken_archives_warn() {
    let good = jar(Some("Manifest-Version: 1.0\n"), &[("g", "a", "1")], vec![]);
    let truncated = good[..good.len() / 2].to_vec();
    // 4 MiB of spaces in a pom.properties: deflates to a few KiB.
    let bomb = jar(
        Some("Manifest-Version: 1.0\n"),
        &[],
        vec![("META-INF/maven/x/y/pom.properties", vec![b' '; 4 << 20])],
    );
    // Nested deeper than the cap.
    let mut deep = jar(None, &[("d", "deep", "9")], vec![]);
    for level in 0..6 {
        let name = format!("lib/level{level}.jar");
        deep = zip(&[(name.as_str(), deep)]);
    }
    let inv = inventory(vec![
        vec![
            file("app/broken.jar", &truncated),
            file("app/bomb.jar", &bomb),
            file("app/deep.ear", &deep),
            file("app/empty.jar", b""),
        ],
        vec![file("app/late.jar", b"PK\x03\x04 not much of a zip")],
    ]);
    let w = &inv.warnings;
    assert_eq!(w.len(), 5, "{w:#?}");
    assert!(
        w.iter()
            .any(|w| w.starts_with("layer 0: app/broken.jar: corrupt or truncated zip archive")),
        "{w:#?}"
    );
    assert!(w.iter().any(|w| w.starts_with("layer 0: app/bomb.jar: META-INF/maven/x/y/pom.properties: 4194304 bytes uncompressed, more than the limit")), "{w:#?}");
    assert!(w.iter().any(|w| w.starts_with("layer 0: app/deep.ear: lib/level5.jar:lib/level4.jar:lib/level3.jar: 1 nested archives deeper than")), "{w:#?}");
    assert!(
        w.iter()
            .any(|w| w.starts_with("layer 0: app/empty.jar: empty file")),
        "{w:#?}"
    );
    assert!(
        w.iter()
            .any(|w| w.starts_with("layer 1: app/late.jar: corrupt or truncated zip archive")),
        "{w:#?}"
    );
    // The bomb's own package still stands, named from its file name.
    assert_eq!(
        of(&inv, PackageType::Maven),
        [row("bomb", "", "app/bomb.jar", 0)]
    );
}
