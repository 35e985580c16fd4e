"""Fixtures for the infrastructure checks: the repository root, rendered overlays, tool lookup."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from tools import kustomize

ROOT = Path(__file__).resolve().parents[2]
OVERLAYS = ("dev", "prod")


def find_tool(name: str) -> str:
    """A tool from the test virtualenv (or .venv/checkov for checkov), else PATH; fails when missing."""
    venv_bin = Path(sys.executable).parent
    candidates = [venv_bin / name, venv_bin.parent / "checkov" / "bin" / name,
                  ROOT / ".venv" / "checkov" / "bin" / name]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: run `make install`")
    return found


@pytest.fixture(scope="session")
def rendered() -> dict[str, list[dict]]:
    """Each overlay rendered by tools/kustomize.py."""
    return {overlay: kustomize.build(ROOT / "k8s" / "overlays" / overlay) for overlay in OVERLAYS}


@pytest.fixture(scope="session")
def rendered_dir(rendered, tmp_path_factory) -> Path:
    """The rendered overlays written out as one YAML file each, for file-based tools."""
    directory = tmp_path_factory.mktemp("rendered")
    for overlay, objects in rendered.items():
        (directory / f"{overlay}.yaml").write_text(yaml.safe_dump_all(objects, sort_keys=False))
    return directory


def objects_of(objects: list[dict], kind: str) -> dict[str, dict]:
    """name -> object for one kind."""
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}
