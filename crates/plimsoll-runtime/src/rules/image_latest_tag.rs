use plimsoll_report::Finding;

use super::images;
use crate::{Rule, RuleContext, declare_rule};

declare_rule! {
    /// A container's image is `latest`, another release channel, or has no tag.
    ///
    /// `latest` moves to every new release, and so do channel tags such as
    /// `stable`, `lts`, `edge` or `mainline` (the table DF051 and IMG015
    /// share, `plimsoll_practice::tags`): what runs depends on when a node
    /// pulled, and a rollback has nothing to roll back to (P-D2). No tag
    /// means `latest`. An image pinned by digest is not reported, whatever
    /// its tag.
    ///
    /// Fix: a version tag (`app:1.4.2`), the git commit, or a digest.
    pub struct ImageLatestTag {
        code: "CFG016",
        name: "image-latest-tag",
        practice: "P-D2",
        severity: Medium,
    }
}

impl Rule for ImageLatestTag {
    fn info(&self) -> &'static plimsoll_report::RuleInfo {
        &Self::INFO
    }

    fn check(&self, ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
        for (c, image) in images(ctx.workload) {
            let r = plimsoll_oci::NameRef::parse(&image.value);
            if r.digest.is_some() {
                continue;
            }
            let why = match r.tag.map(|t| (t, plimsoll_practice::tags::channel_tag(t))) {
                Some(("latest", _)) => "uses the moving `latest` tag".to_string(),
                Some((_, Some(w))) => format!("uses a moving tag: `{w}` is a release channel"),
                None => "has no tag (so `latest`)".to_string(),
                Some((_, None)) => continue,
            };
            out.push(
                ctx.finding(
                    &Self::INFO,
                    Some(c),
                    &image.place(),
                    format!("image `{}` {why}", image.value),
                )
                .with_help("pin a version tag or a digest"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{pod, run};

    #[test]
    fn latest_and_untagged() {
        let y = pod(
            "  containers:\n  - {name: a, image: nginx}\n  - {name: b, image: 'localhost:5000/app:latest'}\n  - {name: c, image: nginx:1.27}\n  - {name: d, image: nginx@sha256:00}\n  - {name: e, image: 'redis:stable-alpine'}\n",
        );
        assert_eq!(
            run("CFG016", &y),
            "7:22 Pod/p container `a`: image `nginx` has no tag (so `latest`)\n8:22 Pod/p container `b`: image `localhost:5000/app:latest` uses the moving `latest` tag\n11:22 Pod/p container `e`: image `redis:stable-alpine` uses a moving tag: `stable` is a release channel\n"
        );
    }
}
