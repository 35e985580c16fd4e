"""hadolint on the Dockerfile and actionlint on the workflows, both clean; workflow hygiene."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from tests.infra.conftest import ROOT, find_tool

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def test_hadolint_is_clean():
    result = subprocess.run([find_tool("hadolint"), str(ROOT / "docker" / "Dockerfile")], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get install -y curl\n")
    result = subprocess.run([find_tool("hadolint"), str(bad)], capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "DL3007" in result.stdout


def test_actionlint_is_clean():
    assert [path.name for path in WORKFLOWS] == ["ci.yml", "deploy.yml"]
    result = subprocess.run([find_tool("actionlint"), *map(str, WORKFLOWS)], capture_output=True, text=True,
                            check=False, cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_hygiene(path):
    text = path.read_text()
    workflow = yaml.safe_load(text)
    assert workflow["permissions"] == {"contents": "read"}, "least privilege by default"
    assert "group" in workflow["concurrency"]
    for name, job in workflow["jobs"].items():
        assert 0 < job["timeout-minutes"] <= 30, name
        for permission, level in job.get("permissions", {}).items():
            assert (permission, level) in {("contents", "read"), ("id-token", "write")}, name
    for action in re.findall(r"uses:\s*(\S+)", text):
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@[0-9a-f]{40}", action), f"{action} is not pinned by commit SHA"


def test_deploy_migrates_before_rollout_and_rolls_back():
    steps = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())["jobs"]["deploy"]["steps"]
    names = [step.get("name", step.get("uses", "")) for step in steps]
    assert names.index("Migrate the database") < names.index("Roll out") < names.index("Roll back on failure")
    rollback = next(step for step in steps if step.get("name") == "Roll back on failure")
    assert "failure()" in rollback["if"] and "rollout undo" in rollback["run"]
