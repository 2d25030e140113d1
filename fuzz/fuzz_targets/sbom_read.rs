//! Any bytes as an SBOM document (CycloneDX JSON or XML, SPDX JSON or
//! tag-value, told by content): the reader must return a document or an
//! error naming the file, never panic or hang.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match plimsoll_sbom::read::read_document("fuzz.json", data) {
        Ok(doc) => {
            for p in &doc.inventory.packages {
                let _ = plimsoll_sbom::read::ParsedPurl::parse(&p.purl);
            }
        }
        Err(e) => assert!(e.to_string().starts_with("fuzz.json: ")),
    }
});
