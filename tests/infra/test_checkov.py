"""checkov over terraform/, docker/, k8s/base and the rendered overlays: no failed check; every skip
carries its reason (inline `#checkov:skip=ID:reason`, annotation `ID=reason`, or a comment in .checkov.yaml)."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
import yaml

from tests.infra.conftest import ROOT, find_tool

FRAMEWORKS = ("terraform", "kubernetes", "dockerfile")


def _documents(output: str) -> list[dict]:
    decoder, index, documents = json.JSONDecoder(), 0, []
    while index < len(output):
        if output[index].isspace():
            index += 1
            continue
        document, index = decoder.raw_decode(output, index)
        documents += document if isinstance(document, list) else [document]
    return documents


@pytest.fixture(scope="module")
def checkov_reports(rendered_dir) -> dict[str, dict]:
    """One checkov run over everything; check_type -> merged summary and failed checks."""
    command = [
        find_tool("checkov"), "--config-file", str(ROOT / ".checkov.yaml"), "--skip-download",
        "--framework", *FRAMEWORKS, "--output", "json",
        "-d", str(ROOT / "terraform"), "-d", str(ROOT / "docker"), "-d", str(ROOT / "k8s" / "base"),
        "-d", str(rendered_dir),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT, timeout=600)
    assert result.stdout.strip(), result.stderr[-3000:]
    reports: dict[str, dict] = {}
    for document in _documents(result.stdout):
        report = reports.setdefault(document["check_type"], {"passed": 0, "failed": [], "skipped": []})
        report["passed"] += document["summary"]["passed"]
        report["failed"] += document["results"].get("failed_checks", [])
        report["skipped"] += document["results"].get("skipped_checks", [])
    return reports


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_checkov_passes(checkov_reports, framework):
    report = checkov_reports[framework]
    assert report["passed"] > 0, f"checkov scanned no {framework} resources"
    failures = [f"{f['check_id']} {f['resource']} ({f['file_path']}): {f['check_name']}" for f in report["failed"]]
    assert not failures, "\n".join(failures)


def test_every_inline_skip_gives_a_reason():
    skip = re.compile(r"#checkov:skip=([A-Z0-9_]+)(:?)(.*)")
    for path in (ROOT / "terraform").rglob("*.tf"):
        for match in skip.finditer(path.read_text()):
            assert match.group(2) == ":" and len(match.group(3).strip()) > 15, f"{path}: {match.group(0)}"
    for path in (ROOT / "k8s").rglob("*.yaml"):
        for document in yaml.safe_load_all(path.read_text()):
            annotations = ((document or {}).get("metadata", {}).get("annotations", {})
                           if isinstance(document, dict) else {})
            for key, value in annotations.items():
                if key.startswith("checkov.io/skip"):
                    _, _, reason = value.partition("=")
                    assert len(reason.strip()) > 15, f"{path}: {key}"


def test_every_global_skip_is_commented():
    lines = (ROOT / ".checkov.yaml").read_text().splitlines()
    skips = [i for i, line in enumerate(lines) if line.strip().startswith("- CKV")]
    assert skips
    for index in skips:
        assert lines[index - 1].strip().startswith("#"), f".checkov.yaml: {lines[index].strip()} has no reason above it"
