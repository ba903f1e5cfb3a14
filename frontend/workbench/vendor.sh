#!/bin/sh
# Reproduce server/static/workbench/vendor/ from the lockfile: the world's countries (world-atlas, TopoJSON) and
# ISO 3166-1 alpha-2 -> numeric codes (from i18n-iso-countries' codes.json), with their versions and licences.
# (The accessibility test uses axe-core as frontend/vendor.py vendors it.) Run from anywhere: sh vendor.sh
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../../server/static/workbench/vendor"
cd "$here"
npm ci --no-audit --no-fund
mkdir -p "$out"
cp node_modules/world-atlas/countries-110m.json "$out/countries-110m.json"
node -e '
const codes = require("./node_modules/i18n-iso-countries/codes.json");
const table = Object.fromEntries(codes.map(([alpha2, , numeric]) => [alpha2.toLowerCase(), numeric]));
process.stdout.write(JSON.stringify(table) + "\n");
' > "$out/iso-3166-numeric.json"
{
  for package in world-atlas i18n-iso-countries; do
    node -e "const p = require('./node_modules/$package/package.json'); console.log(p.name + ' ' + p.version + ' ' + p.license)"
  done
} > "$out/VERSIONS"
{
  echo "countries-110m.json: world-atlas (Natural Earth data, public domain; package licence below)"
  cat node_modules/world-atlas/LICENSE
  echo
  echo "iso-3166-numeric.json: derived from i18n-iso-countries codes.json"
  cat node_modules/i18n-iso-countries/LICENSE
} > "$out/LICENCES"
echo "vendored into $out:"; ls -l "$out"
