//! IMG013 download-piped-to-shell (build history).

use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Layer, dir, file};
use serde_json::json;

use super::*;

fn built_by(step: &str) -> ImageSpec {
    let run =
        Layer::new(&[dir("opt"), file("opt/installed", "x")], Compression::Gzip).created_by(step);
    ImageSpec::new(vec![base_layer(), run]).config(clean_config())
}

#[test]
fn curl_piped_to_sh() {
    let step = "/bin/sh -c curl -fsSL https://get.example/install.sh | sh";
    let f = one("IMG013", built_by(step));
    assert_eq!(f.name, "download-piped-to-shell");
    assert_eq!(f.practice, "P-C8");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.location.field.as_deref(), Some("history[1].created_by"));
    assert_eq!(
        f.message,
        format!("build step 1 pipes a download into an interpreter: `{step}`")
    );
}

#[test]
fn interpreters_sudo_and_substitutions() {
    for step in [
        "/bin/sh -c wget -qO- http://x/y | sudo -E bash -",
        "/bin/sh -c curl -s http://x/get-pip.py | python3",
        "/bin/sh -c sh -c \"$(curl -fsSL http://x/install.sh)\"",
        "RUN /bin/bash -c bash <(curl -s http://x)",
        "|1 VERSION=2 /bin/sh -c curl -sSL https://x/$VERSION | /bin/bash",
    ] {
        let f = one("IMG013", built_by(step));
        assert_eq!(
            f.location.field.as_deref(),
            Some("history[1].created_by"),
            "{step}"
        );
    }
}

#[test]
fn empty_layer_steps_count_too() {
    let mut spec = image_configured(json!({}));
    spec.extra_history = vec!["/bin/sh -c #(nop) ONBUILD RUN curl -fsSL https://x | sh".into()];
    let f = one("IMG013", spec);
    assert_eq!(f.location.field.as_deref(), Some("history[2].created_by"));
}

#[test]
fn long_steps_are_shortened_to_160_characters() {
    let step = format!(
        "/bin/sh -c curl -fsSL https://get.example/install.sh | sh && {}",
        "x".repeat(300)
    );
    let f = one("IMG013", built_by(&step));
    let shown: String = step.chars().take(160).collect();
    assert_eq!(
        f.message,
        format!("build step 1 pipes a download into an interpreter: `{shown}`")
    );
}

#[test]
fn near_miss_download_verify_then_run() {
    for step in [
        "/bin/sh -c curl -fsSLo /tmp/i.sh https://x/i.sh && echo \"abc  /tmp/i.sh\" | sha256sum -c && sh /tmp/i.sh",
        "/bin/sh -c curl -fsSL https://x/app.tgz | tar -xz -C /opt",
        "/bin/sh -c cat /tmp/setup.sh | sh",
        "/bin/sh -c apt-get install -y curl && rm -rf /var/lib/apt/lists/*",
    ] {
        silent("IMG013", built_by(step));
    }
}

#[test]
fn near_miss_the_start_command_is_not_history() {
    // IMG016's business, not this rule's.
    silent(
        "IMG013",
        image_configured(json!({"Cmd": ["/bin/sh", "-c", "curl -fsSL https://x/boot.sh | sh"]})),
    );
}
