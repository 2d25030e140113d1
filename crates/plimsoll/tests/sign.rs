//! `plimsoll key`, `sign` and `verify` as a user runs them: OCI layouts in
//! plain `cargo test`; the real `docker-registry` in the explicit suite
//! (`registry_round_trip`, ignored: needs docker-registry and skopeo).

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::*;

const PASSWORD: &str = "pl1msoll-test-Passw0rd";

fn plimsoll() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .env_remove("PLIMSOLL_PASSWORD")
        .env_remove("COSIGN_PASSWORD")
        .env_remove("COSIGN_REPOSITORY")
}

fn with_password() -> Cli {
    plimsoll().env("PLIMSOLL_PASSWORD", PASSWORD)
}

fn image(dir: &Path, tag: &str, text: &str) -> String {
    let mut layout = Layout::new(dir);
    layout.add(
        &ImageSpec::new(vec![Layer::new(
            &[file("etc/motd", text)],
            Compression::Gzip,
        )]),
        tag,
    )
}

fn keypair(root: &Path, name: &str) -> String {
    let prefix = root.join(name);
    let run = with_password().run(&[
        "key",
        "generate",
        "--output-prefix",
        prefix.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    prefix.display().to_string()
}

fn no_secret(run: &Run) {
    assert!(
        !run.stdout.contains(PASSWORD) && !run.stderr.contains(PASSWORD),
        "the password was printed: {run:?}"
    );
}

#[test]
fn key_generate_writes_cosign_files_0600_and_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = keypair(tmp.path(), "k");
    let private = std::fs::read_to_string(format!("{prefix}.key")).unwrap();
    assert!(private.starts_with("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n"));
    let public = std::fs::read_to_string(format!("{prefix}.pub")).unwrap();
    assert!(public.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    let mode = std::fs::metadata(format!("{prefix}.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // Again: refused (exit 2), the files untouched; --force overwrites.
    let run = with_password().run(&["key", "generate", "--output-prefix", &prefix]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--force"), "{run:?}");
    assert_eq!(
        std::fs::read_to_string(format!("{prefix}.key")).unwrap(),
        private
    );
    let run = with_password().run(&["key", "generate", "--output-prefix", &prefix, "--force"]);
    assert_eq!(run.code, 0, "{run:?}");
    no_secret(&run);
    assert_ne!(
        std::fs::read_to_string(format!("{prefix}.key")).unwrap(),
        private
    );
    // Without a password and without a terminal: a clear error.
    let run = plimsoll().run(&["key", "generate", "--output-prefix", &format!("{prefix}2")]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("PLIMSOLL_PASSWORD"), "{run:?}");
}

#[test]
fn key_import_reads_cosign_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let vector = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plimsoll-sign/tests/data/cosign-keys_test-pemcosigneckey.key");
    let prefix = tmp.path().join("imported");
    let run = plimsoll().env("COSIGN_PASSWORD", "hello").run(&[
        "key",
        "import",
        vector.to_str().unwrap(),
        "--output-prefix",
        prefix.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    // The legacy label is kept.
    let written = std::fs::read_to_string(prefix.with_extension("key")).unwrap();
    assert!(
        written.starts_with("-----BEGIN ENCRYPTED COSIGN PRIVATE KEY-----"),
        "{written}"
    );
    // A wrong password: exit 2, said clearly, never shown.
    let run = plimsoll().env("COSIGN_PASSWORD", PASSWORD).run(&[
        "key",
        "import",
        vector.to_str().unwrap(),
        "--output-prefix",
        tmp.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("wrong password"), "{run:?}");
    no_secret(&run);
}

#[test]
fn sign_and_verify_an_oci_layout() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    let digest = image(&dir, "1.0", "hello");
    let prefix = keypair(tmp.path(), "k");
    let other = keypair(tmp.path(), "other");
    let reference = format!("oci:{}:1.0", dir.display());
    let key = format!("{prefix}.key");
    let public = format!("{prefix}.pub");

    // Unsigned: exit 1, saying none were found.
    let run = plimsoll().run(&["verify", &reference, "--key", &public]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no signatures found"), "{run:?}");

    let run = with_password().run(&["sign", &reference, "--key", &key, "-a", "team=payments"]);
    assert_eq!(run.code, 0, "{run:?}");
    no_secret(&run);
    assert!(run.stderr.contains(&digest), "{run:?}");

    let run = plimsoll().run(&[
        "verify",
        &reference,
        "--key",
        &public,
        "-a",
        "team=payments",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("1 of 1 signatures verified"), "{run:?}");
    let run = plimsoll().run(&["verify", &reference, "--key", &public, "--format", "json"]);
    assert_eq!(run.code, 0, "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["digest"], digest.as_str());
    assert_eq!(doc["verified"], 1);
    assert_eq!(doc["checks"][0]["verified"], true);

    // Another key, another annotation value: exit 1 with the reason.
    let run = plimsoll().run(&["verify", &reference, "--key", &format!("{other}.pub")]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("does not match the key"), "{run:?}");
    let run = plimsoll().run(&["verify", &reference, "--key", &public, "-a", "team=ops"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("annotation team"), "{run:?}");

    // Bad input: exit 2.
    for (args, says) in [
        (vec!["verify", &reference, "--key", &key], "PUBLIC KEY"),
        (
            vec!["verify", "oci:/nonexistent:1", "--key", &public],
            "not an OCI image layout",
        ),
        (
            vec!["verify", &reference, "--key", &public, "-a", "novalue"],
            "KEY=VALUE",
        ),
        (
            vec![
                "verify",
                &format!("oci:{}:2.0", dir.display()),
                "--key",
                &public,
            ],
            "no image tagged",
        ),
    ] {
        let run = plimsoll().run(&args);
        assert_eq!(run.code, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(says), "{args:?}: {run:?}");
    }
    // A wrong password when signing: exit 2.
    let run = plimsoll()
        .env("COSIGN_PASSWORD", "not-it-9")
        .run(&["sign", &reference, "--key", &key]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("wrong password") && !run.stderr.contains("not-it-9"),
        "{run:?}"
    );

    // A truncated signature: exit 1.
    let index: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    let entry = index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| {
            m["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .unwrap()
                .ends_with(".sig")
        })
        .unwrap()
        .clone();
    let sig_path = dir
        .join("blobs/sha256")
        .join(&entry["digest"].as_str().unwrap()[7..]);
    let mut m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sig_path).unwrap()).unwrap();
    let s = m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"]
        .as_str()
        .unwrap()
        .to_string();
    m["layers"][0]["annotations"]["dev.cosignproject.cosign/signature"] = s[..s.len() / 2].into();
    let bytes = serde_json::to_vec(&m).unwrap();
    let d = sha256(&bytes);
    std::fs::write(dir.join("blobs/sha256").join(&d[7..]), &bytes).unwrap();
    let text = std::fs::read_to_string(dir.join("index.json")).unwrap();
    std::fs::write(
        dir.join("index.json"),
        text.replace(entry["digest"].as_str().unwrap(), &d),
    )
    .unwrap();
    let run = plimsoll().run(&["verify", &reference, "--key", &public]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stdout.contains("FAILED"), "{run:?}");
}

#[test]
fn signature_repository_keeps_signatures_elsewhere() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    image(&dir, "1.0", "hello");
    let sigs = tmp.path().join("sigs");
    Layout::new(&sigs);
    std::fs::write(
        sigs.join("index.json"),
        r#"{"schemaVersion":2,"manifests":[]}"#,
    )
    .unwrap();
    let prefix = keypair(tmp.path(), "k");
    let reference = format!("oci:{}:1.0", dir.display());
    let repo = format!("oci:{}", sigs.display());
    let run = with_password().run(&[
        "sign",
        &reference,
        "--key",
        &format!("{prefix}.key"),
        "--signature-repository",
        &repo,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    // Not beside the image; found through COSIGN_REPOSITORY.
    let run = plimsoll().run(&["verify", &reference, "--key", &format!("{prefix}.pub")]);
    assert_eq!(run.code, 1, "{run:?}");
    let run = plimsoll().env("COSIGN_REPOSITORY", &repo).run(&[
        "verify",
        &reference,
        "--key",
        &format!("{prefix}.pub"),
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}

/// The real registry: sign over the distribution API, verify, append, a
/// signature repository; what plimsoll pushed is a cosign signature manifest.
#[test]
#[ignore = "needs docker-registry and skopeo (scripts/test-all.sh)"]
fn registry_round_trip() {
    let registry = registry::Registry::start();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("app");
    let digest = image(&dir, "latest", "hello registry");
    registry.push(&dir, "team/app:1.0");
    let host = registry.host();
    let reference = format!("{host}/team/app:1.0");
    let a = keypair(tmp.path(), "a");
    let b = keypair(tmp.path(), "b");
    let verify = |key: &str, extra: &[&str]| {
        let mut args = vec![
            "verify",
            reference.as_str(),
            "--key",
            key,
            "--insecure",
            host.as_str(),
        ];
        args.extend_from_slice(extra);
        plimsoll().run(&args)
    };
    let run = verify(&format!("{a}.pub"), &[]);
    assert_eq!(run.code, 1, "{run:?}");
    for k in [&a, &b] {
        let run = with_password().run(&[
            "sign",
            &reference,
            "--key",
            &format!("{k}.key"),
            "--insecure",
            &host,
        ]);
        assert_eq!(run.code, 0, "{run:?}");
    }
    for k in [&a, &b] {
        let run = verify(&format!("{k}.pub"), &["--format", "json"]);
        assert_eq!(run.code, 0, "{run:?}");
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        assert_eq!(doc["digest"], digest.as_str());
        assert_eq!(
            (
                doc["verified"].as_u64(),
                doc["checks"].as_array().unwrap().len()
            ),
            (Some(1), 2)
        );
    }
    // The tag cosign reads, as skopeo sees it.
    let out = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", "--tls-verify=false"])
        .arg(format!(
            "docker://{host}/team/app:sha256-{}.sig",
            &digest[7..]
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    let m: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(m["layers"].as_array().unwrap().len(), 2);
    assert_eq!(
        m["layers"][0]["mediaType"],
        "application/vnd.dev.cosign.simplesigning.v1+json"
    );
    // By digest, and with a signature repository.
    let pinned = format!("{host}/team/app@{digest}");
    let run = plimsoll().run(&[
        "verify",
        &pinned,
        "--key",
        &format!("{a}.pub"),
        "--insecure",
        &host,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let repo = format!("{host}/signatures");
    let run = with_password().run(&[
        "sign",
        &pinned,
        "--key",
        &format!("{a}.key"),
        "--insecure",
        &host,
        "--signature-repository",
        &repo,
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    let run = plimsoll().env("COSIGN_REPOSITORY", &repo).run(&[
        "verify",
        &pinned,
        "--key",
        &format!("{a}.pub"),
        "--insecure",
        &host,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("signatures"), "{run:?}");
    // A registry that is not there: exit 2.
    let run = plimsoll().run(&[
        "verify",
        "127.0.0.1:1/none:1",
        "--key",
        &format!("{a}.pub"),
        "--insecure",
        "127.0.0.1:1",
        "--timeout",
        "2",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
}

/// `[supply_chain] trusted_registries`: verify refuses an image from
/// another registry before reading anything from it (P-D5).
#[test]
fn verify_refuses_untrusted_registries() {
    let tmp = tempfile::tempdir().unwrap();
    let a = keypair(tmp.path(), "a");
    let config = tmp.path().join("plimsoll.toml");
    std::fs::write(
        &config,
        "[supply_chain]\ntrusted_registries = [\"registry.corp.example:5000\", \"*.trusted.example\"]\n",
    )
    .unwrap();
    let run = plimsoll().run(&[
        "verify",
        "elsewhere.example/team/app:1.0",
        "--key",
        &format!("{a}.pub"),
        "--config",
        config.to_str().unwrap(),
        "--timeout",
        "1",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("registry elsewhere.example of elsewhere.example/team/app:1.0 is not a trusted registry (P-D5"),
        "{run:?}"
    );
    // An OCI layout has no registry to distrust.
    let dir = tmp.path().join("app");
    image(&dir, "latest", "hello");
    let run = plimsoll().run(&[
        "verify",
        &format!("oci:{}:latest", dir.display()),
        "--key",
        &format!("{a}.pub"),
        "--config",
        config.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("no signatures found"), "{run:?}");
}
