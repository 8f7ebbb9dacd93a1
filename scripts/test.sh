#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs what the
# fixtures and the registry tests need, builds the real test images, checks
# formatting and lints, and runs every unit and integration test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
command -v gcc >/dev/null || need_apt+=(gcc)
command -v zstd >/dev/null || need_apt+=(zstd)
# The registry tests: a real registry server, skopeo to push the fixture
# images, htpasswd (bcrypt) for basic auth, openssl for a test CA.
command -v docker-registry >/dev/null || need_apt+=(docker-registry)
command -v skopeo >/dev/null || need_apt+=(skopeo)
command -v htpasswd >/dev/null || need_apt+=(apache2-utils)
command -v openssl >/dev/null || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
bash scripts/setup/html.sh
if ! command -v cargo >/dev/null; then
  echo "cargo is required (rustup toolchain)" >&2
  exit 2
fi

export FIPSCAN_FIXTURES="${FIPSCAN_FIXTURES:-$PWD/target/fixtures}"
bash fixtures/build.sh
# Microsoft's SARIF Multitool, which the SARIF tests validate every output with.
bash scripts/setup/sarif.sh >/dev/null
bash scripts/setup/cyclonedx.sh

cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --all-targets 2>&1 | tee target/test-output.txt
