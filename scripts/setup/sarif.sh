#!/usr/bin/env bash
# Microsoft's SARIF Multitool for the SARIF tests (tests/it/sarif.rs): the
# npm package @microsoft/sarif-multitool-linux carries the self-contained
# `Sarif.Multitool` binary and the official sarif-2.1.0 schema. Idempotent:
# installs Debian's nodejs/npm only when npm is missing, and the package into
# target/tools/sarif-multitool only when that version is not there yet.
# Prints the binary's path (the tests find it there or in SARIF_MULTITOOL).
set -euo pipefail
cd "$(dirname "$0")/../.."

version=5.7.0
prefix="$PWD/target/tools/sarif-multitool"
bin="$prefix/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"

installed() {
  [ -x "$bin" ] &&
    grep -q "\"version\": \"$version\"" \
      "$prefix/node_modules/@microsoft/sarif-multitool-linux/package.json" 2>/dev/null
}

if ! installed; then
  if ! command -v npm >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  mkdir -p "$prefix"
  # --prefix with a package.json of its own keeps the install out of any
  # project or global node_modules. The package's only script is the chmod
  # below, done here so no package script runs.
  [ -f "$prefix/package.json" ] || echo '{"private": true}' >"$prefix/package.json"
  npm install --prefix "$prefix" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "@microsoft/sarif-multitool-linux@$version" >&2
  chmod u+x "$bin"
fi
# A .NET program: without ICU (not in a minimal Debian) it must run with
# invariant globalization; the tests set the same variable.
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
if ! "$bin" --version >/dev/null 2>&1; then
  echo "sarif-multitool at $bin does not run" >&2
  "$bin" --version >&2 || true
  exit 1
fi
echo "$bin"
