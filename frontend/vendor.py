"""Vendor the front-end libraries: ``npm ci`` from package-lock.json, then copy the built files into
``server/static/vendor/<lib>/`` with a VERSIONS.json record (version, licence, lockfile integrity, file SHA-256).

The world map of the home page is derived here, not fetched by a browser: world-atlas's TopoJSON countries and
i18n-iso-countries's codes become ``world-atlas/world-paths.json``, one SVG path per ISO 3166-1 alpha-2 code
(equirectangular, 360 x 180 units) that the server draws as inline SVG.

Run ``python frontend/vendor.py`` after changing package.json (and ``npm install --package-lock-only``); commit
what it writes. The package needs no Node: the copied files are committed. Install scripts are not run.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENDOR = HERE.parent / "server" / "static" / "vendor"
FILES = {
    "axe-core": ["axe.min.js", "LICENSE"],
    "swagger-ui-dist": ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"],
    "world-atlas": ["LICENSE"],
    "i18n-iso-countries": ["LICENSE"],
}
WORLD_PATHS = "world-paths.json"


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs in longitude/latitude (delta-decoded, then scaled by its transform)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        decoded.append(points)
    return decoded


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> str:
    """One ring as SVG path data: its arcs joined (a negative index is the reversed arc ~i), x = lon + 180, y = 90 - lat."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return "M" + "L".join(f"{lon + 180:.1f},{90 - lat:.1f}" for lon, lat in points) + "Z"


def world_paths(topology: dict, codes: list[list[str]]) -> dict[str, dict[str, str]]:
    """alpha-2 code (lower case) -> the country's name and SVG path, from world-atlas and i18n-iso-countries."""
    alpha2 = {row[2]: row[0].lower() for row in codes}
    arcs = _arcs(topology)
    paths = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = alpha2.get(str(geometry.get("id", "")))
        if code is None:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        paths[code] = {"name": geometry["properties"]["name"],
                       "d": "".join(_ring(arcs, ring) for polygon in polygons for ring in polygon)}
    return dict(sorted(paths.items()))


def main() -> int:
    lock = json.loads((HERE / "package-lock.json").read_text(encoding="utf-8"))
    record = {}
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(HERE / name, work / name)
        subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=work, check=True)
        for library, files in FILES.items():
            package = work / "node_modules" / library
            meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
            target = VENDOR / library
            shutil.rmtree(target, ignore_errors=True)
            target.mkdir(parents=True)
            hashes = {}
            for name in files:
                shutil.copy(package / name, target / name)
                hashes[name] = hashlib.sha256((target / name).read_bytes()).hexdigest()
            record[library] = {"version": meta["version"], "licence": meta.get("license", ""),
                               "integrity": lock["packages"][f"node_modules/{library}"]["integrity"], "files": hashes}
        topology = json.loads((work / "node_modules/world-atlas/countries-110m.json").read_text(encoding="utf-8"))
        codes = json.loads((work / "node_modules/i18n-iso-countries/codes.json").read_text(encoding="utf-8"))
        derived = VENDOR / "world-atlas" / WORLD_PATHS
        derived.write_text(json.dumps(world_paths(topology, codes), separators=(",", ":")) + "\n", encoding="utf-8")
        entry = record["world-atlas"]
        entry["files"][WORLD_PATHS] = hashlib.sha256(derived.read_bytes()).hexdigest()
        entry["derived"] = {WORLD_PATHS: "countries-110m.json (Natural Earth, public domain) with i18n-iso-countries "
                                         "codes.json: one SVG path per ISO 3166-1 alpha-2 code"}
    (VENDOR / "VERSIONS.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for library, entry in record.items():
        print(f"{library} {entry['version']} ({entry['licence']}): {', '.join(entry['files'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
