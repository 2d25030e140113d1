//! What the in-process server tests share: a server on a free loopback
//! port with a SQLite store under a temporary directory.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use plimsoll_server::{ScanContext, ServerOptions, Token, WorkerOptions};
use plimsoll_store::Store;

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
        },
        body_limit: 64 * 1024,
        tls: None,
        registries: vec![],
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
