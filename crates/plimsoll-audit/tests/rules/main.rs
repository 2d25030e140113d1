//! Every image rule on small real images: each module, named after its
//! rule, builds images with `plimsoll_testkit`, scans them with the audit's
//! analysers and runs the rules through the library, as `plimsoll image
//! audit` does. Each rule has cases that fire and near misses that must not.

mod attacker_tool;
mod download_at_startup;
mod download_piped_to_shell;
mod injected_service_in_production;
mod moving_tag;
mod no_healthcheck;
mod privileged_port;
mod process_supervisor;
mod runs_as_root;
mod secret_in_config;
mod secret_in_file;
mod setuid_setgid_file;
mod shell_form_command;
mod ssh_server;
mod unapproved_base;
mod wasted_bytes;
mod writable_path_binary;

use plimsoll_audit::{ApprovedBase, AuditContext, AuditFacts, AuditSettings};
use plimsoll_report::Finding;
use plimsoll_testkit::{
    BuiltImage, Compression, ImageSpec, Item, Layer, dir, file, file_mode, symlink,
};
use serde_json::{Value, json};

/// The passwd of [`base_layer`]: root and `app` (10001).
pub const PASSWD: &str = "root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/app:/bin/sh\n";

/// A small Debian-like root filesystem: users, os-release, `/usr/bin/env`
/// and the merged-/usr `bin -> usr/bin` link.
pub fn base_layer() -> Layer {
    Layer::new(
        &[
            dir("etc"),
            file("etc/passwd", PASSWD),
            file("etc/group", "root:x:0:\napp:x:10001:\n"),
            file("etc/os-release", "ID=debian\nVERSION_ID=\"12\"\n"),
            dir("usr"),
            dir("usr/bin"),
            file_mode("usr/bin/env", b"\x7fELF-not-really", 0o755, 0),
            symlink("bin", "usr/bin"),
        ],
        Compression::Gzip,
    )
    .created_by("ADD rootfs.tar /")
}

/// A run config that breaks no rule: a numeric non-root user, an exec-form
/// command and a health check.
pub fn clean_config() -> Value {
    json!({
        "User": "10001",
        "Cmd": ["/app/server"],
        "Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
        "Healthcheck": {"Test": ["CMD", "/app/server", "--health"]},
    })
}

/// [`base_layer`] plus one layer of `items`, with [`clean_config`].
pub fn image_with(items: &[Item]) -> ImageSpec {
    let app = Layer::new(items, Compression::Gzip).created_by("COPY app /app");
    ImageSpec::new(vec![base_layer(), app]).config(clean_config())
}

/// [`clean_config`] with the keys of `changes` replaced (a `null` removes one).
pub fn config_with(changes: Value) -> Value {
    let mut config = clean_config();
    for (k, v) in changes.as_object().expect("an object") {
        if v.is_null() {
            config.as_object_mut().unwrap().remove(k);
        } else {
            config[k] = v.clone();
        }
    }
    config
}

/// A clean image whose run config has `changes` ([`config_with`]).
pub fn image_configured(changes: Value) -> ImageSpec {
    image_with(&[dir("app"), file_mode("app/server", b"bin", 0o755, 0)])
        .config(config_with(changes))
}

/// One audit run, set up the way `plimsoll image audit` sets it up.
pub struct Audit {
    spec: ImageSpec,
    tag: Option<String>,
    pinned_by_digest: bool,
    settings: AuditSettings,
    approved_bases: Option<Vec<ApprovedBase>>,
}

impl Audit {
    /// `spec`, found under the immutable-looking tag `1.0`, default settings,
    /// no approved bases.
    pub fn new(spec: ImageSpec) -> Self {
        Audit {
            spec,
            tag: Some("1.0".into()),
            pinned_by_digest: false,
            settings: AuditSettings::default(),
            approved_bases: None,
        }
    }

    /// The tag the image was found by; None: no tag at all.
    pub fn tag(mut self, tag: Option<&str>) -> Self {
        self.tag = tag.map(str::to_string);
        self
    }

    /// As if the user named the image `repo@sha256:…`.
    pub fn pinned_by_digest(mut self) -> Self {
        self.pinned_by_digest = true;
        self
    }

    pub fn settings(mut self, settings: AuditSettings) -> Self {
        self.settings = settings;
        self
    }

    /// Approved bases given as (reference, layer diff_ids).
    pub fn approved_bases(mut self, bases: &[(&str, Vec<String>)]) -> Self {
        self.approved_bases = Some(
            bases
                .iter()
                .map(|(reference, diff_ids)| ApprovedBase {
                    reference: reference.to_string(),
                    diff_ids: diff_ids.clone(),
                })
                .collect(),
        );
        self
    }

    /// Every finding of every rule, in the audit's order.
    pub fn run(&self) -> Vec<Finding> {
        self.run_with_image().1
    }

    /// The image as resolved (its digests, for locations) and the findings.
    pub fn run_with_image(&self) -> (BuiltImage, Vec<Finding>) {
        let mut built = BuiltImage::new(&self.spec, self.tag.as_deref().unwrap_or("t"));
        // A layout always names its images; an untagged reference is a
        // registry image named without a tag, which resolves to no tag.
        built.image.tag = self.tag.clone();
        let scan = built.scan(plimsoll_audit::register_analyzers);
        let facts = AuditFacts::from_scan(&scan).expect("audit facts");
        let ctx = AuditContext {
            image: &built.image,
            pinned_by_digest: self.pinned_by_digest,
            tree: &facts.tree,
            secrets: &facts.secrets,
            config_files: &facts.config_files,
            settings: &self.settings,
            approved_bases: self.approved_bases.as_deref(),
        };
        let findings = plimsoll_audit::audit(&ctx).expect("the audit runs");
        (built, findings)
    }

    /// The findings of rule `code` only.
    pub fn findings(&self, code: &str) -> Vec<Finding> {
        only(code, self.run())
    }
}

/// The findings of rule `code` among `findings`.
pub fn only(code: &str, findings: Vec<Finding>) -> Vec<Finding> {
    findings.into_iter().filter(|f| f.code == code).collect()
}

/// The findings of rule `code` on `spec` with default settings.
pub fn findings(code: &str, spec: ImageSpec) -> Vec<Finding> {
    Audit::new(spec).findings(code)
}

/// The one finding of rule `code` on `spec`; panics when there are none or several.
pub fn one(code: &str, spec: ImageSpec) -> Finding {
    let mut found = findings(code, spec);
    assert_eq!(found.len(), 1, "one {code} finding expected: {found:#?}");
    found.remove(0)
}

/// Asserts that rule `code` stays silent on `spec`.
#[track_caller]
pub fn silent(code: &str, spec: ImageSpec) {
    let found = findings(code, spec);
    assert!(found.is_empty(), "{code} must not fire: {found:#?}");
}

#[test]
fn the_clean_image_has_no_finding() {
    let found = Audit::new(image_configured(json!({}))).run();
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn every_registered_rule_has_a_test_module_here() {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    for rule in plimsoll_audit::all_rules() {
        let module = here.join(format!("{}.rs", rule.info().name.replace('-', "_")));
        assert!(
            module.is_file(),
            "{} {} has no test module {}",
            rule.info().code,
            rule.info().name,
            module.display()
        );
    }
}
