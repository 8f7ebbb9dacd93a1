#!/usr/bin/env bash
# The official CycloneDX 1.6 JSON schema (and the SPDX licence and JSF
# signature schemas it references), for the tests that validate
# `--format cyclonedx` output. They ship inside PyPI's cyclonedx-python-lib,
# which is installed into a venv under target/tools (Debian 12's pip refuses
# system-wide installs); the three files are then copied to a fixed place:
#
#   target/tools/cyclonedx/schema/{bom-1.6,spdx,jsf-0.82}.SNAPSHOT.schema.json
#
# Idempotent: returns at once when the copies exist and match the pinned version.
set -euo pipefail
cd "$(dirname "$0")/../.."

VERSION=11.12.0
TOOLS="$PWD/target/tools/cyclonedx"
VENV="$TOOLS/venv"
OUT="$TOOLS/schema"
STAMP="$OUT/.cyclonedx-python-lib-$VERSION"

if [ -f "$STAMP" ] && [ -s "$OUT/bom-1.6.SNAPSHOT.schema.json" ] &&
  [ -s "$OUT/spdx.SNAPSHOT.schema.json" ] && [ -s "$OUT/jsf-0.82.SNAPSHOT.schema.json" ]; then
  exit 0
fi

install_venv_support() {
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3 python3-venv
}
command -v python3 >/dev/null || install_venv_support

# Debian's python3 makes venvs only with python3-venv (ensurepip); a venv
# left half-made by a failed attempt is made again.
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    install_venv_support
    python3 -m venv "$VENV"
  fi
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "cyclonedx-python-lib==$VERSION"

RES="$("$VENV/bin/python" -c 'import cyclonedx.schema, os; print(os.path.join(os.path.dirname(cyclonedx.schema.__file__), "_res"))')"
mkdir -p "$OUT"
# The library names its copies *.SNAPSHOT.schema.json and points the bom
# schema's $refs at those names; the copies keep them, so a validator that
# resolves the $refs against the bom schema's $id finds the other two.
for f in bom-1.6 spdx jsf-0.82; do
  src="$RES/$f.SNAPSHOT.schema.json"
  if [ ! -s "$src" ]; then
    echo "cyclonedx-python-lib $VERSION has no $src" >&2
    exit 1
  fi
  cp "$src" "$OUT/$f.SNAPSHOT.schema.json"
done
rm -f "$OUT"/.cyclonedx-python-lib-*
touch "$STAMP"
echo "CycloneDX 1.6 schema from cyclonedx-python-lib $VERSION in $OUT"
