#!/usr/bin/env bash
# Installs what the interop tests need and npm cannot provide: Python zeep, seen by Debian's python3.
set -euo pipefail
if /usr/bin/python3 -c 'import zeep' 2>/dev/null; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "python3-zeep is missing: run 'sudo apt-get install python3-zeep' (the zeep interop tests need it)" >&2
  exit 1
fi
echo "installing python3-zeep (Debian) for the zeep interop tests" >&2
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-zeep >/dev/null
