//! Every kind of bad input gives a clear error naming the image, the layer
//! and the cause, exit code 2, and never a panic.

use std::path::Path;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::*;
use serde_json::json;

fn plimsoll(cache: &Path, args: &[&str]) -> (i32, String) {
    let r = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .run(args);
    (r.code, r.stderr)
}

/// Audits `spec` written as a layout and returns (exit code, stderr).
fn audit_spec(spec: &ImageSpec, extra: &[&str]) -> (i32, String, String) {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(spec, "t");
    let reference = format!("oci:{}:t", t.path().join("img").display());
    let mut args = vec!["image", "audit", reference.as_str()];
    args.extend_from_slice(extra);
    let (code, err) = plimsoll(&t.path().join("cache"), &args);
    (code, err, reference)
}

fn ok_layer() -> Layer {
    Layer::new(
        &[dir("etc"), file("etc/hostname", "x\n")],
        Compression::Gzip,
    )
}

fn expect_error(spec: &ImageSpec, extra: &[&str], needles: &[&str]) {
    let (code, err, reference) = audit_spec(spec, extra);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&reference),
        "error does not name the image: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "error lacks '{n}': {err}");
    }
}

#[test]
fn a_blob_of_another_compression_than_declared_is_named() {
    // gzip declared zstd (issue 19: was "corrupt tar"), and the reverse.
    let gz = ok_layer();
    let spec = ImageSpec::new(vec![Layer::raw(gz.blob, Compression::Zstd.media_type())]);
    expect_error(
        &spec,
        &[],
        &["layer 0", "media type says zstd, but the blob is not zstd"],
    );
    let zst = Layer::new(&[dir("etc")], Compression::Zstd);
    let spec = ImageSpec::new(vec![Layer::raw(zst.blob, Compression::Gzip.media_type())]);
    expect_error(
        &spec,
        &[],
        &["layer 0", "media type says gzip, but the blob is not gzip"],
    );
}

#[test]
fn a_zstd_frame_beyond_the_window_limit_names_the_limit() {
    // Issue 19 item 9: was "corrupt tar".
    let tar = layer_tar(&[dir("etc"), file("etc/hostname", "x\n")]);
    let spec = ImageSpec::new(vec![Layer::raw(
        Compression::zstd_long_window(&tar),
        Compression::Zstd.media_type(),
    )]);
    expect_error(
        &spec,
        &[],
        &["layer 0", "zstd frame needs a window larger than 128 MiB"],
    );
}

#[test]
fn descriptor_digests_plimsoll_cannot_verify_name_the_descriptor() {
    // Issue 19 item 9: sha512/md5 named no image or layer; uppercase hex was "invalid JSON".
    let t = tempfile::tempdir().unwrap();
    let spec = ImageSpec::new(vec![ok_layer()]);
    type Rewrite = fn(&str) -> String;
    let cases: [(&str, Rewrite, &str); 3] = [
        (
            "sha512",
            |_| format!("sha512:{}", "ab".repeat(64)),
            "sha512 digests are not supported",
        ),
        (
            "md5",
            |_| format!("md5:{}", "ab".repeat(16)),
            "'md5' is not a digest algorithm",
        ),
        (
            "upper",
            |d| d.to_uppercase().replace("SHA256", "sha256"),
            "uppercase",
        ),
    ];
    for (name, digest, needle) in cases {
        let dir = t.path().join(name);
        let mut layout = Layout::new(&dir);
        let manifest = layout.add(&spec, "t");
        // Rewrite the layer descriptor's digest, then re-address the manifest.
        let path = layout.blob_path(&manifest);
        let mut m: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        let old = m["layers"][0]["digest"].as_str().unwrap().to_string();
        m["layers"][0]["digest"] = json!(digest(&old));
        let bytes = serde_json::to_vec(&m).unwrap();
        let new = layout.put(&bytes);
        let index = std::fs::read_to_string(dir.join("index.json"))
            .unwrap()
            .replace(&manifest, &new)
            .replace(
                &format!("\"size\":{}", std::fs::metadata(&path).unwrap().len()),
                &format!("\"size\":{}", bytes.len()),
            );
        std::fs::write(dir.join("index.json"), index).unwrap();
        let reference = format!("oci:{}:t", dir.display());
        let (code, err) = plimsoll(&t.path().join("cache"), &["image", "audit", &reference]);
        assert_eq!(code, 2, "{name}: {err}");
        for n in [reference.as_str(), "layer 0 has digest", needle] {
            assert!(err.contains(n), "{name}: error lacks '{n}': {err}");
        }
        assert!(!err.contains("invalid JSON"), "{name}: {err}");
    }
}

#[test]
fn a_size_mismatch_says_its_context_once() {
    // Issue 19 item 9: "layer 1 (sha256:…): layer 1 of oci:X (sha256:…): size mismatch".
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().join("img");
    let mut layout = Layout::new(&dir);
    let spec = ImageSpec::new(vec![ok_layer()]);
    layout.add(&spec, "t");
    let blob = layout.blob_path(&sha256(&spec.layers[0].blob));
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes.extend_from_slice(b"trailing");
    std::fs::write(&blob, bytes).unwrap();
    let reference = format!("oci:{}:t", dir.display());
    let (code, err) = plimsoll(
        &t.path().join("cache"),
        &["image", "audit", &reference, "--no-cache"],
    );
    assert_eq!(code, 2, "{err}");
    let digest = sha256(&spec.layers[0].blob);
    assert_eq!(err.matches(&digest).count(), 1, "{err}");
    assert_eq!(err.matches(&reference).count(), 1, "{err}");
    assert!(err.contains("size mismatch"), "{err}");
}

#[test]
fn a_bad_platform_is_called_a_platform() {
    let t = tempfile::tempdir().unwrap();
    for p in ["linux", "linux/am d64!", "a/b/c/d"] {
        let (code, err) = plimsoll(
            &t.path().join("cache"),
            &["image", "audit", "oci:x:t", "--platform", p],
        );
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("invalid platform"), "{p}: {err}");
        assert!(!err.contains("image reference"), "{p}: {err}");
    }
}

#[test]
fn truncated_gzip() {
    let good = ok_layer();
    let cut = good.blob[..good.blob.len() / 2].to_vec();
    let spec = ImageSpec::new(vec![
        ok_layer(),
        Layer::raw(cut, Compression::Gzip.media_type()),
    ]);
    expect_error(&spec, &[], &["layer 1", "truncated"]);
}

#[test]
fn corrupt_gzip() {
    let mut blob = ok_layer().blob;
    let n = blob.len();
    for b in &mut blob[12..n - 8] {
        *b ^= 0x5a;
    }
    let spec = ImageSpec::new(vec![Layer::raw(blob, Compression::Gzip.media_type())]);
    expect_error(&spec, &[], &["layer 0", "corrupt"]);
}

#[test]
fn corrupt_zstd() {
    let mut blob = Layer::new(&[file("a", vec![1u8; 5000])], Compression::Zstd).blob;
    let n = blob.len();
    blob.truncate(n - 3);
    let spec = ImageSpec::new(vec![Layer::raw(blob, Compression::Zstd.media_type())]);
    expect_error(&spec, &[], &["layer 0"]);
}

#[test]
fn corrupt_tar() {
    let mut tar = layer_tar(&[file("a", "hello")]);
    tar[148..156].copy_from_slice(b"0000000\0"); // wrong header checksum
    let spec = ImageSpec::new(vec![Layer::raw(
        Compression::Gzip.compress(&tar),
        Compression::Gzip.media_type(),
    )]);
    expect_error(&spec, &[], &["layer 0", "corrupt tar"]);
}

#[test]
fn digest_mismatch_names_the_blob() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let plain = Layer::new(&[file("etc/motd", "hello, world\n")], Compression::None);
    let spec = ImageSpec::new(vec![ok_layer(), plain.clone()]);
    layout.add(&spec, "t");
    // Change one byte of file content in the uncompressed layer, keeping its
    // size: the tar still parses, only the digest can tell.
    let digest = sha256(&plain.blob);
    let path = layout.blob_path(&digest);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[512] = b'J';
    std::fs::write(&path, &bytes).unwrap();
    let reference = format!("oci:{}:t", t.path().join("img").display());
    let (code, err) = plimsoll(&t.path().join("cache"), &["image", "audit", &reference]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&digest), "{err}");
    assert!(
        err.contains("layer 1") && err.contains("digest mismatch"),
        "{err}"
    );
}

#[test]
fn corrupt_manifest_and_config() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let spec = ImageSpec::new(vec![ok_layer()]);
    let manifest = layout.add(&spec, "t");
    let config_digest = sha256(&spec.config_json());
    // Same size, different bytes: only the digest can tell.
    let mut config = spec.config_json();
    config[5] ^= 1;
    std::fs::write(layout.blob_path(&config_digest), &config).unwrap();
    let reference = format!("oci:{}:t", t.path().join("img").display());
    let (code, err) = plimsoll(&t.path().join("cache"), &["image", "audit", &reference]);
    assert_eq!(code, 2);
    assert!(
        err.contains("digest mismatch") && err.contains(&config_digest),
        "{err}"
    );
    std::fs::write(layout.blob_path(&manifest), b"garbage").unwrap();
    let (code, err) = plimsoll(&t.path().join("cache"), &["image", "audit", &reference]);
    assert_eq!(code, 2);
    assert!(err.contains(&manifest), "{err}");
}

#[test]
fn missing_blob() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let spec = ImageSpec::new(vec![ok_layer()]);
    layout.add(&spec, "t");
    let d = sha256(&spec.layers[0].blob);
    std::fs::remove_file(layout.blob_path(&d)).unwrap();
    let reference = format!("oci:{}:t", t.path().join("img").display());
    let (code, err) = plimsoll(&t.path().join("cache"), &["image", "audit", &reference]);
    assert_eq!(code, 2);
    assert!(
        err.contains("missing") && err.contains(&d) && err.contains("layer 0"),
        "{err}"
    );
}

#[test]
fn unknown_media_type() {
    let l = ok_layer();
    let spec = ImageSpec::new(vec![Layer::raw(l.blob, "application/vnd.example.weird")]);
    expect_error(
        &spec,
        &[],
        &[
            "unsupported media type",
            "application/vnd.example.weird",
            "layer 0",
        ],
    );
}

#[test]
fn path_traversal_and_absolute_names() {
    let spec = ImageSpec::new(vec![Layer::new(
        &[file("../../etc/cron.d/evil", "x")],
        Compression::Gzip,
    )]);
    expect_error(
        &spec,
        &[],
        &["layer 0", "escapes the image root", "../../etc/cron.d/evil"],
    );
    let spec = ImageSpec::new(vec![Layer::new(
        &[file("/etc/shadow", "x")],
        Compression::Gzip,
    )]);
    expect_error(&spec, &[], &["layer 0", "absolute path"]);
    let spec = ImageSpec::new(vec![Layer::new(
        &[Item::Hardlink {
            path: "x".into(),
            target: "../../etc/passwd".into(),
        }],
        Compression::Gzip,
    )]);
    expect_error(&spec, &[], &["layer 0", "escapes the image root"]);
    // A whiteout of `..` (issue 19): it would hide the parent directory.
    for wh in ["..", "etc/.."] {
        let spec = ImageSpec::new(vec![
            ok_layer(),
            Layer::new(&[dir("etc"), whiteout(wh)], Compression::Gzip),
        ]);
        let name = if wh == ".." { ".wh..." } else { "etc/.wh..." };
        expect_error(&spec, &[], &["layer 1", "escapes the image root", name]);
    }
}

#[test]
fn decompression_bomb_is_capped() {
    // 64 MiB of zeros compress to ~64 KiB.
    let spec = ImageSpec::new(vec![Layer::new(
        &[file("zeros", vec![0u8; 64 << 20])],
        Compression::Gzip,
    )]);
    expect_error(
        &spec,
        &["--max-uncompressed-bytes", "1M"],
        &["layer 0", "decompression bomb", "1048576"],
    );
}

#[test]
fn symlink_loop_in_path() {
    let layer = Layer::new(
        &[
            dir("usr"),
            symlink("usr/local", "/usr/local2"),
            symlink("usr/local2", "/usr/local"),
        ],
        Compression::Gzip,
    );
    let spec = ImageSpec::new(vec![layer]).config(json!({"User": "1000"}));
    expect_error(&spec, &[], &["symlink loop", "/usr/local"]);
}

#[test]
fn wrong_platform_and_missing_tag() {
    let spec = ImageSpec::new(vec![ok_layer()]);
    expect_error(
        &spec,
        &["--platform", "linux/arm64"],
        &["no manifest for platform linux/arm64", "linux/amd64"],
    );
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(&spec, "t");
    let (code, err) = plimsoll(
        &t.path().join("cache"),
        &[
            "image",
            "audit",
            &format!("oci:{}:nope", t.path().join("img").display()),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("tag 'nope' not found") && err.contains("available: t"),
        "{err}"
    );
}

#[test]
fn not_an_image() {
    let t = tempfile::tempdir().unwrap();
    let cache = t.path().join("cache");
    let (code, err) = plimsoll(
        &cache,
        &["image", "audit", &format!("oci:{}", t.path().display())],
    );
    assert_eq!(code, 2);
    assert!(err.contains("not an OCI image layout"), "{err}");
    let junk = t.path().join("junk.tar");
    std::fs::write(&junk, b"this is not a tar file at all").unwrap();
    let (code, err) = plimsoll(
        &cache,
        &[
            "image",
            "audit",
            &format!("docker-archive:{}", junk.display()),
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("junk.tar"), "{err}");
    let (code, _) = plimsoll(
        &cache,
        &[
            "image",
            "audit",
            &format!("docker-archive:{}/nope.tar", t.path().display()),
        ],
    );
    assert_eq!(code, 2);
    let (code, err) = plimsoll(&cache, &["image", "audit", ""]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn nothing_is_written_outside_the_cache() {
    // A hostile layer plus a full scan: the only new files are under the cache dir.
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    layout.add(
        &ImageSpec::new(vec![Layer::new(
            &[file("tmp/x", "x"), symlink("tmp/evil", "/etc")],
            Compression::Gzip,
        )]),
        "t",
    );
    let before: Vec<_> = walk(t.path());
    let cache = t.path().join("cache");
    let (code, err) = plimsoll(
        &cache,
        &[
            "image",
            "audit",
            &format!("oci:{}:t", t.path().join("img").display()),
        ],
    );
    assert!(code == 0 || code == 1, "{err}");
    let after: Vec<_> = walk(t.path());
    let new: Vec<_> = after.iter().filter(|p| !before.contains(p)).collect();
    assert!(!new.is_empty());
    assert!(new.iter().all(|p| p.starts_with(&cache)), "{new:?}");
}

fn walk(p: &Path) -> Vec<std::path::PathBuf> {
    let mut out = vec![p.to_path_buf()];
    if let Ok(rd) = std::fs::read_dir(p) {
        for e in rd.flatten() {
            out.extend(walk(&e.path()));
        }
    }
    out
}

#[test]
fn forged_diff_ids_are_caught() {
    // The config claims the base's layer for a layer with other content.
    let base = ok_layer();
    let mut evil = Layer::new(
        &[file_mode("usr/bin/sudo", "x", 0o4755, 0)],
        Compression::Gzip,
    );
    evil.diff_id = base.diff_id.clone();
    let spec = ImageSpec::new(vec![evil]);
    expect_error(&spec, &[], &["layer 0", "diff_ids", &base.diff_id]);
}

#[test]
fn oversized_tar_metadata_is_refused() {
    // A 2 MiB PAX header: tar readers buffer these whole.
    let pax = Item::Raw {
        name: "PaxHeader".into(),
        kind: b'x',
        data: vec![b'a'; 2 << 20],
    };
    let spec = ImageSpec::new(vec![Layer::new(&[pax, file("a", "x")], Compression::Gzip)]);
    expect_error(
        &spec,
        &[],
        &["layer 0", "tar metadata entry", "exceeds the limit"],
    );
}

#[test]
fn an_unparsable_pax_size_record_is_an_error() {
    // Issue 19: it was ignored silently (Go's archive/tar rejects it).
    let pax = Item::Raw {
        name: "PaxHeader".into(),
        kind: b'x',
        data: b"16 size=12x4567\n".to_vec(),
    };
    let spec = ImageSpec::new(vec![Layer::new(&[pax, file("a", "x")], Compression::Gzip)]);
    expect_error(
        &spec,
        &[],
        &[
            "layer 0",
            "PAX header's size record '12x4567' is not a decimal number",
        ],
    );
}

#[test]
fn a_warm_cache_does_not_hide_a_missing_blob() {
    let t = tempfile::tempdir().unwrap();
    let mut layout = Layout::new(&t.path().join("img"));
    let spec = ImageSpec::new(vec![ok_layer()]);
    layout.add(&spec, "t");
    let reference = format!("oci:{}:t", t.path().join("img").display());
    let cache = t.path().join("cache");
    let (code, err) = plimsoll(&cache, &["image", "audit", &reference]);
    assert!(code == 0 || code == 1, "{err}");
    std::fs::remove_file(layout.blob_path(&sha256(&spec.layers[0].blob))).unwrap();
    let (code, err) = plimsoll(&cache, &["image", "audit", &reference]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("missing"), "{err}");
}

/// Completions and man pages come from the clap definitions: every shell's
/// script is produced (bash's is valid bash), the man pages cover every
/// subcommand, and a closed pipe is not a panic.
#[test]
fn completions_and_man_pages() {
    let bin = env!("CARGO_BIN_EXE_plimsoll");
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = std::process::Command::new(bin)
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}: {out:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("plimsoll"), "{shell}");
        assert!(
            text.contains("scan") && text.contains("--fail-on"),
            "{shell}"
        );
    }
    let t = tempfile::tempdir().unwrap();
    let script = t.path().join("plimsoll.bash");
    let out = std::process::Command::new(bin)
        .args(["completions", "bash"])
        .output()
        .unwrap();
    std::fs::write(&script, &out.stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .status()
        .unwrap();
    assert!(check.success());
    // A reader that stops early (`| head -1`).
    let mut child = std::process::Command::new(bin)
        .args(["completions", "zsh"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{out:?}"
    );
    let (code, _, err) = Cli::new(bin).run(&["completions", "tcsh"]).into_parts();
    assert_eq!(code, 2);
    assert!(err.contains("tcsh"), "{err}");

    let man = t.path().join("man");
    let out = std::process::Command::new(bin)
        .args(["man", "-o", man.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    for page in [
        "plimsoll.1",
        "plimsoll-scan.1",
        "plimsoll-db-pull.1",
        "plimsoll-host-audit.1",
    ] {
        let text = std::fs::read_to_string(man.join(page)).unwrap();
        assert!(text.starts_with(".ie") || text.contains(".TH"), "{page}");
    }
    let scan = std::fs::read_to_string(man.join("plimsoll-scan.1")).unwrap();
    assert!(scan.contains("fail\\-on"), "the options are documented");
}
