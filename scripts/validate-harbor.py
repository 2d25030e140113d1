#!/usr/bin/env python3
"""Drive a running `plimsoll serve` through Harbor's scanner adapter API and
check every response against the spec (tests/harbor/scanner-adapter-openapi-v1.2.yaml):
the status is one the operation lists, the Content-Type one of that status's
media types, the body valid under its schema (OpenAPI 3.0 semantics, formats
checked: date-time, uri), 302 carries an integer Refresh-After. Exits 1 naming
every mismatch.

  validate-harbor.py --server http://127.0.0.1:8080 --token T \\
      --registry-url http://127.0.0.1:5000 --repository team/app --digest sha256:… \\
      [--authorization 'Bearer …'] [--secret S …] [--expect-vulnerability CVE-…]

Sends: metadata; a scan without the token (401) and with bad bodies (400,
422); the scan (202); an unknown id (404); the report until 200 for both
vulnerability types and both SBOM formats; an SBOM report without its
format (400) and the raw report type (501). With --secret (repeatable;
--authorization is one), no response header or body may contain it.

--self-test checks that the validator refuses documents that break the
schemas (so a pass means something) and exits.
"""

import argparse
import http.client
import json
import sys
import time
import urllib.parse
from pathlib import Path

import yaml
from jsonschema import FormatChecker
from openapi_schema_validator import OAS30Validator

SPEC = Path(__file__).resolve().parent.parent / "tests/harbor/scanner-adapter-openapi-v1.2.yaml"
VULN = "application/vnd.security.vulnerability.report; version=1.1"
VULN_HARBOR = "application/vnd.scanner.adapter.vuln.report.harbor+json; version=1.0"
SBOM = "application/vnd.security.sbom.report+json; version=1.0"
RAW = "application/vnd.scanner.adapter.vuln.report.raw"
SCAN_REQUEST = "application/vnd.scanner.adapter.scan.request+json; version=1.1"


def stringify(o):
    """YAML reads `200:` as an int; OpenAPI keys are strings."""
    if isinstance(o, dict):
        return {str(k): stringify(v) for k, v in o.items()}
    if isinstance(o, list):
        return [stringify(v) for v in o]
    return o


def load_spec(path=SPEC):
    return stringify(yaml.safe_load(Path(path).read_text()))


def norm(media_type):
    return "".join(media_type.split()).lower()


class Checker:
    def __init__(self, spec, secrets=()):
        self.spec = spec
        self.secrets = [s for s in secrets if s]
        self.failures = []
        self.checked = 0

    def schema_errors(self, schema, document):
        root = dict(schema)
        root["components"] = self.spec["components"]
        validator = OAS30Validator(root, format_checker=FormatChecker())
        return [
            f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
            for e in validator.iter_errors(document)
        ]

    def check(self, what, path, method, status, headers, body):
        """Checks one response against operation `method path` of the spec."""
        self.checked += 1
        problems = []
        for s in self.secrets:
            if s in body or any(s in v for v in headers.values()):
                problems.append("a secret appears in the response")
        responses = self.spec["paths"][path][method]["responses"]
        declared = responses.get(str(status))
        if declared is None:
            # 401 is the server's (the spec only names its security schemes):
            # still the spec's error body.
            if status != 401:
                problems.append(f"status {status} is not one the spec lists ({', '.join(responses)})")
            declared = {"content": {"application/vnd.scanner.adapter.error+json; version=1.0": {
                "schema": {"$ref": "#/components/schemas/ErrorResponse"}}}}
        for name, spec_header in declared.get("headers", {}).items():
            value = headers.get(name.lower())
            if value is None:
                problems.append(f"header {name} is missing")
            elif spec_header.get("schema", {}).get("type") == "integer" and not value.strip().isdigit():
                problems.append(f"header {name}: {value!r} is not an integer")
        content = declared.get("content")
        if content:
            ctype = headers.get("content-type", "")
            schemas = {norm(k): v.get("schema") for k, v in content.items()}
            if norm(ctype) not in schemas:
                problems.append(f"Content-Type {ctype!r}: expected one of {list(content)}")
            else:
                try:
                    document = json.loads(body)
                except ValueError as e:
                    problems.append(f"body is not JSON: {e}")
                else:
                    problems += self.schema_errors(schemas[norm(ctype)], document)
        for p in problems:
            self.failures.append(f"{what} ({method.upper()} {path} → {status}): {p}")
        return not problems


def call(server, method, path, token=None, accept=None, body=None):
    url = urllib.parse.urlsplit(server)
    conn = (http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection)(
        url.netloc, timeout=30)
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if accept:
        headers["Accept"] = accept
    if body is not None:
        headers["Content-Type"] = SCAN_REQUEST
    conn.request(method, "/api/v1" + path, body=body, headers=headers)
    r = conn.getresponse()
    text = r.read().decode("utf-8", "replace")
    result = (r.status, {k.lower(): v for k, v in r.getheaders()}, text)
    conn.close()
    return result


def run(args):
    secrets = list(args.secret or []) + ([args.authorization] if args.authorization else [])
    c = Checker(load_spec(args.spec), secrets)
    s, t = args.server, args.token

    def expect(what, path, method, want, status, headers, body):
        c.check(what, path, method, status, headers, body)
        if status != want:
            c.failures.append(f"{what}: status {status}, expected {want}: {body[:300]}")

    st, h, b = call(s, "GET", "/metadata", t)
    expect("metadata", "/metadata", "get", 200, st, h, b)
    registry = {"url": args.registry_url}
    if args.authorization:
        registry["authorization"] = args.authorization
    request = {
        "registry": registry,
        "artifact": {"repository": args.repository, "digest": args.digest,
                     "mime_type": "application/vnd.oci.image.manifest.v1+json"},
        "enabled_capabilities": [
            {"type": "vulnerability", "produces_mime_types": [VULN, VULN_HARBOR]},
            {"type": "sbom", "produces_mime_types": [SBOM],
             "parameters": {"sbom_media_types": ["application/spdx+json", "application/vnd.cyclonedx+json"]}},
        ],
    }
    body = json.dumps(request)
    expect("scan without the token", "/scan", "post", 401, *call(s, "POST", "/scan", None, None, body))
    expect("scan, not JSON", "/scan", "post", 400, *call(s, "POST", "/scan", t, None, "{"))
    no_digest = json.loads(body)
    del no_digest["artifact"]["digest"]
    expect("scan without a digest", "/scan", "post", 422,
           *call(s, "POST", "/scan", t, None, json.dumps(no_digest)))
    st, h, b = call(s, "POST", "/scan", t, None, body)
    expect("scan", "/scan", "post", 202, st, h, b)
    if st != 202:
        return c
    scan_id = json.loads(b)["id"]
    accepted = time.monotonic()
    report = "/scan/{scan_request_id}/report"
    expect("unknown id", report, "get", 404, *call(s, "GET", "/scan/no-such-scan/report", t, VULN))

    deadline = time.monotonic() + args.timeout
    polls = 0
    while True:
        st, h, b = call(s, "GET", f"/scan/{scan_id}/report", t, VULN)
        c.check("report while scanning" if st == 302 else "vulnerability report v1.1",
                report, "get", st, h, b)
        if st != 302 or time.monotonic() > deadline:
            break
        polls += 1
        time.sleep(0.2)
    scan_seconds = time.monotonic() - accepted
    if st != 200:
        c.failures.append(f"vulnerability report: status {st}: {b[:300]}")
        return c
    vulns = json.loads(b)
    ids = {v.get("id") for v in vulns.get("vulnerabilities", [])}
    for want in args.expect_vulnerability or []:
        if want not in ids:
            c.failures.append(f"vulnerability report: {want} missing (found {sorted(ids)})")
    expect("vulnerability report (Harbor 1.0)", report, "get", 200,
           *call(s, "GET", f"/scan/{scan_id}/report", t, VULN_HARBOR))
    for fmt in ("application/spdx+json", "application/vnd.cyclonedx+json"):
        q = urllib.parse.quote(fmt, safe="")
        expect(f"SBOM report {fmt}", report, "get", 200,
               *call(s, "GET", f"/scan/{scan_id}/report?sbom_media_type={q}", t, SBOM))
    expect("SBOM report without its format", report, "get", 400,
           *call(s, "GET", f"/scan/{scan_id}/report", t, SBOM))
    expect("raw report (not produced)", report, "get", 501,
           *call(s, "GET", f"/scan/{scan_id}/report", t, RAW))
    print(json.dumps({"scan_request_id": scan_id, "polls_302": polls,
                      "accepted_to_report_seconds": round(scan_seconds, 3),
                      "vulnerabilities": len(ids), "severity": vulns.get("severity")}))
    return c


def self_test(spec_path):
    """The checker must refuse what breaks the schemas."""
    c = Checker(load_spec(spec_path), ["s3cret"])
    meta_type = {"content-type": "application/vnd.scanner.adapter.metadata+json; version=1.1"}
    vuln_type = {"content-type": VULN}
    good_meta = {"scanner": {"name": "x", "vendor": "x", "version": "1"},
                 "capabilities": [{"consumes_mime_types": [], "produces_mime_types": []}]}
    good_vuln = {"generated_at": "2026-01-01T00:00:00Z", "severity": "High",
                 "vulnerabilities": [{"id": "CVE-1", "severity": "High", "links": []}]}
    report = "/scan/{scan_request_id}/report"
    assert c.check("good metadata", "/metadata", "get", 200, meta_type, json.dumps(good_meta)), c.failures
    assert c.check("good report", report, "get", 200, vuln_type, json.dumps(good_vuln)), c.failures
    bad = [
        ("metadata without capabilities", "/metadata", 200, meta_type, {"scanner": {}}),
        ("a severity word not in the spec", report, 200, vuln_type,
         dict(good_vuln, severity="Severe")),
        ("generated_at not a date-time", report, 200, vuln_type, dict(good_vuln, generated_at="yesterday")),
        ("links not URIs", report, 200, vuln_type,
         dict(good_vuln, vulnerabilities=[{"id": "x", "links": ["not a uri"]}])),
        ("a media type the status does not list", report, 200, {"content-type": "application/json"}, good_vuln),
        ("a status the operation does not list", report, 418, vuln_type, good_vuln),
        ("302 without Refresh-After", report, 302, {}, None),
        ("an SBOM report of an unknown format", report, 200, {"content-type": SBOM},
         {"media_type": "text/plain", "sbom": {}}),
        ("the secret in a body", "/metadata", 200, meta_type, dict(good_meta, note="s3cret")),
    ]
    method = "get"
    for what, path, status, headers, doc in bad:
        before = len(c.failures)
        c.check(what, path, method, status, headers, "" if doc is None else json.dumps(doc))
        assert len(c.failures) > before, f"the validator accepted {what}"
    print(f"self-test: {len(bad)} broken responses refused, 2 good ones accepted")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--spec", default=str(SPEC))
    p.add_argument("--self-test", action="store_true")
    p.add_argument("--server")
    p.add_argument("--token")
    p.add_argument("--registry-url")
    p.add_argument("--repository")
    p.add_argument("--digest")
    p.add_argument("--authorization")
    p.add_argument("--secret", action="append")
    p.add_argument("--expect-vulnerability", action="append")
    p.add_argument("--timeout", type=float, default=120)
    args = p.parse_args()
    if args.self_test:
        self_test(args.spec)
        return 0
    for needed in ("server", "token", "registry_url", "repository", "digest"):
        if not getattr(args, needed):
            p.error(f"--{needed.replace('_', '-')} is required")
    c = run(args)
    for f in c.failures:
        print(f"FAIL {f}", file=sys.stderr)
    print(f"{c.checked} responses checked against the spec, {len(c.failures)} failures")
    return 1 if c.failures else 0


if __name__ == "__main__":
    sys.exit(main())
