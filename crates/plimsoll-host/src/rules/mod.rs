//! One rule per file. Codes are stable: never renumber, never reuse.
//! Each rule answers the CIS Docker Benchmark checks it lists.

mod aufs_storage_driver;
mod base_device_size;
mod cgroup_parent;
mod content_trust_off;
mod data_root_partition;
mod docker_group_members;
mod experimental_enabled;
mod file_ownership;
mod file_permissions;
pub(crate) mod file_table;
mod icc_enabled;
mod insecure_registry;
mod iptables_disabled;
mod log_level;
mod missing_audit_rule;
mod new_privileges_allowed;
mod no_authorization_plugin;
mod no_default_ulimit;
mod no_live_restore;
mod no_remote_logging;
mod no_userns_remap;
mod seccomp_profile;
mod tcp_without_tls;
mod userland_proxy;

pub use aufs_storage_driver::AufsStorageDriver;
pub use base_device_size::BaseDeviceSize;
pub use cgroup_parent::CgroupParent;
pub use content_trust_off::ContentTrustOff;
pub use data_root_partition::DataRootPartition;
pub use docker_group_members::DockerGroupMembers;
pub use experimental_enabled::ExperimentalEnabled;
pub use file_ownership::FileOwnership;
pub use file_permissions::{FilePermissions, beyond};
pub use icc_enabled::IccEnabled;
pub use insecure_registry::InsecureRegistry;
pub use iptables_disabled::IptablesDisabled;
pub use log_level::LogLevel;
pub use missing_audit_rule::{MissingAuditRule, Watch, watches};
pub use new_privileges_allowed::NewPrivilegesAllowed;
pub use no_authorization_plugin::NoAuthorizationPlugin;
pub use no_default_ulimit::NoDefaultUlimit;
pub use no_live_restore::NoLiveRestore;
pub use no_remote_logging::NoRemoteLogging;
pub use no_userns_remap::NoUsernsRemap;
pub use seccomp_profile::SeccompProfile;
pub use tcp_without_tls::TcpWithoutTls;
pub use userland_proxy::UserlandProxy;

use crate::Rule;
use crate::host::Host;

/// The registry: every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &DataRootPartition,
    &DockerGroupMembers,
    &MissingAuditRule,
    &IccEnabled,
    &LogLevel,
    &IptablesDisabled,
    &InsecureRegistry,
    &AufsStorageDriver,
    &TcpWithoutTls,
    &NoDefaultUlimit,
    &NoUsernsRemap,
    &CgroupParent,
    &BaseDeviceSize,
    &NoAuthorizationPlugin,
    &NoRemoteLogging,
    &NewPrivilegesAllowed,
    &NoLiveRestore,
    &UserlandProxy,
    &SeccompProfile,
    &ExperimentalEnabled,
    &FileOwnership,
    &FilePermissions,
    &ContentTrustOff,
];

/// Why daemon settings cannot be judged: no `daemon.json`, no `dockerd`
/// command line (process or unit) and no live daemon. Dockerd's defaults
/// would apply, but nothing says a daemon is installed at all.
pub(crate) fn daemon_unknown(host: &Host) -> Option<String> {
    let d = &host.daemon;
    if d.config.is_some() || d.command_line.is_some() || host.live().is_some() {
        return None;
    }
    Some(format!(
        "cannot tell: no {}, no dockerd process or docker.service under the root, and {}",
        d.config_path,
        host.no_live()
    ))
}
