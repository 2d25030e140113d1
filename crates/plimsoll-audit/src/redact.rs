//! What plimsoll prints of an image's config: every value the secret scanner flags is masked
//! the way the findings show it (IMG004), in every output that carries config text (the
//! audit and scan documents' `created_by`, `image inspect`'s table and JSON, the server's
//! stored reports and pages, which are those documents).

use plimsoll_oci::ImageConfig;
use plimsoll_secrets::SecretScanner;

/// A copy of `config` with the secrets in ENV values, label values, history lines
/// (`created_by`, `comment`), the entrypoint, the command and the health check masked in
/// place; everything else as it was.
pub fn redact_config(config: &ImageConfig) -> ImageConfig {
    let sc = SecretScanner::shared();
    let mut out = config.clone();
    let c = &mut out.config;
    for kv in &mut c.env {
        if let Some((k, v)) = kv.split_once('=') {
            let red = sc.redact_value(k, v);
            if red != v {
                *kv = format!("{k}={red}");
            }
        }
    }
    for (k, v) in c.labels.iter_mut() {
        let red = sc.redact_value(k, v);
        if red != v.as_str() {
            *v = red.into_owned();
        }
    }
    for h in &mut out.history {
        for text in [&mut h.created_by, &mut h.comment].into_iter().flatten() {
            let red = sc.redact_text(text);
            if red != text.as_str() {
                *text = red.into_owned();
            }
        }
    }
    for argv in [&mut c.entrypoint, &mut c.cmd].into_iter().flatten() {
        sc.redact_args(argv);
    }
    if let Some(h) = &mut c.healthcheck {
        sc.redact_args(&mut h.test);
    }
    out
}
