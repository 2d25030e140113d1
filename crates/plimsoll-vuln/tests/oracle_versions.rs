//! The version comparators against the real tools: every line of each
//! corpus (`A<TAB>B<TAB>R`, R in -1/0/1 as the tool ordered A against B;
//! `#` lines are comments) must agree, and both ways round.
//!
//! The dpkg, rpm and PyPI corpora live in `../shared/testdata/versions`
//! (`dpkg --compare-versions`, `rpm.labelCompare`, python `packaging`); their
//! tests are ignored by default (`cargo test` stays self-contained), and
//! scripts/test-all.sh runs them with `--ignored`. `PLIMSOLL_SHARED`
//! overrides the shared directory (or names its `testdata/versions`). The
//! Maven and RubyGems corpora are small, made here with the tools' own code
//! (see their headers), and always run.

use std::cmp::Ordering;
use std::path::{Path, PathBuf};

use plimsoll_vuln::version::{Ecosystem, compare};

/// `$PLIMSOLL_SHARED` (either the shared directory, as scripts/test-all.sh
/// uses the variable, or its `testdata/versions`), else
/// `<repo>/../shared/testdata/versions`.
fn corpus_dir() -> PathBuf {
    match std::env::var_os("PLIMSOLL_SHARED").filter(|d| !d.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            let nested = dir.join("testdata/versions");
            if nested.is_dir() { nested } else { dir }
        }
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/versions"),
    }
}

/// Checks a corpus of `../shared/testdata/versions`.
fn check(file: &str, eco: Ecosystem) {
    let path = corpus_dir().join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read the oracle corpus {}: {e}\n\
             (it lives in ../shared/testdata/versions beside the repository; \
             set PLIMSOLL_SHARED to ../shared or to the directory holding {file})",
            path.display()
        )
    });
    check_text(&path, &text, eco);
}

/// Checks a corpus of this crate's tests/data.
fn check_local(file: &str, eco: Ecosystem) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    check_text(&path, &text, eco);
}

/// Compares every line of a corpus with `eco`, prints every disagreement,
/// and fails unless all agree. An empty corpus fails: never a silent pass.
fn check_text(path: &Path, text: &str, eco: Ecosystem) {
    let file = path.file_name().unwrap_or_default().to_string_lossy();
    let mut lines = 0;
    let mut disagreements = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        lines += 1;
        let fields: Vec<&str> = line.split('\t').collect();
        let [a, b, r] = fields[..] else {
            panic!("{}:{}: not A<TAB>B<TAB>R: {line:?}", path.display(), n + 1);
        };
        let want = match r {
            "-1" => Ordering::Less,
            "0" => Ordering::Equal,
            "1" => Ordering::Greater,
            _ => panic!(
                "{}:{}: R is not -1, 0 or 1: {line:?}",
                path.display(),
                n + 1
            ),
        };
        let got = compare(eco, a, b);
        let back = compare(eco, b, a);
        let agrees = got.as_ref() == Ok(&want) && back.as_ref() == Ok(&want.reverse());
        if !agrees {
            disagreements.push(format!(
                "{}:{}: {a:?} vs {b:?}: oracle {want:?}, got {got:?} (reversed: {back:?})",
                file,
                n + 1
            ));
        }
    }
    assert!(lines > 0, "{} holds no lines", path.display());
    for d in &disagreements {
        eprintln!("{d}");
    }
    let agreed = lines - disagreements.len();
    eprintln!("{file}: {agreed}/{lines} agree with the oracle ({eco})");
    assert!(
        disagreements.is_empty(),
        "{file}: {} of {lines} lines disagree with the oracle",
        disagreements.len()
    );
}

#[test]
#[ignore = "oracle corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn debian_against_dpkg() {
    check("debian.tsv", Ecosystem::Debian);
}

#[test]
#[ignore = "oracle corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn rpm_against_label_compare() {
    check("rpm.tsv", Ecosystem::RedHat);
}

#[test]
#[ignore = "oracle corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn pep440_against_packaging() {
    check("pep440.tsv", Ecosystem::PyPI);
}

/// Ubuntu orders as Debian does: the dpkg corpus holds for it too.
#[test]
#[ignore = "oracle corpus: needs ../shared (scripts/test-all.sh runs it)"]
fn ubuntu_against_dpkg() {
    check("debian.tsv", Ecosystem::Ubuntu);
}

#[test]
fn maven_against_comparable_version() {
    check_local("maven.tsv", Ecosystem::Maven);
}

#[test]
fn packagist_against_php_version_compare() {
    check_local("packagist.tsv", Ecosystem::Packagist);
}

// -- hackcran (issue 18) --
#[test]
fn cran_against_r_compare_version() {
    check_local("cran.tsv", Ecosystem::Cran);
}

#[test]
fn rubygems_against_gem_version() {
    check_local("rubygems.tsv", Ecosystem::RubyGems);
}

// -- hexpub (issue 18) --
#[test]
fn hex_against_elixir_version_compare() {
    check_local("hex.tsv", Ecosystem::Hex);
}

// -- pubswift (issue 18) --
#[test]
fn pub_against_osv_scalibr_cases() {
    check_local("pub.tsv", Ecosystem::Pub);
}

// -- conan (issue 18) --
#[test]
fn conan_against_conans_own_version_class() {
    check_local("conan.tsv", Ecosystem::ConanCenter);
}

/// Every string Elixir's `Version.parse` rejects is an error here too.
#[test]
fn hex_rejects_what_elixir_rejects() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/hex-invalid.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let strings: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert!(
        strings.len() > 100,
        "{} holds too few lines",
        path.display()
    );
    let accepted: Vec<&&str> = strings
        .iter()
        .filter(|s| compare(Ecosystem::Hex, s, "1.0.0").is_ok())
        .collect();
    assert!(accepted.is_empty(), "Elixir rejects these: {accepted:?}");
}

// -- opam (issue 18) --
/// opam's `OpamVersionCompare.compare` (opam 2.5.2's source, compiled by
/// tests/data/gen_opam_oracle.py) on real and random opam versions.
#[test]
fn opam_against_opam_version_compare() {
    check_local("opam.tsv", Ecosystem::Opam);
}
