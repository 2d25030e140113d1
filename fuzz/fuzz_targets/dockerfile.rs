//! Any bytes, read as `plimsoll lint` reads a file (lossy UTF-8): the parser,
//! every accessor rules use on its tree, every rule (opt-in ones and the
//! trusted-registry check included) and `--fix` must return, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_lint::LintOptions;
use plimsoll_lint::rules::label_schema::LabelType;

fuzz_target!(|data: &[u8]| {
    let mut src = String::from_utf8_lossy(data).into_owned();
    // One bad line rejects a whole file, and most mutations make one: drop
    // the line the parser names and try again, so the rules see many more
    // files than the parser alone accepts.
    for _ in 0..8 {
        match plimsoll_dockerfile::parse(&src) {
            Ok(df) => return check(&src, &df),
            Err(e) => match without_line(&src, e.line) {
                Some(shorter) => src = shorter,
                None => return,
            },
        }
    }
});

fn check(src: &str, df: &plimsoll_dockerfile::Dockerfile) {
    for (i, ins) in df.instructions.iter().enumerate() {
        let _ = ins.words();
        let _ = ins.key_values();
        let _ = ins.shell(src);
        let _ = df.vars_at(i);
    }
    let options = LintOptions {
        enable: plimsoll_lint::rules()
            .iter()
            .map(|r| r.code.to_string())
            .collect(),
        trusted_registries: vec!["docker.io".into(), "*.example:5000".into()],
        // DF053 (injected services) is on only for a service-free environment.
        environment: plimsoll_lint::Environment {
            stated: Some("prod".into()),
            label: None,
            with_services: vec!["test".into()],
        },
        // The label rules (DF082–DF090) judge only labels a schema names.
        label_schema: [
            ("version", "semver"),
            ("url", "url"),
            ("licenses", "spdx"),
            ("created", "rfc3339"),
            ("revision", "hash"),
            ("maintainer", "email"),
            ("owner", "text"),
        ]
        .into_iter()
        .map(|(k, t)| (k.to_string(), LabelType::parse(t).expect("a label type")))
        .collect(),
        strict_labels: true,
    };
    let lint = |s: &str| plimsoll_lint::lint_with_options("Dockerfile", s, &options);
    if let Err(e) = lint(src) {
        panic!("lint fails on a file the parser accepts: {e}");
    }
    if let Err(e) = plimsoll_lint::fix::fix(src, lint) {
        panic!("--fix made a file the parser rejects: {e}");
    }
}

/// `src` without its 1-based line `line`; `None` when there is no such line.
fn without_line(src: &str, line: u32) -> Option<String> {
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let lines: Vec<&str> = src.split_inclusive('\n').collect();
    lines.get(index)?;
    Some(
        lines
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != index)
            .map(|(_, l)| *l)
            .collect(),
    )
}
