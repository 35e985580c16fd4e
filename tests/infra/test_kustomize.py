"""kustomize: the base is what the generator produces, every overlay renders, and the in-repo
renderer agrees with real kustomize wherever one is installed."""

from __future__ import annotations

import pytest
import yaml

from tests.infra.conftest import OVERLAYS, ROOT
from tools import k8s_manifests, kustomize


def test_base_is_generated_from_the_route_table_and_workloads():
    files = k8s_manifests.base_files()
    on_disk = {path.name: path.read_text() for path in (ROOT / "k8s" / "base").glob("*.yaml")}
    assert on_disk == files, "k8s/base is stale: run `make k8s-manifests`"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_overlay_renders(rendered, overlay):
    objects = rendered[overlay]
    keys = [(o["kind"], o["metadata"].get("namespace"), o["metadata"]["name"]) for o in objects]
    assert len(keys) == len(set(keys))
    assert {o["metadata"].get("namespace") for o in objects if o["kind"] != "Namespace"} == {"receptionist"}
    assert all(o["metadata"]["labels"]["app.kubernetes.io/instance"] == f"receptionist-{overlay}" for o in objects)


@pytest.mark.skipif(kustomize.real_kustomize() is None, reason="no kustomize or kubectl on PATH to compare with")
@pytest.mark.parametrize("overlay", OVERLAYS)
def test_renderer_matches_real_kustomize(rendered, overlay):
    real = kustomize.build_with_real(ROOT / "k8s" / "overlays" / overlay)
    mine = {kustomize.object_key(o): o for o in rendered[overlay]}
    assert mine == {kustomize.object_key(o): o for o in real}


def test_renderer_refuses_what_it_does_not_support(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(yaml.safe_dump({"resources": [], "namePrefix": "x-"}))
    with pytest.raises(kustomize.KustomizeError, match="namePrefix"):
        kustomize.build(tmp_path)


def test_renderer_applies_images_labels_and_patches(tmp_path):
    base = tmp_path / "base"
    base.mkdir()
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"tier": "front"}},
        "spec": {"replicas": 1, "template": {"spec": {"containers": [{"name": "c", "image": "app/web:base"}]}}},
    }
    (base / "web.yaml").write_text(yaml.safe_dump(deployment))
    (base / "kustomization.yaml").write_text(yaml.safe_dump({"resources": ["web.yaml"]}))
    overlay = tmp_path / "overlay"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump({
        "resources": ["../base"],
        "labels": [{"pairs": {"env": "prod"}, "includeSelectors": False}],
        "images": [{"name": "app/web", "newName": "registry/app/web", "newTag": "abc123"}],
        "patches": [
            {"target": {"kind": "Deployment", "labelSelector": "tier=front"},
             "patch": yaml.safe_dump([{"op": "replace", "path": "/spec/replicas", "value": 3}])},
            {"patch": yaml.safe_dump({"apiVersion": "apps/v1", "kind": "Deployment",
                                      "metadata": {"name": "web", "annotations": {"a": "b"}}})},
        ],
    }))
    [rendered] = kustomize.build(overlay)
    assert rendered["spec"]["replicas"] == 3
    assert rendered["metadata"]["labels"] == {"tier": "front", "env": "prod"}
    assert rendered["metadata"]["annotations"] == {"a": "b"}
    assert rendered["spec"]["template"]["spec"]["containers"][0]["image"] == "registry/app/web:abc123"
