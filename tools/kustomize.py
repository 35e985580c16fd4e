"""A small kustomize renderer for the subset k8s/ uses, for machines without a kustomize binary.

Supported: `resources` (files and directories with a kustomization.yaml), `labels` (pairs added to
metadata.labels; selectors and templates untouched), `images` (newName/newTag on every container and
initContainer), and `patches` given inline or by path, either strategic-merge patches of maps (the
target is the patch's own kind and name) or JSON 6902 operation lists with a `target` (kind, name,
labelSelector with equality terms). Anything else is an error, never silently ignored.
tests/infra compares its output with real kustomize (`kustomize build` or `kubectl kustomize`)
whenever one is installed. `python -m tools.kustomize DIR` prints the rendered YAML.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "labels", "images", "patches"}


class KustomizeError(Exception):
    """The kustomization uses something this renderer does not support, or is invalid."""


def build(directory: Path | str) -> list[dict]:
    """Render one kustomization directory into its list of objects."""
    directory = Path(directory)
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text()) or {}
    unknown = set(kustomization) - SUPPORTED_FIELDS
    if unknown:
        raise KustomizeError(f"{directory}: unsupported kustomization fields {sorted(unknown)}")
    objects: list[dict] = []
    for resource in kustomization.get("resources", []):
        path = directory / resource
        if path.is_dir():
            objects += build(path)
        else:
            objects += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    _check_unique(objects, directory)
    for patch in kustomization.get("patches", []):
        _apply_patch(objects, patch, directory)
    for label_set in kustomization.get("labels", []):
        _add_labels(objects, label_set)
    for image in kustomization.get("images", []):
        _set_image(objects, image)
    return objects


def object_key(obj: dict) -> tuple[str, str, str]:
    """(kind, namespace, name): what identifies an object in a kustomization."""
    meta = obj.get("metadata", {})
    return obj.get("kind", ""), meta.get("namespace", ""), meta.get("name", "")


def _check_unique(objects: list[dict], directory: Path) -> None:
    seen: set[tuple[str, str, str]] = set()
    for obj in objects:
        if object_key(obj) in seen:
            raise KustomizeError(f"{directory}: {object_key(obj)} defined twice")
        seen.add(object_key(obj))


def _apply_patch(objects: list[dict], patch: dict, directory: Path) -> None:
    text = patch.get("patch") if "patch" in patch else (directory / patch["path"]).read_text()
    body = yaml.safe_load(text)
    if isinstance(body, list):
        target = patch.get("target")
        if not target:
            raise KustomizeError("a JSON 6902 patch needs a target")
        matched = [obj for obj in objects if _matches(obj, target)]
        if not matched:
            raise KustomizeError(f"patch target {target} matches nothing")
        for obj in matched:
            for operation in body:
                _json_patch(obj, operation)
        return
    if not isinstance(body, dict):
        raise KustomizeError(f"unsupported patch {patch}")
    target = patch.get("target") or {"kind": body["kind"], "name": body["metadata"]["name"]}
    matched = [obj for obj in objects if _matches(obj, target)]
    if not matched:
        raise KustomizeError(f"patch target {target} matches nothing")
    for obj in matched:
        merged = _merge_maps(obj, {k: v for k, v in body.items() if k not in ("apiVersion", "kind")})
        obj.clear()
        obj.update(merged)


def _matches(obj: dict, target: dict) -> bool:
    unknown = set(target) - {"kind", "name", "labelSelector", "group", "version"}
    if unknown:
        raise KustomizeError(f"unsupported target fields {sorted(unknown)}")
    if "kind" in target and obj.get("kind") != target["kind"]:
        return False
    if "name" in target and obj.get("metadata", {}).get("name") != target["name"]:
        return False
    group, _, version = obj.get("apiVersion", "").rpartition("/")
    if "group" in target and group != target["group"]:
        return False
    if "version" in target and version != target["version"]:
        return False
    if "labelSelector" in target:
        obj_labels = obj.get("metadata", {}).get("labels", {})
        for term in target["labelSelector"].split(","):
            if "=" not in term or "!=" in term:
                raise KustomizeError(f"only equality label selectors are supported, not {term!r}")
            name, _, value = term.partition("=")
            if obj_labels.get(name.strip()) != value.strip():
                return False
    return True


def _merge_maps(base: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        if isinstance(patch, list):
            raise KustomizeError("strategic-merge patches of lists are not supported; use a JSON 6902 patch")
        return copy.deepcopy(patch)
    merged = dict(base) if isinstance(base, dict) else {}
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = _merge_maps(merged.get(key), value)
    return merged


def _pointer(path: str) -> list[str]:
    if not path.startswith("/"):
        raise KustomizeError(f"bad JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _json_patch(obj: dict, operation: dict) -> None:
    op, parts = operation["op"], _pointer(operation["path"])
    parent = obj
    for part in parts[:-1]:
        parent = parent[int(part)] if isinstance(parent, list) else parent[part]
    last = parts[-1]
    value = copy.deepcopy(operation.get("value"))
    if isinstance(parent, list):
        index = len(parent) if last == "-" else int(last)
        if op == "add":
            parent.insert(index, value)
        elif op == "replace":
            parent[index] = value
        elif op == "remove":
            del parent[index]
        else:
            raise KustomizeError(f"unsupported op {op}")
        return
    if op == "add":
        parent[last] = value
    elif op == "replace":
        if last not in parent:
            raise KustomizeError(f"replace of missing {operation['path']}")
        parent[last] = value
    elif op == "remove":
        del parent[last]
    else:
        raise KustomizeError(f"unsupported op {op}")


def _add_labels(objects: list[dict], label_set: dict) -> None:
    if label_set.get("includeSelectors") or label_set.get("includeTemplates"):
        raise KustomizeError("labels with includeSelectors/includeTemplates are not supported")
    for obj in objects:
        obj.setdefault("metadata", {}).setdefault("labels", {}).update(label_set["pairs"])


def _set_image(objects: list[dict], image: dict) -> None:
    def visit(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("containers", "initContainers") and isinstance(value, list):
                    for container in value:
                        container["image"] = _retag(container.get("image", ""), image)
                visit(value)
        elif isinstance(node, list):
            for item in node:
                visit(item)

    for obj in objects:
        visit(obj)


def _retag(reference: str, image: dict) -> str:
    name, tag = reference, None
    if "@" in reference:
        name = reference.split("@", 1)[0]
    elif ":" in reference.rsplit("/", 1)[-1]:
        name, tag = reference.rsplit(":", 1)
    if name != image["name"]:
        return reference
    new_name = image.get("newName", name)
    if "digest" in image:
        return f"{new_name}@{image['digest']}"
    new_tag = image.get("newTag", tag)
    return f"{new_name}:{new_tag}" if new_tag else new_name


def real_kustomize() -> list[str] | None:
    """The command of an installed real kustomize, or None."""
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    if shutil.which("kubectl"):
        return ["kubectl", "kustomize"]
    return None


def build_with_real(directory: Path | str) -> list[dict]:
    """Render with the installed real kustomize (raises when there is none)."""
    command = real_kustomize()
    if command is None:
        raise KustomizeError("no kustomize or kubectl on PATH")
    output = subprocess.run([*command, str(directory)], check=True, capture_output=True, text=True).stdout
    return [doc for doc in yaml.safe_load_all(output) if doc]


def main(argv: list[str] | None = None) -> int:
    """Print the rendered objects of one kustomization directory."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        sys.stderr.write("usage: python -m tools.kustomize DIR\n")
        return 2
    sys.stdout.write(yaml.safe_dump_all(build(args[0]), sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
