"""Schemathesis over the served OpenAPI document, against a real ``kulakan serve`` on the demo
data, once with each role's key, including the stateful phase that follows the document's
links. Checks: no 5xx, every status and body as documented, every error problem+json.

Bounded for ``make test`` by a fixed seed and example count; ``make fuzz`` runs it longer
(``KULAKAN_FUZZ_EXAMPLES=30``). A failure prints schemathesis's report, with a curl command
reproducing each failing request.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.fixtures_db import ROOT
from tests.support_process import api_server

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

EXAMPLES = int(os.environ.get("KULAKAN_FUZZ_EXAMPLES", "2"))
# The coverage phase (every boundary of every parameter) is ``make fuzz``'s.
PHASES = os.environ.get("KULAKAN_FUZZ_PHASES", "examples,fuzzing,stateful")
SEED = int(os.environ.get("KULAKAN_FUZZ_SEED", "20261202"))
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
    ]
)
# Revoking keys would lock the run out of the API it is testing: revocation has its own tests.
EXCLUDE = {"admin": ["V1ApiKeysKeyIdRevokeRevoke"]}
# The admin last, so what it changes (satkers, products, keys) cannot lock out the others.
ROLES = ("warung", "supplier", "coordinator", "admin")
SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))


def seed_demo(database_url: str, data_dir: Path) -> dict[str, str]:
    """``kulakan demo seed`` on the test database; returns the demo key of each role."""
    done = subprocess.run(
        [sys.executable, "-m", "services.cli", "demo", "seed"],
        cwd=ROOT,
        env={**os.environ, "KULAKAN_DATABASE_URL": database_url, "KULAKAN_DATA_DIR": str(data_dir)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    keys = {}
    for line in (data_dir / "demo-keys.txt").read_text().splitlines():
        role, key = line.split()[:2]
        keys[role] = key
    return keys


def fuzz(base: str, role: str, key: str, report_dir: Path) -> tuple[int, str, dict]:
    """One schemathesis run with ``role``'s key: (exit status, its output, its JSON report)."""
    command = [
        SCHEMATHESIS,
        "run",
        f"{base}/schema/openapi.json",
        "--header",
        f"Authorization: Bearer {key}",
        "--checks",
        CHECKS,
        "--phases",
        PHASES,
        "--max-examples",
        str(EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--no-shrink",
        # The runner report's id (a pattern with a length bound) makes hypothesis discard many
        # candidates at 30 examples; that is the generator's cost, not a finding about the API.
        "--suppress-health-check",
        "filter_too_much",
        "--output-sanitize",
        "false",  # keys are the test's own: keep them in the curl commands
        "--report",
        "json",
        "--report-json-path",
        str(report_dir / f"{role}.json"),
    ]
    for operation_id in EXCLUDE.get(role, []):
        command += ["--exclude-operation-id", operation_id]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    path = report_dir / f"{role}.json"
    report = json.loads(path.read_text()) if path.exists() else {}
    return done.returncode, done.stdout + done.stderr, report


def summary(role: str, report: dict) -> str:
    """Operations, requests and failures by kind, from schemathesis's JSON report."""
    operations = report.get("operations", {})
    cases = report.get("test_cases", {})
    kinds = Counter()
    for failure in report.get("failures", []):
        kinds[f"{failure['code']} {failure['title']}"] += len(failure.get("operations", []))
    return (
        f"{role}: {operations.get('tested', 0)} operations, {cases.get('generated', 0)} test"
        f" cases, {cases.get('unique_failures', 0)} unique failures {dict(kinds)}"
    )


async def test_fuzzing_finds_no_server_error_and_nothing_outside_the_document(
    engine: AsyncEngine, database_url: str, tmp_path: Path
) -> None:
    keys = seed_demo(database_url, tmp_path)
    results = {}
    with api_server(database_url) as base:
        for role in ROLES:
            results[role] = fuzz(base, role, keys[role], tmp_path)
    for role, (_, _, report) in results.items():
        sys.stdout.write(summary(role, report) + "\n")
    failed = {role: out for role, (status, out, _) in results.items() if status != 0}
    assert not failed, "\n\n".join(f"===== {role} =====\n{out}" for role, out in failed.items())
