//! IMG004 secret-in-config: ENV, labels and build history.

use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Layer, dir, file_mode};
use serde_json::json;

use super::*;

/// A GitHub token (built at run time: the source holds no token).
fn github_token() -> String {
    format!("ghp_{}", "q8Vd3LmZ0rT6yKx2NwB7hJ4pF1sCe9GuA5oX")
}

fn with_env(env: &[&str]) -> ImageSpec {
    let mut all =
        vec!["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".to_string()];
    all.extend(env.iter().map(|e| e.to_string()));
    image_configured(json!({ "Env": all }))
}

fn with_labels(labels: serde_json::Value) -> ImageSpec {
    image_configured(json!({ "Labels": labels }))
}

/// A clean image whose history records `steps` after its two layers.
fn with_history(steps: &[&str]) -> ImageSpec {
    let mut spec = image_configured(json!({}));
    spec.extra_history = steps.iter().map(|s| s.to_string()).collect();
    spec
}

#[test]
fn a_password_in_env() {
    let f = one("IMG004", with_env(&["DB_PASSWORD=hunter2"]));
    assert_eq!(f.name, "secret-in-config");
    assert_eq!(f.practice, "P-C6");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.location.field.as_deref(), Some("config.Env[DB_PASSWORD]"));
    assert_eq!(f.location.path, None);
    assert!(f.message.contains(" in ENV DB_PASSWORD ("), "{}", f.message);
    assert!(!f.message.contains("hunter2"), "redacted: {}", f.message);
}

#[test]
fn a_token_in_env_whatever_its_name() {
    let token = github_token();
    let f = one("IMG004", with_env(&[&format!("SOME_VALUE={token}")]));
    assert_eq!(f.location.field.as_deref(), Some("config.Env[SOME_VALUE]"));
    assert!(!f.message.contains(&token), "redacted: {}", f.message);
}

#[test]
fn each_secret_env_var_is_reported() {
    let found = findings(
        "IMG004",
        with_env(&[
            "MYSQL_ROOT_PASSWORD=root",
            "APP_PORT=8080",
            "JWT_SECRET=aVeryLongSigningString",
        ]),
    );
    let mut fields: Vec<_> = found
        .iter()
        .filter_map(|f| f.location.field.clone())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["config.Env[JWT_SECRET]", "config.Env[MYSQL_ROOT_PASSWORD]"]
    );
}

#[test]
fn a_token_in_a_label() {
    let f = one(
        "IMG004",
        with_labels(json!({"com.corp.deploy.token": "abc123def456"})),
    );
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(
        f.location.field.as_deref(),
        Some("config.Labels[com.corp.deploy.token]")
    );
    assert!(
        f.message.contains(" in label com.corp.deploy.token ("),
        "{}",
        f.message
    );
    assert!(
        !f.message.contains("abc123def456"),
        "redacted: {}",
        f.message
    );
}

#[test]
fn an_env_recorded_in_history() {
    // Layers 0 and 1 are history 0 and 1; the ENV step comes after them.
    let f = one(
        "IMG004",
        with_history(&["/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter22"]),
    );
    assert_eq!(f.location.field.as_deref(), Some("history[2].created_by"));
    assert!(
        f.message.contains(" in build history step 2 ("),
        "{}",
        f.message
    );
    assert!(!f.message.contains("hunter22"), "redacted: {}", f.message);
}

#[test]
fn a_password_argument_of_a_run_step() {
    let run = Layer::new(
        &[
            dir("var"),
            dir("var/lib"),
            file_mode("var/lib/db", b"x", 0o644, 0),
        ],
        Compression::Gzip,
    )
    .created_by("/bin/sh -c mysql -uroot -pS3cretPw1 -e 'CREATE DATABASE app'");
    let spec = ImageSpec::new(vec![base_layer(), run]).config(clean_config());
    let f = one("IMG004", spec);
    assert_eq!(f.location.field.as_deref(), Some("history[1].created_by"));
    assert!(
        f.message.contains(" in build history step 1 ("),
        "{}",
        f.message
    );
    assert!(!f.message.contains("S3cretPw1"), "redacted: {}", f.message);
}

#[test]
fn a_build_arg_recorded_in_history() {
    let token = github_token();
    let f = one(
        "IMG004",
        with_history(&[&format!("RUN |1 GITHUB_TOKEN={token} /bin/sh -c make")]),
    );
    assert_eq!(f.location.field.as_deref(), Some("history[2].created_by"));
    assert!(!f.message.contains(&token), "redacted: {}", f.message);
}

#[test]
fn env_label_and_history_together() {
    let mut spec = image_configured(json!({
        "Env": ["DB_PASSWORD=hunter2"],
        "Labels": {"com.corp.deploy.token": "abc123def456"},
    }));
    spec.extra_history = vec!["/bin/sh -c #(nop)  ENV DB_PASSWORD=hunter2".into()];
    let fields: Vec<_> = findings("IMG004", spec)
        .into_iter()
        .filter_map(|f| f.location.field)
        .collect();
    assert_eq!(
        fields,
        [
            "config.Env[DB_PASSWORD]",
            "config.Labels[com.corp.deploy.token]",
            "history[2].created_by"
        ]
    );
}

#[test]
fn near_miss_references_placeholders_and_look_alikes_in_env() {
    silent(
        "IMG004",
        with_env(&[
            "DB_PASSWORD=${DB_PASSWORD}",
            "DB_PASSWORD_FILE=/run/secrets/db_password",
            "API_KEY=<your-api-key>",
            "MAX_TOKENS=4096",
            "TOKEN_URL=https://auth.corp/token",
            "MYSQL_ALLOW_EMPTY_PASSWORD=yes",
            "GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D1F0B6C1",
            "EMPTY_SECRET=",
        ]),
    );
}

#[test]
fn near_miss_ordinary_labels() {
    silent(
        "IMG004",
        with_labels(json!({
            "org.opencontainers.image.source": "https://github.com/x/y",
            "org.opencontainers.image.version": "1.2.3",
            "maintainer": "ops@example.com",
        })),
    );
}

#[test]
fn near_miss_history_without_secrets() {
    silent(
        "IMG004",
        with_history(&[
            "RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci",
            "/bin/sh -c ./run --password $DB_PASSWORD",
            "/bin/sh -c echo $PASSWORD | docker login --password-stdin -u me registry",
            "/bin/sh -c #(nop)  ENV MYSQL_ROOT_PASSWORD=",
        ]),
    );
}
