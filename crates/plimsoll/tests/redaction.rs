//! Issue 19 item 5: secrets plimsoll flags are never printed in full. An image plants
//! secrets in its history, ENV, labels, command, entrypoint and health check, and a
//! Dockerfile plants them in ARG, ENV and RUN; every output of every command that reads
//! them, in every format, is searched for each secret.

use std::path::Path;

use plimsoll_testkit::cli::{Cli, Run};
use plimsoll_testkit::*;
use serde_json::json;

fn plimsoll(dir: &Path, args: &[&str]) -> Run {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(dir.join("cache"))
        .current_dir(dir)
        .env_remove("DOCKER_CONFIG")
        .run(args)
}

fn rnd(seed: u64, len: usize) -> String {
    plimsoll_testkit::rnd(seed, len, ALNUM)
}

struct Planted {
    stripe: String,
    github: String,
    db_password: String,
    url_password: String,
    mysql_password: String,
    health_password: String,
    comment_token: String,
}

impl Planted {
    fn new() -> Self {
        Planted {
            stripe: format!("sk_{}_{}", "live", rnd(1, 24)),
            github: format!("ghp_{}", rnd(2, 36)),
            db_password: format!("Qx7{}", rnd(3, 13)),
            url_password: format!("Uv4{}", rnd(4, 13)),
            mysql_password: format!("My5{}", rnd(5, 13)),
            health_password: format!("Hc6{}", rnd(6, 13)),
            comment_token: format!("ghp_{}", rnd(7, 36)),
        }
    }

    fn all(&self) -> [(&'static str, &str); 7] {
        [
            ("stripe key", &self.stripe),
            ("GitHub token", &self.github),
            ("DB password", &self.db_password),
            ("URL password", &self.url_password),
            ("mysql password", &self.mysql_password),
            ("health check password", &self.health_password),
            ("history comment token", &self.comment_token),
        ]
    }

    /// Fails naming the output and the secret when any planted secret (or its first 10
    /// characters: more than a mask ever shows) appears.
    fn assert_absent(&self, what: &str, text: &str) {
        assert!(!text.is_empty(), "{what}: no output");
        for (name, secret) in self.all() {
            assert!(
                !text.contains(&secret[..10]),
                "{what} prints the {name} ({secret}) in full:\n{text}"
            );
        }
    }
}

fn image(p: &Planted) -> ImageSpec {
    let base = Layer::new(
        &[
            dir("etc"),
            file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
            file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
        ],
        Compression::Gzip,
    )
    .created_by("ADD rootfs.tar /");
    let app = Layer::new(&[dir("app"), file("app/run", "#!/bin/sh\n")], Compression::Gzip)
        .created_by(&format!(
            "|1 STRIPE_KEY={} /bin/sh -c curl -fsS -H 'Authorization: Bearer {}' https://ci:{}@git.corp.io/app.tgz | tar xz",
            p.stripe, p.github, p.url_password
        ));
    let mut spec = ImageSpec::new(vec![base, app]).config(json!({
        "Env": [
            "PATH=/usr/bin:/bin",
            format!("DB_PASSWORD={}", p.db_password),
            format!("GITHUB_TOKEN={}", p.github),
        ],
        "Labels": {
            "org.opencontainers.image.source": format!("https://deploy:{}@git.corp.io/app", p.url_password),
            "com.example.stripe": p.stripe,
        },
        "Cmd": ["mysql", "--password", p.mysql_password, "-h", "db"],
        "Entrypoint": ["/bin/sh", "-c", format!("exec app --token {}", p.github)],
        "Healthcheck": {"Test": ["CMD", "curl", "-fsu", format!("probe:{}", p.health_password), "http://localhost/"]},
    }));
    spec.extra_history.push(format!(
        "/bin/sh -c #(nop) ENV GITHUB_TOKEN={}",
        p.comment_token
    ));
    spec
}

#[test]
fn no_output_of_an_image_prints_a_planted_secret() {
    let t = tempfile::tempdir().unwrap();
    let p = Planted::new();
    let dir = t.path().join("img");
    Layout::new(&dir).add(&image(&p), "t");
    let img = format!("oci:{}:t", dir.display());
    let osv = t.path().join("osv");
    std::fs::create_dir(&osv).unwrap();
    let rec = osv::record(
        "DEBIAN-CVE-2099-0001",
        &[],
        json!([osv::unfixed("Debian:12", "zlib")]),
        json!({"modified": "2024-01-01T00:00:00Z"}),
    );
    std::fs::write(osv.join("DEBIAN-CVE-2099-0001.json"), rec.to_string()).unwrap();
    let db = t.path().join("vuln.db").display().to_string();
    let r = plimsoll(
        t.path(),
        &["db", "import", &osv.display().to_string(), "--db", &db],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // The audit does see them: IMG004 fires on each place.
    let r = plimsoll(t.path(), &["image", "audit", &img, "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let img004 = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IMG004")
        .count();
    assert!(img004 >= 6, "IMG004 fired {img004} times:\n{}", r.stdout);
    let runs: Vec<(String, Vec<&str>)> = [
        (
            "image audit",
            vec!["image", "audit"],
            vec!["table", "json", "sarif", "junit"],
        ),
        (
            "image inspect",
            vec!["image", "inspect"],
            vec!["table", "json"],
        ),
        (
            "scan",
            vec!["scan", "--db", &db],
            vec!["table", "json", "sarif", "cyclonedx", "junit"],
        ),
        (
            "sbom",
            vec!["sbom"],
            vec!["table", "json", "cyclonedx", "spdx"],
        ),
    ]
    .into_iter()
    .flat_map(|(name, cmd, formats)| {
        formats.into_iter().map(move |f| {
            let mut args = cmd.clone();
            args.push("--format");
            args.push(f);
            (format!("{name} --format {f}"), args)
        })
    })
    .collect();
    for (what, mut args) in runs {
        args.insert(1 + usize::from(args[0] == "image"), &img);
        let r = plimsoll(t.path(), &args);
        assert!(
            r.code == 0 || r.code == 1,
            "{what}: exit {}: {}",
            r.code,
            r.stderr
        );
        p.assert_absent(&what, &r.stdout);
        p.assert_absent(&format!("{what} (stderr)"), &format!("{}.", r.stderr));
    }
}

#[test]
fn no_lint_format_prints_a_planted_secret() {
    let t = tempfile::tempdir().unwrap();
    let p = Planted::new();
    let dockerfile = format!(
        "FROM debian:12.5-slim\n\
         ARG STRIPE_KEY={}\n\
         ENV DB_PASSWORD={} GITHUB_TOKEN={}\n\
         RUN curl -fsS -H 'Authorization: Bearer {}' https://ci:{}@git.corp.io/app.tgz | tar xz\n\
         RUN mysql --password {} -h db < /init.sql\n\
         HEALTHCHECK CMD curl -fsu probe:{} http://localhost/\n\
         # token {}\n\
         USER 10001\n",
        p.stripe,
        p.db_password,
        p.github,
        p.github,
        p.url_password,
        p.mysql_password,
        p.health_password,
        p.comment_token
    );
    std::fs::write(t.path().join("Dockerfile"), &dockerfile).unwrap();
    for f in ["table", "json", "sarif", "checkstyle", "github", "junit"] {
        let r = plimsoll(t.path(), &["lint", "Dockerfile", "--format", f]);
        assert_eq!(r.code, 1, "lint --format {f}: {}", r.stderr);
        p.assert_absent(&format!("lint --format {f}"), &r.stdout);
    }
}
