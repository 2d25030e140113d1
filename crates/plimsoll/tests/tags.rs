//! `plimsoll tags check` as a user runs it, on OCI layouts (a layout is a
//! repository of tags): the findings, the record file kept across runs, the
//! exit codes. The registry path is in the explicit suite (serve_registry).

use std::path::Path;

use plimsoll_testkit::cli::Cli;
use plimsoll_testkit::*;

fn plimsoll() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_plimsoll"))
}

/// A layout whose tags name images `text` by tag.
fn layout(dir: &Path, tags: &[(&str, &str)]) -> Vec<String> {
    let mut l = Layout::new(dir);
    tags.iter()
        .map(|(tag, text)| {
            l.add(
                &ImageSpec::new(vec![Layer::new(
                    &[file("srv/version", text)],
                    Compression::Gzip,
                )]),
                tag,
            )
        })
        .collect()
}

#[test]
fn tags_check_finds_stale_moving_tags_and_moved_releases() {
    let tmp = tempfile::tempdir().unwrap();
    let first = tmp.path().join("first");
    let d = layout(
        &first,
        &[
            ("1.0.0", "a"),
            ("1.0.1", "b"),
            ("1.0", "a"),
            ("latest", "b"),
            ("3f2c1ab", "b"),
            ("stable", "a"),
        ],
    );
    let record = tmp.path().join("tags.json");
    let repo = format!("oci:{}", first.display());
    let run = plimsoll().run(&[
        "tags",
        "check",
        &repo,
        "--record",
        record.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 1, "{run:?}");
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let codes: Vec<(&str, &str)> = doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["location"]["field"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(codes, [("TAG002", "tags[1.0]"), ("TAG003", "tags[stable]")]);
    assert_eq!(doc["recorded"], 2);
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(
        kept["repositories"][&repo]["1.0.0"]["digest"],
        d[0].as_str()
    );

    // --allow accepts the team's own words; only the stale line is left,
    // a medium finding: under --fail-on high the exit is 0.
    let run = plimsoll().run(&[
        "tags",
        "check",
        &repo,
        "--allow",
        "stable|edge",
        "--fail-on",
        "high",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stdout.contains("TAG002") && !run.stdout.contains("TAG003"),
        "{run:?}"
    );

    // The same repository later: 1.0.0 re-pushed with other content.
    std::fs::remove_dir_all(&first).unwrap();
    let d2 = layout(&first, &[("1.0.0", "c"), ("1.0.1", "b"), ("1.0", "b")]);
    let run = plimsoll().run(&["tags", "check", &repo, "--record", record.to_str().unwrap()]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stdout.contains("TAG001")
            && run.stdout.contains(&format!("points at {}", d2[0]))
            && run.stdout.contains(&format!("first seen at {}", d[0])),
        "{run:?}"
    );
    // The first digest stays recorded.
    let kept: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert_eq!(
        kept["repositories"][&repo]["1.0.0"]["digest"],
        d[0].as_str()
    );

    // SARIF names the rules.
    let run = plimsoll().run(&["tags", "check", &repo, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rules = &sarif["runs"][0]["tool"]["driver"]["rules"];
    assert_eq!(rules.as_array().unwrap().len(), 3, "{sarif}");
}

#[test]
fn tags_check_bad_input_is_exit_2_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let run = plimsoll().run(&["tags", "check", "registry.example/app:1.0"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("without a tag or digest"), "{run:?}");
    let run = plimsoll().run(&["tags", "check", &format!("oci:{}", tmp.path().display())]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("not an OCI image layout"), "{run:?}");
    let dir = tmp.path().join("l");
    layout(&dir, &[("1.0.0", "a")]);
    let record = tmp.path().join("broken.json");
    std::fs::write(&record, "[]").unwrap();
    let run = plimsoll().run(&[
        "tags",
        "check",
        &format!("oci:{}", dir.display()),
        "--record",
        record.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("broken.json") && run.stderr.contains("not a plimsoll tag record"),
        "{run:?}"
    );
    let run = plimsoll().run(&[
        "tags",
        "check",
        &format!("oci:{}", dir.display()),
        "--allow",
        "(",
    ]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("tag pattern \"(\""), "{run:?}");
}
