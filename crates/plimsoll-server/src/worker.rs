//! Scan workers: claim a job with a lease, renew it while the scan runs,
//! store the result under the digest. The scan is the library's
//! (`plimsoll_scan::Scanner::scan`), the same call `plimsoll scan` makes; a
//! re-match after a database update is `ScanReport::rematch` on the stored
//! basis, without reading the image.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant, SystemTime};

use plimsoll_audit::Judge;
use plimsoll_oci::{ImageRef, RegistryCredential};
use plimsoll_scan::{ScanBasis, ScanReport, Scanner, VulnGate, render};
use plimsoll_store::{Counts, Job, ScanResult, Store, now_ms};
use serde_json::json;
use tokio::sync::{Notify, watch};

use crate::log;
use crate::metrics::Metrics;
use crate::webhook::Webhook;

/// Opens the vulnerability gate (the advisory database and the policy).
pub type OpenGate = Box<dyn Fn() -> Result<VulnGate, String> + Send + Sync>;

/// What a scan needs: how images are read, the audit's judge and the
/// vulnerability gate, built once from the configuration as `plimsoll scan`
/// builds them. With [`ScanContext::reopening`] the gate follows the
/// database file: replaced (by `plimsoll db update`, here or by cron), it is
/// opened again before the next scan.
pub struct ScanContext {
    pub scanner: Scanner,
    pub judge: Judge,
    gate: RwLock<Loaded>,
    open: Option<OpenGate>,
}

struct Loaded {
    gate: Arc<VulnGate>,
    /// The database file's modification time when it was opened.
    modified: Option<SystemTime>,
}

fn modified(gate: &VulnGate) -> Option<SystemTime> {
    std::fs::metadata(gate.database().path)
        .and_then(|m| m.modified())
        .ok()
}

impl ScanContext {
    /// A context whose gate stays as given.
    pub fn new(scanner: Scanner, judge: Judge, gate: VulnGate) -> ScanContext {
        ScanContext {
            scanner,
            judge,
            gate: RwLock::new(Loaded {
                modified: modified(&gate),
                gate: Arc::new(gate),
            }),
            open: None,
        }
    }

    /// A context whose gate `open` makes now and again whenever the
    /// database file changes.
    pub fn reopening(
        scanner: Scanner,
        judge: Judge,
        open: OpenGate,
    ) -> Result<ScanContext, String> {
        let mut ctx = ScanContext::new(scanner, judge, open()?);
        ctx.open = Some(open);
        Ok(ctx)
    }

    /// The gate to judge the next scan by.
    pub fn gate(&self) -> Arc<VulnGate> {
        let (gate, seen) = {
            let loaded = self.gate.read().unwrap_or_else(|p| p.into_inner());
            (loaded.gate.clone(), loaded.modified)
        };
        let Some(open) = &self.open else { return gate };
        let now = modified(&gate);
        if now.is_none() || now == seen {
            return gate;
        }
        let mut loaded = self.gate.write().unwrap_or_else(|p| p.into_inner());
        if loaded.modified != seen {
            // Another worker reopened it meanwhile.
            return loaded.gate.clone();
        }
        loaded.modified = now;
        match open() {
            Ok(fresh) => {
                let db = fresh.database();
                log(&format!(
                    "advisory database {} changed: reopened (built {}, {} advisories)",
                    db.path, db.built, db.advisories
                ));
                loaded.gate = Arc::new(fresh);
            }
            Err(e) => log(&format!(
                "advisory database changed but cannot be opened ({e}); scans go on with the one loaded"
            )),
        }
        loaded.gate.clone()
    }
}

/// How workers behave.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// How long a claim lasts without renewal; renewed every third of it.
    pub lease: Duration,
    /// First wait before a failed scan is tried again (doubled each time).
    pub retry_backoff: Duration,
    /// Attempts before a scan error is final.
    pub max_attempts: i64,
    /// How often an idle worker looks for work (other processes' jobs; jobs
    /// of this process wake it at once).
    pub poll: Duration,
    /// Where events go when a result gains a finding at or above the gate.
    pub webhooks: Vec<Webhook>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            lease: Duration::from_secs(60),
            retry_backoff: Duration::from_secs(5),
            max_attempts: 3,
            poll: Duration::from_secs(1),
            webhooks: Vec::new(),
        }
    }
}

/// Runs one worker until `shutdown` turns true. A scan in progress is
/// finished first.
pub async fn run(
    name: String,
    store: Store,
    ctx: Arc<ScanContext>,
    options: WorkerOptions,
    metrics: Arc<Metrics>,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    loop {
        if *shutdown.borrow() {
            return;
        }
        match store.claim(&name, options.lease).await {
            Ok(Some(job)) => process(&name, &store, &ctx, &options, &metrics, job).await,
            Ok(None) => {
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(options.poll) => {}
                    _ = shutdown.changed() => {}
                }
            }
            Err(e) => {
                log(&format!("worker {name}: cannot claim a job: {e}"));
                tokio::time::sleep(options.poll * 2).await;
            }
        }
    }
}

async fn process(
    name: &str,
    store: &Store,
    ctx: &Arc<ScanContext>,
    options: &WorkerOptions,
    metrics: &Metrics,
    job: Job,
) {
    let started = Instant::now();
    // Renew the lease while the scan runs, so no other worker takes it.
    let renewer = {
        let (store, id, name, lease) = (
            store.clone(),
            job.id.clone(),
            name.to_string(),
            options.lease,
        );
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(lease / 3).await;
                match store.renew(&id, &name, lease).await {
                    Ok(true) => {}
                    Ok(false) => {
                        log(&format!("worker {name}: lost the lease on job {id}"));
                        return;
                    }
                    Err(e) => log(&format!("worker {name}: cannot renew job {id}: {e}")),
                }
            }
        })
    };
    // A re-match reads the stored basis; without one (or unreadable) the
    // image is read again.
    let basis = match (job.source.as_str(), &job.digest) {
        ("rematch", Some(digest)) => match store.basis(digest).await {
            Ok(b) => b,
            Err(e) => {
                log(&format!(
                    "worker {name}: cannot read the basis of {digest}: {e}"
                ));
                None
            }
        },
        _ => None,
    };
    let rematched = basis.is_some();
    // A Harbor scan request's registry credential (crate::harbor); never logged.
    let credential = if rematched {
        None
    } else {
        crate::harbor::credential_for(store, &job)
            .await
            .unwrap_or_else(|e| {
                log(&format!(
                    "worker {name}: cannot read job {}'s credential: {e}",
                    job.id
                ));
                None
            })
    };
    let outcome = {
        let (ctx, job) = (ctx.clone(), job.clone());
        tokio::task::spawn_blocking(move || match basis {
            Some(basis) => rematch_job(&ctx, &job, &basis),
            None => scan_job(&ctx, &job, credential.as_deref()),
        })
        .await
        .unwrap_or_else(|e| Err(format!("the scan task failed: {e}")))
    };
    renewer.abort();
    let elapsed = started.elapsed();
    match outcome {
        Ok(mut result) => {
            result.duration_ms = elapsed.as_millis() as i64;
            let verdict = if result.passed { "passed" } else { "failed" };
            let urls: Vec<String> = options.webhooks.iter().map(|w| w.url.clone()).collect();
            let refs = if urls.is_empty() {
                Vec::new()
            } else {
                store.refs_of(&result.digest).await.unwrap_or_default()
            };
            let event = |gained: &[String]| gained_event(&job, &result, &refs, gained);
            match store.complete(&job.id, name, &result, &urls, &event).await {
                Ok(Some(completed)) => {
                    if rematched {
                        Metrics::add(&metrics.rematches, 1);
                    }
                    if completed.deliveries > 0 {
                        log(&format!(
                            "{} gained {} finding(s) failing the gate; {} webhook event(s) queued",
                            result.digest,
                            completed.gained.len(),
                            completed.deliveries
                        ));
                    }
                    Metrics::add(
                        if result.passed {
                            &metrics.scans_passed
                        } else {
                            &metrics.scans_failed_gate
                        },
                        1,
                    );
                    Metrics::add(&metrics.scan_ms_sum, elapsed.as_millis() as u64);
                    Metrics::add(&metrics.scan_count, 1);
                    log(&format!(
                        "{} {} ({}): {verdict}, {} vulnerabilities, {} findings, {:.1}s",
                        if rematched { "re-matched" } else { "scanned" },
                        job.reference,
                        result.digest,
                        result.counts.critical
                            + result.counts.high
                            + result.counts.medium
                            + result.counts.low
                            + result.counts.other,
                        result.findings,
                        elapsed.as_secs_f64()
                    ));
                }
                Ok(None) => log(&format!(
                    "worker {name}: job {} was taken by another worker meanwhile; its result is kept",
                    job.id
                )),
                Err(e) => log(&format!(
                    "worker {name}: cannot store the result of {}: {e}",
                    job.reference
                )),
            }
        }
        Err(error) => {
            let retry = (job.attempts < options.max_attempts).then(|| {
                let factor = 1u32 << (job.attempts.clamp(1, 10) - 1);
                now_ms() + (options.retry_backoff * factor).as_millis() as i64
            });
            match store.fail(&job.id, name, &error, retry).await {
                Ok(true) => {
                    if retry.is_some() {
                        Metrics::add(&metrics.scan_retries, 1);
                        log(&format!(
                            "scan of {} failed (attempt {} of {}), retrying: {error}",
                            job.reference, job.attempts, options.max_attempts
                        ));
                    } else {
                        Metrics::add(&metrics.scan_errors, 1);
                        log(&format!("scan of {} failed: {error}", job.reference));
                    }
                }
                Ok(false) => {}
                Err(e) => log(&format!(
                    "worker {name}: cannot record the failure of {}: {e}",
                    job.reference
                )),
            }
        }
    }
    if let Err(e) = store.drop_finished_credentials().await {
        log(&format!(
            "worker {name}: cannot delete finished jobs' credentials: {e}"
        ));
    }
}

/// Scans one job's image through the library and turns the report into
/// what the store keeps. `credential` is an HTTP Authorization value for
/// the job's registry (Harbor's), used instead of docker config.json.
/// Errors are the scan's message, naming the image (never the credential).
pub fn scan_job(
    ctx: &ScanContext,
    job: &Job,
    credential: Option<&str>,
) -> Result<ScanResult, String> {
    let reference =
        ImageRef::parse(&job.reference).map_err(|e| format!("{}: {e}", job.reference))?;
    let credential = credential
        .map(RegistryCredential::from_authorization)
        .transpose()
        .map_err(|e| format!("{}: the registry credential: {e}", job.reference))?;
    let scanner = if job.insecure || credential.is_some() {
        let mut options = ctx.scanner.options().clone();
        if let Some(host) = job.reference.split('/').next().filter(|_| job.insecure) {
            options.resolve.insecure_registries.push(host.to_string());
        }
        options.resolve.credential = credential;
        Scanner::new(options)
    } else {
        ctx.scanner.clone()
    };
    let report = scanner
        .scan(&reference, &ctx.judge, &ctx.gate())
        .map_err(|e| format!("{}: {e}", job.reference))?;
    to_result(job.digest.clone(), &job.reference, &report)
}

/// Matches a stored basis (`ScanReport::basis`, as JSON) against the
/// current gate: the result a new scan would give, without the image.
pub fn rematch_job(ctx: &ScanContext, job: &Job, basis: &str) -> Result<ScanResult, String> {
    let what = job.digest.as_deref().unwrap_or(&job.reference);
    let mut basis: ScanBasis = serde_json::from_str(basis)
        .map_err(|e| format!("{what}: the stored scan basis is unreadable: {e}"))?;
    if let Ok(now) = plimsoll_scan::source_date_epoch() {
        basis.document.created = now;
    }
    let report =
        ScanReport::rematch(basis, &ctx.gate()).map_err(|e| format!("{what}: re-match: {e}"))?;
    to_result(job.digest.clone(), &job.reference, &report)
}

/// The webhook event for a result that gained findings failing the gate
/// (P-E3: rebuild the image).
fn gained_event(
    job: &Job,
    result: &ScanResult,
    refs: &[plimsoll_store::RefRow],
    gained: &[String],
) -> String {
    json!({
        "event": crate::webhook::EVENT_GATE_GAINED,
        "digest": result.digest,
        "reference": result.reference,
        "repositories": refs
            .iter()
            .map(|r| json!({"repository": r.repository, "tag": r.tag, "current": r.current}))
            .collect::<Vec<_>>(),
        "verdict": if result.passed { "passed" } else { "failed" },
        "gained": gained,
        "failing": result.gate_ids,
        "counts": result.counts,
        "database_built": result.database_built,
        "cause": match job.source.as_str() {
            "rematch" => "database update",
            "schedule" => "scheduled rescan",
            _ => "scan",
        },
        "links": {"image": format!("/v1/images/{}", result.digest)},
    })
    .to_string()
}

/// What the store keeps of a report: the report, the inventory, the counts
/// and the documents a client may ask for.
pub fn to_result(
    digest: Option<String>,
    reference: &str,
    report: &ScanReport,
) -> Result<ScanResult, String> {
    let json = |what: &str, r: serde_json::Result<String>| {
        r.map_err(|e| format!("{reference}: cannot serialise the {what}: {e}"))
    };
    let v = &report.vulnerabilities.summary;
    Ok(ScanResult {
        digest: digest.unwrap_or_else(|| report.image.digest.clone()),
        reference: reference.to_string(),
        passed: !report.failing,
        counts: Counts {
            critical: v.critical as i64,
            high: v.high as i64,
            medium: v.medium as i64,
            low: v.low as i64,
            other: (v.negligible + v.unknown) as i64,
        },
        findings: report.audit.findings.len() as i64,
        packages: report.inventory.packages.len() as i64,
        report: json("report", render::json(report))?,
        basis: json("scan basis", serde_json::to_string(&report.basis()))?,
        gate_ids: report.gate_ids(),
        database_built: Some(report.database.built.clone()),
        duration_ms: 0,
        documents: vec![
            ("table".into(), render::table(report)),
            ("sarif".into(), json("SARIF", render::sarif(report))?),
            ("cyclonedx".into(), render::cyclonedx(report)),
            (
                "spdx".into(),
                plimsoll_sbom::spdx::Document::new(&report.inventory, &report.document).to_json(),
            ),
        ],
    })
}
