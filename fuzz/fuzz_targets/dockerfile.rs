//! Any bytes, read as `plimsoll lint` reads a file (lossy UTF-8): the parser,
//! every accessor rules use on its tree, every rule (opt-in ones and the
//! trusted-registry check included) and `--fix` must return, never panic.

#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_lint::LintOptions;

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    let Ok(df) = plimsoll_dockerfile::parse(&src) else {
        return;
    };
    for (i, ins) in df.instructions.iter().enumerate() {
        let _ = ins.words();
        let _ = ins.key_values();
        let _ = ins.shell(&src);
        let _ = df.vars_at(i);
    }
    let options = LintOptions {
        enable: plimsoll_lint::rules()
            .iter()
            .map(|r| r.code.to_string())
            .collect(),
        trusted_registries: vec!["docker.io".into(), "registry.example:5000".into()],
    };
    let lint = |s: &str| plimsoll_lint::lint_with_options("Dockerfile", s, &options);
    if lint(&src).is_err() {
        panic!("lint fails on a file the parser accepts");
    }
    let _ = plimsoll_lint::fix::fix(&src, lint);
});
