//! `plimsoll admission`: a Kubernetes validating admission webhook (P-G).
//!
//! Before a workload is admitted: the run-time rules on its pod spec (the
//! same `plimsoll_runtime` rules `plimsoll config audit` runs, judged by a
//! policy written in the practices' ids), trusted registries (P-D5), digest
//! references (P-D1), and each image's stored scan verdict by digest (P-E1,
//! P-E2) from `plimsoll serve` or its store, through a cache, and each
//! image's cosign signature by one of the configured keys (P-D4).
//!
//! - [`policy`]: `[admission]` of `plimsoll.toml`, checked;
//! - [`review`]: one AdmissionReview read, judged and answered;
//! - [`verdict`]: verdict sources and the cache in front of them;
//! - [`tags`]: tags resolved to digests, cached;
//! - [`signature`]: signatures verified (`plimsoll_sign::verify`), cached;
//! - [`server`]: the HTTPS server (`POST /validate`), certificate and
//!   policy reloaded when their files change.

pub mod policy;
pub mod review;
pub mod server;
pub mod signature;
pub mod tags;
pub mod verdict;

pub use policy::{AdmissionConfig, Policy, PolicyError};
pub use review::{Decision, ReviewError, Sources, decide, parse, respond};
