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
        redact_argv(sc, argv);
    }
    if let Some(h) = &mut c.healthcheck {
        redact_argv(sc, &mut h.test);
    }
    out
}

/// Masks the secrets of an exec-form command line, read as its arguments joined by one
/// space (so `["mysql", "--password", "X"]` is judged like `mysql --password X`).
fn redact_argv(sc: &SecretScanner, argv: &mut [String]) {
    let joined = argv.join(" ");
    let spans = sc.secret_spans(&joined);
    if spans.is_empty() {
        return;
    }
    let mut start = 0;
    for arg in argv.iter_mut() {
        let end = start + arg.len();
        let mut masked = String::new();
        let mut pos = 0;
        for &(s, e) in &spans {
            let (s, e) = (s.max(start), e.min(end));
            if s >= e {
                continue;
            }
            let (s, e) = (s - start, e - start);
            masked.push_str(&arg[pos..s]);
            masked.push_str(&plimsoll_secrets::mask(&arg[s..e]));
            pos = e;
        }
        if pos > 0 {
            masked.push_str(&arg[pos..]);
            *arg = masked;
        }
        start = end + 1;
    }
}
