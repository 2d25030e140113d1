//! `plimsoll.toml`: thresholds, ignores and policy in one file. Command-line
//! flags override it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub audit: AuditConfig,
    #[serde(default)]
    pub engine: EngineConfig,
    #[serde(default)]
    pub lint: LintConfig,
    #[serde(default)]
    pub db: crate::db::DbConfig,
    #[serde(default)]
    pub scan: ScanConfig,
    #[serde(default)]
    pub serve: ServeConfig,
    #[serde(default)]
    pub config: ConfigAuditConfig,
    /// `[admission]`: the webhook's policy (see plimsoll_admission::policy).
    #[serde(default)]
    pub admission: plimsoll_admission::AdmissionConfig,
    /// `[host]`: how `plimsoll host audit` judges a Docker host.
    #[serde(default)]
    pub host: HostAuditConfig,
    /// `[supply_chain]`: what every front shares about where images come from.
    #[serde(default)]
    pub supply_chain: SupplyChainConfig,
    /// `[tags]`: `plimsoll tags check`.
    #[serde(default)]
    pub tags: TagsConfig,
    /// `[[services]]`: what `plimsoll dockerfile inject --env ENV` adds to a
    /// Dockerfile for an environment (P-I1; see plimsoll_inject::Service).
    #[serde(default)]
    pub services: Vec<plimsoll_inject::Service>,
    /// `[licenses]`: the licence policy (P-C9) of `scan` and `sbom --check-licenses`.
    #[serde(default)]
    pub licenses: plimsoll_license::LicenseConfig,
    /// `[environments]`: how lint (DF053) and image audit (IMG017) tell
    /// the environment an image or Dockerfile is built for without `--env`.
    #[serde(default)]
    pub environments: EnvironmentsConfig,
}

/// `[environments]`: which environment an image is for, when `--env` is not given (P-I1).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvironmentsConfig {
    /// The label whose value names the environment (`com.example.environment`):
    /// in a built image's config for `image audit`, in the final stage's
    /// LABELs for `lint`. Injected services are flagged for an environment
    /// no `[[services]]` entry lists.
    pub label: Option<String>,
}

impl Config {
    /// The environment lint and image audit judge injected services for:
    /// `stated` (`--env`), else `[environments] label`'s value.
    pub fn environment(&self, stated: Option<&str>) -> plimsoll_practice::services::Environment {
        plimsoll_practice::services::Environment {
            stated: stated.map(str::to_string),
            label: self.environments.label.clone(),
            with_services: plimsoll_inject::environments_with_services(&self.services),
        }
    }
}

/// `[tags]`: the tagging policy (P-D2) `plimsoll tags check` applies.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TagsConfig {
    /// Whole-tag regular expressions of the team's own scheme, accepted as tags.
    #[serde(default)]
    pub allow: Vec<String>,
    /// The record of each release tag's first digest, kept up to date.
    pub record: Option<PathBuf>,
    /// Lowest severity that makes the exit code 1 (default: low).
    pub fail_on: Option<String>,
}

/// `[supply_chain]`: stated once, used by every front.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SupplyChainConfig {
    /// Registries images may come from (P-D5): `registry.example:5000`,
    /// `*.example.com`, `docker.io`. One list for lint (DF052), config
    /// audit (CFG017), admission and `verify`, added to each section's own.
    #[serde(default)]
    pub trusted_registries: Vec<String>,
}

/// `[host]`: how `plimsoll host audit` judges a Docker host.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostAuditConfig {
    /// Lowest severity that makes the exit code 1 (default: low).
    pub fail_on: Option<String>,
    /// Rule codes (HOST001) or names never reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity overrides by rule code or name.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Users trusted in the `docker` group (rule HOST002); unset: members
    /// are listed for review.
    pub docker_group_allowed: Option<Vec<String>>,
}

/// `[config]`: how `plimsoll config audit` judges run-time configuration.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigAuditConfig {
    /// Lowest severity that makes the exit code 1 (default: info).
    pub fail_on: Option<String>,
    /// Rule codes (CFG001) or names never reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity overrides by rule code or name.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Registries images may come from (rule CFG017); empty: any.
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    /// The Kubernetes version whose Pod Security Standards checks apply
    /// (`v1.29`; default: the newest modelled).
    pub standard_version: Option<String>,
}

/// `[serve]`: `plimsoll serve` and `plimsoll worker`. Flags override it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeConfig {
    /// Address to listen on [default: 127.0.0.1:8080].
    pub listen: Option<String>,
    /// `sqlite:PATH` or `postgres://…` [default: sqlite in the data directory].
    pub database: Option<String>,
    /// Scan workers per process [default: 2].
    pub workers: Option<usize>,
    /// File holding the API token (instead of $PLIMSOLL_TOKEN).
    pub token_file: Option<PathBuf>,
    /// Require the token for the read API and the web page too.
    pub read_requires_token: Option<bool>,
    /// Seconds a worker's claim on a job lasts without renewal [default: 60].
    pub lease_secs: Option<u64>,
    /// Seconds before a failed scan is tried again, doubled each time [default: 5].
    pub retry_backoff_secs: Option<u64>,
    /// Attempts before a scan error is final [default: 3].
    pub max_attempts: Option<i64>,
    /// Registries the server scans from (`host[:port]`, `docker.io`); empty: any.
    #[serde(default)]
    pub registries: Vec<String>,
    /// Serve HTTPS: PEM certificate chain and private key.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Run `db update` on this schedule (`90s`, `30m`, `6h`, `1d`) and re-match
    /// every stored SBOM the new database changes [default: never; a database
    /// replaced by other means is noticed all the same].
    pub db_update_interval: Option<String>,
    /// Read every image again when its result is older than this [default: never].
    pub rescan_interval: Option<String>,
    /// `[[serve.webhook]] url = "…" secret_file = "…"`: receivers of an event
    /// when an image gains a finding at or above the gate (P-E3).
    #[serde(default)]
    pub webhook: Vec<WebhookConfig>,
}

/// One `[[serve.webhook]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// `http://` or `https://` URL receiving POSTed JSON events.
    pub url: String,
    /// File holding the HMAC-SHA256 key that signs each body
    /// (`X-Plimsoll-Signature-256: sha256=<hex>`); none: unsigned.
    pub secret_file: Option<PathBuf>,
}

/// `90`, `90s`, `30m`, `6h`, `1d`: a duration from plimsoll.toml.
pub fn parse_interval(what: &str, text: &str) -> Result<std::time::Duration> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .with_context(|| format!("plimsoll.toml {what} {text:?}: expected a positive number and s, m, h or d (e.g. \"6h\")"))?;
    let secs = match unit.trim() {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => bail!("plimsoll.toml {what} {text:?}: unit {other:?}: expected s, m, h or d"),
    };
    Ok(std::time::Duration::from_secs(n.saturating_mul(secs)))
}

/// `[scan]`: the vulnerability gate of `plimsoll scan`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanConfig {
    /// Lowest vulnerability severity that makes the exit code 1 (default: high).
    pub fail_on: Option<String>,
    /// Count only vulnerabilities that have a fixed version.
    pub ignore_unfixed: Option<bool>,
    /// The severity vulnerabilities of unknown severity count as for
    /// `fail_on` (default: unknown, which only `fail_on = "unknown"` catches).
    pub unknown_as: Option<String>,
    /// A counted vulnerability listed in CISA's KEV catalog fails the gate
    /// whatever its severity (needs the catalog imported: `plimsoll db import`).
    pub fail_on_kev: Option<bool>,
    /// A counted vulnerability whose FIRST EPSS score is at least this (0 to 1)
    /// fails the gate whatever its severity.
    pub fail_on_epss: Option<f64>,
    /// OpenVEX documents to apply (paths relative to where plimsoll runs).
    #[serde(default)]
    pub vex: Vec<PathBuf>,
    /// Ignored vulnerabilities, each with a reason and optionally a package
    /// and an expiry date: `[[scan.ignore]] id = "CVE-…" reason = "…" expires = "2027-01-31"`.
    #[serde(default)]
    pub ignore: Vec<plimsoll_vuln::policy::IgnoreRule>,
}

/// `[lint]`: how `plimsoll lint` reads Dockerfiles.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// Lowest severity that makes the exit code 1 (default: info).
    pub fail_on: Option<String>,
    /// Rule codes (DF001), hadolint codes (DL3008) or names never reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Dockerfile path globs not linted at all.
    #[serde(default)]
    pub ignore_paths: Vec<String>,
    /// Severity overrides by rule code, hadolint code or name.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Opt-in rules to turn on (e.g. the digest-pinning rule).
    #[serde(default)]
    pub enable: Vec<String>,
    /// Registries FROM may pull from (hadolint's trustedRegistries), checked by
    /// rule DF052: `registry.example:5000`, `*.example.com`, `docker.io` for
    /// Docker Hub. Empty: any (and DF052 is off).
    #[serde(default)]
    pub trusted_registries: Vec<String>,
    /// Which code findings are reported under: `plimsoll` (DF001, with hadolint's
    /// code beside it) or `hadolint` (DL3008 where the rule has one, DF001 beside it).
    pub codes: Option<crate::lint::Codes>,
    /// The labels every image must carry, with each value's format (hadolint's
    /// `label-schema`): `version = "semver"`; types text, url, spdx, rfc3339, hash,
    /// semver, email (rules DF082–DF090).
    #[serde(default)]
    pub label_schema: BTreeMap<String, String>,
    /// Only the label schema's labels are allowed (hadolint's `strict-labels`, DF083).
    pub strict_labels: Option<bool>,
}

/// hadolint's `.hadolint.yaml`, so a hadolint user switches without edits.
/// Keys plimsoll has no use for (output format, colours) are accepted and
/// ignored, as hadolint ignores what it does not know.
#[derive(Debug, Default, Deserialize)]
pub struct HadolintConfig {
    #[serde(default)]
    pub ignored: Vec<String>,
    #[serde(default, rename = "override")]
    pub overrides: HadolintOverrides,
    #[serde(default, rename = "trustedRegistries")]
    pub trusted_registries: Vec<String>,
    #[serde(default, rename = "failure-threshold")]
    pub failure_threshold: Option<String>,
    #[serde(default, rename = "no-fail")]
    pub no_fail: Option<bool>,
    #[serde(default, rename = "label-schema")]
    pub label_schema: BTreeMap<String, String>,
    #[serde(default, rename = "strict-labels")]
    pub strict_labels: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct HadolintOverrides {
    #[serde(default)]
    pub error: Vec<String>,
    #[serde(default)]
    pub warning: Vec<String>,
    #[serde(default)]
    pub info: Vec<String>,
    #[serde(default)]
    pub style: Vec<String>,
}

impl HadolintConfig {
    /// `.hadolint.yaml` or `.hadolint.yml` in the current directory, if any.
    pub fn load_default() -> Result<Option<(PathBuf, HadolintConfig)>> {
        for name in [".hadolint.yaml", ".hadolint.yml"] {
            let p = PathBuf::from(name);
            if p.is_file() {
                return HadolintConfig::load(&p).map(|c| Some((p, c)));
            }
        }
        Ok(None)
    }

    pub fn load(path: &Path) -> Result<HadolintConfig> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        if text.trim().is_empty() {
            return Ok(HadolintConfig::default());
        }
        serde_saphyr::from_str(&text)
            .with_context(|| format!("invalid hadolint config {}", path.display()))
    }

    /// hadolint's severities in plimsoll's words: error, warning, info and
    /// style become high, medium, low and info.
    pub fn severity_word(hadolint: &str) -> Option<&'static str> {
        Some(match hadolint {
            "error" => "high",
            "warning" => "medium",
            "info" => "low",
            "style" => "info",
            _ => return None,
        })
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditConfig {
    /// Lowest severity that makes the exit code 1.
    pub fail_on: Option<String>,
    /// Rule codes or names never reported.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Path globs (in the image) never reported, for any rule.
    #[serde(default)]
    pub ignore_paths: Vec<String>,
    /// Path globs ignored for one rule.
    #[serde(default)]
    pub ignore_rule_paths: Vec<RulePaths>,
    /// Severity overrides by rule code or name.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    /// Approved base images (P-D3), any reference form.
    #[serde(default)]
    pub approved_bases: Vec<String>,
    pub min_efficiency: Option<f64>,
    pub max_wasted_ratio: Option<f64>,
    pub max_wasted_bytes: Option<ByteSize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePaths {
    pub rule: String,
    pub paths: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    pub max_uncompressed_bytes: Option<ByteSize>,
    pub threads: Option<usize>,
    pub cache_dir: Option<PathBuf>,
    pub timeout_secs: Option<u64>,
    #[serde(default)]
    pub insecure_registries: Vec<String>,
}

/// A byte count written as a number or a string with a K/M/G/T suffix
/// (binary units): `1048576`, `"512M"`, `"64G"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteSize(pub u64);

impl std::str::FromStr for ByteSize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let (num, mult) = match t.char_indices().find(|(_, c)| c.is_ascii_alphabetic()) {
            Some((i, _)) => {
                let unit = t[i..].to_ascii_uppercase();
                let m: u64 = match unit.trim_end_matches("IB").trim_end_matches('B') {
                    "" => 1,
                    "K" => 1 << 10,
                    "M" => 1 << 20,
                    "G" => 1 << 30,
                    "T" => 1 << 40,
                    _ => return Err(format!("unknown size unit in '{s}' (use K, M, G or T)")),
                };
                (&t[..i], m)
            }
            None => (t, 1),
        };
        let n: u64 = num
            .trim()
            .parse()
            .map_err(|_| format!("invalid size '{s}' (e.g. 1048576, 512M, 64G)"))?;
        n.checked_mul(mult)
            .map(ByteSize)
            .ok_or_else(|| format!("size '{s}' is too large"))
    }
}

impl<'de> Deserialize<'de> for ByteSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u64),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(ByteSize(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

impl Config {
    /// Reads `path`, or `./plimsoll.toml` when no path is given and it exists.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let path = match path {
            Some(p) => {
                if !p.is_file() {
                    bail!("config file {} does not exist", p.display());
                }
                p.to_path_buf()
            }
            None => {
                let p = PathBuf::from("plimsoll.toml");
                if !p.is_file() {
                    return Ok(Config::default());
                }
                p
            }
        };
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("reading config file {}", path.display()))?;
        let mut c: Config = toml::from_str(&text)
            .with_context(|| format!("invalid config file {}", path.display()))?;
        c.share_supply_chain();
        Ok(c)
    }

    /// `[supply_chain] trusted_registries` added to each front's own list.
    fn share_supply_chain(&mut self) {
        for list in [
            &mut self.lint.trusted_registries,
            &mut self.config.trusted_registries,
            &mut self.admission.trusted_registries,
        ] {
            for r in &self.supply_chain.trusted_registries {
                if !list.contains(r) {
                    list.push(r.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supply_chain_registries_reach_every_front() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("plimsoll.toml");
        std::fs::write(
            &p,
            "[supply_chain]\ntrusted_registries = [\"registry.corp:5000\", \"*.corp\"]\n\
             [lint]\ntrusted_registries = [\"docker.io\", \"*.corp\"]\n",
        )
        .unwrap();
        let c = Config::load(Some(&p)).unwrap();
        assert_eq!(
            c.lint.trusted_registries,
            ["docker.io", "*.corp", "registry.corp:5000"]
        );
        assert_eq!(
            c.config.trusted_registries,
            ["registry.corp:5000", "*.corp"]
        );
        assert_eq!(c.admission.trusted_registries, c.config.trusted_registries);
    }

    #[test]
    fn parses_intervals_and_webhooks() {
        let secs = |t: &str| parse_interval("x", t).map(|d| d.as_secs());
        assert_eq!(secs("90").unwrap(), 90);
        assert_eq!(secs("30m").unwrap(), 1800);
        assert_eq!(secs(" 6h ").unwrap(), 21_600);
        assert_eq!(secs("1d").unwrap(), 86_400);
        for bad in ["", "0", "h", "5w", "-1h", "1.5h"] {
            let e = secs(bad).unwrap_err().to_string();
            assert!(e.contains("plimsoll.toml x"), "{bad}: {e}");
        }
        let c: Config = toml::from_str(
            r#"
            [serve]
            db_update_interval = "6h"
            [[serve.webhook]]
            url = "https://ci.internal/hook"
            secret_file = "/run/secrets/hook"
            [[serve.webhook]]
            url = "http://127.0.0.1:9/b"
            "#,
        )
        .unwrap();
        assert_eq!(c.serve.webhook.len(), 2);
        assert_eq!(c.serve.webhook[1].secret_file, None);
        assert!(
            toml::from_str::<Config>("[[serve.webhook]]\nurl = \"x\"\nsecret = \"inline\"")
                .is_err(),
            "secrets come from files, never inline"
        );
    }

    #[test]
    fn parses_sizes() {
        assert_eq!("1024".parse::<ByteSize>().unwrap().0, 1024);
        assert_eq!("512M".parse::<ByteSize>().unwrap().0, 512 << 20);
        assert_eq!("64GiB".parse::<ByteSize>().unwrap().0, 64 << 30);
        assert!("12Q".parse::<ByteSize>().is_err());
    }

    #[test]
    fn parses_a_full_config() {
        let c: Config = toml::from_str(
            r#"
            [audit]
            fail_on = "medium"
            ignore = ["IMG012"]
            ignore_paths = ["/usr/share/**"]
            approved_bases = ["oci:/bases/debian:12"]
            min_efficiency = 0.95
            max_wasted_bytes = "20M"
            [[audit.ignore_rule_paths]]
            rule = "IMG002"
            paths = ["/usr/bin/passwd"]
            [audit.severity]
            IMG015 = "low"
            [engine]
            max_uncompressed_bytes = "8G"
            threads = 2
            "#,
        )
        .unwrap();
        assert_eq!(c.audit.max_wasted_bytes, Some(ByteSize(20 << 20)));
        assert_eq!(c.engine.max_uncompressed_bytes, Some(ByteSize(8 << 30)));
        assert_eq!(c.audit.ignore_rule_paths[0].rule, "IMG002");
    }

    #[test]
    fn reads_hadolint_configs() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join(".hadolint.yaml");
        std::fs::write(
            &p,
            "ignored:\n  - DL3008\n  - DL3018\noverride:\n  error:\n    - DL3015\n  style: [DL4006]\n\
             trustedRegistries:\n  - docker.io\n  - my-company.com:5000\nfailure-threshold: warning\nlabel-schema:\n  author: text\n",
        )
        .unwrap();
        let c = HadolintConfig::load(&p).unwrap();
        assert_eq!(c.ignored, ["DL3008", "DL3018"]);
        assert_eq!(c.overrides.error, ["DL3015"]);
        assert_eq!(c.overrides.style, ["DL4006"]);
        assert_eq!(c.trusted_registries.len(), 2);
        assert_eq!(c.failure_threshold.as_deref(), Some("warning"));
        std::fs::write(&p, "ignored: [unclosed\n").unwrap();
        assert!(HadolintConfig::load(&p).is_err());
    }

    #[test]
    fn parses_services() {
        let c: Config = toml::from_str(
            r#"
            [[services]]
            name = "jacoco"
            environments = ["test"]
            copy = [{ from = "registry.example/jacoco@sha256:00", src = "/a.jar", dst = "/opt/a.jar", chown = "0:0" }]
            env = [{ name = "JAVA_TOOL_OPTIONS", append = "-javaagent:/opt/a.jar" }]
            labels = { "org.example.k" = "v" }
            expose = ["6300/tcp"]
            "#,
        )
        .unwrap();
        assert_eq!(c.services.len(), 1);
        assert_eq!(c.services[0].copy[0].chown.as_deref(), Some("0:0"));
        assert!(
            toml::from_str::<Config>(
                "[[services]]\nname = \"x\"\nenv = [{ name = \"A\", add = \"b\" }]\n"
            )
            .is_err()
        );
    }

    #[test]
    fn rejects_unknown_keys() {
        assert!(toml::from_str::<Config>("[audit]\nfail-on = 'x'\n").is_err());
    }
}
