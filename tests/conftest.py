"""Session fixtures shared by every test: the data root, the real Chesterfield and made-up Synthtown
builds, a temporary registry instance; the fixture modules registered as plugins."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from assetmap.config import DEFAULT_DATA_ROOT

# fixtures shared by many test modules, registered here rather than imported by name into each
pytest_plugins = ["app_fixtures", "browser_support", "curate_support", "registry_support", "servers"]

DATA_ROOT = Path(os.environ.get("ASSETMAP_DATA_ROOT", DEFAULT_DATA_ROOT))


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not (DATA_ROOT / "SOURCES.md").exists():
        pytest.fail(f"real data not found at {DATA_ROOT}: put ../shared beside the checkout or set ASSETMAP_DATA_ROOT")
    return DATA_ROOT


@pytest.fixture(scope="session")
def chesterfield(tmp_path_factory, data_root):
    """The real Chesterfield build, made once per test session: (build dir, report)."""
    from assetmap.build import build_area
    from assetmap.config import load_area

    out = tmp_path_factory.mktemp("build") / "chesterfield"
    report = build_area(load_area("chesterfield", data_root), out, echo=lambda m: None)
    return out, report


@pytest.fixture(scope="session")
def synthtown(tmp_path_factory):
    """The made-up area, built once (with hostile names): (build dir, report, config path)."""
    from assetmap.build import build_area
    from assetmap.config import load_area
    from synthetic import write_area

    root = tmp_path_factory.mktemp("synth")
    cfg_path = write_area(root)
    out = root / "build" / "synthtown"
    report = build_area(load_area(cfg_path), out, echo=lambda m: None)
    return out, report, cfg_path


@pytest.fixture(scope="session", autouse=True)
def registry_instance(tmp_path_factory):
    """Apps made by tests (and servers they start) keep their registry database and secret key in a
    temporary folder, never in ./instance, unless ASSETMAP_DATABASE_URL / ASSETMAP_INSTANCE_DIR say otherwise."""
    inst = tmp_path_factory.mktemp("instance")
    with pytest.MonkeyPatch.context() as mp:
        if not os.environ.get("ASSETMAP_DATABASE_URL"):
            url = f"sqlite:///{inst / 'registry.sqlite'}"
            mp.setenv("ASSETMAP_DATABASE_URL", url)
            # migrated up front, so a test's result does not depend on an earlier test having made the tables
            from assetmap.registry.db import upgrade

            upgrade(url)
        if not os.environ.get("ASSETMAP_INSTANCE_DIR"):
            mp.setenv("ASSETMAP_INSTANCE_DIR", str(inst))
        yield inst
