//! The run-time model every front (Kubernetes now; Compose, `docker run`
//! and the admission webhook later) reads its input into, and every rule
//! judges: a [`Workload`] with pod-level settings and its [`Container`]s.
//! Every value keeps where it was written ([`Field`]): the file of the
//! workload, the line and column, and the path of the field in the object.

use std::sync::Arc;

use crate::yaml::Pos;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<T> {
    pub value: T,
    /// The file it was written in when not the workload's own (a Compose
    /// override, `extends` or `include` file).
    pub file: Option<Arc<str>>,
    pub pos: Pos,
    /// The field's path in the object, e.g. `spec.containers[0].image`.
    pub path: String,
}

/// Where something without a value of its own is (a container, a security
/// context): the position and path of its start.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    /// The file when not the workload's own (see [`Field::file`]).
    pub file: Option<Arc<str>>,
    pub pos: Pos,
    pub path: String,
}

impl<T> Field<T> {
    pub fn place(&self) -> Place {
        Place {
            file: self.file.clone(),
            pos: self.pos,
            path: self.path.clone(),
        }
    }
}

/// One object that runs containers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workload {
    /// The file as the user named it (`-` for standard input).
    pub file: String,
    /// `Deployment`, `Pod`, … (the front's word for it).
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The object's start.
    pub place: Place,
    /// Rule codes or names the object asks to ignore (`plimsoll.dev/ignore`).
    pub ignore: Vec<String>,
    /// Annotations of the pod (template) metadata.
    pub pod_annotations: Vec<(String, String)>,
    pub pod: PodSettings,
    /// Which front read it: rules word their help for it.
    pub platform: Platform,
    /// For run-to-completion objects (Kubernetes Job, CronJob): how many
    /// times a failing pod is retried, and the deadline.
    pub retries: Option<Retries>,
}

impl Workload {
    /// `Kind/namespace/name` (`Kind/name` without a namespace).
    pub fn object(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{ns}/{}", self.kind, self.name),
            None => format!("{}/{}", self.kind, self.name),
        }
    }

    /// Regular, init and ephemeral containers.
    pub fn containers(&self) -> impl Iterator<Item = &Container> {
        self.pod.containers.iter()
    }
}

/// The platform a workload is written for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Platform {
    #[default]
    Kubernetes,
    /// A Compose file's service.
    Compose,
    /// A `docker run` command line.
    DockerRun,
}

impl Platform {
    /// Docker (Compose or `docker run`) rather than Kubernetes.
    pub fn is_docker(self) -> bool {
        self != Platform::Kubernetes
    }
}

/// Retry bounds of a run-to-completion workload.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Retries {
    pub place: Place,
    pub backoff_limit: Option<Field<i64>>,
    pub active_deadline_seconds: Option<Field<i64>>,
}

/// Settings that apply to every container of the workload.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PodSettings {
    /// The pod spec's start.
    pub place: Place,
    pub host_network: Option<Field<bool>>,
    pub host_pid: Option<Field<bool>>,
    pub host_ipc: Option<Field<bool>>,
    /// Docker only: the host's UTS namespace (`uts: host`).
    pub host_uts: Option<Field<bool>>,
    /// `hostUsers: false` runs the pod in a user namespace.
    pub host_users: Option<Field<bool>>,
    /// `spec.os.name`, e.g. `linux`, `windows`.
    pub os: Option<Field<String>>,
    pub security: SecurityContext,
    pub volumes: Vec<Volume>,
    pub restart_policy: Option<Field<String>>,
    pub containers: Vec<Container>,
}

impl PodSettings {
    pub fn is_windows(&self) -> bool {
        self.os.as_ref().is_some_and(|o| o.value == "windows")
    }

    /// The pod runs in its own user namespace (`hostUsers: false`).
    pub fn in_user_namespace(&self) -> bool {
        self.host_users.as_ref().is_some_and(|h| !h.value)
    }
}

/// A security context: the pod's or a container's (the pod's holds the
/// defaults a container's overrides).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecurityContext {
    /// Where it is written, if it is.
    pub place: Option<Place>,
    pub privileged: Option<Field<bool>>,
    pub allow_privilege_escalation: Option<Field<bool>>,
    pub read_only_root_filesystem: Option<Field<bool>>,
    pub run_as_user: Option<Field<i64>>,
    pub run_as_non_root: Option<Field<bool>>,
    /// Where `capabilities` is written, if it is.
    pub capabilities: Option<Place>,
    pub cap_add: Vec<Field<String>>,
    pub cap_drop: Vec<Field<String>>,
    /// seccomp profile type: `RuntimeDefault`, `Localhost`, `Unconfined`.
    pub seccomp: Option<Field<String>>,
    /// AppArmor profile type.
    pub apparmor: Option<Field<String>>,
    pub selinux: Option<SeLinux>,
    /// `Default` or `Unmasked`.
    pub proc_mount: Option<Field<String>>,
    pub windows_host_process: Option<Field<bool>>,
    /// Pod level only.
    pub sysctls: Vec<Field<String>>,
}

/// SELinux options: the fields a policy looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeLinux {
    pub place: Place,
    pub kind: Option<Field<String>>,
    pub user: Option<Field<String>>,
    pub role: Option<Field<String>>,
}

/// A pod volume: its name, its source type (`hostPath`, `emptyDir`, …) and,
/// for host paths, the path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Volume {
    pub name: String,
    pub place: Place,
    /// The volume source keys written (not null), e.g. `hostPath`; one in a
    /// valid volume (a front fills in its platform's default when none is
    /// written: `emptyDir` for Kubernetes).
    pub sources: Vec<String>,
    pub host_path: Option<Field<String>>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ContainerKind {
    #[default]
    Regular,
    Init,
    Ephemeral,
}

impl ContainerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ContainerKind::Regular => "container",
            ContainerKind::Init => "init container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

/// One container.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    pub kind: ContainerKind,
    pub name: String,
    /// The container's start.
    pub place: Place,
    pub image: Option<Field<String>>,
    /// Command and arguments, in order.
    pub command: Vec<Field<String>>,
    pub security: SecurityContext,
    pub ports: Vec<Port>,
    /// Where `resources` is written, if it is.
    pub resources: Option<Place>,
    pub memory_limit: Option<Field<String>>,
    pub cpu_limit: Option<Field<String>>,
    /// Docker only: `pids_limit`.
    pub pids_limit: Option<Field<String>>,
    pub mounts: Vec<Mount>,
    /// `host` of HTTP and TCP probes and lifecycle handlers.
    pub probe_hosts: Vec<Field<String>>,
}

impl Container {
    /// `container "web"`, `init container "setup"`.
    pub fn label(&self) -> String {
        format!("{} `{}`", self.kind.as_str(), self.name)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Port {
    pub place: Place,
    pub container_port: Option<Field<i64>>,
    pub host_port: Option<Field<i64>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mount {
    pub place: Place,
    pub volume: String,
    pub mount_path: String,
    pub read_only: bool,
}
