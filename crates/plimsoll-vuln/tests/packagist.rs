//! PHP packages (Composer, `pkg:composer/…`) against OSV's Packagist
//! records: the records of tests/data/packagist (made from real
//! FriendsOfPHP advisories, see PROVENANCE.md there) imported as a scan
//! imports them, matched by `vendor/name` under `Packagist` and its
//! repository-qualified variants, ordered as PHP's `version_compare`
//! (tests/data/packagist.tsv checks that order against PHP itself).
//!
//! Self-contained: no ../shared, no network.

mod common;

use common::{hit, versioned_hits as hits};

use std::path::PathBuf;
use std::sync::OnceLock;

use plimsoll_sbom::PackageType;
use plimsoll_vuln::db::Database;
use plimsoll_vuln::findings::{MatchStatus, VulnReport};

fn database() -> Database {
    static DB: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, path) = DB.get_or_init(|| common::records_database("packagist/records", 4));
    Database::open(path).unwrap()
}

fn scan(packages: &[(&str, &str)]) -> VulnReport {
    let packages = packages
        .iter()
        .map(|&(name, version)| {
            common::package(
                PackageType::Composer,
                "composer",
                "composer.lock",
                name,
                version,
            )
        })
        .collect();
    common::scan_packages(&database(), packages)
}

#[test]
fn composer_packages_against_packagist_records() {
    let r = scan(&[
        // Symfony tags its releases with a `v`, as composer.lock keeps them.
        ("symfony/http-kernel", "v5.4.19"),
        ("symfony/http-kernel", "v4.4.49"),
        ("symfony/http-kernel", "v5.4.20"),
        ("symfony/http-kernel", "v6.2.6"),
        // Magento's patch releases: 2.3.2 < 2.3.2-p1 < 2.3.2-p2 < 2.3.3.
        ("magento/product-community-edition", "2.3.2"),
        ("magento/product-community-edition", "2.3.2-p1"),
        ("magento/product-community-edition", "2.3.2-p2"),
        ("magento/product-community-edition", "2.3.3"),
        // Pre-releases: alpha < beta.
        ("composer/composer", "1.0.0-alpha11"),
        ("composer/composer", "1.0.0-beta1"),
    ]);
    assert_eq!(
        hits(&r),
        [
            hit(
                "composer/composer@1.0.0-alpha11",
                "CVE-2015-8371",
                &["1.0.0-beta1"]
            ),
            hit(
                "magento/product-community-edition@2.3.2",
                "CVE-2019-8090",
                &["2.3.2-p2"]
            ),
            hit(
                "magento/product-community-edition@2.3.2-p1",
                "CVE-2019-8090",
                &["2.3.2-p2"]
            ),
            // Every release line's fix from the installed one up.
            hit(
                "symfony/http-kernel@v4.4.49",
                "CVE-2022-24894",
                &["4.4.50", "5.4.20", "6.0.20", "6.1.12", "6.2.6"]
            ),
            hit(
                "symfony/http-kernel@v5.4.19",
                "CVE-2022-24894",
                &["5.4.20", "6.0.20", "6.1.12", "6.2.6"]
            ),
        ]
    );
    assert!(r.findings.iter().all(|f| f.status == MatchStatus::Affected));
    assert_eq!(r.packages_matched, 10);
}

#[test]
fn drupal_records_under_their_repository_qualified_ecosystem() {
    // OSV files Drupal's modules under `Packagist:https://packages.drupal.org/8`.
    let r = scan(&[("drupal/core", "9.4.2"), ("drupal/core", "9.4.3")]);
    assert_eq!(
        hits(&r),
        [hit("drupal/core@9.4.2", "CVE-2022-25277", &["9.4.3"])]
    );
}

#[test]
fn a_branch_is_unknown_never_clean() {
    // `dev-main` names no release: every record of the package that could
    // apply is reported as unknown, with the reason.
    let r = scan(&[("composer/composer", "dev-main")]);
    assert_eq!(r.findings.len(), 1, "{:?}", hits(&r));
    assert!(
        matches!(&r.findings[0].status, MatchStatus::Unknown(why) if why.contains("dev-main")),
        "{:?}",
        r.findings[0].status
    );
}
