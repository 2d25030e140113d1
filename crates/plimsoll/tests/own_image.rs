//! plimsoll's own image (the `Dockerfile` at the repository root): `plimsoll
//! lint` passes it with no finding, and the image its final stage describes
//! passes `plimsoll image audit` at the default gate.
//!
//! No Docker daemon here: the final stage is assembled as the other tests
//! assemble images, one layer per COPY and the config from its ENV, USER,
//! EXPOSE, HEALTHCHECK, ENTRYPOINT and CMD, read from the Dockerfile itself
//! (so the test follows it). The build stage's outputs stand in as: the
//! plimsoll binary this test runs (the Dockerfile builds a static musl one;
//! the audit does not run it), the CA bundle of this machine, and empty
//! directories.

use std::path::Path;

use plimsoll_dockerfile::Keyword;
use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::{Compression, ImageSpec, Item, Layer, Layout, dir, file_mode};
use serde_json::{Map, Value, json};

fn dockerfile() -> (std::path::PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../Dockerfile");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

#[test]
fn lint_passes_the_dockerfile_with_no_finding() {
    let (path, _) = dockerfile();
    let (code, out, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .run(&["lint", path.to_str().unwrap(), "--format", "json"])
        .into_parts();
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["files"][0]["findings"], json!([]), "{out}");
    // Opt-in rules aside: FROM without a digest is the one the build stage would meet.
}

/// `--interval=30s` → nanoseconds, as image configs store durations.
fn nanos(d: &str) -> u64 {
    let (n, unit) = d.split_at(d.find(|c: char| !c.is_ascii_digit()).unwrap_or(d.len()));
    let n: u64 = n.parse().unwrap();
    n * match unit {
        "s" | "" => 1_000_000_000,
        "m" => 60_000_000_000,
        "ms" => 1_000_000,
        other => panic!("duration unit {other}"),
    }
}

/// What the build stage leaves at `src` (see the module doc).
fn stand_in(src: &str, dest: &str, uid: u64) -> Vec<Item> {
    let dest = dest.trim_start_matches('/');
    match src {
        "/out/usr/local/bin/plimsoll" => {
            let bin = std::fs::read(env!("CARGO_BIN_EXE_plimsoll")).unwrap();
            vec![file_mode(dest, bin, 0o755, uid)]
        }
        "/etc/ssl/certs/ca-certificates.crt" => {
            let pem =
                std::fs::read(src).unwrap_or_else(|_| b"# no CA bundle on this machine\n".to_vec());
            vec![file_mode(dest, pem, 0o644, uid)]
        }
        "/out/data" | "/out/cache" => vec![dir(dest)],
        other => panic!("the Dockerfile copies {other}: add its stand-in here"),
    }
}

/// The final stage as an image: layers and config.
fn final_stage_image(text: &str) -> ImageSpec {
    let df = plimsoll_dockerfile::parse(text).unwrap();
    let last = df.stages.last().unwrap();
    assert_eq!(last.image, "scratch", "the final stage starts empty");
    let mut layers = Vec::new();
    let mut config = Map::new();
    let mut env: Vec<String> = Vec::new();
    for ins in &df.instructions[last.instructions.clone()] {
        match ins.keyword {
            Keyword::Copy => {
                let uid = ins
                    .flag("chown")
                    .and_then(|f| f.value.as_deref())
                    .map(|v| v.split(':').next().unwrap().parse::<u64>().unwrap())
                    .unwrap_or(0);
                let words = ins.words();
                let (dest, srcs) = words.split_last().unwrap();
                let items: Vec<Item> = srcs.iter().flat_map(|s| stand_in(s, dest, uid)).collect();
                layers.push(
                    Layer::new(&items, Compression::Gzip)
                        .created_by(&format!("COPY {}", words.join(" "))),
                );
            }
            Keyword::Env => {
                for (k, v) in ins.key_values() {
                    env.push(format!("{k}={}", v.unwrap_or_default()));
                }
            }
            Keyword::User => {
                config.insert("User".into(), json!(ins.words().join(" ")));
            }
            Keyword::Expose => {
                let mut ports = Map::new();
                for p in ins.words() {
                    let p = if p.contains('/') {
                        p
                    } else {
                        format!("{p}/tcp")
                    };
                    ports.insert(p, json!({}));
                }
                config.insert("ExposedPorts".into(), Value::Object(ports));
            }
            Keyword::Entrypoint | Keyword::Cmd => {
                let plimsoll_dockerfile::Args::Exec(exec) = &ins.args else {
                    panic!("{:?} is not in exec form", ins.keyword)
                };
                let key = if ins.keyword == Keyword::Cmd {
                    "Cmd"
                } else {
                    "Entrypoint"
                };
                config.insert(key.into(), json!(exec));
            }
            Keyword::Healthcheck => {
                let mut hc = Map::new();
                for f in &ins.flags {
                    let v = f.value.as_deref().unwrap_or_default();
                    match f.name.as_str() {
                        "interval" => hc.insert("Interval".into(), json!(nanos(v))),
                        "timeout" => hc.insert("Timeout".into(), json!(nanos(v))),
                        other => panic!("HEALTHCHECK --{other}"),
                    };
                }
                let rest = ins.shell_text().unwrap().trim();
                let exec = rest.strip_prefix("CMD").expect("HEALTHCHECK CMD").trim();
                let mut test: Vec<String> = vec!["CMD".into()];
                test.extend(serde_json::from_str::<Vec<String>>(exec).expect("exec form"));
                hc.insert("Test".into(), json!(test));
                config.insert("Healthcheck".into(), Value::Object(hc));
            }
            Keyword::From => {}
            other => panic!("the final stage has {other:?}: teach this test to apply it"),
        }
    }
    config.insert("Env".into(), json!(env));
    ImageSpec::new(layers).config(Value::Object(config))
}

#[test]
fn the_image_it_builds_passes_the_audit() {
    let (_, text) = dockerfile();
    let spec = final_stage_image(&text);
    let t = tempfile::tempdir().unwrap();
    Layout::new(&t.path().join("img")).add(&spec, "0.1.0");
    let reference = format!("oci:{}:0.1.0", t.path().join("img").display());
    let (code, out, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(t.path())
        .cache(t.path().join("cache"))
        .run(&["image", "audit", &reference, "--format", "json"])
        .into_parts();
    assert_eq!(code, 0, "{out}{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let findings = v["findings"].as_array().unwrap();
    // Nothing at or above the default gate; list what is left for the record.
    for f in findings {
        let sev = f["severity"].as_str().unwrap();
        assert!(
            matches!(sev, "info" | "low"),
            "{}: {} ({sev})",
            f["code"],
            f["message"]
        );
    }
    // What the image must be: non-root numeric user, no shell, exec form, a HEALTHCHECK.
    let config = &spec.config;
    assert_eq!(config["User"], "65532:65532");
    assert!(
        config["Healthcheck"]["Test"][1]
            .as_str()
            .unwrap()
            .ends_with("/plimsoll")
    );
    let codes: Vec<&str> = findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    for rule in ["IMG001", "IMG010", "IMG012"] {
        assert!(!codes.contains(&rule), "{rule}: {out}");
    }
}
