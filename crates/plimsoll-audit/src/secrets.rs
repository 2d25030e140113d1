//! The secret scanner now lives in its own crate, `plimsoll-secrets`, shared by the image
//! rules (IMG003, IMG004) and the Dockerfile rule DF048; this path keeps working for
//! existing callers.

pub use plimsoll_secrets::*;
