// Each test binary uses part of what is shared here.
#![allow(dead_code)]

//! What the in-process server tests share: a server on a free loopback
//! port with a SQLite store under a temporary directory.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use plimsoll_audit::{AuditSettings, Judge};
use plimsoll_oci::ResolveOptions;
use plimsoll_report::PolicySpec;
use plimsoll_scan::{ScanOptions, Scanner, VulnGate};
use plimsoll_server::{ScanContext, ServerOptions, SweepOptions, Token, WorkerOptions};
use plimsoll_store::Store;
use plimsoll_vuln::matcher::VulnSeverity;

/// The token the test servers require.
pub const TOKEN: &str = "test-token-0123456789abcdef";

/// Options for a test server: one worker polling every 50 ms, short
/// backoffs, no registry limit; `configure` changes what a test needs.
pub fn options(configure: impl FnOnce(&mut ServerOptions)) -> ServerOptions {
    let mut options = ServerOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        token: Token::new(TOKEN).unwrap(),
        read_requires_token: false,
        workers: 1,
        worker: WorkerOptions {
            lease: Duration::from_secs(30),
            retry_backoff: Duration::from_millis(50),
            max_attempts: 2,
            poll: Duration::from_millis(50),
            webhooks: vec![],
        },
        body_limit: 64 * 1024,
        tls: None,
        registries: vec![],
        sweep: SweepOptions::default(),
    };
    configure(&mut options);
    options
}

/// Starts a server with `options` and a store in `root/data`.
pub fn serve(
    root: &Path,
    ctx: ScanContext,
    options: ServerOptions,
) -> (tokio::runtime::Runtime, Store, plimsoll_server::Running) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let url = format!("sqlite:{}", root.join("data/serve.db").display());
    let store = rt.block_on(Store::open(&url)).unwrap();
    let running = rt
        .block_on(plimsoll_server::start(
            store.clone(),
            Arc::new(ctx),
            options,
        ))
        .unwrap();
    (rt, store, running)
}

/// How the test servers read images: no layer cache, short timeouts.
pub fn scanner() -> Scanner {
    let mut options = ScanOptions::default();
    options.engine.cache = None;
    options.resolve.timeout = Duration::from_secs(2);
    Scanner::new(options)
}

/// The audit's judge with the default settings.
pub fn judge() -> Judge {
    Judge::new(
        AuditSettings::default(),
        &PolicySpec::default(),
        &[],
        &ResolveOptions::default(),
    )
    .unwrap()
}

/// A scan context whose gate (fail on high) reads a database of DSA-5514
/// (glibc, CVE-2023-4911) built in `root`.
pub fn context(root: &Path) -> ScanContext {
    std::fs::create_dir_all(root).unwrap();
    let db = root.join("vuln.db");
    let imported =
        plimsoll_vuln::import::import(&[plimsoll_testkit::osv::glibc_dir(root)]).unwrap();
    plimsoll_vuln::db::build(imported, &db).unwrap();
    let gate = VulnGate::open(&db, vec![], &[], VulnSeverity::High, false).unwrap();
    ScanContext::new(scanner(), judge(), gate)
}
