#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: installs what the
# fixtures need, builds the real test images, checks formatting and lints,
# and runs every unit and integration test.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v python3 >/dev/null || need_apt+=(python3 python3-pip)
command -v gcc >/dev/null || need_apt+=(gcc)
command -v zstd >/dev/null || need_apt+=(zstd)
if [ ${#need_apt[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi
if ! command -v cargo >/dev/null; then
  echo "cargo is required (rustup toolchain)" >&2
  exit 2
fi

export FIPSCAN_FIXTURES="${FIPSCAN_FIXTURES:-$PWD/target/fixtures}"
bash fixtures/build.sh

cargo fmt --all -- --check
cargo clippy --all-targets --quiet -- -D warnings
cargo test --all-targets 2>&1 | tee target/test-output.txt
