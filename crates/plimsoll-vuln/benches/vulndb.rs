//! Advisory database benchmark: import of >= 100,000 OSV advisories from a
//! zip archive, database size, open time, and the lookup of 1,000 packages.
//!
//!   cargo bench -p plimsoll-vuln --bench vulndb            (or bench/vulndb.sh)
//!
//! The advisories are the real ones of ../shared/testdata/advisories (or
//! $PLIMSOLL_BENCH_OSV), replicated with new ids until there are
//! $PLIMSOLL_BENCH_ADVISORIES (default 100,000): copy k renames every id and
//! alias (`GHSA-…` -> `GHSA-…-r<k>`), so alias groups do not merge across
//! copies; the first 8 copies keep the package names (each real package gets
//! 8 times its real advisories, as dense as popular distribution packages
//! are), later copies rename the packages. The archive is built once into
//! $CARGO_TARGET_DIR/bench-vulndb/ and reused.
//!
//! Lookups: 1,000 distinct (ecosystem, package) pairs taken from the real
//! records (the dense ones), with a freshly opened database each run (its
//! advisory cache empty; the page cache warm). Target: <= 50 ms.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use plimsoll_vuln::db::{self, Database};
use plimsoll_vuln::import::import;
use serde_json::Value;

const DENSE_COPIES: usize = 8;

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs bench
    // binaries without it, and must not spend a minute here.
    if !std::env::args().any(|a| a == "--bench") {
        eprintln!("vulndb: run with `cargo bench -p plimsoll-vuln --bench vulndb`");
        return;
    }
    let target: usize = std::env::var("PLIMSOLL_BENCH_ADVISORIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let source = std::env::var_os("PLIMSOLL_BENCH_OSV")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/advisories")
        });
    let records = load_records(&source);
    assert!(
        !records.is_empty(),
        "no OSV record under {} (set PLIMSOLL_BENCH_OSV)",
        source.display()
    );
    let work = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
        .join("bench-vulndb");
    std::fs::create_dir_all(&work).unwrap();
    let archive = work.join(format!("osv-{target}.zip"));
    if !archive.exists() {
        let t = Instant::now();
        write_archive(&records, target, &archive);
        eprintln!(
            "built {} ({:.0} MiB) in {:.1} s",
            archive.display(),
            mib(std::fs::metadata(&archive).unwrap().len()),
            t.elapsed().as_secs_f64()
        );
    }

    let t = Instant::now();
    let imported = import(&[&archive]).unwrap();
    let import_time = t.elapsed();
    let advisories = imported.report.advisories;
    let json_bytes = std::fs::metadata(&archive).unwrap().len();
    let db_path = work.join("vuln.db");
    let t = Instant::now();
    let meta = db::build(imported, &db_path).unwrap();
    let build_time = t.elapsed();
    let db_size = std::fs::metadata(&db_path).unwrap().len();

    let open = median(20, || {
        let t = Instant::now();
        let db = Database::open(&db_path).unwrap();
        let e = t.elapsed();
        std::hint::black_box(db);
        e
    });

    let packages = lookup_set(&records, 1000);
    let mut entries = 0;
    let affected = median(7, || {
        let db = Database::open(&db_path).unwrap();
        let t = Instant::now();
        entries = 0;
        for (eco, name) in &packages {
            entries += db.affected_for(eco, name).unwrap().len();
        }
        t.elapsed()
    });
    let with_meta = median(7, || {
        let db = Database::open(&db_path).unwrap();
        let t = Instant::now();
        for (eco, name) in &packages {
            std::hint::black_box(db.advisories_for(eco, name).unwrap());
        }
        t.elapsed()
    });

    println!(
        "advisory database benchmark ({} cores)",
        rayon::current_num_threads()
    );
    println!(
        "  source            {} real records from {}, replicated to {advisories} advisories",
        records.len(),
        source.display()
    );
    println!("  input archive     {:.0} MiB zip", mib(json_bytes));
    println!(
        "  import            {:.2} s  (read + parse + de-duplicate; {:.0} advisories/s)",
        import_time.as_secs_f64(),
        advisories as f64 / import_time.as_secs_f64()
    );
    println!(
        "  build             {:.2} s  (alias groups, index, compress, write + rename)",
        build_time.as_secs_f64()
    );
    println!(
        "  database          {:.1} MiB, {} packages, {} alias groups ({:.0} bytes per advisory)",
        mib(db_size),
        meta.packages,
        meta.alias_groups,
        db_size as f64 / advisories as f64
    );
    println!("  open              {:.2} ms (median of 20)", ms(open));
    println!(
        "  lookup 1000 pkgs  {:.2} ms affected_for ({entries} affected entries), {:.2} ms advisories_for with metadata (median of 7; target <= 50 ms: {})",
        ms(affected),
        ms(with_meta),
        if ms(with_meta) <= 50.0 {
            "PASS"
        } else {
            "MISS"
        }
    );
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut v: Vec<Duration> = (0..runs).map(|_| f()).collect();
    v.sort();
    v[v.len() / 2]
}

/// Every live OSV record (JSON objects with a string id) under `dir`.
fn load_records(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    let mut files = Vec::new();
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    for p in files {
        let Ok(v) = serde_json::from_slice::<Value>(&std::fs::read(&p).unwrap()) else {
            continue;
        };
        if v["id"].is_string() && v.get("withdrawn").is_none() {
            out.push(v);
        }
    }
    out
}

fn write_archive(records: &[Value], target: usize, path: &Path) {
    let tmp = path.with_extension("zip.tmp");
    let mut w = zip::ZipWriter::new(std::io::BufWriter::new(
        std::fs::File::create(&tmp).unwrap(),
    ));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(1));
    let mut n = 0;
    'copies: for k in 0.. {
        for r in records {
            if n == target {
                break 'copies;
            }
            let mut r = r.clone();
            let suffix = format!("-r{k}");
            if k > 0 {
                let id = format!("{}{suffix}", r["id"].as_str().unwrap());
                r["id"] = Value::String(id);
                for key in ["aliases", "upstream", "related"] {
                    if let Some(list) = r.get_mut(key).and_then(Value::as_array_mut) {
                        for a in list.iter_mut() {
                            if let Some(s) = a.as_str() {
                                *a = Value::String(format!("{s}{suffix}"));
                            }
                        }
                    }
                }
                if k >= DENSE_COPIES
                    && let Some(list) = r.get_mut("affected").and_then(Value::as_array_mut)
                {
                    for a in list {
                        if let Some(name) = a["package"]["name"].as_str() {
                            a["package"]["name"] = Value::String(format!("{name}{suffix}"));
                        }
                    }
                }
            }
            let name = format!("{}.json", r["id"].as_str().unwrap().replace(':', "_"));
            w.start_file(name, options).unwrap();
            w.write_all(&serde_json::to_vec(&r).unwrap()).unwrap();
            n += 1;
        }
    }
    w.finish().unwrap().flush().unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// Up to `n` distinct (ecosystem, name) pairs of the real records.
fn lookup_set(records: &[Value], n: usize) -> Vec<(String, String)> {
    let mut set = BTreeSet::new();
    for r in records {
        for a in r["affected"].as_array().into_iter().flatten() {
            if let (Some(e), Some(p)) = (
                a["package"]["ecosystem"].as_str(),
                a["package"]["name"].as_str(),
            ) {
                set.insert((e.to_string(), p.to_string()));
            }
        }
    }
    // Spread the pick over every ecosystem rather than the first n sorted.
    let all: Vec<_> = set.into_iter().collect();
    let step = (all.len() / n).max(1);
    all.into_iter().step_by(step).take(n).collect()
}
