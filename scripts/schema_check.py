"""What validate-sbom.py and validate-sarif.py share: finding a schema shipped
as package data, building a Draft 7 validator with format checking, reading
JSON strictly, and describing and reporting schema errors.

Every function that can find something missing takes `missing`, the calling
script's way to say so and exit 2 (each names itself and its install line).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Callable, NoReturn

Missing = Callable[[str], NoReturn]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_json(path):
    """The JSON document at `path`; NaN and Infinity, which JSON lacks, are errors."""
    def no_constant(name):
        raise ValueError(f"{name} is not JSON")

    with open(path, encoding="utf-8") as f:
        return json.load(f, parse_constant=no_constant)


def package_data(package: str, sub: str, marker: str, label: str, missing: Missing) -> Path:
    """The folder `sub` of the installed `package` that holds the file `marker`
    (the package's own module is never imported); `label` names the package
    to install when it is missing."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        missing(f"the schema package '{label}' is not installed")
    for root in spec.submodule_search_locations:
        if (Path(root) / sub / marker).is_file():
            return Path(root) / sub
    missing(f"'{package}' is installed but has no {sub}/{marker}")


def formats_used(schema) -> set[str]:
    """Every "format" a schema document names."""
    found = set()
    if isinstance(schema, dict):
        if isinstance(schema.get("format"), str):
            found.add(schema["format"])
        for v in schema.values():
            found |= formats_used(v)
    elif isinstance(schema, list):
        for v in schema:
            found |= formats_used(v)
    return found


def make_validator(schema: dict, missing: Missing, resources: dict | None = None):
    """The validator class the schema's "$schema" names (Draft 7 by default),
    with every format check the installed jsonschema can do; `resources`
    (URI -> schema document) are where the schema's "$ref"s resolve."""
    try:
        import jsonschema
        if resources is not None:
            from referencing import Registry, Resource
            from referencing.jsonschema import DRAFT7
    except ImportError:
        missing("the Python packages 'jsonschema' and 'referencing' are not installed"
                if resources is not None else "the Python package 'jsonschema' is not installed")
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft7Validator)
    cls.check_schema(schema)
    checker = getattr(cls, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
    if resources is None:
        return cls(schema, format_checker=checker)
    registry = Registry().with_resources(
        (uri, Resource.from_contents(doc, default_specification=DRAFT7))
        for uri, doc in resources.items())
    return cls(schema, registry=registry, format_checker=checker)


def unchecked_formats(validator, formats: set[str]) -> list[str]:
    """Those of `formats` the validator's format checker cannot check."""
    return sorted(formats - set(validator.format_checker.checkers))


def schema_errors(validator, document) -> list:
    """The schema errors of `document`, in the order of where they are."""
    return sorted(validator.iter_errors(document),
                  key=lambda e: (list(map(str, e.absolute_path)), e.message))


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


def read_document(path: str) -> tuple[bool, object]:
    """(True, the document), or (False, None) after printing why `path`
    cannot be read as JSON."""
    try:
        return True, load_json(path)
    except (OSError, ValueError) as e:
        print(f"{path}: cannot read as JSON: {e}")
        return False, None


def print_invalid(label: str, messages: list[str], against: str, max_errors: int) -> None:
    print(f"{label}: INVALID, {len(messages)} error(s) against {against}")
    for m in messages[:max_errors]:
        print("  " + m)
    if len(messages) > max_errors:
        print(f"  ... and {len(messages) - max_errors} more")


def self_test(path: str, broken, rejection, label: str) -> int:
    """Checks that each broken copy `(what, document)` of the valid file
    `path` is rejected: `rejection(document)` says why, or None when it
    passes. Returns how many passed."""
    accepted = 0
    for what, bad in broken:
        why = rejection(bad)
        if why is not None:
            print(f"{path} [{what}]: rejected as expected ({why})")
        else:
            print(f"{path} [{what}]: ACCEPTED, but it is not valid {label}")
            accepted += 1
    return accepted


def exit_status(prog: str, failed: int) -> int:
    if failed:
        print(f"{prog}: {failed} failure(s)")
    return 1 if failed else 0
