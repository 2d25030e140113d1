//! An OCI layout built from fuzzed bytes: the first two bytes choose how the layer is
//! stored and which manifest fields lie, the rest is the layer's tar. Resolving, the
//! single engine pass (digests, decompression, tar walk, limits), the file tree, every
//! audit rule and every SBOM cataloger must return (an error is fine), never panic or hang.

#![no_main]

use std::io::Write;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use plimsoll_oci::{ImageRef, ResolveOptions};
use plimsoll_scan::{Passes, ScanOptions, Scanner};
use sha2::{Digest as _, Sha256};

const GZIP: &str = "application/vnd.oci.image.layer.v1.tar+gzip";
const ZSTD: &str = "application/vnd.oci.image.layer.v1.tar+zstd";
const TAR: &str = "application/vnd.oci.image.layer.v1.tar";

fn sha256(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

fn put(root: &Path, data: &[u8]) -> String {
    let d = sha256(data);
    std::fs::write(root.join("blobs/sha256").join(&d[7..]), data).unwrap();
    d
}

fuzz_target!(|data: &[u8]| {
    let (mode, lies, tar) = match data {
        [m, l, rest @ ..] => (*m, *l, rest),
        _ => return,
    };
    // How the layer is stored: compressed as declared, or raw bytes under any media type.
    let (blob, media) = match mode % 5 {
        0 => (tar.to_vec(), TAR),
        1 => {
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(tar).unwrap();
            (e.finish().unwrap(), GZIP)
        }
        2 => (zstd::encode_all(tar, 1).unwrap(), ZSTD),
        3 => (tar.to_vec(), GZIP),
        _ => (tar.to_vec(), ZSTD),
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("blobs/sha256")).unwrap();
    std::fs::write(root.join("oci-layout"), r#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let layer = put(root, &blob);
    // Manifest fields that lie: the size, the diff_id, the config's layer count.
    let size = match lies & 3 {
        0 | 1 => blob.len() as i64,
        2 => blob.len() as i64 + 1,
        _ => (blob.len() as i64 - 1).max(0),
    };
    let diff_id = if lies & 4 == 0 {
        sha256(tar)
    } else {
        sha256(b"another layer")
    };
    let diff_ids = if lies & 8 == 0 {
        vec![diff_id]
    } else {
        vec![diff_id.clone(), diff_id]
    };
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux",
        "config": {"User": if lies & 16 == 0 { "1000" } else { "root:x" }, "Env": ["PATH=/bin"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created_by": "ADD fuzz.tar /"}],
    })
    .to_string();
    let config_digest = put(root, config.as_bytes());
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                   "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": media, "digest": layer, "size": size}],
    })
    .to_string();
    let manifest_digest = put(root, manifest.as_bytes());
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "digest": manifest_digest, "size": manifest.len(),
                       "annotations": {"org.opencontainers.image.ref.name": "t"}}],
    });
    std::fs::write(root.join("index.json"), index.to_string()).unwrap();

    let mut options = ScanOptions::default();
    options.engine.cache = None;
    options.engine.threads = 1;
    // Small enough that a bomb stops fast.
    options.engine.max_uncompressed_bytes = 64 << 20;
    let scanner = Scanner::new(options);
    let Ok(reference) = ImageRef::parse(&format!("oci:{}:t", root.display())) else {
        return;
    };
    let Ok(image) = scanner.resolve(&reference) else {
        return;
    };
    let Ok(scanned) = scanner.read(image, Passes::ALL, &plimsoll_engine::NoProgress) else {
        return;
    };
    let judge = plimsoll_audit::Judge::new(
        plimsoll_audit::AuditSettings::default(),
        &plimsoll_report::PolicySpec::default(),
        &[],
        &ResolveOptions::default(),
    )
    .unwrap();
    let _ = plimsoll_scan::judge_scan(&scanned, &reference, &judge);
});
