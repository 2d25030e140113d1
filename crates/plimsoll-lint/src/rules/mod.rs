//! One rule per file. Codes are stable: never renumber, never reuse.

// The first rules, almost all hadolint's (DF005, DF016 and DF017 are not): DF001–DF020.
mod add_instead_of_copy;
mod add_url_without_checksum;
mod apt_install_recommends;
mod apt_lists_not_removed;
mod apt_missing_yes;
mod apt_unpinned_version;
mod cd_instead_of_workdir;
mod copy_from_undefined_stage;
mod curl_pipe_shell;
mod duplicate_stage_name;
mod expose_invalid_port;
mod final_stage_root;
mod from_latest;
mod from_untagged;
mod maintainer_deprecated;
mod multiple_cmd;
mod multiple_entrypoint;
mod shell_form_command;
mod sudo_in_run;
mod update_without_install;
// Practice rules: DF040–DF059 (DF052 the last so far); hadolint checks only DF052 (DL3026)
// and, by name alone, DF048 (DL3064).
mod attacker_tools;
mod build_tools_in_final_stage;
mod copy_all_before_install;
mod delete_in_later_layer;
mod entrypoint_without_exec;
mod from_moving_tag;
mod from_without_digest;
mod heavy_base_image;
mod injected_service_in_production;
mod no_init_for_children;
mod secret_file_copied;
mod secret_in_env_or_arg;
mod several_processes;
mod untrusted_registry;
// Package managers and shell, all with a hadolint counterpart: DF021–DF039 (and
// `package_managers`, what the package-manager rules share).
mod apk_cache_kept;
mod apk_unpinned_version;
mod apt_instead_of_apt_get;
mod curl_and_wget;
mod dnf_cache_not_cleaned;
mod dnf_missing_yes;
mod dnf_unpinned_version;
mod gem_unpinned_version;
mod npm_unpinned_version;
mod package_managers;
mod pip_cache_kept;
mod pip_unpinned_version;
mod pipe_without_pipefail;
mod useradd_lastlog_bloat;
mod yum_cache_not_cleaned;
mod yum_missing_yes;
mod yum_unpinned_version;
mod zypper_cache_not_cleaned;
mod zypper_missing_yes;
mod zypper_unpinned_version;
// The rest of hadolint's rules: DF060–DF081, in hadolint's code order (DL1001…DL4005).
mod consecutive_run;
mod copy_archive_then_extract;
mod copy_entire_filesystem;
mod copy_from_own_stage;
mod copy_many_to_file;
mod copy_relative_without_workdir;
mod env_self_reference;
mod from_platform_flag;
mod go_unpinned_version;
mod healthcheck_missing;
mod inline_ignore_pragma;
mod invalid_label_key;
mod multiple_healthcheck;
mod non_numeric_user;
mod pointless_command;
mod redundant_target_platform;
mod relative_workdir;
mod reserved_stage_name;
mod shell_replaced_by_symlink;
mod wget_without_progress;
mod yarn_cache_kept;
mod zypper_dist_upgrade;
// hadolint's label-schema rules: DF082–DF090 (DL3049–DL3056, DL3058), and what they share.
mod label_empty;
mod label_missing;
mod label_not_email;
mod label_not_git_hash;
mod label_not_rfc3339;
mod label_not_semver;
mod label_not_spdx;
mod label_not_url;
pub mod label_schema;
mod label_superfluous;

use std::collections::HashMap;

pub use add_instead_of_copy::AddInsteadOfCopy;
pub use add_url_without_checksum::AddUrlChecksum;
pub use apk_cache_kept::ApkNoCache;
pub use apk_unpinned_version::ApkPin;
pub use apt_install_recommends::AptNoRecommends;
pub use apt_instead_of_apt_get::AptCli;
pub use apt_lists_not_removed::AptLists;
pub use apt_missing_yes::AptYes;
pub use apt_unpinned_version::AptPin;
pub use cd_instead_of_workdir::CdWorkdir;
pub use copy_from_undefined_stage::CopyFromUndefined;
pub use curl_and_wget::CurlAndWget;
pub use curl_pipe_shell::CurlPipeShell;
pub use dnf_cache_not_cleaned::DnfClean;
pub use dnf_missing_yes::DnfYes;
pub use dnf_unpinned_version::DnfPin;
pub use duplicate_stage_name::DuplicateStage;
pub use expose_invalid_port::ExposeRange;
pub use final_stage_root::UserRoot;
pub use from_latest::FromLatest;
pub use from_untagged::FromUntagged;
pub use gem_unpinned_version::GemPin;
pub use maintainer_deprecated::Maintainer;
pub use multiple_cmd::MultipleCmd;
pub use multiple_entrypoint::MultipleEntrypoint;
pub use npm_unpinned_version::NpmPin;
pub use pip_cache_kept::PipCache;
pub use pip_unpinned_version::PipPin;
pub use pipe_without_pipefail::Pipefail;
pub use shell_form_command::ShellForm;
pub use sudo_in_run::Sudo;
pub use update_without_install::AptUpdateAlone;
// By name: the practice rules DF040–DF052, then the rest of DF021–DF039.
pub use attacker_tools::AttackerTools;
pub use build_tools_in_final_stage::BuildToolsInFinalStage;
pub use copy_all_before_install::CopyAllBeforeInstall;
pub use delete_in_later_layer::DeleteInLaterLayer;
pub use entrypoint_without_exec::EntrypointWithoutExec;
pub use from_moving_tag::FromMovingTag;
pub use from_without_digest::FromWithoutDigest;
pub use heavy_base_image::HeavyBaseImage;
pub use injected_service_in_production::InjectedServiceInProduction;
pub use no_init_for_children::NoInit;
pub use secret_file_copied::SecretFileCopied;
pub use secret_in_env_or_arg::SecretInEnv;
pub use several_processes::SeveralProcesses;
pub use untrusted_registry::UntrustedRegistry;
pub use useradd_lastlog_bloat::UseraddLogInit;
pub use yum_cache_not_cleaned::YumClean;
pub use yum_missing_yes::YumYes;
pub use yum_unpinned_version::YumPin;
pub use zypper_cache_not_cleaned::ZypperClean;
pub use zypper_missing_yes::ZypperYes;
pub use zypper_unpinned_version::ZypperPin;
// DF060–DF081, by name.
pub use consecutive_run::ConsecutiveRun;
pub use copy_archive_then_extract::CopyArchiveThenExtract;
pub use copy_entire_filesystem::CopyEntireFilesystem;
pub use copy_from_own_stage::CopyFromOwnStage;
pub use copy_many_to_file::CopyManyToFile;
pub use copy_relative_without_workdir::CopyRelativeWithoutWorkdir;
pub use env_self_reference::EnvSelfReference;
pub use from_platform_flag::FromPlatformFlag;
pub use go_unpinned_version::GoUnpinnedVersion;
pub use healthcheck_missing::HealthcheckMissing;
pub use inline_ignore_pragma::InlineIgnorePragma;
pub use invalid_label_key::InvalidLabelKey;
pub use multiple_healthcheck::MultipleHealthcheck;
pub use non_numeric_user::NonNumericUser;
pub use pointless_command::PointlessCommand;
pub use redundant_target_platform::RedundantTargetPlatform;
pub use relative_workdir::RelativeWorkdir;
pub use reserved_stage_name::ReservedStageName;
pub use shell_replaced_by_symlink::ShellReplacedBySymlink;
pub use wget_without_progress::WgetWithoutProgress;
pub use yarn_cache_kept::YarnCacheKept;
pub use zypper_dist_upgrade::ZypperDistUpgrade;
// DF082–DF090, by name.
pub use label_empty::LabelEmpty;
pub use label_missing::LabelMissing;
pub use label_not_email::LabelNotEmail;
pub use label_not_git_hash::LabelNotGitHash;
pub use label_not_rfc3339::LabelNotRfc3339;
pub use label_not_semver::LabelNotSemver;
pub use label_not_spdx::LabelNotSpdx;
pub use label_not_url::LabelNotUrl;
pub use label_superfluous::LabelSuperfluous;

use plimsoll_dockerfile::{Keyword, Stage};

use crate::{DfRule, Hit, LintContext, Rule, hit};

/// The registry: every rule, in code order.
pub static ALL: &[&dyn Rule] = &[
    &AptPin,
    &AptYes,
    &AptNoRecommends,
    &AptLists,
    &AptUpdateAlone,
    &CdWorkdir,
    &Sudo,
    &FromUntagged,
    &FromLatest,
    &Maintainer,
    &AddInsteadOfCopy,
    &MultipleCmd,
    &MultipleEntrypoint,
    &ShellForm,
    &UserRoot,
    &CurlPipeShell,
    &AddUrlChecksum,
    &CopyFromUndefined,
    &DuplicateStage,
    &ExposeRange,
    &ApkPin,
    &ApkNoCache,
    &YumYes,
    &YumClean,
    &YumPin,
    &ZypperYes,
    &ZypperClean,
    &ZypperPin,
    &DnfYes,
    &DnfClean,
    &DnfPin,
    &PipPin,
    &PipCache,
    &NpmPin,
    &GemPin,
    &UseraddLogInit,
    &AptCli,
    &CurlAndWget,
    &Pipefail,
    // DF040–DF053: the practice rules (hadolint checks only DF052, as DL3026).
    &SeveralProcesses,
    &EntrypointWithoutExec,
    &NoInit,
    &CopyAllBeforeInstall,
    &DeleteInLaterLayer,
    &BuildToolsInFinalStage,
    &HeavyBaseImage,
    &AttackerTools,
    &SecretInEnv,
    &SecretFileCopied,
    &FromWithoutDigest,
    &FromMovingTag,
    &UntrustedRegistry,
    &InjectedServiceInProduction,
    // DF060–DF081: the rest of hadolint's rules.
    &InlineIgnorePragma,
    &RelativeWorkdir,
    &PointlessCommand,
    &CopyArchiveThenExtract,
    &MultipleHealthcheck,
    &CopyManyToFile,
    &CopyFromOwnStage,
    &FromPlatformFlag,
    &ZypperDistUpgrade,
    &EnvSelfReference,
    &CopyRelativeWithoutWorkdir,
    &WgetWithoutProgress,
    &InvalidLabelKey,
    &HealthcheckMissing,
    &ConsecutiveRun,
    &YarnCacheKept,
    &GoUnpinnedVersion,
    &ReservedStageName,
    &RedundantTargetPlatform,
    &NonNumericUser,
    &CopyEntireFilesystem,
    &ShellReplacedBySymlink,
    // DF082–DF090: hadolint's label-schema rules (active with a label schema).
    &LabelMissing,
    &LabelSuperfluous,
    &LabelEmpty,
    &LabelNotUrl,
    &LabelNotRfc3339,
    &LabelNotSpdx,
    &LabelNotGitHash,
    &LabelNotSemver,
    &LabelNotEmail,
];

/// Whether every `$NAME` / `${NAME…}` in `s` is defined in `vars`.
pub(crate) fn all_vars_known(s: &str, vars: &HashMap<String, String>) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let start = if b.get(i + 1) == Some(&b'{') {
                i + 2
            } else {
                i + 1
            };
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            if end == start || !vars.contains_key(&s[start..end]) {
                return false;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    true
}

/// FROM images that name a registry image (not `scratch`, not an earlier
/// stage), with build arguments expanded; references using unknown
/// arguments are left out.
pub(crate) fn from_images<'a>(ctx: &'a LintContext<'_>) -> Vec<(&'a Stage, String)> {
    let mut out = Vec::new();
    for st in &ctx.df.stages {
        let vars = ctx.vars_at(st.from);
        if !all_vars_known(&st.image, &vars) {
            continue;
        }
        let image = plimsoll_dockerfile::expand(&st.image, &vars);
        if image.is_empty()
            || image.eq_ignore_ascii_case("scratch")
            || ctx.df.stage_ref(&image, st.index).is_some()
        {
            continue;
        }
        out.push((st, image));
    }
    out
}

pub(crate) fn is_remote(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    l.starts_with("http://")
        || l.starts_with("https://")
        || l.starts_with("git@")
        || l.starts_with("git://")
        || l.ends_with(".git")
}

pub(crate) fn is_archive(s: &str) -> bool {
    let l = s.to_ascii_lowercase();
    [
        ".tar",
        ".tar.gz",
        ".tgz",
        ".tar.bz2",
        ".tbz2",
        ".tbz",
        ".tar.xz",
        ".txz",
        ".tar.zst",
        ".tzst",
        ".tar.lz",
        ".tar.lzma",
        ".tlz",
        ".gz",
        ".bz2",
        ".xz",
        ".zst",
    ]
    .iter()
    .any(|ext| l.ends_with(ext))
}

/// Every `keyword` after the first in a stage.
pub(crate) fn multiple(ctx: &LintContext<'_>, keyword: Keyword, rule: &DfRule, out: &mut Vec<Hit>) {
    for st in &ctx.df.stages {
        let mut first: Option<u32> = None;
        for (k, ins) in ctx.df.stage_instructions(st.index).iter().enumerate() {
            if ins.keyword != keyword {
                continue;
            }
            match first {
                None => first = Some(ins.span.line),
                Some(line) => out.push(
                    hit(
                        rule,
                        st.instructions.start + k,
                        ins.span.line,
                        format!(
                            "several {keyword} instructions in this stage: only the last takes effect (first at line {line})"
                        ),
                    )
                    .help(format!("keep one {keyword} per stage")),
                ),
            }
        }
    }
}
