//! How a run-time configuration rule is declared: a unit struct whose doc
//! comment is its documentation, with code, name, practice and default
//! severity beside it (as the image rules are), and the finding builder
//! that points at `file:line:col`, the object and the container.

use plimsoll_report::{Finding, RuleInfo};

use crate::model::{Container, Place, Workload};

/// What a rule is given: one workload and the user's options.
pub struct RuleContext<'a> {
    pub workload: &'a Workload,
    pub options: &'a AuditOptions,
}

/// What the user configures beyond ignores and severities.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Registries images may come from (P-D5): `registry.example:5000`,
    /// `*.example.com`, `docker.io`. Empty: any (and the rule is off).
    pub trusted_registries: Vec<String>,
    /// The Pod Security Standards level every workload must meet (`--standard`).
    pub standard: Option<crate::pss::Level>,
    /// The Kubernetes minor version whose Pod Security Standards checks
    /// apply (`--standard-version v1.29`); None: the newest modelled.
    pub standard_version: Option<u32>,
    /// What is known of images' default users (from their stored scans),
    /// by image reference as written in the workload: where a container
    /// sets no user, the image's decides (P-F11).
    pub image_users: std::collections::BTreeMap<String, ImageUser>,
}

/// An image's default user, as its scan found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUser {
    /// The config's `User` as written (empty: unset).
    pub user: String,
    /// Whether it is root; false only for a user resolved to a non-zero uid.
    pub root: bool,
}

impl AuditOptions {
    /// The Kubernetes minor version the Pod Security Standards are judged at.
    pub fn pss_minor(&self) -> u32 {
        self.standard_version.unwrap_or(crate::pss::LATEST_MINOR)
    }

    /// The known default user of container `c`'s image.
    pub fn image_user(&self, c: &Container) -> Option<&ImageUser> {
        let image = c.image.as_ref()?;
        self.image_users.get(image.value.trim())
    }
}

/// A check on one workload.
pub trait Rule: Sync {
    fn info(&self) -> &'static RuleInfo;
    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>);
}

pub use plimsoll_report::declare_rule;

impl RuleContext<'_> {
    /// The containers Linux settings apply to: none in a Windows pod.
    pub fn linux_containers(&self) -> impl Iterator<Item = &Container> {
        let linux = !self.workload.pod.is_windows();
        self.workload.containers().filter(move |_| linux)
    }

    /// `kubernetes` for a Kubernetes workload, `docker` for a Compose
    /// service or a `docker run` command line: how a rule words its help
    /// and messages for the platform.
    pub fn say<'a>(&self, kubernetes: &'a str, docker: &'a str) -> &'a str {
        if self.workload.platform.is_docker() {
            docker
        } else {
            kubernetes
        }
    }

    /// A finding of `rule` at `place` in the workload (in `container`, if
    /// about one): the message names the object and the container; the
    /// location is the file, line, column and `Kind/ns/name field.path`.
    pub fn finding(
        &self,
        rule: &RuleInfo,
        container: Option<&Container>,
        place: &Place,
        message: impl AsRef<str>,
    ) -> Finding {
        finding_at(rule, self.workload, container, place, message.as_ref())
    }
}

/// See [`RuleContext::finding`].
pub fn finding_at(
    rule: &RuleInfo,
    w: &Workload,
    container: Option<&Container>,
    place: &Place,
    message: &str,
) -> Finding {
    let who = match container {
        Some(c) => format!("{} {}", w.object(), c.label()),
        None => w.object(),
    };
    let field = if place.path.is_empty() {
        w.object()
    } else {
        format!("{} {}", w.object(), place.path)
    };
    let file = place.file.as_deref().unwrap_or(&w.file);
    Finding::new(rule, format!("{who}: {message}"))
        .at_path(file.to_string())
        .at_line(Some(place.pos.line))
        .at_column(Some(place.pos.column))
        .at_field(field)
}
