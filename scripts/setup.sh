#!/usr/bin/env bash
# Sets up a fresh machine for sockeye: pnpm at the pinned version, the locked npm dependencies and,
# with --peers, the Debian packages the interop tests talk to (Chromium, Python websockets, squid,
# tinyproxy, nginx, openssl, curl). Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
export TURBO_TELEMETRY_DISABLED=1

if [ "${1:-}" = "--peers" ]; then
  need=()
  command -v chromium >/dev/null 2>&1 || need+=(chromium)
  /usr/bin/python3 -c 'import websockets' >/dev/null 2>&1 || need+=(python3-websockets)
  command -v squid >/dev/null 2>&1 || [ -x /usr/sbin/squid ] || need+=(squid)
  command -v tinyproxy >/dev/null 2>&1 || [ -x /usr/bin/tinyproxy ] || need+=(tinyproxy)
  command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx)
  command -v openssl >/dev/null 2>&1 || need+=(openssl)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "setup: installing Debian packages: ${need[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  fi
fi

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g -E "pnpm@$PNPM_VERSION" >/dev/null
fi

pnpm install --frozen-lockfile
