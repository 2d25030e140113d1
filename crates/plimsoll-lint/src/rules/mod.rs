//! One rule per file. Codes are stable: never renumber, never reuse.

mod add_instead_of_copy;
mod add_url_checksum;
mod apt_lists;
mod apt_no_recommends;
mod apt_pin;
mod apt_update_alone;
mod apt_yes;
mod cd_workdir;
mod copy_from_undefined;
mod curl_pipe_shell;
mod duplicate_stage;
mod expose_range;
mod from_latest;
mod from_untagged;
mod maintainer;
mod multiple_cmd;
mod multiple_entrypoint;
mod shell_form;
mod sudo;
mod user_root;
// Practice rules without a hadolint counterpart: DF040–DF059.
mod attacker_tools;
mod build_tools_in_final_stage;
mod copy_all_before_install;
mod delete_in_later_layer;
mod entrypoint_without_exec;
mod from_moving_tag;
mod from_without_digest;
mod heavy_base_image;
mod no_init;
mod secret_file_copied;
mod secret_in_env;
mod several_processes;
mod untrusted_registry;
// Package managers and shell: DF021–DF039.
mod apk_no_cache;
mod apk_pin;
mod apt_cli;
mod curl_and_wget;
mod dnf_clean;
mod dnf_pin;
mod dnf_yes;
mod gem_pin;
mod npm_pin;
mod package_managers;
mod pip_cache;
mod pip_pin;
mod pipefail;
mod useradd_log_init;
mod yum_clean;
mod yum_pin;
mod yum_yes;
mod zypper_clean;
mod zypper_pin;
mod zypper_yes;

use std::collections::HashMap;

pub use add_instead_of_copy::AddInsteadOfCopy;
pub use add_url_checksum::AddUrlChecksum;
pub use apk_no_cache::ApkNoCache;
pub use apk_pin::ApkPin;
pub use apt_cli::AptCli;
pub use apt_lists::AptLists;
pub use apt_no_recommends::AptNoRecommends;
pub use apt_pin::AptPin;
pub use apt_update_alone::AptUpdateAlone;
pub use apt_yes::AptYes;
pub use cd_workdir::CdWorkdir;
pub use copy_from_undefined::CopyFromUndefined;
pub use curl_and_wget::CurlAndWget;
pub use curl_pipe_shell::CurlPipeShell;
pub use dnf_clean::DnfClean;
pub use dnf_pin::DnfPin;
pub use dnf_yes::DnfYes;
pub use duplicate_stage::DuplicateStage;
pub use expose_range::ExposeRange;
pub use from_latest::FromLatest;
pub use from_untagged::FromUntagged;
pub use gem_pin::GemPin;
pub use maintainer::Maintainer;
pub use multiple_cmd::MultipleCmd;
pub use multiple_entrypoint::MultipleEntrypoint;
pub use npm_pin::NpmPin;
pub use pip_cache::PipCache;
pub use pip_pin::PipPin;
pub use pipefail::Pipefail;
pub use shell_form::ShellForm;
pub use sudo::Sudo;
pub use user_root::UserRoot;
// DF040–DF059
pub use attacker_tools::AttackerTools;
pub use build_tools_in_final_stage::BuildToolsInFinalStage;
pub use copy_all_before_install::CopyAllBeforeInstall;
pub use delete_in_later_layer::DeleteInLaterLayer;
pub use entrypoint_without_exec::EntrypointWithoutExec;
pub use from_moving_tag::FromMovingTag;
pub use from_without_digest::FromWithoutDigest;
pub use heavy_base_image::HeavyBaseImage;
pub use no_init::NoInit;
pub use secret_file_copied::SecretFileCopied;
pub use secret_in_env::SecretInEnv;
pub use several_processes::SeveralProcesses;
pub use untrusted_registry::UntrustedRegistry;
pub use useradd_log_init::UseraddLogInit;
pub use yum_clean::YumClean;
pub use yum_pin::YumPin;
pub use yum_yes::YumYes;
pub use zypper_clean::ZypperClean;
pub use zypper_pin::ZypperPin;
pub use zypper_yes::ZypperYes;

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
    // DF040–DF059: practices hadolint does not check.
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
        let vars = ctx.df.vars_at(st.from);
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
