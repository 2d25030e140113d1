//! Lints every Dockerfile of the shared corpus: no panic; prints the
//! findings per rule.

use std::collections::BTreeMap;

#[test]
#[ignore = "corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn corpus_lints_without_panic() {
    // PLIMSOLL_CORPUS_DIR=dir lints the files of another directory instead (for review).
    let files: Vec<std::path::PathBuf> = match std::env::var_os("PLIMSOLL_CORPUS_DIR") {
        Some(dir) => {
            let mut v: Vec<_> = std::fs::read_dir(dir)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            v.sort();
            v
        }
        None => plimsoll_testkit::dockerfile_corpus(),
    };
    let mut per_rule: BTreeMap<String, usize> = BTreeMap::new();
    // PLIMSOLL_CORPUS_SHOW=DF004,DF011 prints those findings (for review).
    let show: Vec<String> = std::env::var("PLIMSOLL_CORPUS_SHOW")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    // PLIMSOLL_CORPUS_ENABLE=DF050 turns opt-in rules on as well.
    let enable: Vec<String> = std::env::var("PLIMSOLL_CORPUS_ENABLE")
        .map(|v| v.split(',').map(str::to_string).collect())
        .unwrap_or_default();
    let (mut linted, mut errors, mut panics) = (0, 0, 0);
    for path in &files {
        let name = path.display().to_string();
        let src = String::from_utf8_lossy(&std::fs::read(path).unwrap_or_default()).into_owned();
        match std::panic::catch_unwind(|| plimsoll_lint::lint_with(&name, &src, &enable)) {
            Ok(Ok(findings)) => {
                linted += 1;
                for f in findings {
                    if show.contains(&f.code) {
                        let file = path.file_name().unwrap_or_default().to_string_lossy();
                        println!(
                            "{file}:{}: {} {}",
                            f.location.line.unwrap_or(0),
                            f.code,
                            f.message
                        );
                    }
                    *per_rule.entry(f.code).or_default() += 1;
                }
            }
            Ok(Err(e)) => {
                errors += 1;
                println!("parse error: {name}: {e}");
            }
            Err(_) => {
                panics += 1;
                println!("PANIC: {name}");
            }
        }
    }
    println!(
        "corpus: {} files, {linted} linted, {errors} parse errors, {panics} panics",
        files.len()
    );
    for (code, n) in &per_rule {
        println!("  {code}: {n}");
    }
    assert_eq!(panics, 0);
}

/// The ONBUILD images of the corpus: their triggers are linted (found by the
/// RUN iterators, reported on the ONBUILD line with the child-image note),
/// and as written they are clean; with a practice broken in a trigger, the
/// rule reports it.
#[test]
#[ignore = "needs ../shared (scripts/test-all.sh)"]
fn onbuild_images_of_the_corpus() {
    let dir = plimsoll_testkit::shared_testdata("dockerfiles");
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let trigger_findings = |src: &str| -> Vec<String> {
        plimsoll_lint::lint("Dockerfile", src)
            .unwrap()
            .into_iter()
            .filter(|f| f.message.contains("ONBUILD"))
            .map(|f| format!("{} {}: {}", f.location.line.unwrap_or(0), f.code, f.message))
            .collect()
    };
    let trigger_runs = |src: &str| -> Vec<u32> {
        let df = plimsoll_dockerfile::parse(src).unwrap();
        let ctx = plimsoll_lint::LintContext::new(src, &df);
        ctx.runs()
            .filter(|(i, _, _)| ctx.is_trigger(*i))
            .map(|(_, ins, _)| ins.span.line)
            .collect()
    };

    let golang = read("docker-library__golang__1.8-onbuild-Dockerfile.Dockerfile");
    assert_eq!(trigger_runs(&golang), [10, 11]);
    assert_eq!(trigger_findings(&golang), Vec::<String>::new());
    let golang_add = golang.replace("ONBUILD COPY . /go/src/app", "ONBUILD ADD . /go/src/app");
    assert_eq!(
        trigger_findings(&golang_add),
        ["9 DF011: ADD of local files: use COPY (ONBUILD trigger: runs in child images)"]
    );

    let python = read("docker-library__python__3.6-jessie-onbuild-Dockerfile.Dockerfile");
    assert_eq!(trigger_runs(&python), [13]);
    assert_eq!(trigger_findings(&python), Vec::<String>::new());
    let python_cached = python.replace("pip install --no-cache-dir -r", "pip install -r");
    let found = trigger_findings(&python_cached);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with("13 DF033: ")
            && found[0].ends_with("(ONBUILD trigger: runs in child images)"),
        "{found:?}"
    );
}
