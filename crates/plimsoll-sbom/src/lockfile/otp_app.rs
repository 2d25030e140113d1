//! Erlang/OTP application resource files (`*.app`, as `ebin/<name>.app`
//! in an Erlang release or an OTP installation): `{application, Name,
//! [{vsn, "3.12.10"}, …]}.`, as syft reads them. The application counts
//! at its `vsn`, type `erlang-otp`, `pkg:otp/<name>@<vsn>`; a file without
//! a `vsn` names no package.
//!
//! syft reads these files in directory scans only, and so does plimsoll.

use super::rebar::{Term, consult};
use super::{LockedPackage, Parsed};
use crate::PackageType;
use crate::purl::purl;

/// Reads an OTP `.app` file.
pub fn parse(content: &[u8]) -> Parsed {
    let Ok(text) = std::str::from_utf8(content) else {
        return Parsed::unreadable("not UTF-8: not an OTP application file, skipped".into());
    };
    let terms = match consult(text) {
        Ok(t) => t,
        Err(e) => return Parsed::unreadable(format!("not Erlang terms ({e}): skipped")),
    };
    let Some([Term::Atom(tag), Term::Atom(name), Term::List(keys)]) =
        terms.first().map(Term::items)
    else {
        return Parsed::unreadable(
            "not an OTP application (`{application, Name, [...]}.`): skipped".into(),
        );
    };
    let mut out = Parsed::default();
    if tag != "application" || name.is_empty() {
        out.warnings
            .push("not an OTP application (`{application, Name, [...]}.`): skipped".to_string());
        return out;
    }
    for key in keys {
        if let [Term::Atom(k), v] = key.items()
            && k == "vsn"
            && let Some(vsn) = v.text().filter(|v| !v.is_empty())
        {
            out.push(LockedPackage {
                package_type: PackageType::ErlangOtp,
                name: name.clone(),
                version: vsn.to_string(),
                purl: purl("otp", None, name, vsn, &[]),
                licenses: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syft_fixture() {
        // syft's fixture, unchanged (see PROVENANCE.md): RabbitMQ's rabbit.app.
        let p = parse(include_bytes!("../../tests/data/lock/otp/rabbitmq.app"));
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.sorted_pairs(), [("rabbit", "3.12.10")]);
        assert_eq!(p.packages[0].purl, "pkg:otp/rabbit@3.12.10");
        assert_eq!(p.packages[0].package_type, PackageType::ErlangOtp);
    }

    #[test]
    fn other_files_warn() {
        // syft's corrupt fixture.
        let p = parse(include_bytes!(
            "../../tests/data/lock/otp/corrupt/rabbitmq.app"
        ));
        assert!(p.packages.is_empty());
        assert!(
            p.warnings[0].starts_with("not Erlang terms"),
            "{:?}",
            p.warnings
        );
        assert!(parse(b"{foo, bar, []}.").warnings[0].contains("not an OTP application"));
        assert!(parse(b"[].").warnings[0].contains("not an OTP application"));
        let p = parse(b"{application, x, [{description, \"no vsn\"}]}.");
        assert!(p.packages.is_empty() && p.warnings.is_empty());
    }
}
