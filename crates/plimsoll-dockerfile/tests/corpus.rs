//! Parses every Dockerfile of the shared corpus: each one parses or gets a
//! parse error with a line and column; none panics (parser or shell parser).

use std::path::PathBuf;

fn corpus_dir() -> PathBuf {
    let shared = std::env::var_os("PLIMSOLL_SHARED").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
        PathBuf::from,
    );
    shared.join("testdata/dockerfiles")
}

#[test]
#[ignore = "corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn corpus_parses_without_panic() {
    let dir = corpus_dir();
    assert!(
        dir.is_dir(),
        "corpus directory {} is missing: set PLIMSOLL_SHARED to the shared checkout",
        dir.display()
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".Dockerfile"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no *.Dockerfile in {}", dir.display());

    let (mut parsed, mut errors, mut panics, mut unparsed_runs, mut runs) = (0, 0, 0, 0, 0);
    for path in &files {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let src = match std::fs::read(path) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => panic!("reading {}: {e}", path.display()),
        };
        let result = std::panic::catch_unwind(|| {
            plimsoll_dockerfile::parse(&src).map(|df| {
                let shells: Vec<_> = df
                    .instructions
                    .iter()
                    .filter_map(|i| i.shell(&src))
                    .collect();
                (df, shells)
            })
        });
        match result {
            Ok(Ok((_, shells))) => {
                parsed += 1;
                for s in &shells {
                    runs += 1;
                    if let Some(why) = &s.unparsed {
                        unparsed_runs += 1;
                        println!("unparsed RUN in {name}: {why}");
                    }
                }
            }
            Ok(Err(e)) => {
                errors += 1;
                assert!(
                    e.line >= 1 && e.column >= 1,
                    "{name}: error without position: {e}"
                );
                println!("parse error: {name}: {e}");
            }
            Err(_) => {
                panics += 1;
                println!("PANIC: {name}");
            }
        }
    }
    println!(
        "corpus: {} files, {parsed} parsed, {errors} parse errors, {panics} panics; \
         {runs} RUN bodies, {unparsed_runs} not parsed as shell",
        files.len()
    );
    assert_eq!(panics, 0, "the parser panicked on {panics} corpus files");
}

/// Every prefix of every corpus file (cut at many points, including inside
/// continuations, quotes and heredocs) parses or errors with a position.
#[test]
#[ignore = "corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn corpus_prefixes_never_panic() {
    let dir = corpus_dir();
    assert!(
        dir.is_dir(),
        "corpus directory {} is missing",
        dir.display()
    );
    let mut cuts = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{e}")) {
        let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
        let src = String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
        let mut at = 0;
        while at < src.len() {
            if src.is_char_boundary(at) {
                let prefix = &src[..at];
                cuts += 1;
                let r = std::panic::catch_unwind(|| match plimsoll_dockerfile::parse(prefix) {
                    Ok(df) => {
                        for i in &df.instructions {
                            let _ = i.shell(prefix);
                        }
                        None
                    }
                    Err(e) => Some((e.line, e.column)),
                });
                match r {
                    Ok(Some((line, column))) => assert!(line >= 1 && column >= 1),
                    Ok(None) => {}
                    Err(_) => panic!("panic on {} cut at byte {at}", path.display()),
                }
            }
            at += 37;
        }
    }
    println!("{cuts} prefixes parsed without panic");
}
