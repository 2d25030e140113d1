//! container-structure-test's configuration, schema 2.0.0, read unchanged:
//! the same keys (unknown keys are errors, as its strict YAML decoding makes
//! them), the same defaults (`shouldExist: true`, uid and gid unchecked).

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::{self, IgnoredAny, Visitor};
use serde::{Deserialize, Deserializer};

use crate::StructureError;

/// The only schema version container-structure-test reads today.
pub const SCHEMA_VERSION: &str = "2.0.0";

/// One configuration file, parsed and checked (regexes compiled, names and
/// paths present).
#[derive(Debug, Clone)]
pub struct TestConfig {
    /// The file as the user named it (shown in reports and errors).
    pub file: String,
    pub spec: Spec,
}

/// A scalar read as text: YAML `8080`, `true` and `"8080"` alike, as Go's
/// YAML decoder fills a string field from any scalar.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or another scalar")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<Text, E> {
                Ok(Text(String::new()))
            }
        }
        d.deserialize_any(V)
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

/// The whole file (`StructureTest` of schema 2.0.0).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    pub schema_version: Text,
    #[serde(default, deserialize_with = "null_default")]
    pub global_env_vars: Vec<EnvVar>,
    #[serde(default, deserialize_with = "null_default")]
    pub command_tests: Vec<CommandTest>,
    #[serde(default, deserialize_with = "null_default")]
    pub file_existence_tests: Vec<FileExistenceTest>,
    #[serde(default, deserialize_with = "null_default")]
    pub file_content_tests: Vec<FileContentTest>,
    #[serde(default, deserialize_with = "null_default")]
    pub metadata_test: MetadataTest,
    #[serde(default, deserialize_with = "null_default")]
    pub license_tests: Vec<LicenseTest>,
    /// Options of the container that command tests run in: read, unused.
    #[serde(default)]
    pub container_run_options: Option<IgnoredAny>,
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `key`/`value` (Go's default field names), optionally a regex.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvVar {
    pub key: Text,
    #[serde(default)]
    pub value: Text,
    #[serde(default, rename = "isRegex")]
    pub is_regex: bool,
}

/// A command test: needs a container runtime, so it is reported as skipped.
#[derive(Debug, Clone, Deserialize)]
pub struct CommandTest {
    #[serde(default)]
    pub name: Text,
    #[serde(flatten)]
    pub rest: BTreeMap<String, IgnoredAny>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileExistenceTest {
    #[serde(default)]
    pub name: Text,
    #[serde(default)]
    pub path: Text,
    #[serde(default = "yes")]
    pub should_exist: bool,
    #[serde(default)]
    pub permissions: Text,
    /// None (or -1, container-structure-test's "unset"): not checked.
    #[serde(default)]
    pub uid: Option<i64>,
    #[serde(default)]
    pub gid: Option<i64>,
    #[serde(default)]
    pub is_executable_by: Text,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct FileContentTest {
    #[serde(default)]
    pub name: Text,
    #[serde(default)]
    pub path: Text,
    #[serde(default, deserialize_with = "null_default")]
    pub expected_contents: Vec<Text>,
    #[serde(default, deserialize_with = "null_default")]
    pub excluded_contents: Vec<Text>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct MetadataTest {
    #[serde(default, deserialize_with = "null_default")]
    pub env_vars: Vec<EnvVar>,
    #[serde(default, deserialize_with = "null_default")]
    pub unbound_env_vars: Vec<EnvVar>,
    #[serde(default, deserialize_with = "null_default")]
    pub exposed_ports: Vec<Text>,
    #[serde(default, deserialize_with = "null_default")]
    pub unexposed_ports: Vec<Text>,
    #[serde(default)]
    pub entrypoint: Option<Vec<Text>>,
    #[serde(default)]
    pub cmd: Option<Vec<Text>>,
    #[serde(default)]
    pub workdir: Text,
    #[serde(default, deserialize_with = "null_default")]
    pub volumes: Vec<Text>,
    #[serde(default, deserialize_with = "null_default")]
    pub unmounted_volumes: Vec<Text>,
    #[serde(default, deserialize_with = "null_default")]
    pub labels: Vec<EnvVar>,
    #[serde(default)]
    pub user: Text,
}

impl MetadataTest {
    /// Nothing to check: container-structure-test runs no metadata test then.
    pub fn is_empty(&self) -> bool {
        self.env_vars.is_empty()
            && self.unbound_env_vars.is_empty()
            && self.exposed_ports.is_empty()
            && self.unexposed_ports.is_empty()
            && self.entrypoint.is_none()
            && self.cmd.is_none()
            && self.workdir.is_empty()
            && self.user.is_empty()
            && self.volumes.is_empty()
            && self.unmounted_volumes.is_empty()
            && self.labels.is_empty()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LicenseTest {
    #[serde(default)]
    pub debian: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub files: Vec<Text>,
}

/// Reads and checks a configuration file (YAML, or JSON when it ends in `.json`).
pub fn load(path: &Path) -> Result<TestConfig, StructureError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| StructureError::Read {
        file: file.clone(),
        source: e,
    })?;
    parse(&file, &text)
}

/// Parses and checks configuration `text` read from `file`.
pub fn parse(file: &str, text: &str) -> Result<TestConfig, StructureError> {
    let bad = |why: String| StructureError::Config {
        file: file.to_string(),
        why,
    };
    // The version first, so that another schema is named as such rather
    // than as a list of unknown keys.
    let value: serde_json::Value = if file.ends_with(".json") {
        serde_json::from_str(text).map_err(|e| bad(e.to_string()))?
    } else {
        serde_saphyr::from_str(text).map_err(|e| bad(e.to_string()))?
    };
    let Some(map) = value.as_object() else {
        return Err(bad(
            "not a mapping of schemaVersion, fileExistenceTests, …".into()
        ));
    };
    let version = match map.get("schemaVersion") {
        None | Some(serde_json::Value::Null) => {
            return Err(bad(format!(
                "no schemaVersion (container-structure-test's schema \"{SCHEMA_VERSION}\" is read)"
            )));
        }
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    };
    if version != SCHEMA_VERSION {
        return Err(bad(format!(
            "unsupported schemaVersion \"{version}\": only \"{SCHEMA_VERSION}\" is read"
        )));
    }
    let spec: Spec = if file.ends_with(".json") {
        serde_json::from_str(text).map_err(|e| bad(e.to_string()))?
    } else {
        serde_saphyr::from_str(text).map_err(|e| bad(e.to_string()))?
    };
    validate(&spec).map_err(bad)?;
    Ok(TestConfig {
        file: file.to_string(),
        spec,
    })
}

/// What container-structure-test's `Validate` refuses, plus regexes that do
/// not compile and unknown `isExecutableBy` values (which it reports as
/// failures at run time): errors of the file here.
fn validate(spec: &Spec) -> Result<(), String> {
    let regex = |what: &str, pattern: &str| -> Result<(), String> {
        crate::check::compile(pattern)
            .map(|_| ())
            .map_err(|e| format!("{what}: bad regex '{pattern}': {e}"))
    };
    for (i, t) in spec.file_existence_tests.iter().enumerate() {
        let what = test_label("fileExistenceTests", i, &t.name);
        if t.name.is_empty() {
            return Err(format!("{what}: no name"));
        }
        if t.path.is_empty() {
            return Err(format!("{what}: no path"));
        }
        if !matches!(
            &*t.is_executable_by,
            "" | "any" | "owner" | "group" | "other"
        ) {
            return Err(format!(
                "{what}: isExecutableBy '{}' is none of any, owner, group, other",
                &*t.is_executable_by
            ));
        }
    }
    for (i, t) in spec.file_content_tests.iter().enumerate() {
        let what = test_label("fileContentTests", i, &t.name);
        if t.name.is_empty() {
            return Err(format!("{what}: no name"));
        }
        if t.path.is_empty() {
            return Err(format!("{what}: no path"));
        }
        for p in t.expected_contents.iter().chain(&t.excluded_contents) {
            regex(&what, p)?;
        }
    }
    for (i, t) in spec.command_tests.iter().enumerate() {
        if t.name.is_empty() {
            return Err(format!(
                "{}: no name",
                test_label("commandTests", i, &t.name)
            ));
        }
    }
    let m = &spec.metadata_test;
    for e in m.env_vars.iter().chain(&m.unbound_env_vars) {
        if e.key.is_empty() {
            return Err("metadataTest: an environment variable with an empty key".into());
        }
        if e.is_regex {
            regex(&format!("metadataTest env {}", &*e.key), &e.value)?;
        }
    }
    for l in &m.labels {
        if l.key.is_empty() {
            return Err("metadataTest: a label with an empty key".into());
        }
        if l.is_regex {
            regex(&format!("metadataTest label {}", &*l.key), &l.value)?;
        }
    }
    if m.exposed_ports.iter().any(|p| p.is_empty()) {
        return Err("metadataTest: an empty port".into());
    }
    if m.volumes.iter().any(|v| v.is_empty()) {
        return Err("metadataTest: an empty volume".into());
    }
    for e in &spec.global_env_vars {
        if e.key.is_empty() {
            return Err("globalEnvVars: an empty key".into());
        }
    }
    Ok(())
}

fn test_label(list: &str, i: usize, name: &str) -> String {
    if name.is_empty() {
        format!("{list}[{i}]")
    } else {
        format!("{list}[{i}] '{name}'")
    }
}
