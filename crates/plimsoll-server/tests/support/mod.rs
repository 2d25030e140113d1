//! What the in-process server tests share: a server on a free loopback
//! port with a SQLite store, and the scan context its workers use, over a
//! vulnerability database holding DSA-5514-1 (glibc).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use plimsoll_audit::{AuditSettings, Judge};
use plimsoll_oci::ResolveOptions;
use plimsoll_report::PolicySpec;
use plimsoll_scan::{ScanOptions, Scanner, VulnGate};
use plimsoll_server::{Running, ScanContext, ServerOptions, Token, WorkerOptions};
use plimsoll_store::Store;
use plimsoll_testkit::osv;
use plimsoll_vuln::matcher::VulnSeverity;

/// The scanner, judge and gate (fail on high) with the database built
/// under `root`; registry reads time out after 2 s.
pub fn context(root: &Path) -> ScanContext {
    let db = root.join("vuln.db");
    let imported = plimsoll_vuln::import::import(&[osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();
    let mut options = ScanOptions::default();
    options.engine.cache = None;
    options.resolve.timeout = Duration::from_secs(2);
    ScanContext {
        scanner: Scanner::new(options),
        judge: Judge::new(
            AuditSettings::default(),
            &PolicySpec::default(),
            &[],
            &ResolveOptions::default(),
        )
        .unwrap(),
        gate: VulnGate::open(&db, vec![], &[], VulnSeverity::High, false).unwrap(),
    }
}

/// Quick retries: 50 ms backoff, two attempts, 50 ms polls.
pub fn worker_options() -> WorkerOptions {
    WorkerOptions {
        lease: Duration::from_secs(30),
        retry_backoff: Duration::from_millis(50),
        max_attempts: 2,
        poll: Duration::from_millis(50),
    }
}

/// A server on a free loopback port with a SQLite store under `root`,
/// `workers` workers and the API token `token`; its scan context too.
pub fn serve(
    root: &Path,
    token: &str,
    read_requires_token: bool,
    workers: usize,
    registries: &[&str],
) -> (tokio::runtime::Runtime, Store, Running, Arc<ScanContext>) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = format!("sqlite:{}", root.join("data/serve.db").display());
    let store = rt.block_on(Store::open(&url)).unwrap();
    let options = ServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: Token::new(token).unwrap(),
        read_requires_token,
        workers,
        worker: worker_options(),
        body_limit: 64 * 1024,
        tls: None,
        registries: registries.iter().map(|r| r.to_string()).collect(),
    };
    let ctx = Arc::new(context(root));
    let running = rt
        .block_on(plimsoll_server::start(store.clone(), ctx.clone(), options))
        .unwrap();
    (rt, store, running, ctx)
}
