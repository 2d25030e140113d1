//! Issue 16, tested for real: JaCoCo injected by `plimsoll dockerfile inject
//! --env test` into an image built on the lab's Debian base, then run.
//!
//! A small Java program (compiled with `javac --release 11`: JaCoCo 0.8.6
//! predates Java 17 class files) goes on the Debian minbase reference image
//! (`small/`, built by `../shared/tools/build-images.sh`) as the production
//! image. JaCoCo's agent comes from Debian's `libjacoco-java`
//! (`jacocoagent.jar` inside `/usr/share/java/org.jacoco.agent.jar`), put in
//! a tools image pinned by digest, which a `[[services]]` entry copies from.
//! The Dockerfile's rewrite is read back and its added steps (USER, COPY,
//! ENV, LABEL) applied with umoci, as the reference images are assembled
//! (no Docker daemon here). The test image is unpacked and the program run
//! with the host's `java` under the injected `JAVA_TOOL_OPTIONS` (its paths
//! mapped into the unpacked root filesystem): JaCoCo must write its
//! coverage file, with the program's class in it. Then `plimsoll image
//! audit --env prod` must flag the test image (IMG017) and pass the
//! production image.
//!
//! Run by `scripts/test-all.sh` with PLIMSOLL_LAB_IMAGES; ignored by a plain
//! `cargo test`. Needs umoci, a JDK (`javac`, `java`) and libjacoco-java;
//! without any of them it fails, never skips.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

#[path = "support/injected_stage.rs"]
mod injected_stage;
use injected_stage::Step;

/// Where Debian's libjacoco-java puts the agent's wrapper jar.
const JACOCO_JAR: &str = "/usr/share/java/org.jacoco.agent.jar";

const PROGRAM: &str = r#"public class Hello {
    static int square(int x) { return x * x; }
    public static void main(String[] args) {
        if (args.length > 0) {
            System.out.println("never run");
        }
        System.out.println("hello " + square(7));
    }
}
"#;

/// The production Dockerfile: the lab's Debian base and the program,
/// run as nobody.
const DOCKERFILE: &str = "FROM debian-base AS runtime\nCOPY classes/ /app/\nUSER 65534\n\
ENTRYPOINT [\"java\", \"-cp\", \"/app\", \"Hello\"]\n";

fn lab() -> PathBuf {
    let dir = std::env::var_os("PLIMSOLL_LAB_IMAGES")
        .map(PathBuf::from)
        .expect("PLIMSOLL_LAB_IMAGES must point at the output of build-images.sh (see scripts/test-all.sh)");
    assert!(
        dir.join("small/index.json").is_file(),
        "{} has no small/ image (the Debian base)",
        dir.display()
    );
    dir
}

/// Runs `program args…` in `dir`; panics with its output unless it succeeds.
fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let out = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program} cannot run ({e}); see .ci/run for what to install"));
    assert!(
        out.status.success(),
        "{program} {args:?}: {}\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON of blob `digest` in layout `dir`.
fn blob(dir: &Path, digest: &str) -> Value {
    let (alg, hex) = digest.split_once(':').unwrap();
    let bytes = std::fs::read(dir.join("blobs").join(alg).join(hex)).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The manifest digest of `tag` in layout `dir`.
fn manifest_digest(dir: &Path, tag: &str) -> String {
    let index: Value =
        serde_json::from_slice(&std::fs::read(dir.join("index.json")).unwrap()).unwrap();
    index["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["annotations"]["org.opencontainers.image.ref.name"] == tag)
        .unwrap_or_else(|| panic!("no tag {tag} in {}", dir.display()))["digest"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The run config of `tag` in layout `dir`.
fn run_config(dir: &Path, tag: &str) -> Value {
    let manifest = blob(dir, &manifest_digest(dir, tag));
    blob(dir, manifest["config"]["digest"].as_str().unwrap())["config"].clone()
}

/// A copy of a layout directory (umoci writes into the one it works on;
/// the lab's images are read-only).
fn copy_layout(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("blobs/sha256")).unwrap();
    for f in ["oci-layout", "index.json"] {
        std::fs::copy(from.join(f), to.join(f)).unwrap();
    }
    for e in std::fs::read_dir(from.join("blobs/sha256")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join("blobs/sha256").join(e.file_name())).unwrap();
    }
}

/// Adds the tree under `dir` as a new layer of `image` (tagged `tag`), the
/// way build-images.sh assembles the reference images: GNU tar with root
/// ownership, then `umoci raw add-layer`. (`umoci insert` of Debian's umoci
/// 0.4.7 writes layers without the tar end-of-archive blocks, umoci issue
/// 436, which GNU tar and plimsoll reject as truncated.)
fn add_layer(root: &Path, image: &str, tag: &str, dir: &Path, created_by: &str) {
    let tar = dir.with_extension("tar");
    run(
        root,
        "tar",
        &[
            "--sort=name",
            "--numeric-owner",
            "--owner=0",
            "--group=0",
            "-C",
            dir.to_str().unwrap(),
            "-cf",
            tar.to_str().unwrap(),
            ".",
        ],
    );
    run(
        root,
        "umoci",
        &[
            "raw",
            "add-layer",
            "--image",
            image,
            "--tag",
            tag,
            "--history.created_by",
            created_by,
            tar.to_str().unwrap(),
        ],
    );
}

/// The IMG017 findings of `plimsoll image audit REF --env ENV`.
fn img017(dir: &Path, reference: &str, env: &str) -> Vec<Value> {
    let (code, out, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(dir)
        .cache(dir.join("cache"))
        .run(&[
            "image",
            "audit",
            reference,
            "--env",
            env,
            "--format",
            "json",
            "--no-progress",
        ])
        .into_parts();
    assert!(code == 0 || code == 1, "exit {code}: {err}");
    let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}{err}"));
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["code"] == "IMG017")
        .cloned()
        .collect()
}

/// `-javaagent:PATH=k=v,destfile=FILE,…` with its absolute paths moved
/// under `root`; returns the mapped value and the mapped destfile.
fn map_agent_options(value: &str, root: &Path) -> (String, PathBuf) {
    let mut dest = None;
    let words: Vec<String> = value
        .split_whitespace()
        .map(|w| {
            let Some(agent) = w.strip_prefix("-javaagent:") else {
                return w.to_string();
            };
            let (jar, options) = agent.split_once('=').unwrap_or((agent, ""));
            let under = |p: &str| root.join(p.trim_start_matches('/'));
            let options: Vec<String> = options
                .split(',')
                .filter(|o| !o.is_empty())
                .map(|o| match o.split_once('=') {
                    Some(("destfile", f)) => {
                        let mapped = under(f);
                        dest = Some(mapped.clone());
                        format!("destfile={}", mapped.display())
                    }
                    _ => o.to_string(),
                })
                .collect();
            format!("-javaagent:{}={}", under(jar).display(), options.join(","))
        })
        .collect();
    (
        words.join(" "),
        dest.expect("the injected -javaagent names a destfile"),
    )
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES, umoci, a JDK and libjacoco-java (scripts/test-all.sh)"]
fn jacoco_injected_for_test_writes_coverage_and_is_flagged_for_prod() {
    let lab = lab();
    let t = tempfile::tempdir().unwrap();
    let root = t.path();

    // The program, compiled for Java 11.
    std::fs::write(root.join("Hello.java"), PROGRAM).unwrap();
    run(
        root,
        "javac",
        &["--release", "11", "-d", "classes", "Hello.java"],
    );
    assert!(root.join("classes/Hello.class").is_file());

    // The production image: the Debian base plus the program, as the
    // Dockerfile says (COPY, USER, ENTRYPOINT).
    let img = root.join("img");
    copy_layout(&lab.join("small"), &img);
    let image = |tag: &str| format!("{}:{tag}", img.display());
    let app = root.join("app-layer");
    std::fs::create_dir_all(app.join("app")).unwrap();
    std::fs::copy(
        root.join("classes/Hello.class"),
        app.join("app/Hello.class"),
    )
    .unwrap();
    add_layer(root, &image("latest"), "prod", &app, "COPY classes/ /app/");
    run(
        root,
        "umoci",
        &[
            "config",
            "--image",
            &image("prod"),
            "--clear",
            "config.cmd",
            "--config.user",
            "65534",
            "--config.entrypoint",
            "java",
            "--config.entrypoint",
            "-cp",
            "--config.entrypoint",
            "/app",
            "--config.entrypoint",
            "Hello",
        ],
    );

    // The tools image the service copies from: Debian's jacocoagent.jar,
    // named by its digest.
    let mut wrapper = zip::ZipArchive::new(
        std::fs::File::open(JACOCO_JAR)
            .unwrap_or_else(|e| panic!("{JACOCO_JAR}: {e} (apt-get install libjacoco-java)")),
    )
    .unwrap();
    let mut agent = Vec::new();
    wrapper
        .by_name("jacocoagent.jar")
        .expect("jacocoagent.jar inside the wrapper jar")
        .read_to_end(&mut agent)
        .unwrap();
    std::fs::create_dir_all(root.join("tools-src/jacoco")).unwrap();
    std::fs::write(root.join("tools-src/jacoco/jacocoagent.jar"), &agent).unwrap();
    let tools = root.join("jacoco");
    run(
        root,
        "umoci",
        &["init", "--layout", tools.to_str().unwrap()],
    );
    let tools_ref = format!("{}:0.8.6", tools.display());
    run(root, "umoci", &["new", "--image", &tools_ref]);
    add_layer(
        root,
        &tools_ref,
        "0.8.6",
        &root.join("tools-src"),
        "COPY jacocoagent.jar /jacoco/",
    );
    let tools_digest = manifest_digest(&tools, "0.8.6");

    // The service catalogue and the rewrite.
    let config = format!(
        "[[services]]\nname = \"jacoco\"\nenvironments = [\"test\"]\n\
         copy = [{{ from = \"tools/jacoco@{tools_digest}\", src = \"/jacoco/jacocoagent.jar\", \
         dst = \"/opt/jacoco/jacocoagent.jar\", chmod = \"0644\" }}]\n\
         env = [{{ name = \"JAVA_TOOL_OPTIONS\", append = \"-javaagent:/opt/jacoco/jacocoagent.jar=destfile=/tmp/jacoco.exec,output=file\" }}]\n\
         expose = [6300]\n"
    );
    std::fs::write(root.join("plimsoll.toml"), config).unwrap();
    std::fs::write(root.join("Dockerfile"), DOCKERFILE).unwrap();
    let (code, _, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .current_dir(root)
        .run(&[
            "dockerfile",
            "inject",
            "Dockerfile",
            "--env",
            "test",
            "-o",
            "Dockerfile.test",
        ])
        .into_parts();
    assert_eq!(code, 0, "{err}");
    let rewritten = std::fs::read_to_string(root.join("Dockerfile.test")).unwrap();
    assert!(rewritten.starts_with(DOCKERFILE), "{rewritten}");

    // The added steps, applied to a copy of the production image.
    let steps = injected_stage::added_steps(&rewritten);
    assert!(
        steps.iter().any(|s| matches!(s, Step::Copy { .. }))
            && steps.iter().any(|s| matches!(s, Step::Env { .. }))
            && steps.iter().any(|s| matches!(s, Step::Label { .. })),
        "{steps:?}"
    );
    run(root, "umoci", &["tag", "--image", &image("prod"), "test"]);
    let staged = root.join("staged");
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::User(u) => {
                run(
                    root,
                    "umoci",
                    &["config", "--image", &image("test"), "--config.user", u],
                );
            }
            Step::Copy {
                from,
                src,
                dst,
                chown,
                chmod,
            } => {
                // The source image, by the digest the rewrite names.
                let digest = from.rsplit_once('@').expect("a pinned source").1;
                assert_eq!(digest, tools_digest, "COPY --from={from}");
                assert_eq!(chown, &None, "no --chown in this catalogue");
                let unpacked = root.join(format!("source-{i}"));
                run(
                    root,
                    "umoci",
                    &[
                        "raw",
                        "unpack",
                        "--rootless",
                        "--image",
                        &tools_ref,
                        unpacked.to_str().unwrap(),
                    ],
                );
                let layer = staged.join(format!("{i}"));
                let file = layer.join(dst.trim_start_matches('/'));
                std::fs::create_dir_all(file.parent().unwrap()).unwrap();
                std::fs::copy(unpacked.join(src.trim_start_matches('/')), &file).unwrap();
                if let Some(mode) = chmod {
                    use std::os::unix::fs::PermissionsExt;
                    let mode = u32::from_str_radix(mode, 8).expect("an octal --chmod");
                    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
                }
                add_layer(
                    root,
                    &image("test"),
                    "test",
                    &layer,
                    &format!("COPY --from={from} {src} {dst}"),
                );
            }
            Step::Env { name, value } => {
                let env: Vec<String> = run_config(&img, "test")["Env"]
                    .as_array()
                    .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
                    .unwrap_or_default();
                let value = injected_stage::expand(value, &env);
                run(
                    root,
                    "umoci",
                    &[
                        "config",
                        "--image",
                        &image("test"),
                        "--config.env",
                        &format!("{name}={value}"),
                    ],
                );
            }
            Step::Label { key, value } => {
                run(
                    root,
                    "umoci",
                    &[
                        "config",
                        "--image",
                        &image("test"),
                        "--config.label",
                        &format!("{key}={value}"),
                    ],
                );
            }
            Step::Expose(p) => {
                let p = if p.contains('/') {
                    p.clone()
                } else {
                    format!("{p}/tcp")
                };
                run(
                    root,
                    "umoci",
                    &[
                        "config",
                        "--image",
                        &image("test"),
                        "--config.exposedports",
                        &p,
                    ],
                );
            }
        }
    }
    let test_config = run_config(&img, "test");
    assert_eq!(
        test_config["User"], "65534",
        "the USER restored: {test_config}"
    );
    assert_eq!(
        test_config["Labels"]["io.plimsoll.services.injected"], "jacoco",
        "{test_config}"
    );

    // Run the test image's program under its JAVA_TOOL_OPTIONS, as the
    // runtime would get them (the unpacked bundle's process environment).
    let bundle = root.join("bundle");
    run(
        root,
        "umoci",
        &[
            "unpack",
            "--rootless",
            "--image",
            &image("test"),
            bundle.to_str().unwrap(),
        ],
    );
    let runtime: Value =
        serde_json::from_slice(&std::fs::read(bundle.join("config.json")).unwrap()).unwrap();
    let options = runtime["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str()?.strip_prefix("JAVA_TOOL_OPTIONS="))
        .next()
        .unwrap_or_else(|| panic!("no JAVA_TOOL_OPTIONS in {}", runtime["process"]))
        .to_string();
    assert!(
        options.starts_with("-javaagent:/opt/jacoco/jacocoagent.jar="),
        "{options}"
    );
    let rootfs = bundle.join("rootfs");
    let agent_in_image = rootfs.join("opt/jacoco/jacocoagent.jar");
    assert_eq!(std::fs::read(&agent_in_image).unwrap(), agent);
    let (mapped, destfile) = map_agent_options(&options, &rootfs);
    assert!(!destfile.exists());
    let out = Command::new("java")
        .args(["-cp", rootfs.join("app").to_str().unwrap(), "Hello"])
        .env("JAVA_TOOL_OPTIONS", &mapped)
        .output()
        .expect("java runs (a JDK is needed: see .ci/run)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert_eq!(stdout, "hello 49\n");
    assert!(stderr.contains("Picked up JAVA_TOOL_OPTIONS"), "{stderr}");
    // JaCoCo's execution data: the file header (block 0x01, magic 0xC0C0),
    // then the program's class among the class blocks.
    let exec = std::fs::read(&destfile).unwrap_or_else(|e| {
        panic!(
            "JaCoCo wrote no {}: {e}\n{stdout}{stderr}",
            destfile.display()
        )
    });
    assert_eq!(&exec[..3], &[0x01, 0xc0, 0xc0], "not a JaCoCo exec file");
    assert!(
        exec.windows(7).any(|w| w == b"\x00\x05Hello"),
        "class Hello not in the execution data ({} bytes)",
        exec.len()
    );

    // The guardrail: prod gets no services.
    let found = img017(root, &format!("oci:{}", image("test")), "prod");
    let mut fields: Vec<&str> = found
        .iter()
        .map(|f| f["location"]["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        [
            "config.Env[JAVA_TOOL_OPTIONS]",
            "config.Labels[io.plimsoll.service.jacoco.source]",
            "config.Labels[io.plimsoll.services.injected]",
        ],
        "{found:#?}"
    );
    assert!(img017(root, &format!("oci:{}", image("prod")), "prod").is_empty());
    assert!(img017(root, &format!("oci:{}", image("test")), "test").is_empty());
}
