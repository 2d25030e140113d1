//! Pinning against a real OCI layout: Dockerfiles, Kubernetes manifests and
//! Compose files rewritten, comments and quoting kept, a second run
//! changing nothing, stale pins found and (with update) replaced.

use std::path::Path;

use plimsoll_oci::ResolveOptions;
use plimsoll_pin::{Change, Resolver, pin, sites};
use plimsoll_testkit::{Compression, ImageSpec, Layer, Layout, file};

struct Lab {
    _dir: tempfile::TempDir,
    layout: std::path::PathBuf,
    debian: String,
    nginx_index: String,
    nginx_amd64: String,
}

fn spec(text: &str) -> ImageSpec {
    ImageSpec::new(vec![Layer::new(
        &[file("etc/version", text)],
        Compression::Gzip,
    )])
}

fn lab() -> Lab {
    let dir = tempfile::tempdir().unwrap();
    let layout = dir.path().join("layout");
    let mut oci = Layout::new(&layout);
    let debian = oci.add(&spec("debian 12"), "debian:12");
    let amd = spec("nginx amd64");
    let arm = spec("nginx arm64");
    let nginx_index = oci.add_index(
        &[(&amd, "linux", "amd64"), (&arm, "linux", "arm64")],
        "1.27",
    );
    let platform = plimsoll_oci::ResolveOptions::default();
    let image = plimsoll_oci::resolve(
        &plimsoll_oci::ImageRef::OciLayout {
            dir: layout.clone(),
            tag: Some("1.27".into()),
        },
        &platform,
    )
    .unwrap();
    Lab {
        nginx_amd64: image.id().to_string(),
        _dir: dir,
        layout,
        debian,
        nginx_index,
    }
}

fn resolver(lab: &Lab, platform_digest: bool) -> Resolver {
    Resolver::new(
        ResolveOptions::default(),
        Some(lab.layout.clone()),
        platform_digest,
    )
}

fn run(lab: &Lab, name: &str, text: &str, update: bool) -> plimsoll_pin::Pinned {
    let s = sites(Path::new(name), text).unwrap();
    pin(text, &s, &mut resolver(lab, false), update)
}

#[test]
fn dockerfile_from_arg_default_and_copy_from() {
    let lab = lab();
    let text = "\
# syntax=docker/dockerfile:1
ARG BASE=debian:12
FROM $BASE AS build
RUN echo hi   # debian:12 in a comment stays
FROM nginx:1.27
COPY --from=build /x /x
COPY --from=debian:12 /etc/version /v
FROM scratch
";
    let out = run(&lab, "Dockerfile", text, false);
    let want = text
        .replace(
            "ARG BASE=debian:12",
            &format!("ARG BASE=debian:12@{}", lab.debian),
        )
        .replace(
            "FROM nginx:1.27",
            &format!("FROM nginx:1.27@{}", lab.nginx_index),
        )
        .replace(
            "COPY --from=debian:12 ",
            &format!("COPY --from=debian:12@{} ", lab.debian),
        );
    assert_eq!(out.text, want);
    assert_eq!(
        out.changes
            .iter()
            .filter(|c| matches!(c, Change::Pinned { .. }))
            .count(),
        3,
        "{:?}",
        out.changes
    );
    // Idempotent: the pinned text pins nothing more.
    let again = run(&lab, "Dockerfile", &out.text, false);
    assert_eq!(again.text, out.text);
    assert!(!again.needs_work(), "{:?}", again.changes);
}

#[test]
fn manifests_and_compose_keep_quotes_and_comments() {
    let lab = lab();
    let k8s = "\
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      initContainers:
      - name: init
        image: \"debian:12\"   # quoted
      containers:
      - name: web
        image: nginx:1.27
";
    let out = run(&lab, "deploy.yaml", k8s, false);
    assert_eq!(
        out.text,
        k8s.replace("\"debian:12\"", &format!("\"debian:12@{}\"", lab.debian))
            .replace(
                "image: nginx:1.27",
                &format!("image: nginx:1.27@{}", lab.nginx_index)
            )
    );
    let compose = "services:\n  web:\n    image: 'nginx:1.27'\n  app:\n    build: .\n";
    let out = run(&lab, "compose.yaml", compose, false);
    assert_eq!(
        out.text,
        compose.replace("'nginx:1.27'", &format!("'nginx:1.27@{}'", lab.nginx_index))
    );
}

#[test]
fn platform_digest_and_stale_pins() {
    let lab = lab();
    let text = "FROM nginx:1.27\n";
    let s = sites(Path::new("Dockerfile"), text).unwrap();
    let out = pin(text, &s, &mut resolver(&lab, true), false);
    assert_eq!(out.text, format!("FROM nginx:1.27@{}\n", lab.nginx_amd64));
    assert_ne!(lab.nginx_amd64, lab.nginx_index);

    // A pin the tag no longer points at: reported, replaced only with update.
    let stale = format!("FROM debian:12@{}\n", lab.nginx_amd64);
    let out = run(&lab, "Dockerfile", &stale, false);
    assert_eq!(out.text, stale);
    assert!(out.needs_work());
    assert!(
        matches!(&out.changes[0], Change::Stale { replaced: false, current, .. } if *current == lab.debian)
    );
    let out = run(&lab, "Dockerfile", &stale, true);
    assert_eq!(out.text, format!("FROM debian:12@{}\n", lab.debian));

    // A tag the layout does not hold: named, the text untouched.
    let missing = "FROM debian:13\n";
    let out = run(&lab, "Dockerfile", missing, false);
    assert_eq!(out.text, missing);
    assert!(
        matches!(&out.changes[0], Change::Failed { image, .. } if image == "debian:13"),
        "{:?}",
        out.changes
    );
}
