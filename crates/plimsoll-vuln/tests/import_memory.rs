//! Memory of an OSV import and database build, counted by the allocator (no
//! timing, no RSS noise): the heap's peak over the whole `import_in` +
//! `db::build`, and how it grows with the number of records. Parsed records
//! wait in temporary files, so what grows is only the index: an id, a date
//! and an offset per advisory while importing; the alias union-find and the
//! database's fixed-size index entries while building. Measured: about 190
//! bytes of RSS per record (bench/vulndb.sh; 200,000 records 92 MiB, 50,000
//! 65 MiB, where the import held every record: 737 and 193 MiB). The bound
//! on the heap's growth is 400 bytes per record (a record is about 1.3 KB
//! of JSON; keeping records in memory cost about 3,700).

use std::io::Write;

use plimsoll_vuln::{db, import};

#[global_allocator]
static HEAP: plimsoll_heapcount::Counting = plimsoll_heapcount::Counting;

/// A PyPI record of about 1.3 KB, shaped as bench/osv-records.py writes
/// them: one package per four records, a CVE alias each, except every
/// tenth, which names the CVE of the one before (so their groups merge).
fn record(i: usize) -> String {
    let pkg = format!("pkg-{:07}", i / 4);
    let cve = if i % 10 == 1 { i - 1 } else { i };
    let aliases = format!("\"CVE-2099-{cve:07}\"");
    let versions: Vec<String> = (0..i % 9).map(|k| format!("\"0.{k}.0\"")).collect();
    format!(
        r#"{{"schema_version": "1.6.0", "id": "PLIM-{i:07}", "modified": "2026-01-02T03:04:05Z",
"published": "2025-01-02T03:04:05Z", "aliases": [{aliases}],
"summary": "Synthetic advisory {i} for the import-memory test", "details": "{details}",
"severity": [{{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}],
"affected": [{{"package": {{"ecosystem": "PyPI", "name": "{pkg}", "purl": "pkg:pypi/{pkg}"}},
"ranges": [{{"type": "ECOSYSTEM", "events": [{{"introduced": "0"}}, {{"fixed": "1.{a}.{b}"}}]}}],
"versions": [{versions}]}}],
"references": [{{"type": "ADVISORY", "url": "https://example.invalid/advisories/{i}"}},
{{"type": "FIX", "url": "https://example.invalid/fix/{i}"}}]}}"#,
        details = "Made-up record. ".repeat(20),
        a = i % 97,
        b = i % 13,
        versions = versions.join(", "),
    )
}

/// Peak heap bytes of importing `n` records from a zip and building the
/// database, above what was live before; checks the database holds them.
fn peak_for(n: usize) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let archive = dir.path().join("all.zip");
    {
        let mut w = zip::ZipWriter::new(std::fs::File::create(&archive).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for i in 0..n {
            w.start_file(format!("PLIM-{i:07}.json"), opts).unwrap();
            w.write_all(record(i).as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    let db_path = dir.path().join("vuln.db");
    let before = plimsoll_heapcount::live();
    plimsoll_heapcount::reset_peak();
    let imported = import::import_in(&[&archive], dir.path()).unwrap();
    assert_eq!(imported.len(), n);
    let meta = db::build(imported, &db_path).unwrap();
    let peak = plimsoll_heapcount::peak() - before;
    assert_eq!(meta.advisories, n as u64);
    assert_eq!(meta.packages, n.div_ceil(4) as u64);
    // Every tenth record joins the one before it.
    let joined = (0..n).filter(|i| i % 10 == 1).count();
    assert_eq!(meta.alias_groups, (n - joined) as u64);
    assert_eq!(meta.alias_merges_refused, 0);
    let opened = db::Database::open(&db_path).unwrap();
    assert_eq!(opened.len(), n);
    peak
}

fn growth_per_record(small: usize, large: usize) -> f64 {
    let (a, b) = (peak_for(small), peak_for(large));
    let per = b.saturating_sub(a) as f64 / (large - small) as f64;
    eprintln!(
        "heap peak: {small} records {:.1} MiB, {large} records {:.1} MiB: {per:.0} bytes per record",
        a as f64 / 1048576.0,
        b as f64 / 1048576.0
    );
    per
}

#[test]
fn import_memory_barely_grows_with_records() {
    let per = growth_per_record(5_000, 20_000);
    assert!(per <= 400.0, "{per:.0} bytes of heap per record");
}

/// The explicit suite's size: 50,000 and 200,000 records.
#[test]
#[ignore = "explicit suite (scripts/test-all.sh): 250,000 records, about 20 s"]
fn import_memory_of_200k_records() {
    let per = growth_per_record(50_000, 200_000);
    assert!(per <= 400.0, "{per:.0} bytes of heap per record");
}
