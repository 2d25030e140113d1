#!/usr/bin/env python3
"""Validate SBOMs against the official CycloneDX 1.6 and SPDX 2.3 JSON schemas.

    scripts/validate-sbom.py [--format auto|cyclonedx|spdx] [--self-test] [--max-errors N] FILE...

Schemas (none is fetched at run time):

- CycloneDX 1.6: from the PyPI package `cyclonedx-python-lib` (pinned in
  scripts/test-requirements.txt), which ships the CycloneDX specification's
  schemas as package data in cyclonedx/schema/_res/: bom-1.6.SNAPSHOT.schema.json
  with spdx.SNAPSHOT.schema.json and jsf-0.82.SNAPSHOT.schema.json. The last two
  are the specification's spdx.schema.json and jsf-0.82.schema.json byte for
  byte; the first is bom-1.6.schema.json with its two "$ref"s renamed to those
  files and the meaningless `"pattern": "^(.*)$"` removed (the package's
  _res/README.md lists its changes; its other changes do not touch 1.6).
  The three are registered under the URIs bom-1.6's "$id" resolves them to.
- SPDX 2.3: scripts/schemas/spdx-2.3.schema.json, the spdx-spec repository's
  schemas/spdx-schema.json at tag v2.3, vendored because no PyPI package ships
  it (see scripts/schemas/README.md); its sha256 is checked.

Each FILE (format from "bomFormat"/"spdxVersion" unless --format says) is
checked with the Draft 7 validator and format checking: "date-time" needs
`rfc3339-validator`, "iri-reference" `rfc3987-syntax`, "idn-email" is
built in; a note names any format the schema uses that went unchecked.

The schemas leave out rules their specifications state in prose, so these are
checked too ("spec:" in messages):
- CycloneDX: specVersion "1.6"; bom-refs unique; dependency and vulnerability refs name a
  bom-ref; each "expression" is a valid SPDX licence expression.
- SPDX: spdxVersion "SPDX-2.3", dataLicense "CC0-1.0", SPDXIDs of the form
  SPDXRef-[A-Za-z0-9.-]+ and unique; relationships name known elements; the
  document DESCRIBES something; documentNamespace an absolute URI without
  '#'; created as YYYY-MM-DDThh:mm:ssZ; licenseListVersion as MAJOR.MINOR;
  licence fields NONE, NOASSERTION or a valid SPDX expression whose
  LicenseRef-s are defined in hasExtractedLicensingInfos.
Licence expressions are parsed with `license-expression` (a dependency of
cyclonedx-python-lib).

--self-test also makes broken copies of each valid FILE (for example a wrong
specVersion, a component without a name, a timestamp that is not a
date-time, a relationship of an unknown type, a duplicate SPDXID) and fails
unless every one is rejected, which shows the checks are not vacuous.

Exit status: 0 every FILE is valid (and, with --self-test, every broken copy
was rejected); 1 some FILE is invalid, unreadable, not JSON, or a broken copy
passed; 2 a schema or a Python package is missing, or bad usage.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import schema_check  # noqa: E402 (scripts/schema_check.py, beside this file)
from schema_check import describe, sha256  # noqa: E402

CDX_PACKAGE_PIN = "cyclonedx-python-lib==11.12.0"
INSTALL = (f"python3 -m pip install 'jsonschema>=4' '{CDX_PACKAGE_PIN}' "
           "'rfc3339-validator' 'rfc3987-syntax'")
SPDX_SCHEMA = Path(__file__).resolve().parent / "schemas" / "spdx-2.3.schema.json"
SPDX_SCHEMA_SHA256 = "239208b7ac287b3cf5d9a9af23f9d69863971102a5e1587a27a398b43490b89b"
CDX_BASE = "http://cyclonedx.org/schema/"


def die_missing(what: str) -> "None":
    print(f"validate-sbom: {what}", file=sys.stderr)
    print(f"validate-sbom: install what it needs with:  {INSTALL}", file=sys.stderr)
    sys.exit(2)


class Checker:
    """A schema validator plus the specification's prose rules for one format."""

    def __init__(self, name: str, schema: dict, resources: dict, origin: str):
        self.name = name
        self.validator = schema_check.make_validator(schema, die_missing, resources)
        used = set()
        for doc in [schema, *resources.values()]:
            used |= schema_check.formats_used(doc)
        self.unchecked = schema_check.unchecked_formats(self.validator, used)
        self.origin = origin

    def errors(self, document) -> list[str]:
        out = [describe(e) for e in schema_check.schema_errors(self.validator, document)]
        if not out and isinstance(document, dict):
            out += [f"spec: {m}" for m in SPEC_CHECKS[self.name](document)]
        return out

    def first_error(self, document) -> str | None:
        """The first line of the first error, shortened; None when valid."""
        errors = self.errors(document)
        return errors[0].splitlines()[0][:120] if errors else None


def cyclonedx_checker() -> Checker:
    res = schema_check.package_data("cyclonedx", "schema/_res", "bom-1.6.SNAPSHOT.schema.json",
                                    CDX_PACKAGE_PIN, die_missing)
    bom = json.loads((res / "bom-1.6.SNAPSHOT.schema.json").read_text(encoding="utf-8"))
    if bom.get("$id") != CDX_BASE + "bom-1.6.schema.json":
        print(f"validate-sbom: {res} has a bom-1.6 schema with $id {bom.get('$id')!r}", file=sys.stderr)
        sys.exit(2)
    resources = {}
    for local in ("spdx.SNAPSHOT.schema.json", "jsf-0.82.SNAPSHOT.schema.json"):
        doc = json.loads((res / local).read_text(encoding="utf-8"))
        resources[CDX_BASE + local] = doc   # where bom-1.6's "$ref"s resolve
        resources[doc["$id"]] = doc          # the specification's own names
    resources[bom["$id"]] = bom
    origin = (f"{bom['$id']} from {res} (bom-1.6 sha256 "
              f"{sha256(res / 'bom-1.6.SNAPSHOT.schema.json')[:16]}...)")
    return Checker("cyclonedx", bom, resources, origin)


def spdx_checker() -> Checker:
    if not SPDX_SCHEMA.is_file():
        die_missing(f"the vendored SPDX 2.3 schema {SPDX_SCHEMA} is missing")
    digest = sha256(SPDX_SCHEMA)
    if digest != SPDX_SCHEMA_SHA256:
        print(f"validate-sbom: {SPDX_SCHEMA} has sha256 {digest}, not the official file's "
              f"{SPDX_SCHEMA_SHA256}", file=sys.stderr)
        sys.exit(2)
    schema = json.loads(SPDX_SCHEMA.read_text(encoding="utf-8"))
    return Checker("spdx", schema, {schema["$id"]: schema},
                   f"{schema['$id']} ({schema.get('title')}) from {SPDX_SCHEMA}")


# --- the specifications' prose rules -------------------------------------

_LICENSING = None


def licensing():
    """The SPDX licensing of `license-expression`, built once (it is slow to build)."""
    global _LICENSING
    if _LICENSING is None:
        try:
            from license_expression import get_spdx_licensing
        except ImportError:
            die_missing("the Python package 'license-expression' is not installed")
        _LICENSING = get_spdx_licensing()
    return _LICENSING


def expression_problems(expr: str, defined_refs: set[str] | None) -> list[str]:
    """Why `expr` is not a valid SPDX licence expression (empty when it is).
    LicenseRef-s are idstrings; with `defined_refs` they must be among them."""
    lic = licensing()
    try:
        lic.parse(expr, strict=True, validate=False)
    except Exception as e:  # ExpressionError, ParseError: the message says why
        return [f"{expr!r} does not parse: {e}"]
    info = lic.validate(expr, strict=True)
    problems = []
    if info.errors and not info.invalid_symbols:
        problems += info.errors
    for sym in info.invalid_symbols:
        # SPDX's grammar allows `+` ("or later") after any licence id
        # (`Apache-1.0+`); the library knows it after GPL-style ids only.
        if sym.endswith("+") and not lic.validate(sym[:-1], strict=True).invalid_symbols:
            continue
        if not re.fullmatch(r"(DocumentRef-[A-Za-z0-9.\-]+:)?LicenseRef-[A-Za-z0-9.\-]+", sym):
            problems.append(f"{expr!r}: unknown licence {sym!r}")
        elif defined_refs is not None and not sym.startswith("DocumentRef-") \
                and sym not in defined_refs:
            problems.append(f"{expr!r}: {sym} is not in hasExtractedLicensingInfos")
    return problems


def cyclonedx_spec(doc: dict) -> list[str]:
    problems, refs = [], []
    if doc.get("specVersion") != "1.6":
        problems.append(f"specVersion is {doc.get('specVersion')!r}; this checks 1.6 only")

    def walk(components, path):
        for i, c in enumerate(components or []):
            if not isinstance(c, dict):
                continue
            if "bom-ref" in c:
                refs.append(c["bom-ref"])
            for j, lic in enumerate(c.get("licenses") or []):
                if isinstance(lic, dict) and "expression" in lic:
                    problems.extend(f"{path}[{i}].licenses[{j}]: {p}"
                                    for p in expression_problems(lic["expression"], None))
            walk(c.get("components"), f"{path}[{i}].components")

    meta = doc.get("metadata") or {}
    walk([meta["component"]] if "component" in meta else [], "$.metadata.component")
    walk(doc.get("components"), "$.components")
    for s in doc.get("services") or []:
        if isinstance(s, dict) and "bom-ref" in s:
            refs.append(s["bom-ref"])
    for v in doc.get("vulnerabilities") or []:
        if isinstance(v, dict) and "bom-ref" in v:
            refs.append(v["bom-ref"])
    dup = sorted({r for r in refs if refs.count(r) > 1})
    if dup:
        problems.append(f"bom-ref not unique: {dup[:5]}")
    known = set(refs)
    for i, d in enumerate(doc.get("dependencies") or []):
        for r in [d.get("ref"), *(d.get("dependsOn") or []), *(d.get("provides") or [])]:
            if r is not None and r not in known:
                problems.append(f"$.dependencies[{i}] names unknown bom-ref {r!r}")
    for i, v in enumerate(doc.get("vulnerabilities") or []):
        for a in v.get("affects") or []:
            if a.get("ref") not in known:
                problems.append(f"$.vulnerabilities[{i}].affects names unknown bom-ref {a.get('ref')!r}")
    return problems


SPDX_ID = re.compile(r"SPDXRef-[A-Za-z0-9.\-]+")
SPDX_CREATED = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def spdx_spec(doc: dict) -> list[str]:
    problems = []
    if doc.get("spdxVersion") != "SPDX-2.3":
        problems.append(f"spdxVersion is {doc.get('spdxVersion')!r}, not 'SPDX-2.3'")
    if doc.get("dataLicense") != "CC0-1.0":
        problems.append(f"dataLicense is {doc.get('dataLicense')!r}, not 'CC0-1.0'")
    if doc.get("SPDXID") != "SPDXRef-DOCUMENT":
        problems.append("the document's SPDXID is not SPDXRef-DOCUMENT")
    ns = doc.get("documentNamespace", "")
    if not re.match(r"[A-Za-z][A-Za-z0-9+.\-]*://\S+$", ns) or "#" in ns:
        problems.append(f"documentNamespace {ns!r} is not an absolute URI without '#'")
    llv = (doc.get("creationInfo") or {}).get("licenseListVersion")
    if llv is not None and not re.fullmatch(r"\d+\.\d+", str(llv)):
        problems.append(f"creationInfo.licenseListVersion {llv!r} is not MAJOR.MINOR")
    created = (doc.get("creationInfo") or {}).get("created", "")
    if not SPDX_CREATED.fullmatch(created):
        problems.append(f"creationInfo.created {created!r} is not YYYY-MM-DDThh:mm:ssZ")
    ids = ["SPDXRef-DOCUMENT"]
    for kind in ("packages", "files", "snippets"):
        for i, el in enumerate(doc.get(kind) or []):
            sid = el.get("SPDXID", "")
            if not SPDX_ID.fullmatch(sid):
                problems.append(f"$.{kind}[{i}].SPDXID {sid!r} is not SPDXRef-[A-Za-z0-9.-]+")
            ids.append(sid)
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        problems.append(f"SPDXID not unique: {dup[:5]}")
    known = set(ids)
    describes = list(doc.get("documentDescribes") or [])
    for i, r in enumerate(doc.get("relationships") or []):
        for key in ("spdxElementId", "relatedSpdxElement"):
            v = r.get(key)
            if v not in known and v not in ("NONE", "NOASSERTION") \
                    and not str(v).startswith("DocumentRef-"):
                problems.append(f"$.relationships[{i}].{key} names unknown element {v!r}")
        if r.get("relationshipType") == "DESCRIBES" and r.get("spdxElementId") == "SPDXRef-DOCUMENT":
            describes.append(r.get("relatedSpdxElement"))
    if not describes:
        problems.append("the document DESCRIBES nothing")
    refs = {e.get("licenseId") for e in doc.get("hasExtractedLicensingInfos") or []}
    for i, e in enumerate(doc.get("hasExtractedLicensingInfos") or []):
        if not re.fullmatch(r"LicenseRef-[A-Za-z0-9.\-]+", e.get("licenseId", "")):
            problems.append(f"$.hasExtractedLicensingInfos[{i}].licenseId "
                            f"{e.get('licenseId')!r} is not LicenseRef-[A-Za-z0-9.-]+")
    for i, p in enumerate(doc.get("packages") or []):
        for key in ("licenseConcluded", "licenseDeclared"):
            v = p.get(key)
            if v is None or v in ("NONE", "NOASSERTION"):
                continue
            problems.extend(f"$.packages[{i}].{key}: {m}" for m in expression_problems(v, refs))
    return problems


SPEC_CHECKS = {"cyclonedx": cyclonedx_spec, "spdx": spdx_spec}


# --- broken copies for --self-test -----------------------------------------

def cyclonedx_broken(doc):
    def edit(what, f):
        bad = copy.deepcopy(doc)
        f(bad)
        return what, bad

    yield edit('specVersion "9.9"', lambda d: d.update(specVersion="9.9"))
    yield edit("serialNumber not a UUID URN", lambda d: d.update(serialNumber="urn:uuid:nope"))
    yield edit('timestamp "yesterday" (format date-time)',
               lambda d: d["metadata"].update(timestamp="yesterday"))
    yield edit('tool URL "not a url" (format iri-reference)',
               lambda d: d["metadata"]["tools"]["components"][0]["externalReferences"][0]
               .update(url="http://exa mple/<>"))
    yield edit('image type "gadget"', lambda d: d["metadata"]["component"].update(type="gadget"))
    yield edit("hash content not hex",
               lambda d: d["metadata"]["component"]["hashes"][0].update(content="xyz"))
    if doc.get("components"):
        yield edit("component without name", lambda d: d["components"][-1].pop("name"))
        yield edit("unknown property on a component",
                   lambda d: d["components"][-1].update(colour="red"))
        yield edit("licenses with an expression and a named licence",
                   lambda d: d["components"][-1].update(licenses=[
                       {"expression": "MIT"}, {"license": {"name": "x"}}]))
        yield edit("licence expression that is not SPDX",
                   lambda d: d["components"][-1].update(licenses=[{"expression": "MIT AND"}]))
        yield edit("duplicate bom-ref",
                   lambda d: d["components"][-1].update({"bom-ref": d["components"][0]["bom-ref"]}))
        yield edit("dependency on an unknown bom-ref",
                   lambda d: d["dependencies"][0]["dependsOn"].append("no-such-ref"))


def spdx_broken(doc):
    def edit(what, f):
        bad = copy.deepcopy(doc)
        f(bad)
        return what, bad

    yield edit("no creationInfo", lambda d: d.pop("creationInfo"))
    yield edit('spdxVersion "SPDX-2.2"', lambda d: d.update(spdxVersion="SPDX-2.2"))
    yield edit('licenseListVersion "3.29.0"',
               lambda d: d["creationInfo"].update(licenseListVersion="3.29.0"))
    yield edit('created "yesterday"', lambda d: d["creationInfo"].update(created="yesterday"))
    yield edit("documentNamespace with '#'",
               lambda d: d.update(documentNamespace=d["documentNamespace"] + "#x"))
    yield edit("relationship of type LIKES",
               lambda d: d["relationships"][0].update(relationshipType="LIKES"))
    yield edit("relationship to an unknown element",
               lambda d: d["relationships"][-1].update(relatedSpdxElement="SPDXRef-nobody"))
    yield edit("nothing described", lambda d: d.update(relationships=[
        r for r in d["relationships"] if r["relationshipType"] != "DESCRIBES"]))
    if doc.get("packages"):
        yield edit("package without downloadLocation",
                   lambda d: d["packages"][-1].pop("downloadLocation"))
        yield edit('externalRef category "PACKAGE_MANAGER"',
                   lambda d: d["packages"][0]["externalRefs"][0]
                   .update(referenceCategory="PACKAGE_MANAGER"))
        yield edit("unknown property on a package",
                   lambda d: d["packages"][-1].update(colour="red"))
        yield edit("SPDXID with '_'", lambda d: d["packages"][-1].update(SPDXID="SPDXRef-a_b"))
        yield edit("duplicate SPDXID",
                   lambda d: d["packages"][-1].update(SPDXID=d["packages"][0]["SPDXID"]))
        yield edit("licenseDeclared not SPDX",
                   lambda d: d["packages"][-1].update(licenseDeclared="BSD License"))
        yield edit("undefined LicenseRef",
                   lambda d: d["packages"][-1].update(licenseDeclared="LicenseRef-nowhere"))


BROKEN = {"cyclonedx": cyclonedx_broken, "spdx": spdx_broken}


def detect(document) -> str | None:
    if isinstance(document, dict):
        if document.get("bomFormat") == "CycloneDX":
            return "cyclonedx"
        if "spdxVersion" in document:
            return "spdx"
    return None


def main() -> int:
    ap = argparse.ArgumentParser(
        description="Validate CycloneDX 1.6 and SPDX 2.3 JSON files against their official schemas.")
    ap.add_argument("files", nargs="+", metavar="FILE")
    ap.add_argument("--format", choices=["auto", "cyclonedx", "spdx"], default="auto")
    ap.add_argument("--self-test", action="store_true",
                    help="also check that broken copies of each valid FILE are rejected")
    ap.add_argument("--max-errors", type=int, default=50, metavar="N",
                    help="errors shown per file (default 50)")
    args = ap.parse_args()

    checkers: dict[str, Checker] = {}

    def checker(name: str) -> Checker:
        if name not in checkers:
            c = cyclonedx_checker() if name == "cyclonedx" else spdx_checker()
            print(f"schema: {c.origin}")
            if c.unchecked:
                print(f"note: formats {', '.join(c.unchecked)} used by the {name} schema are not "
                      "checked (pip install rfc3339-validator rfc3987-syntax to check them)")
            checkers[name] = c
        return checkers[name]

    label_of = {"cyclonedx": "CycloneDX 1.6", "spdx": "SPDX 2.3"}
    failed = 0
    for path in args.files:
        readable, document = schema_check.read_document(path)
        if not readable:
            failed += 1
            continue
        kind = detect(document) if args.format == "auto" else args.format
        if kind is None:
            print(f"{path}: neither CycloneDX (bomFormat) nor SPDX (spdxVersion); use --format")
            failed += 1
            continue
        c = checker(kind)
        errors = c.errors(document)
        if errors:
            schema_check.print_invalid(path, errors, label_of[kind], args.max_errors)
            failed += 1
            continue
        n = len(document.get("components") or document.get("packages") or [])
        print(f"{path}: valid {label_of[kind]} ({n} {'components' if kind == 'cyclonedx' else 'packages'})")
        if args.self_test:
            failed += schema_check.self_test(path, BROKEN[kind](document), c.first_error,
                                             label_of[kind])
    return schema_check.exit_status("validate-sbom", failed)


if __name__ == "__main__":
    sys.exit(main())
