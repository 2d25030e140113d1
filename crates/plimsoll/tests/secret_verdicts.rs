//! One practice, one verdict: the Dockerfile rule DF048 (`ENV KEY=value`)
//! and the image rule IMG004 (the same variable in the image's config) judge
//! a table of real-looking variables the same way, and the way expected.

use std::collections::BTreeSet;
use std::process::Command;

use plimsoll_testkit::*;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// Token-like text derived from `seed` (no literal here looks like a live
/// key): hex digits of its SHA-256, lower case or upper case.
fn hex_of(seed: &str, upper: bool) -> String {
    let h = hex::encode(Sha256::digest(seed.as_bytes()));
    if upper { h.to_ascii_uppercase() } else { h }
}

/// `(KEY, value, secret?)`: every key once, so findings map back to lines.
fn table() -> Vec<(&'static str, String, bool)> {
    let s = |v: &str| v.to_string();
    vec![
        // Secret names with real values.
        ("DB_PASSWORD", s("hunter2"), true),
        ("MYSQL_ROOT_PASSWORD", s("S3cure!Pass"), true),
        ("PGPASSWORD", s("pg-pass-2024"), true),
        ("API_KEY", s("abc123"), true),
        ("ROOT_PASSWORD", s("123456"), true),
        ("STRIPE_API_KEY", s("q8Zr4Lm2Xw9Tn6Vb"), true),
        ("JWT_SECRET", s("aVeryLongSigningString"), true),
        ("SECRET_KEY_BASE", s("9f8e7d6c5b4a3928"), true),
        ("RABBITMQ_DEFAULT_PASS", s("s3cr3tive"), true),
        ("ENCRYPTION_KEY", s("Zm9vYmFyYmF6cXV4"), true),
        ("NPM_AUTH_TOKEN", s("a1b2c3d4e5f6"), true),
        ("dbPassword", s("hunter2"), true),
        ("CLIENT_SECRET", s("7c1f0a9e2b"), true),
        // Known tokens and URL credentials, whatever the name.
        (
            "GITHUB_TOKEN",
            format!("ghp_{}", &hex_of("github", false)[..36]),
            true,
        ),
        ("GH", format!("ghp_{}", &hex_of("gh", false)[..36]), true),
        (
            "AWS_SECRET_ACCESS_KEY",
            format!(
                "{}{}",
                &hex_of("aws", false)[..20],
                &hex_of("aws", true)[20..40]
            ),
            true,
        ),
        (
            "DATABASE_URL",
            s("postgres://app:Xk29vLq7@db.internal:5432/app"),
            true,
        ),
        // Names that point at a secret, flags, placeholders, references.
        ("PASSWORD_FILE", s("/run/secrets/db"), false),
        ("POSTGRES_PASSWORD_FILE", s("pg.txt"), false),
        ("ADMIN_PASSWORD", s("changeme"), false),
        ("APP_PASSWORD", s("/run/secrets/app_password"), false),
        ("REDIS_PASSWORD", s(""), false),
        ("SERVICE_API_KEY", s("<your-api-key>"), false),
        ("TOKEN_DISABLED", s("true"), false),
        ("MYSQL_ALLOW_EMPTY_PASSWORD", s("yes"), false),
        ("MYSQL_RANDOM_ROOT_PASSWORD", s("1"), false),
        (
            "GPG_KEY",
            s("A035C8C19219BA821ECEA86B64E628F8D1F0B6C1"),
            false,
        ),
        ("AWS_ACCESS_KEY_ID", s("placeholder"), false),
        ("PATH", s("/usr/local/bin:/usr/bin:/bin"), false),
        ("PWD", s("/app"), false),
        ("TOKENIZERS_PARALLELISM", s("false"), false),
        ("VAULT_TOKEN_TTL", s("3600"), false),
        ("SECRET_NAME", s("db-credentials"), false),
        ("MAX_TOKENS", s("4096"), false),
        ("PASSENGER_VERSION", s("6.0.18"), false),
        ("LANG", s("C.UTF-8"), false),
        ("DOCS_URL", s("https://docs.example.com/setup"), false),
    ]
}

/// DF048's verdict on `ENV KEY=value` in a Dockerfile.
fn dockerfile_verdict(key: &str, value: &str) -> bool {
    let src = format!("FROM debian:12\nENV {key}={value}\n");
    plimsoll_lint::lint("Dockerfile", &src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .iter()
        .any(|f| f.code == "DF048")
}

/// The keys IMG004 flags in an image whose config has all the variables.
fn image_verdicts(table: &[(&str, String, bool)]) -> BTreeSet<String> {
    let env: Vec<String> = table.iter().map(|(k, v, _)| format!("{k}={v}")).collect();
    let layer = Layer::new(
        &[dir("etc"), file("etc/hostname", "x\n")],
        Compression::Gzip,
    );
    let spec = ImageSpec::new(vec![layer]).config(json!({
        "Cmd": ["/app"],
        "User": "10001",
        "Env": env,
    }));
    let t = tempfile::tempdir().unwrap();
    Layout::new(&t.path().join("img")).add(&spec, "1.0");
    let out = Command::new(env!("CARGO_BIN_EXE_plimsoll"))
        .args([
            "image",
            "audit",
            &format!("oci:{}:1.0", t.path().join("img").display()),
            "--format",
            "json",
        ])
        .env("PLIMSOLL_CACHE_DIR", t.path().join("cache"))
        .env_remove("DOCKER_CONFIG")
        .output()
        .expect("binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{stderr}");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IMG004")
        .filter_map(|f| f["location"]["field"].as_str())
        .filter_map(|field| field.strip_prefix("config.Env[")?.strip_suffix(']'))
        .map(str::to_string)
        .collect()
}

#[test]
fn dockerfile_and_image_rules_agree_on_env_lines() {
    let table = table();
    let flagged_in_image = image_verdicts(&table);
    let mut wrong = Vec::new();
    for (key, value, expected) in &table {
        let dockerfile = dockerfile_verdict(key, value);
        let image = flagged_in_image.contains(*key);
        if dockerfile != *expected || image != *expected {
            wrong.push(format!(
                "{key}={value}: expected {expected}, DF048 {dockerfile}, IMG004 {image}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
