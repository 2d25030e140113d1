//! IMG003 secret-in-file.

use plimsoll_report::Severity;
use plimsoll_testkit::{Compression, ImageSpec, Layer, dir, file, whiteout};

use super::*;

/// An AWS access key id that is not AWS's documented example (built at run
/// time so the source holds no secret-looking literal).
fn key_id() -> String {
    format!("AKIA{}", "Z7QK3VXN5MBT2LPD")
}

#[test]
fn a_key_in_a_dotenv_file() {
    let env = format!("# app settings\nAWS_ACCESS_KEY_ID={}\n", key_id());
    let (built, found) = Audit::new(image_with(&[
        dir("srv"),
        dir("srv/app"),
        file("srv/app/.env", env),
    ]))
    .run_with_image();
    let found = only("IMG003", found);
    assert_eq!(found.len(), 1, "{found:#?}");
    let f = &found[0];
    assert_eq!(f.name, "secret-in-file");
    assert_eq!(f.practice, "P-C6");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.location.path.as_deref(), Some("/srv/app/.env"));
    assert_eq!(f.location.line, Some(2));
    assert_eq!(f.location.layer, Some(1));
    assert_eq!(
        f.location.layer_digest.as_deref(),
        Some(built.image.layers[1].digest.to_string().as_str())
    );
    assert!(f.message.contains("in /srv/app/.env ("), "{}", f.message);
    assert!(!f.message.contains(&key_id()), "redacted: {}", f.message);
    assert!(!f.message.contains("still ships it"), "{}", f.message);
}

#[test]
fn a_private_key_file() {
    let pem = format!(
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
        "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW"
    );
    let f = one(
        "IMG003",
        image_with(&[
            dir("root"),
            dir("root/.ssh"),
            file("root/.ssh/id_ed25519", pem),
        ]),
    );
    assert_eq!(f.location.path.as_deref(), Some("/root/.ssh/id_ed25519"));
    assert_eq!(f.location.line, Some(1));
}

#[test]
fn a_file_deleted_later_still_ships() {
    let add = Layer::new(
        &[
            dir("srv"),
            file("srv/creds", format!("aws_access_key_id = {}\n", key_id())),
        ],
        Compression::Gzip,
    );
    let delete = Layer::new(&[whiteout("srv/creds")], Compression::Gzip);
    let spec = ImageSpec::new(vec![base_layer(), add, delete]).config(clean_config());
    let f = one("IMG003", spec);
    assert_eq!(f.location.path.as_deref(), Some("/srv/creds"));
    assert_eq!(f.location.layer, Some(1));
    assert!(
        f.message
            .ends_with("; a later layer deletes or replaces the file, but layer 1 still ships it"),
        "{}",
        f.message
    );
}

#[test]
fn a_file_replaced_later_still_ships() {
    let add = Layer::new(
        &[
            dir("srv"),
            file("srv/creds", format!("aws_access_key_id = {}\n", key_id())),
        ],
        Compression::Gzip,
    );
    let replace = Layer::new(
        &[dir("srv"), file("srv/creds", "aws_access_key_id = \n")],
        Compression::Gzip,
    );
    let spec = ImageSpec::new(vec![base_layer(), add, replace]).config(clean_config());
    let f = one("IMG003", spec);
    assert_eq!(f.location.layer, Some(1));
    assert!(
        f.message.contains("layer 1 still ships it"),
        "{}",
        f.message
    );
}

#[test]
fn near_miss_placeholders_and_references() {
    silent(
        "IMG003",
        image_with(&[
            dir("srv"),
            file(
                "srv/.env.example",
                "AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID}\nDB_PASSWORD=changeme\n",
            ),
            file("srv/app.conf", "password_file = /run/secrets/db_password\n"),
        ]),
    );
}

#[test]
fn near_miss_aws_documented_example_key() {
    silent(
        "IMG003",
        image_with(&[
            dir("srv"),
            file("srv/creds", "aws_access_key_id = AKIAIOSFODNN7EXAMPLE\n"),
        ]),
    );
}
