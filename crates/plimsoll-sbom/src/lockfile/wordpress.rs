//! WordPress plugins: the header comment of a plugin's main PHP file
//! (`Plugin Name: Akismet Anti-spam`, `Version: 5.3`, `License: GPLv2`,
//! `Author: …`), which WordPress itself reads to list installed plugins.
//!
//! As syft 1.18.1 (`wordpress-plugins-cataloger`,
//! `**/wp-content/plugins/*/*.php`, image and directory scans): only the
//! first 4096 bytes of each file are read ([`HEADER_LIMIT`]); a file whose
//! text there has a `Plugin Name:` and a `Version:` (digits and dots; the
//! first of each, case-insensitive) is a plugin, named by its plugin name,
//! the licence the first word after `License:`. syft writes no purl for
//! them (WordPress plugins have no purl type), and neither does plimsoll;
//! the package type is syft's, `wordpress-plugin`.

use std::sync::OnceLock;

use regex::Regex;

use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::license::normalize;

/// How much of a plugin's file is read, as by syft: the header comment
/// comes first.
pub const HEADER_LIMIT: usize = 4096;

/// Whether `path` is a PHP file directly in a plugin's directory,
/// `…/wp-content/plugins/<plugin>/<file>.php`.
pub fn is_plugin_file(path: &str) -> bool {
    let mut up = path.rsplitn(4, '/');
    let (Some(file), Some(_plugin), Some(plugins)) = (up.next(), up.next(), up.next()) else {
        return false;
    };
    let wp_content = up.next();
    file.ends_with(".php")
        && plugins == "plugins"
        && match wp_content {
            Some(rest) => rest == "wp-content" || rest.ends_with("/wp-content"),
            None => false,
        }
}

/// Reads a plugin file's header (its first [`HEADER_LIMIT`] bytes). A
/// PHP file without a plugin header is no package, and no warning: most
/// files of a plugin's directory are not its main file.
pub fn parse(content: &[u8]) -> Parsed {
    static NAME: OnceLock<Regex> = OnceLock::new();
    static VERSION: OnceLock<Regex> = OnceLock::new();
    static LICENSE: OnceLock<Regex> = OnceLock::new();
    let head = &content[..content.len().min(HEADER_LIMIT)];
    let text = String::from_utf8_lossy(head);
    let first = |cell: &OnceLock<Regex>, pattern: &str| {
        cell.get_or_init(|| Regex::new(pattern).expect("a valid pattern"))
            .captures(&text)
            .and_then(|c| c.get(1))
            .map(|m| m.as_str().trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let name = first(&NAME, r"(?i)plugin name:\s*(.+)");
    let version = first(&VERSION, r"(?i)version:\s*([0-9.]+)");
    let (Some(name), Some(version)) = (name, version) else {
        return Parsed::default();
    };
    let license = first(&LICENSE, r"(?i)license:\s*([0-9A-Za-z_]+)");
    let mut out = Parsed::default();
    out.push(LockedPackage {
        package_type: PackageType::WordpressPlugin,
        purl: String::new(),
        name,
        version,
        licenses: license.as_deref().and_then(normalize).into_iter().collect(),
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixtures() {
        // syft's fixtures (see tests/data/wordpress/PROVENANCE.md), with syft's answers.
        let p = parse(include_bytes!(
            "../../tests/data/wordpress/wp-content/plugins/akismet/akismet.php"
        ));
        assert_eq!(
            p.sorted_pairs(),
            [("Akismet Anti-spam: Spam Protection", "5.3")]
        );
        assert_eq!(p.packages[0].purl, "");
        // `License: GPLv2 or later`: the first word, as syft reads it, as SPDX.
        assert_eq!(p.packages[0].licenses, ["GPL-2.0-only"]);
        assert_eq!(p.packages[0].package_type, PackageType::WordpressPlugin);
        let p = parse(b"Plugin Name: WP Migration\r\nVersion: 5.3\r\nLicense: GPLv3\r\nAuthor: MonsterInsights\r\n");
        assert_eq!(p.sorted_pairs(), [("WP Migration", "5.3")]);
        let p = parse(include_bytes!(
            "../../tests/data/wordpress/wp-content/plugins/all-in-one-wp-migration/all-in-one-wp-migration.php"
        ));
        assert_eq!(p.packages.len(), 1, "{p:?}");
    }

    #[test]
    fn only_the_header_counts() {
        let mut late = vec![b' '; HEADER_LIMIT];
        late.extend_from_slice(b"Plugin Name: late\nVersion: 1.0\n");
        assert!(parse(&late).packages.is_empty());
        assert!(parse(b"<?php echo 'no header';").packages.is_empty());
        assert!(
            parse(b"Plugin Name: x\nVersion: beta\n")
                .packages
                .is_empty()
        );
        assert!(parse(b"").warnings.is_empty());
    }

    #[test]
    fn plugin_files() {
        assert!(is_plugin_file(
            "var/www/html/wp-content/plugins/akismet/akismet.php"
        ));
        assert!(is_plugin_file("wp-content/plugins/akismet/index.php"));
        assert!(!is_plugin_file(
            "wp-content/plugins/akismet/views/config.php"
        ));
        assert!(!is_plugin_file("wp-content/plugins/hello.php"));
        assert!(!is_plugin_file("x/mywp-content/plugins/a/a.php"));
        assert!(!is_plugin_file("wp-content/plugins/akismet/readme.txt"));
    }
}
