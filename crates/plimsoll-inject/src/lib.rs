//! Environment services by Dockerfile rewrite (practice P-I1): what a test
//! or staging environment needs on top of the production image (a coverage
//! agent, a debugger, a probe) is added as a **new final stage**, and the
//! production stages stay exactly as written.
//!
//! A service comes from the `[[services]]` catalogue of `plimsoll.toml`
//! ([`Service`]): the environments it applies to, files copied from a
//! digest-pinned image or a build stage, environment changes, labels,
//! exposed ports. [`inject`] keeps the original text byte for byte and
//! appends
//!
//! ```text
//! FROM <final> AS <final>-with-services
//! USER root                       # only when the final USER is not root and files are copied
//! COPY --from=IMAGE@sha256:… SRC DST
//! USER <the final stage's USER, as written; else the service's `user`>
//! ENV JAVA_TOOL_OPTIONS="${JAVA_TOOL_OPTIONS:+${JAVA_TOOL_OPTIONS} }-javaagent:…"
//! EXPOSE 6300/tcp
//! LABEL io.plimsoll.services.injected="jacoco" io.plimsoll.service.jacoco.source="IMAGE@sha256:…"
//! ```
//!
//! An unnamed final stage is given a name (` AS plimsoll-final` added to its
//! FROM line, the only change to the original text): a name changes nothing
//! a stage builds, so `docker build --target plimsoll-final` (or
//! `--target <name>` for a named final stage) still builds the production
//! image from the same instructions, layer for layer.
//!
//! ```
//! use plimsoll_inject::{Request, Service, inject};
//! let services: Vec<Service> = vec![Service {
//!     name: "probe".into(),
//!     environments: vec!["test".into()],
//!     expose: vec!["9000".into()],
//!     ..Service::default()
//! }];
//! let src = "FROM alpine:3.20 AS app\nUSER 10001\n";
//! let out = inject(src, &services, &Request { environment: "test", services: &[] }).unwrap();
//! assert!(out.text.starts_with(src));
//! assert!(out.text.contains("FROM app AS app-with-services\nEXPOSE 9000\n"));
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;

use plimsoll_dockerfile::{Dockerfile, Keyword};
use serde::Deserialize;

/// The label naming the services injected (comma-separated); its presence
/// marks a Dockerfile as already injected. The marks are judged in
/// [`plimsoll_practice::services`] (lint DF053, image audit IMG017).
pub use plimsoll_practice::services::INJECTED_LABEL;
/// The suffix of the stage [`inject`] adds: `<final>-with-services`.
pub const STAGE_SUFFIX: &str = "-with-services";
/// The name given to an unnamed final stage.
pub const DEFAULT_FINAL_NAME: &str = "plimsoll-final";

/// One `[[services]]` entry of `plimsoll.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Lower-case letters, digits, `.`, `-` and `_` (it becomes part of a label key).
    pub name: String,
    /// The environments (`test`, `staging`) the service is added in.
    #[serde(default)]
    pub environments: Vec<String>,
    /// Files copied into the image.
    #[serde(default)]
    pub copy: Vec<CopySpec>,
    /// Environment variables set or appended to.
    #[serde(default)]
    pub env: Vec<EnvChange>,
    /// Labels added (key → value).
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Ports exposed (`6300`, `"6300/tcp"`).
    #[serde(default, deserialize_with = "ports")]
    pub expose: Vec<String>,
    /// The runtime user to restore after the copies when the Dockerfile
    /// sets none (its base image does, e.g. a distroless `nonroot` image):
    /// `USER root` goes before the copies and `USER <this>` after. A USER
    /// written in the Dockerfile always wins.
    pub user: Option<String>,
}

/// `expose = [6300, "6300/tcp"]`: numbers or strings.
fn ports<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Port {
        Number(u16),
        Text(String),
    }
    Ok(Vec::<Port>::deserialize(d)?
        .into_iter()
        .map(|p| match p {
            Port::Number(n) => n.to_string(),
            Port::Text(t) => t,
        })
        .collect())
}

/// `copy = [{ from = "IMAGE@sha256:…", src = "…", dst = "…" }]`:
/// `COPY --from=FROM [--chown=…] [--chmod=…] SRC DST`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopySpec {
    /// A stage of the Dockerfile (by name or index), or an image reference
    /// pinned by digest (`IMAGE@sha256:…`; a tag alone is refused, P-D1).
    pub from: String,
    pub src: String,
    pub dst: String,
    pub chown: Option<String>,
    pub chmod: Option<String>,
}

/// `env = [{ name = "…", append = "…" }]` or `{ name = "…", set = "…" }`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvChange {
    pub name: String,
    /// Added after the value the image has, separated by a space (no
    /// leading space when the variable is unset or empty).
    pub append: Option<String>,
    /// Replaces the value.
    pub set: Option<String>,
}

/// What to inject.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    /// The environment (`--env`): the services whose `environments` list it.
    pub environment: &'a str,
    /// Exactly these services instead (`--service`), in this order; each must exist.
    pub services: &'a [String],
}

/// The rewritten Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The new text (the input, unchanged, when nothing was injected).
    pub text: String,
    /// The services injected, in order.
    pub injected: Vec<String>,
    /// Why nothing was injected, when nothing was.
    pub note: Option<String>,
    /// The stage that builds the production image (`--target`), when the text changed.
    pub production_target: Option<String>,
}

/// Why a Dockerfile could not be rewritten.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum InjectError {
    #[error("line {line}, column {column}: {message}")]
    Parse {
        line: u32,
        column: u32,
        message: String,
    },
    #[error("the Dockerfile has no FROM: there is no final stage to add services to")]
    NoStage,
    #[error("unknown service {name:?}; the [[services]] of plimsoll.toml are: {known}")]
    UnknownService { name: String, known: String },
    #[error("service {0:?} is listed twice in [[services]]; give each a distinct name")]
    DuplicateService(String),
    #[error(
        "service name {0:?}: use lower-case letters, digits, '.', '-' and '_' (it becomes part of a label key)"
    )]
    BadServiceName(String),
    #[error(
        "service {service:?}: copy from {from:?} is neither a stage of this Dockerfile nor an image pinned by digest; \
         pin it (IMAGE@sha256:…, e.g. with `plimsoll pin`) so the injected files cannot change under the same name (P-D1)"
    )]
    UndigestedSource { service: String, from: String },
    #[error("environment {0:?}: one word, e.g. test or staging")]
    BadEnvironment(String),
    #[error("service {service:?}: {what}")]
    BadService { service: String, what: String },
    #[error(
        "the rewritten Dockerfile does not parse ({0}); this is a bug in plimsoll, please report it"
    )]
    Internal(String),
}

/// Rewrites `src` with the services `request` selects from `catalogue`.
///
/// The original text is kept byte for byte (an unnamed final stage gains
/// ` AS plimsoll-final`); the services go in a new stage appended at the
/// end. No service selected, or a file already injected (a
/// `*-with-services` stage or the [`INJECTED_LABEL`] label), gives the
/// input back unchanged with a [`Outcome::note`]. Never panics.
pub fn inject(
    src: &str,
    catalogue: &[Service],
    request: &Request<'_>,
) -> Result<Outcome, InjectError> {
    check_catalogue(catalogue)?;
    if request.environment.is_empty()
        || request
            .environment
            .contains(|c: char| c.is_whitespace() || c.is_control())
    {
        return Err(InjectError::BadEnvironment(request.environment.to_string()));
    }
    let df = plimsoll_dockerfile::parse(src).map_err(|e| InjectError::Parse {
        line: e.line,
        column: e.column,
        message: e.message,
    })?;
    let selected = select(catalogue, request)?;
    let unchanged = |note: String| Outcome {
        text: src.to_string(),
        injected: Vec::new(),
        note: Some(note),
        production_target: None,
    };
    let Some(last) = df.stages.last() else {
        return Err(InjectError::NoStage);
    };
    if let Some(why) = already_injected(&df) {
        return Ok(unchanged(format!(
            "already injected ({why}); nothing added"
        )));
    }
    if selected.is_empty() {
        let known = catalogue
            .iter()
            .any(|s| s.environments.iter().any(|e| e == request.environment));
        return Ok(unchanged(if known {
            format!("no services for environment {:?}", request.environment)
        } else {
            format!(
                "no service of [[services]] lists environment {:?}; the Dockerfile is unchanged",
                request.environment
            )
        }));
    }
    for s in &selected {
        for c in &s.copy {
            check_source(&df, s, c)?;
        }
    }

    // The original text, with a name for an unnamed final stage.
    let (mut text, final_name) = match &last.name {
        Some(n) => (src.to_string(), n.clone()),
        None => {
            let name = unused_stage_name(&df, DEFAULT_FINAL_NAME);
            let from = df
                .instructions
                .get(last.from)
                .ok_or_else(|| InjectError::Internal("the final FROM is missing".into()))?;
            let line = src.get(from.span.start..from.span.end).unwrap_or_default();
            let at = from.span.start + line.trim_end().len();
            let mut t = String::with_capacity(src.len() + name.len() + 8);
            t.push_str(src.get(..at).unwrap_or_default());
            let _ = write!(t, " AS {name}");
            t.push_str(src.get(at..).unwrap_or_default());
            (t, name)
        }
    };
    // Lines end as the file's do (CRLF when it uses CRLF).
    let eol = if src.contains("\r\n") { "\r\n" } else { "\n" };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(eol);
    }
    let stage = render_stage(&df, &final_name, &selected, request.environment);
    text.push_str(eol);
    text.push_str(&stage.replace('\n', eol));
    // What we wrote must parse, and keep the original stages as they were.
    let check = plimsoll_dockerfile::parse(&text)
        .map_err(|e| InjectError::Internal(format!("line {}: {}", e.line, e.message)))?;
    if check.stages.len() != df.stages.len() + 1 {
        return Err(InjectError::Internal("the stages changed".into()));
    }
    Ok(Outcome {
        text,
        injected: selected.iter().map(|s| s.name.clone()).collect(),
        note: None,
        production_target: Some(final_name),
    })
}

/// Names unique, well-formed; each env change sets or appends.
fn check_catalogue(catalogue: &[Service]) -> Result<(), InjectError> {
    for (i, s) in catalogue.iter().enumerate() {
        let ok = !s.name.is_empty()
            && s.name.chars().all(|c| {
                c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_')
            });
        if !ok {
            return Err(InjectError::BadServiceName(s.name.clone()));
        }
        if catalogue[..i].iter().any(|o| o.name == s.name) {
            return Err(InjectError::DuplicateService(s.name.clone()));
        }
        let bad = |what: String| InjectError::BadService {
            service: s.name.clone(),
            what,
        };
        for e in &s.env {
            if !is_env_name(&e.name) {
                return Err(bad(format!(
                    "env name {:?}: use letters, digits and '_', not starting with a digit",
                    e.name
                )));
            }
            if e.append.is_some() == e.set.is_some() {
                return Err(bad(format!(
                    "env {}: give exactly one of append = \"…\" or set = \"…\"",
                    e.name
                )));
            }
        }
        for c in &s.copy {
            if c.from.trim().is_empty() || c.src.trim().is_empty() || c.dst.trim().is_empty() {
                return Err(bad("copy: from, src and dst must not be empty".into()));
            }
            for (flag, v) in [("chown", &c.chown), ("chmod", &c.chmod)] {
                if let Some(v) = v
                    && (v.is_empty() || v.contains(|ch: char| ch.is_whitespace() || ch == '"'))
                {
                    return Err(bad(format!(
                        "copy {flag} {v:?}: one word, e.g. 1000:1000 or 0755"
                    )));
                }
            }
            if c.from.contains(|ch: char| ch.is_whitespace() || ch == '"') {
                return Err(bad(format!("copy from {:?}: one word", c.from)));
            }
        }
        for p in &s.expose {
            let (port, proto) = p.split_once('/').unwrap_or((p, "tcp"));
            let port_ok = port.parse::<u16>().is_ok_and(|n| n > 0);
            if !port_ok || !matches!(proto, "tcp" | "udp" | "sctp") {
                return Err(bad(format!(
                    "expose {p:?}: a port 1-65535, optionally /tcp, /udp or /sctp"
                )));
            }
        }
        if let Some(u) = &s.user
            && (u.is_empty() || u.contains(|ch: char| ch.is_whitespace() || ch == '"'))
        {
            return Err(bad(format!("user {u:?}: one word, e.g. 65532 or app:app")));
        }
        for (k, v) in &s.labels {
            if k.is_empty() || k.contains(|ch: char| ch.is_whitespace() || ch == '"' || ch == '=') {
                return Err(bad(format!(
                    "label key {k:?}: one word without '=' or quotes"
                )));
            }
            if v.contains('\n') {
                return Err(bad(format!("label {k}: the value must be one line")));
            }
        }
        for e in &s.env {
            if e.append.iter().chain(&e.set).any(|v| v.contains('\n')) {
                return Err(bad(format!("env {}: the value must be one line", e.name)));
            }
        }
    }
    Ok(())
}

fn is_env_name(n: &str) -> bool {
    let mut chars = n.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The services the request names (each must exist), or those of its environment.
fn select<'a>(
    catalogue: &'a [Service],
    request: &Request<'_>,
) -> Result<Vec<&'a Service>, InjectError> {
    if request.services.is_empty() {
        return Ok(catalogue
            .iter()
            .filter(|s| s.environments.iter().any(|e| e == request.environment))
            .collect());
    }
    let mut out: Vec<&Service> = Vec::new();
    for name in request.services {
        let s = catalogue.iter().find(|s| &s.name == name).ok_or_else(|| {
            InjectError::UnknownService {
                name: name.clone(),
                known: if catalogue.is_empty() {
                    "(none)".to_string()
                } else {
                    catalogue
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            }
        })?;
        if !out.iter().any(|o| o.name == s.name) {
            out.push(s);
        }
    }
    Ok(out)
}

/// Why `df` already has services: a `*-with-services` stage or the label.
fn already_injected(df: &Dockerfile) -> Option<String> {
    if let Some(s) = df
        .stages
        .iter()
        .find_map(|s| s.name.as_deref().filter(|n| n.ends_with(STAGE_SUFFIX)))
    {
        return Some(format!("stage {s} exists"));
    }
    df.instructions
        .iter()
        .filter(|i| i.keyword == Keyword::Label)
        .any(|i| i.key_values().iter().any(|(k, _)| k == INJECTED_LABEL))
        .then(|| format!("label {INJECTED_LABEL} present"))
}

/// Whether `environment` gets services from `catalogue` (some entry lists
/// it); when it does not, lint (DF053) and image audit (IMG017) flag
/// injected services' marks for it.
pub fn has_services(catalogue: &[Service], environment: &str) -> bool {
    !plimsoll_practice::services::service_free(environment, &environments_with_services(catalogue))
}

/// The environments some service of `catalogue` lists.
pub fn environments_with_services(catalogue: &[Service]) -> Vec<String> {
    let mut out: Vec<String> = catalogue
        .iter()
        .flat_map(|s| s.environments.iter().cloned())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether `from` names a stage of `df`.
fn is_stage(df: &Dockerfile, from: &str) -> bool {
    df.stage_ref(from, df.stages.len()).is_some()
}

/// A stage of the file, or an image reference with a well-formed digest.
fn check_source(df: &Dockerfile, s: &Service, c: &CopySpec) -> Result<(), InjectError> {
    if is_stage(df, &c.from) || has_digest(&c.from) {
        return Ok(());
    }
    Err(InjectError::UndigestedSource {
        service: s.name.clone(),
        from: c.from.clone(),
    })
}

/// `…@sha256:<64 hex>` or `…@sha512:<128 hex>` after a non-empty name.
pub fn has_digest(reference: &str) -> bool {
    let Some((name, digest)) = reference.rsplit_once('@') else {
        return false;
    };
    let Some((alg, hex)) = digest.split_once(':') else {
        return false;
    };
    let len = match alg {
        "sha256" => 64,
        "sha512" => 128,
        _ => return false,
    };
    !name.is_empty()
        && !name.contains('$')
        && hex.len() == len
        && hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `base`, or `base-2`, `base-3`… : a stage name not used yet.
fn unused_stage_name(df: &Dockerfile, base: &str) -> String {
    let used = |n: &str| df.stages.iter().any(|s| s.name.as_deref() == Some(n));
    if !used(base) {
        return base.to_string();
    }
    (2..)
        .map(|i| format!("{base}-{i}"))
        .find(|n| !used(n))
        .unwrap_or_else(|| base.to_string())
}

/// The USER in force at the end of stage `i`, as written: its own last
/// USER, else that of the stage it is built FROM (`None`: the base image's).
/// A USER that uses a variable is written expanded when every variable is
/// known (a stage's ARGs do not reach the new stage).
fn final_user(df: &Dockerfile, mut i: usize) -> Option<String> {
    let mut seen = Vec::new();
    loop {
        seen.push(i);
        let stage = df.stages.get(i)?;
        let user = df.instructions[stage.instructions.clone()]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, ins)| ins.keyword == Keyword::User)
            .map(|(k, ins)| (stage.instructions.start + k, ins));
        if let Some((index, ins)) = user {
            let written = ins.shell_text().unwrap_or_default().trim().to_string();
            if written.contains('$') {
                let expanded = plimsoll_dockerfile::expand(&written, &df.vars_at(index));
                if !expanded.is_empty() && !expanded.contains('$') {
                    return Some(expanded);
                }
            }
            return Some(written);
        }
        let parent = df.stage_ref(&stage.image, i)?.index;
        if seen.contains(&parent) {
            return None;
        }
        i = parent;
    }
}

fn is_root(user: &str) -> bool {
    let name = user.split(':').next().unwrap_or(user).trim();
    name == "root" || name == "0"
}

/// `"text"` for ENV and LABEL values: `"` and the escape character
/// escaped, `$` left alone (an ENV's `${NAME}` reference must expand).
fn quote(s: &str, escape: char) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A source or destination path: bare unless it needs quoting (then the
/// JSON form is used for the whole COPY).
fn needs_json(p: &str) -> bool {
    p.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'' || c == '\\' || c == '`')
}

fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The appended stage.
fn render_stage(df: &Dockerfile, final_name: &str, services: &[&Service], env: &str) -> String {
    let esc = df.escape;
    let names: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Added by `plimsoll dockerfile inject --env {env}` (P-I1): {}. Build the production image with --target {final_name}.",
        names.join(", ")
    );
    let _ = writeln!(out, "FROM {final_name} AS {final_name}{STAGE_SUFFIX}");
    let copies: Vec<&CopySpec> = services.iter().flat_map(|s| &s.copy).collect();
    let user = df
        .stages
        .len()
        .checked_sub(1)
        .and_then(|i| final_user(df, i))
        .or_else(|| services.iter().find_map(|s| s.user.clone()));
    let switch = !copies.is_empty() && user.as_deref().is_some_and(|u| !is_root(u));
    if switch {
        out.push_str("USER root\n");
    }
    for c in &copies {
        out.push_str("COPY --from=");
        out.push_str(&c.from);
        if let Some(o) = &c.chown {
            let _ = write!(out, " --chown={o}");
        }
        if let Some(m) = &c.chmod {
            let _ = write!(out, " --chmod={m}");
        }
        if needs_json(&c.src) || needs_json(&c.dst) {
            let _ = writeln!(out, " [{}, {}]", json_string(&c.src), json_string(&c.dst));
        } else {
            let _ = writeln!(out, " {} {}", c.src, c.dst);
        }
    }
    if switch && let Some(u) = &user {
        let _ = writeln!(out, "USER {u}");
    }
    for s in services {
        for e in &s.env {
            let value = match (&e.set, &e.append) {
                (Some(v), _) => v.clone(),
                (None, Some(v)) => format!("${{{n}:+${{{n}}} }}{v}", n = e.name),
                (None, None) => continue,
            };
            let _ = writeln!(out, "ENV {}={}", e.name, quote(&value, esc));
        }
    }
    for s in services {
        for p in &s.expose {
            let _ = writeln!(out, "EXPOSE {p}");
        }
    }
    let mut labels: Vec<(String, String)> = Vec::new();
    for s in services {
        for (k, v) in &s.labels {
            labels.push((k.clone(), v.clone()));
        }
    }
    labels.push((INJECTED_LABEL.to_string(), names.join(",")));
    for s in services {
        let mut sources: Vec<&str> = Vec::new();
        for c in &s.copy {
            if !is_stage(df, &c.from) && !sources.contains(&c.from.as_str()) {
                sources.push(&c.from);
            }
        }
        if !sources.is_empty() {
            labels.push((
                plimsoll_practice::services::source_label(&s.name),
                sources.join(","),
            ));
        }
    }
    for (k, v) in labels {
        let _ = writeln!(out, "LABEL {k}={}", quote(&v, esc));
    }
    out
}

#[cfg(test)]
mod tests;
