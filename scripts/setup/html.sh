#!/usr/bin/env bash
# What the HTML report's browser test (tests/it/html.rs) needs: Debian's
# headless-capable Chromium, and a font so screenshots carry text.
# Idempotent: installs only what is missing.
set -euo pipefail
need=()
command -v chromium >/dev/null || need+=(chromium)
# Without recommends no font may come along; DejaVu is Debian's default.
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}"
fi
if ! command -v chromium >/dev/null; then
  echo "scripts/setup/html.sh: chromium is still missing" >&2
  exit 1
fi
# Debian's launcher script complains on stderr about some /dev/shm mounts; harmless.
chromium --version 2>/dev/null
