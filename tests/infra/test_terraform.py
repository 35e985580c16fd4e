"""Terraform: every file parses, every variable is typed and described, every registry module is
pinned to an exact version, and the values the k8s manifests rely on agree with Terraform."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import hcl2
import pytest

from tests.infra.conftest import ROOT
from tools import k8s_manifests

TERRAFORM = ROOT / "terraform"
TF_FILES = sorted(TERRAFORM.rglob("*.tf"))


def _plain(value):
    """python-hcl2 keeps the quotes of labels and strings and adds bookkeeping keys; drop both."""
    if isinstance(value, dict):
        return {_plain(k): _plain(v) for k, v in value.items() if k not in ("__is_block__", "__comments__")}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def parse(path: Path) -> dict:
    """One .tf file as python-hcl2 sees it, without quotes around labels and strings."""
    return _plain(hcl2.loads(path.read_text()))


def test_there_are_modules_and_both_environments():
    modules = {p.name for p in (TERRAFORM / "modules").iterdir() if p.is_dir()}
    assert {"network", "eks", "data", "storage", "queue", "secrets", "ecr", "iam", "waf", "monitoring",
            "github_oidc"} <= modules
    for environment in ("dev", "prod"):
        assert {"main.tf", "variables.tf", "outputs.tf", "versions.tf"} <= {
            p.name for p in (TERRAFORM / "environments" / environment).iterdir()}


@pytest.mark.parametrize("path", TF_FILES, ids=lambda p: str(p.relative_to(TERRAFORM)))
def test_file_parses_and_variables_are_typed_and_described(path):
    document = parse(path)
    for block in document.get("variable", []):
        for name, body in block.items():
            assert "type" in body, f"{path}: variable {name} has no type"
            assert str(body.get("description", "")).strip(), f"{path}: variable {name} has no description"
    for block in document.get("output", []):
        for name, body in block.items():
            assert str(body.get("description", "")).strip(), f"{path}: output {name} has no description"


def test_every_module_directory_declares_versions():
    for directory in {p.parent for p in TF_FILES}:
        versions = parse(directory / "versions.tf")["terraform"][0]
        assert versions["required_version"], directory
        assert "aws" in versions["required_providers"][0], directory


def test_environment_providers_are_pinned_exactly():
    for environment in ("dev", "prod"):
        providers = (parse(TERRAFORM / "environments" / environment / "versions.tf")
                     ["terraform"][0]["required_providers"][0])
        for name, spec in providers.items():
            assert re.fullmatch(r"\d+\.\d+\.\d+", spec["version"]), f"{environment}: {name} {spec['version']}"


def test_registry_modules_are_pinned_exactly():
    registry_modules = 0
    for path in TF_FILES:
        for block in parse(path).get("module", []):
            for name, body in block.items():
                if body["source"].startswith("."):
                    continue
                registry_modules += 1
                assert re.fullmatch(r"\d+\.\d+\.\d+", str(body.get("version", ""))), f"{path}: module {name}"
    assert registry_modules >= 3


def test_vpc_cidr_matches_the_network_policies():
    for environment in ("dev", "prod"):
        variables = {name: body
                     for block in parse(TERRAFORM / "environments" / environment / "variables.tf")["variable"]
                     for name, body in block.items()}
        assert variables["vpc_cidr"]["default"] == k8s_manifests.VPC_CIDR


def test_irsa_roles_match_the_service_account_annotations():
    text = (TERRAFORM / "modules" / "iam" / "main.tf").read_text()
    workloads_block = text[text.index("workloads = {"):]
    in_terraform = set(re.findall(r'^\s+"([a-z-]+)"\s+=\s+concat', workloads_block, re.MULTILINE))
    assert in_terraform == {w.dashed for w in k8s_manifests.WORKLOADS if w.aws}


def test_one_ecr_repository_for_the_one_image_the_overlays_deploy():
    stack = parse(TERRAFORM / "modules" / "stack" / "variables.tf")
    repository = next(block["image_repository"] for block in stack["variable"] if "image_repository" in block)
    assert f"{repository['default']}:base" == k8s_manifests.image()
    ecr = parse(TERRAFORM / "modules" / "ecr" / "main.tf")
    assert [next(iter(block)) for block in ecr["resource"] if "aws_ecr_repository" in block] == ["aws_ecr_repository"]


def test_audio_lifecycle_expires_dynamic_prompts_after_seven_days():
    storage = parse(TERRAFORM / "modules" / "storage" / "main.tf")
    audio = next(block["audio"] for block in storage["module"] if "audio" in block)
    assert audio["expiring_prefix"] == "tts/dynamic/" and audio["expiring_prefix_days"] == 7


@pytest.mark.skipif(shutil.which("terraform") is None,
                    reason="terraform is not installed (CI's terraform job runs fmt)")
def test_terraform_fmt():
    result = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff", str(TERRAFORM)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
