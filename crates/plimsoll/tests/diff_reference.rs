//! `plimsoll diff` on the reference images (small: the Debian minbase layer;
//! big: the same layer plus five), built by `../shared/tools/build-images.sh`.
//! Run by `scripts/test-all.sh` with PLIMSOLL_LAB_IMAGES pointing at them;
//! ignored by a plain `cargo test`. Without the images it fails, never skips.

use std::path::{Path, PathBuf};

use plimsoll_testkit::cli::Cli;
use serde_json::Value;

fn lab() -> PathBuf {
    let dir = std::env::var_os("PLIMSOLL_LAB_IMAGES")
        .map(PathBuf::from)
        .expect("PLIMSOLL_LAB_IMAGES must point at the output of build-images.sh (see scripts/test-all.sh)");
    for image in ["small", "big"] {
        assert!(
            dir.join(image).join("index.json").is_file(),
            "{} has no {image}/ image",
            dir.display()
        );
    }
    dir
}

fn diff(cache: &Path, a: &str, b: &str, format: &str) -> String {
    let (code, out, err) = Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
        .cache(cache)
        .run(&["diff", a, b, "--format", format, "--no-progress"])
        .into_parts();
    assert_eq!(code, 0, "{err}");
    out
}

#[test]
#[ignore = "reference suite: needs PLIMSOLL_LAB_IMAGES (scripts/test-all.sh)"]
fn small_against_big() {
    let lab = lab();
    let t = tempfile::tempdir().unwrap();
    let small = format!("oci:{}:latest", lab.join("small").display());
    let big = format!("oci:{}:latest", lab.join("big").display());
    let doc: Value = serde_json::from_str(&diff(t.path(), &small, &big, "json")).unwrap();
    // L1 is the same blob: the base is shared. (The two images are separate
    // layouts, so the engine verifies the shared blob in each file before
    // trusting the cache: layers from the same layout or registry are read once.)
    assert_eq!(doc["layers"]["shared"], 1);
    assert_eq!(doc["layers"]["only_image1"].as_array().unwrap().len(), 0);
    assert!(doc["layers"]["only_image2"].as_array().unwrap().len() >= 3);
    // The whited-out 50 MiB blob is big's waste; small has none.
    assert!(doc["size"]["image2"]["wasted_bytes"].as_u64().unwrap() >= 50 << 20);
    assert_eq!(doc["size"]["image1"]["wasted_bytes"], 0);
    let added = doc["files"]["added"].as_array().unwrap();
    let helper = added
        .iter()
        .find(|f| f["path"] == "/usr/local/bin/helper")
        .expect("the setuid helper is added");
    assert_eq!(helper["mode"], "4755");
    assert!(added.iter().any(|f| f["path"] == "/srv/app/.env"));
    assert!(!added.iter().any(|f| f["path"] == "/opt/data/blob.bin"));
    let packages = doc["packages"]["added"].as_array().unwrap();
    let has = |t: &str, name: &str| packages.iter().any(|p| p["type"] == t && p["name"] == name);
    assert!(has("deb", "python3"), "{packages:?}");
    assert!(has("pypi", "requests"));
    assert!(has("npm", "lodash"));
    assert!(
        doc["metadata"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["field"] == "exposed_ports")
    );
    assert_eq!(doc["history"]["removed"].as_array().unwrap().len(), 0);

    // Warm: every layer from the cache, the same differences.
    let cd: Value = serde_json::from_str(&diff(t.path(), &small, &big, "container-diff")).unwrap();
    let of = |kind: &str| {
        cd.as_array()
            .unwrap()
            .iter()
            .find(|r| r["DiffType"] == kind)
            .unwrap_or_else(|| panic!("no {kind} diff"))
            .clone()
    };
    assert!(
        of("Apt")["Diff"]["Packages2"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["Name"] == "python3")
    );
    assert!(
        of("Pip")["Diff"]["Packages2"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["Name"] == "requests")
    );
    assert!(of("File")["Diff"]["Adds"].as_array().unwrap().len() > 1000);
    assert_eq!(of("Size")["Diff"].as_array().unwrap().len(), 1);

    // An image against itself: nothing differs.
    let same: Value = serde_json::from_str(&diff(t.path(), &big, &big, "json")).unwrap();
    assert_eq!(same["identical"], true);
    assert_eq!(same["read"]["layers_read"], 0);
}
