"""Vendor the front-end libraries: ``npm ci`` from package-lock.json, then copy the built files into
``server/static/vendor/<lib>/`` with a VERSIONS.json record (version, licence, lockfile integrity, file SHA-256).

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
}


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
    (VENDOR / "VERSIONS.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for library, entry in record.items():
        print(f"{library} {entry['version']} ({entry['licence']}): {', '.join(entry['files'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
