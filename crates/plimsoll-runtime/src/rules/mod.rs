//! One rule per file. Codes are stable: never renumber, never reuse.

mod below_pod_security_standard;
mod capabilities_not_dropped;
mod dangerous_capabilities;
mod host_namespaces;
mod image_latest_tag;
mod image_without_digest;
mod no_resource_limits;
mod no_seccomp_profile;
mod privilege_escalation;
mod privileged;
mod privileged_host_port;
mod runs_as_root;
mod sensitive_host_mount;
mod ssh_server;
mod unbounded_restarts;
mod unconfined_profile;
mod untrusted_registry;
mod writable_root_filesystem;

pub use below_pod_security_standard::BelowPodSecurityStandard;
pub use capabilities_not_dropped::CapabilitiesNotDropped;
pub use dangerous_capabilities::DangerousCapabilities;
pub use host_namespaces::HostNamespaces;
pub use image_latest_tag::ImageLatestTag;
pub use image_without_digest::ImageWithoutDigest;
pub use no_resource_limits::NoResourceLimits;
pub use no_seccomp_profile::NoSeccompProfile;
pub use privilege_escalation::PrivilegeEscalation;
pub use privileged::Privileged;
pub use privileged_host_port::PrivilegedHostPort;
pub use runs_as_root::RunsAsRoot;
pub use sensitive_host_mount::SensitiveHostMount;
pub use ssh_server::SshServer;
pub use unbounded_restarts::UnboundedRestarts;
pub use unconfined_profile::UnconfinedProfile;
pub use untrusted_registry::UntrustedRegistry;
pub use writable_root_filesystem::WritableRootFilesystem;

use crate::Rule;
use crate::model::{Container, Field, Place, SecurityContext, Workload};

/// The registry: every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &Privileged,
    &HostNamespaces,
    &CapabilitiesNotDropped,
    &DangerousCapabilities,
    &WritableRootFilesystem,
    &UnconfinedProfile,
    &NoSeccompProfile,
    &SensitiveHostMount,
    &SshServer,
    &PrivilegedHostPort,
    &UnboundedRestarts,
    &NoResourceLimits,
    &RunsAsRoot,
    &PrivilegeEscalation,
    &ImageWithoutDigest,
    &ImageLatestTag,
    &UntrustedRegistry,
    &BelowPodSecurityStandard,
];

/// Where a finding about a missing container security setting points: the
/// container's `securityContext` if written, else the container.
pub(crate) fn security_place(c: &Container) -> Place {
    c.security.place.clone().unwrap_or_else(|| c.place.clone())
}

/// A pod-level setting a container may override (`runAsUser`,
/// `runAsNonRoot`, `seccompProfile`): the container's value, else the pod's.
pub(crate) fn effective<'a, T>(
    w: &'a Workload,
    c: &'a Container,
    get: impl Fn(&'a SecurityContext) -> &'a Option<Field<T>>,
) -> Option<&'a Field<T>> {
    get(&c.security).as_ref().or(get(&w.pod.security).as_ref())
}

/// The image references of every container with a value.
pub(crate) fn images(w: &Workload) -> impl Iterator<Item = (&Container, &Field<String>)> {
    w.containers()
        .filter_map(|c| Some((c, c.image.as_ref()?)))
        .filter(|(_, i)| !i.value.trim().is_empty())
}

#[cfg(test)]
pub(crate) mod testing {
    use crate::{AuditOptions, audit, kubernetes::read_manifests};

    /// `line:col message` of each finding of `code` on `yaml`.
    pub fn run_with(code: &str, yaml: &str, options: &AuditOptions) -> String {
        let m = read_manifests("t.yaml", yaml).unwrap();
        audit(&m.workloads, options)
            .iter()
            .filter(|f| f.code == code)
            .map(|f| {
                format!(
                    "{}:{} {}\n",
                    f.location.line.unwrap_or(0),
                    f.location.column.unwrap_or(0),
                    f.message
                )
            })
            .collect()
    }

    pub fn run(code: &str, yaml: &str) -> String {
        run_with(code, yaml, &AuditOptions::default())
    }

    /// A Pod named `p` with `spec` (indented as under `spec:`).
    pub fn pod(spec: &str) -> String {
        format!("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n{spec}")
    }
}
