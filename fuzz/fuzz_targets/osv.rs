//! Any bytes as one OSV record: the parser, and for every affected package the version
//! ordering of its ecosystem evaluated at every version the record names, must return
//! (an error is fine), never panic or hang.

#![no_main]

use libfuzzer_sys::fuzz_target;
use plimsoll_vuln::matcher::evaluate;
use plimsoll_vuln::osv::{Parsed, parse};

fuzz_target!(|data: &[u8]| {
    let Ok(Parsed::Record(record)) = parse(data) else {
        return;
    };
    for affected in &record.affected {
        let _ = affected.fixed_versions().count();
        let Some(ordering) = affected.ordering() else {
            continue;
        };
        let mut probes: Vec<String> = affected.versions.clone();
        probes.extend(affected.fixed_versions().map(str::to_string));
        probes.push("0".into());
        for v in probes.iter().take(32) {
            let _ = evaluate(affected, v, ordering);
        }
    }
});
