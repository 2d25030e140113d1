//! Parses every Dockerfile of the shared corpus: each one parses or gets a
//! parse error with a line and column; none panics (parser or shell parser).

#[test]
#[ignore = "corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn corpus_parses_without_panic() {
    let files = plimsoll_testkit::dockerfile_corpus();

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
    let mut cuts = 0;
    for path in plimsoll_testkit::dockerfile_corpus() {
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
