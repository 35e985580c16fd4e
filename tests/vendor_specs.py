"""Where the vendors' own API specs are: VENDOR_SPECS_DIR, else `shared/vendor-specs` in a folder
above the repository (the handed-over `../shared`). A missing spec fails the test, never skips it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]


def vendor_spec(name: str) -> Path:
    """The path of one vendor spec file."""
    candidates = [Path(os.environ["VENDOR_SPECS_DIR"])] if os.environ.get("VENDOR_SPECS_DIR") else []
    candidates += [parent / "shared" / "vendor-specs" for parent in REPOSITORY.parents]
    for folder in candidates:
        if (folder / name).is_file():
            return folder / name
    pytest.fail(f"vendor spec {name} not found in ../shared/vendor-specs beside the repository; "
                "set VENDOR_SPECS_DIR", pytrace=False)
