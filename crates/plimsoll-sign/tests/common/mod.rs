//! A tiny OCI layout (one image of one layer) built by hand in a tempdir.

#![allow(dead_code)]

use std::path::Path;

use plimsoll_sign::store::sha256;

pub fn put(dir: &Path, data: &[u8]) -> String {
    let digest = sha256(data);
    let path = dir.join("blobs/sha256").join(&digest[7..]);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, data).unwrap();
    digest
}

/// Writes an OCI layout holding one image tagged `tag`; returns its
/// manifest digest. `salt` makes images differ.
pub fn layout(dir: &Path, tag: &str, salt: &str) -> String {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let layer = format!("layer {salt}").into_bytes();
    let layer_digest = put(dir, &layer);
    let config = format!(
        r#"{{"architecture":"amd64","os":"linux","rootfs":{{"type":"layers","diff_ids":["{layer_digest}"]}},"config":{{}}}}"#
    );
    let config_digest = put(dir, config.as_bytes());
    let manifest = format!(
        r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"{config_digest}","size":{}}},"layers":[{{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"{layer_digest}","size":{}}}]}}"#,
        config.len(),
        layer.len()
    );
    let digest = put(dir, manifest.as_bytes());
    let index = format!(
        r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"{digest}","size":{},"annotations":{{"org.opencontainers.image.ref.name":"{tag}"}}}}]}}"#,
        manifest.len()
    );
    std::fs::write(dir.join("index.json"), index).unwrap();
    digest
}

pub fn data(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
