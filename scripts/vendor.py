#!/usr/bin/env python3
"""Vendor the web app's front-end dependencies into app/static/vendor/.

The pages never load anything from a third-party host: Leaflet, Leaflet.markercluster and protomaps-leaflet are
installed with npm from the versions pinned in package.json / package-lock.json and their
distribution files are copied next to the app's own static files.

    python scripts/vendor.py          # install if needed, then copy
    python scripts/vendor.py --check  # exit 1 if app/static/vendor is missing or stale

``npm ci`` runs only when node_modules/ is missing or does not hold exactly the versions the
lock file pins. It also installs the test-only packages (TEST_TOOLS: axe-core, which the browser
tests inject into pages to check accessibility); they stay in node_modules/ and are never served. Both node_modules/ and app/static/vendor/ are git-ignored build products.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "package-lock.json"
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "app" / "static" / "vendor"
MANIFEST = VENDOR / "manifest.json"

# package -> list of (source relative to the package, destination relative to VENDOR).
# A source ending in "/" is a directory copied whole.
FILES: dict[str, list[tuple[str, str]]] = {
    "leaflet": [
        ("dist/leaflet.js", "leaflet/leaflet.js"),
        ("dist/leaflet.css", "leaflet/leaflet.css"),
        ("dist/images/", "leaflet/images/"),
        ("LICENSE", "leaflet/LICENSE"),
    ],
    "leaflet.markercluster": [
        ("dist/leaflet.markercluster.js", "leaflet.markercluster/leaflet.markercluster.js"),
        ("dist/MarkerCluster.css", "leaflet.markercluster/MarkerCluster.css"),
        ("dist/MarkerCluster.Default.css", "leaflet.markercluster/MarkerCluster.Default.css"),
        ("MIT-LICENCE.txt", "leaflet.markercluster/MIT-LICENCE.txt"),
    ],
    # draws the area's vector base map (basemap.pmtiles) on canvas; bundles the pmtiles reader
    "protomaps-leaflet": [
        ("dist/protomaps-leaflet.js", "protomaps-leaflet/protomaps-leaflet.js"),
        ("LICENSE", "protomaps-leaflet/LICENSE"),
    ],
}

# devDependencies the tests read straight from node_modules (never copied or served).
TEST_TOOLS = ["axe-core"]


class VendorError(RuntimeError):
    pass


def locked_versions(names=None) -> dict[str, str]:
    """The version package-lock.json pins for each vendored package (or each of ``names``)."""
    try:
        lock = json.loads(LOCK.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise VendorError(f"{LOCK} is missing; run `npm install` in {ROOT} to create it") from None
    packages = lock.get("packages", {})
    out = {}
    for name in (FILES if names is None else names):
        entry = packages.get(f"node_modules/{name}")
        if not entry or "version" not in entry:
            raise VendorError(f"{LOCK.name} does not pin {name}; add it to package.json and run `npm install`")
        out[name] = entry["version"]
    return out


def installed_version(name: str) -> str | None:
    try:
        return json.loads((NODE_MODULES / name / "package.json").read_text(encoding="utf-8")).get("version")
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def node_modules_current(versions: dict[str, str]) -> bool:
    return all(installed_version(name) == version for name, version in versions.items())


def npm_ci() -> None:
    npm = shutil.which("npm")
    if not npm:
        raise VendorError("npm is not on PATH; install Node.js (with npm) to vendor the front-end dependencies")
    print("vendor: npm ci --no-audit --no-fund", flush=True)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT)
    if done.returncode != 0:
        raise VendorError(f"`npm ci` failed with exit code {done.returncode}; see its output above")


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _pairs(name: str) -> list[tuple[Path, Path]]:
    """Every (source file, destination file) of one package, directories expanded."""
    pairs = []
    for src_rel, dst_rel in FILES[name]:
        src = NODE_MODULES / name / src_rel
        dst = VENDOR / dst_rel
        if src_rel.endswith("/"):
            if not src.is_dir():
                raise VendorError(f"{src} is missing; the {name} package layout changed, update FILES in {__file__}")
            pairs += [(f, dst / f.relative_to(src)) for f in sorted(src.rglob("*")) if f.is_file()]
        else:
            if not src.is_file():
                raise VendorError(f"{src} is missing; the {name} package layout changed, update FILES in {__file__}")
            pairs.append((src, dst))
    return pairs


def expected_manifest(versions: dict[str, str]) -> dict:
    files = {}
    for name in FILES:
        for src, dst in _pairs(name):
            files[dst.relative_to(VENDOR).as_posix()] = _digest(src)
    return {"packages": versions, "files": files}


def vendor_current(versions: dict[str, str]) -> bool:
    """True when app/static/vendor holds exactly the locked versions' files, unmodified."""
    try:
        manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return False
    if manifest.get("packages") != versions:
        return False
    for rel, digest in manifest.get("files", {}).items():
        path = VENDOR / rel
        if not path.is_file() or _digest(path) != digest:
            return False
    return bool(manifest.get("files"))


def copy(versions: dict[str, str]) -> int:
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    manifest = expected_manifest(versions)
    count = 0
    for name in FILES:
        for src, dst in _pairs(name):
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            count += 1
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="only check that app/static/vendor is complete and matches package-lock.json")
    args = parser.parse_args(argv)
    try:
        versions = locked_versions()
        if args.check:
            if vendor_current(versions):
                print(f"vendor: up to date ({', '.join(f'{k} {v}' for k, v in versions.items())})")
                return 0
            print("vendor: app/static/vendor is missing or stale; run `python scripts/vendor.py`", file=sys.stderr)
            return 1
        tools = locked_versions(TEST_TOOLS)
        if vendor_current(versions) and node_modules_current(tools):
            print(f"vendor: up to date ({', '.join(f'{k} {v}' for k, v in versions.items())})")
            return 0
        if not node_modules_current({**versions, **tools}):
            npm_ci()
            if not node_modules_current({**versions, **tools}):
                raise VendorError("node_modules still does not match package-lock.json after `npm ci`")
        n = copy(versions)
    except VendorError as exc:
        print(f"vendor: error: {exc}", file=sys.stderr)
        return 1
    print(f"vendor: copied {n} files into {VENDOR.relative_to(ROOT)} "
          f"({', '.join(f'{k} {v}' for k, v in versions.items())})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
