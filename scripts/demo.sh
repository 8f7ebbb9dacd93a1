#!/usr/bin/env bash
# The main job on a bundled image: builds the fixture images (first run
# only) and scans a Debian image carrying OpenSSL next to a Go service.
set -euo pipefail
cd "$(dirname "$0")/.."
export FIPSCAN_FIXTURES="${FIPSCAN_FIXTURES:-$PWD/target/fixtures}"
bash fixtures/build.sh >&2
cargo build --release --quiet
set +e
./target/release/fipscan scan "oci:$FIPSCAN_FIXTURES/oci/${1:-debian-openssl}"
code=$?
set -e
echo "fipscan exit code: $code (0 passes the gate, 1 fails it, 2 error)" >&2
